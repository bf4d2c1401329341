package io.sluice.event;

/**
 * The 64-bit version of a change event: it strictly increases along the binlog of one source, so that sinks can
 * write with it and refuse anything older than what they hold.
 *
 * <h2>Layout</h2>
 * <pre>
 *  bit 63     sign, always 0 (versions are positive longs, as OpenSearch's external versions must be)
 *  bits 59-62 epoch        (4 bits, 0..15)        raised when the source's server changes, or after the binlog went backwards
 *  bits 37-58 file number  (22 bits, 0..4194303)  the numeric suffix of the binlog file, mysql-bin.000042 = 42
 *  bits 1-36  offset       (36 bits, 0..64 GiB-1) the event's byte position in the file plus the row's index in it
 *  bit 0      live         1 for an event read from the binlog, 0 for a row read by a snapshot at that position
 * </pre>
 *
 * <p><b>Why position plus row index is enough.</b> Every row of a rows event occupies at least one byte of that
 * event (its null bitmap), and the event has a 19-byte header, so for an event at position {@code p} holding
 * {@code n} rows, {@code p + i < p + size <= next event's position} for every row index {@code i < n}. The sum is
 * therefore strictly increasing along a file without spending bits on a separate row counter.
 *
 * <p><b>Rotation.</b> A new binlog file has a higher number and restarts at position 4; the file number is more
 * significant than the offset, so the first event of the new file beats every event of the old one.
 *
 * <p><b>Snapshots.</b> A row read by a snapshot taken at binlog position {@code (f, p)} gets {@code live = 0} at
 * offset {@code p}. The first live change after the snapshot starts at {@code p} or later and has {@code live = 1},
 * so it always beats the snapshot's copy of the row.
 *
 * <p><b>Limits.</b> File numbers above 4,194,303, positions plus row index of 64 GiB or more, and epochs above 15
 * cannot be encoded: {@link #of} throws {@link VersionOverflowException} rather than wrapping, and capture stops
 * with a failed state. A failover to another server starts other binlog coordinates: capture moves to the next epoch
 * by itself, so that its versions beat everything written before. A {@code RESET MASTER} on the same server makes
 * versions go backwards: capture detects it and stops; the recovery is a new snapshot under the next epoch.
 *
 * <p>This class is stateless and thread-safe.
 */
public final class EventVersion {
    public static final int EPOCH_BITS = 4;
    public static final int FILE_BITS = 22;
    public static final int OFFSET_BITS = 36;

    public static final int MAX_EPOCH = (1 << EPOCH_BITS) - 1;
    public static final long MAX_FILE_NUMBER = (1L << FILE_BITS) - 1;
    public static final long MAX_OFFSET = (1L << OFFSET_BITS) - 1;

    private static final int OFFSET_SHIFT = 1;
    private static final int FILE_SHIFT = OFFSET_SHIFT + OFFSET_BITS;
    private static final int EPOCH_SHIFT = FILE_SHIFT + FILE_BITS;

    private EventVersion() {
    }

    /**
     * Encodes a version.
     *
     * @param epoch the source's version epoch, 0..{@value #MAX_EPOCH}
     * @param fileNumber the binlog file's number, 0..{@value #MAX_FILE_NUMBER}
     * @param position the event's byte position in the file, not negative
     * @param rowInEvent the row's index in the event, not negative
     * @param live true for an event from the binlog, false for a row read by a snapshot at that position
     * @return a positive version
     * @throws VersionOverflowException if a part does not fit its bits
     */
    public static long of(int epoch, long fileNumber, long position, int rowInEvent, boolean live) {
        if (epoch < 0 || epoch > MAX_EPOCH) {
            throw new VersionOverflowException("version epoch " + epoch + " is outside 0.." + MAX_EPOCH);
        }
        if (fileNumber < 0 || fileNumber > MAX_FILE_NUMBER) {
            throw new VersionOverflowException("binlog file number " + fileNumber + " is outside 0.." + MAX_FILE_NUMBER
                    + "; rotate the source onto a new version epoch (see docs/versions.md)");
        }
        if (position < 0 || rowInEvent < 0) {
            throw new VersionOverflowException("binlog position " + position + " and row " + rowInEvent + " must not be negative");
        }
        long offset = position + rowInEvent;
        if (offset > MAX_OFFSET) {
            throw new VersionOverflowException("binlog position " + position + " + row " + rowInEvent + " exceeds " + MAX_OFFSET
                    + " bytes in one binlog file");
        }
        return ((long) epoch << EPOCH_SHIFT) | (fileNumber << FILE_SHIFT) | (offset << OFFSET_SHIFT) | (live ? 1L : 0L);
    }

    /** The parts of a version. */
    public record Parts(int epoch, long fileNumber, long offset, boolean live) {
    }

    /**
     * Splits a version into its parts.
     *
     * @throws IllegalArgumentException if the version is negative
     */
    public static Parts decode(long version) {
        if (version < 0) {
            throw new IllegalArgumentException("a version is never negative: " + version);
        }
        return new Parts((int) (version >>> EPOCH_SHIFT) & MAX_EPOCH, (version >>> FILE_SHIFT) & MAX_FILE_NUMBER,
                (version >>> OFFSET_SHIFT) & MAX_OFFSET, (version & 1L) == 1L);
    }

    /**
     * The smallest version of an epoch: everything written under a higher epoch beats everything before it.
     */
    public static long firstOfEpoch(int epoch) {
        return of(epoch, 0, 0, 0, false);
    }

    /**
     * The number of a binlog file from its name, for example 42 for {@code mysql-bin.000042}.
     *
     * @throws IllegalArgumentException if the name has no numeric extension
     */
    public static long fileNumber(String binlogFile) {
        int dot = binlogFile == null ? -1 : binlogFile.lastIndexOf('.');
        if (dot < 0 || dot == binlogFile.length() - 1) {
            throw new IllegalArgumentException("binlog file name '" + binlogFile + "' has no numeric extension");
        }
        try {
            return Long.parseLong(binlogFile.substring(dot + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("binlog file name '" + binlogFile + "' has no numeric extension");
        }
    }
}
