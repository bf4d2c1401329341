package io.sluice.admin.activity;

import io.sluice.metadata.MetadataDb;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The timeline of sources, sinks and pipelines: state changes seen by the server and what people did, with who
 * did it. Subjects are {@code source:<name>}, {@code sink:<name>}, {@code pipeline:<name>}, {@code user:<name>}.
 * Every entry is also one log line. Thread-safe.
 */
@ApplicationScoped
public class ActivityLog {
    private static final Logger LOG = Logger.getLogger(ActivityLog.class);

    /** The actor of changes the server saw by itself. */
    public static final String SYSTEM = "system";

    @Inject
    MetadataDb db;

    @Inject
    Clock clock;

    /**
     * One entry of a timeline.
     *
     * @param subject what it concerns, for example {@code source:shop}
     * @param actor who did it, or {@link #SYSTEM}
     * @param action what happened, for example {@code started} or {@code state:failed}
     * @param detail more words, or null; never a secret
     * @param at when
     */
    public record Entry(long id, String subject, String actor, String action, String detail, Instant at) {
    }

    /**
     * Records an entry. Each part is cut to what its column holds (80 characters of subject, 40 of action, 4,000 of
     * detail): the timeline says what happened even when a name made the words long.
     */
    public void record(String subject, String actor, String action, String detail) {
        LOG.infof("%s %s by %s%s", subject, action, actor, detail == null ? "" : ": " + detail);
        db.update("INSERT INTO activity (subject, actor, action, detail, at) VALUES (?, ?, ?, ?, ?)", cut(subject, 80), actor,
                cut(action, 40), cut(detail, 4000), Timestamp.from(clock.instant()));
    }

    private static String cut(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    /** The newest entries of a subject first; all subjects when {@code subject} is null. */
    public List<Entry> timeline(String subject, int limit) {
        return db.read(c -> {
            String sql = "SELECT id, subject, actor, action, detail, at FROM activity" + (subject == null ? "" : " WHERE subject = ?")
                    + " ORDER BY id DESC LIMIT ?";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                if (subject != null) {
                    ps.setString(i++, subject);
                }
                ps.setInt(i, limit);
                List<Entry> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                rs.getTimestamp(6).toInstant()));
                    }
                }
                return out;
            }
        });
    }
}
