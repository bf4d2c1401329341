package io.sluice.event;

import java.util.Objects;

/**
 * Where an event sits in its source's binlog.
 *
 * @param binlogFile the binlog file name, for example {@code mysql-bin.000003}; never null
 * @param binlogPosition the byte position of the event in that file
 * @param rowInEvent the index of the row in its rows event (0 for snapshot reads and DDL)
 * @param gtid the GTID of the transaction where the source has one, else null
 * @param serverId the {@code server_id} of the server that wrote the event (0 when unknown)
 * @param snapshot true when the row was read by a snapshot rather than from the binlog
 */
public record SourcePosition(String binlogFile, long binlogPosition, int rowInEvent, String gtid, long serverId,
        boolean snapshot) {
    public SourcePosition {
        Objects.requireNonNull(binlogFile, "binlogFile");
    }

    /** {@code file:position/row}, for logs and status pages. */
    @Override
    public String toString() {
        return binlogFile + ":" + binlogPosition + "/" + rowInEvent + (gtid == null ? "" : " gtid " + gtid)
                + (snapshot ? " (snapshot)" : "");
    }
}
