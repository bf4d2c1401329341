-- One leader among the servers sharing this database (sluice.ha.enabled): the lease, whose epoch grows at each new
-- leader; and each source's capture state (offsets, schema history, version guard) as the leader last wrote it, so
-- that the next leader resumes where it stopped. Files are Base64 text.
CREATE TABLE leader_lease (
    id         INT           NOT NULL PRIMARY KEY,
    holder     VARCHAR(128),
    url        VARCHAR(512),
    epoch      BIGINT        NOT NULL,
    expires_at TIMESTAMP     NOT NULL
);
INSERT INTO leader_lease (id, holder, url, epoch, expires_at) VALUES (1, NULL, NULL, 0, TIMESTAMP '1970-01-01 00:00:00');

CREATE TABLE source_state (
    source     VARCHAR(63)   NOT NULL,
    file       VARCHAR(63)   NOT NULL,
    content    TEXT          NOT NULL,
    epoch      BIGINT        NOT NULL,
    updated_at TIMESTAMP     NOT NULL,
    PRIMARY KEY (source, file)
);
