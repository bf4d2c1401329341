package io.sluice.registry;

/** The errors of the registry API, with Confluent Schema Registry's HTTP statuses and error codes. */
public enum RegistryError {
    SUBJECT_NOT_FOUND(404, 40401),
    VERSION_NOT_FOUND(404, 40402),
    SCHEMA_NOT_FOUND(404, 40403),
    SUBJECT_SOFT_DELETED(404, 40404),
    SUBJECT_NOT_SOFT_DELETED(404, 40405),
    VERSION_SOFT_DELETED(404, 40406),
    VERSION_NOT_SOFT_DELETED(404, 40407),
    SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED(404, 40408),
    INCOMPATIBLE_SCHEMA(409, 409),
    INVALID_SCHEMA(422, 42201),
    INVALID_VERSION(422, 42202),
    INVALID_COMPATIBILITY_LEVEL(422, 42203),
    INVALID_SUBJECT(422, 42208),
    /** A rule set that cannot run against the schema: every problem is named. */
    INVALID_RULE_SET(422, 42210),
    BAD_REQUEST(400, 400),
    /** A well-formed request with fields Confluent's API does not know. */
    UNPROCESSABLE(422, 422),
    /** The metadata database failed ({@code io.sluice.metadata.MetadataException}): answered without its details. */
    STORE_ERROR(500, 50001);

    private final int httpStatus;
    private final int errorCode;

    RegistryError(int httpStatus, int errorCode) {
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public int errorCode() {
        return errorCode;
    }
}
