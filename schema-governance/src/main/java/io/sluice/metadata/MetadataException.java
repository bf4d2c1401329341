package io.sluice.metadata;

import java.sql.SQLException;

/**
 * The metadata database failed a read or a write (unreachable, a lost connection, a constraint it enforces): a
 * server-side failure, which the same call may not meet again. Nothing was changed by the failed call. Its message
 * names the database's own reason and never the JDBC URL's credentials.
 */
public final class MetadataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MetadataException(SQLException cause) {
        super("The metadata database failed: " + cause.getMessage(), cause);
    }
}
