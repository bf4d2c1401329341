-- Continuous audits: a sampled verification of each table of a pipeline against each of its sinks, every few
-- minutes, a rolling range of the key space at a time (positions: JSON of table -> last key checked).
CREATE TABLE audit (
    pipeline         VARCHAR(63)  NOT NULL PRIMARY KEY,
    interval_minutes INT          NOT NULL,
    sample_rows      INT          NOT NULL,
    repair           BOOLEAN      NOT NULL,
    created_by       VARCHAR(63)  NOT NULL,
    next_run_at      TIMESTAMP    NOT NULL,
    positions        TEXT,
    last_run_at      TIMESTAMP,
    last_results     TEXT
);
