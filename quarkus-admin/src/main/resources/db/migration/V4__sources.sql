-- Registered sources. The password is stored encrypted (AES-GCM) and never returned by the API.
CREATE TABLE source (
    name          VARCHAR(63)  NOT NULL PRIMARY KEY,
    config        TEXT         NOT NULL,
    password_enc  TEXT         NOT NULL,
    created_at    TIMESTAMP    NOT NULL,
    updated_at    TIMESTAMP    NOT NULL
);
