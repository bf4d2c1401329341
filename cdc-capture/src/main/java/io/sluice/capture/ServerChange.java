package io.sluice.capture;

/**
 * The source's server is not the one capture read from before: a replica promoted after a failover, or the source's
 * host pointed at another server. Its binlog files and positions start elsewhere, so capture continues by GTID and
 * its versions move to the next epoch, which beats every version written before.
 *
 * @param from the server capture read from before, as {@link #describe} gives it
 * @param to the server capture reads from now
 * @param epoch the version epoch from now on
 */
public record ServerChange(String from, String to, int epoch) {

    /** A server's identity in words: {@code server_id 2} (MariaDB), {@code server_uuid 3E11FA47-...} (MySQL). */
    static String describe(SourceType type, String identity) {
        return (type == SourceType.MYSQL ? "server_uuid " : "server_id ") + identity;
    }
}
