package io.sluice.admin.leadership;

import io.sluice.metadata.MetadataDb;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The one lease row in the metadata database ({@code leader_lease}), with the database's own clock deciding when it
 * lapsed, so that servers whose clocks disagree still agree on who leads. Each new holder gets the next epoch. The SQL
 * is PostgreSQL's (high availability needs a shared database). Thread-safe.
 */
@ApplicationScoped
public class LeaderLease {
    private static final String UNTIL = "CURRENT_TIMESTAMP + (? * INTERVAL '1 millisecond')";

    /**
     * Who holds the lease now.
     *
     * @param holder the leader's server name, or null before the first
     * @param current whether its lease has not lapsed
     */
    public record Holder(String holder, long epoch, boolean current) {
    }

    @Inject
    MetadataDb db;

    /** Takes the lease if it lapsed; the new epoch when it did. */
    OptionalLong acquire(String me, Duration lease) {
        Optional<Long> epoch = db.inTransaction(c -> MetadataDb.find(c, "UPDATE leader_lease SET holder = ?, epoch = epoch + 1, expires_at = "
                + UNTIL + " WHERE id = 1 AND expires_at < CURRENT_TIMESTAMP RETURNING epoch", rs -> rs.getLong(1), me, lease.toMillis()));
        return epoch.map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    /** Extends the lease of {@code epoch}; false when it lapsed or another server holds it now. */
    boolean renew(String me, long epoch, Duration lease) {
        return db.update("UPDATE leader_lease SET expires_at = " + UNTIL + " WHERE id = 1 AND holder = ? AND epoch = ? AND expires_at >="
                + " CURRENT_TIMESTAMP", lease.toMillis(), me, epoch) == 1;
    }

    /** Gives the lease up, so that a standby takes over at its next try instead of waiting for it to lapse. */
    void release(String me, long epoch) {
        db.update("UPDATE leader_lease SET expires_at = CURRENT_TIMESTAMP - INTERVAL '1 second' WHERE id = 1 AND holder = ? AND epoch = ?",
                me, epoch);
    }

    /** Who holds the lease. */
    public Holder holder() {
        return db.find("SELECT holder, epoch, expires_at > CURRENT_TIMESTAMP FROM leader_lease WHERE id = 1",
                rs -> new Holder(rs.getString(1), rs.getLong(2), rs.getBoolean(3))).orElseThrow();
    }

    /**
     * Whether {@code me} still holds the lease of {@code epoch}, locking the row until {@code c}'s transaction ends: a
     * write in the same transaction cannot land after another server took over.
     */
    static boolean holds(Connection c, String me, long epoch) throws SQLException {
        return MetadataDb.find(c, "SELECT 1 FROM leader_lease WHERE id = 1 AND holder = ? AND epoch = ? AND expires_at > CURRENT_TIMESTAMP"
                + " FOR UPDATE", rs -> true, me, epoch).isPresent();
    }
}
