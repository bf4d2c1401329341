package io.sluice.admin.auth;

import io.quarkus.elytron.security.common.BcryptUtil;
import io.sluice.admin.error.ConflictException;
import io.sluice.admin.error.InvalidRequestException;
import io.sluice.admin.error.NotFoundException;
import io.sluice.admin.error.Problem;
import io.sluice.metadata.MetadataDb;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Users, their API tokens and browser sessions. Passwords are stored as bcrypt hashes (cost 12); tokens and
 * session ids as SHA-256 hashes of 32 random bytes, so that a copy of the database opens nothing. Thread-safe.
 */
@ApplicationScoped
public class Users {
    /** How long a browser session lasts. */
    static final Duration SESSION_LIFETIME = Duration.ofHours(12);
    private static final int BCRYPT_COST = 12;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Compared against when the user does not exist, so that timing does not tell which names exist. */
    private static final String DUMMY_HASH = BcryptUtil.bcryptHash("not-a-password", BCRYPT_COST);

    /** How long a checked name and password are remembered, so that Basic clients do not pay bcrypt per request. */
    static final Duration VERIFIED_LIFETIME = Duration.ofMinutes(5);
    /** SHA-256 of name, password and stored hash, to when it was checked; cleared when users change. */
    private final Map<String, Instant> verified = new ConcurrentHashMap<>();

    @Inject
    MetadataDb db;

    @Inject
    Clock clock;

    /** A user as shown by the API: never the hash. */
    public record User(String name, Role role, Instant createdAt) {
    }

    /**
     * An API token as listed: never the secret.
     *
     * @param id the token's public id (the part before the secret)
     */
    public record Token(String id, String user, String label, Instant createdAt, Instant expiresAt, Instant lastUsed) {
    }

    /** A signed-in principal. */
    public record Principal(String user, Role role, String csrfToken) {
    }

    /**
     * Creates a user.
     *
     * @throws InvalidRequestException for a bad name or a weak password, ConflictException if the name is taken
     */
    public User create(String name, String password, Role role) {
        List<Problem> problems = new ArrayList<>();
        if (name == null || !name.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
            problems.add(new Problem("name", "must be 1 to 63 characters of a-z, 0-9, '.', '_' and '-'"));
        }
        if (password == null || password.length() < 12) {
            problems.add(new Problem("password", "must have at least 12 characters"));
        } else if (password.length() > 72) {
            problems.add(new Problem("password", "must have at most 72 characters (bcrypt reads no further)"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException("The user is invalid; each detail names the field.", problems);
        }
        String hash = BcryptUtil.bcryptHash(password, BCRYPT_COST);
        Instant now = clock.instant();
        db.inTransaction(c -> {
            if (find(name).isPresent()) {
                throw new ConflictException("conflict", "A user named '" + name + "' exists already.");
            }
            return MetadataDb.update(c, "INSERT INTO app_user (name, password_hash, role, created_at) VALUES (?, ?, ?, ?)", name, hash,
                    role.name(), Timestamp.from(now));
        });
        return new User(name, role, now);
    }

    public boolean any() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM app_user"); ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        });
    }

    public List<User> list() {
        return users(null);
    }

    public Optional<User> find(String name) {
        return users(name).stream().findFirst();
    }

    /** Every user, or the one with this name. */
    private List<User> users(String name) {
        return db.read(c -> {
            List<User> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name, role, created_at FROM app_user"
                    + (name == null ? "" : " WHERE name = ?") + " ORDER BY name")) {
                if (name != null) {
                    ps.setString(1, name);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new User(rs.getString(1), Role.valueOf(rs.getString(2)), rs.getTimestamp(3).toInstant()));
                    }
                }
            }
            return out;
        });
    }

    /** @throws NotFoundException */
    public User get(String name) {
        return find(name).orElseThrow(() -> new NotFoundException("No user named '" + name
                + "'; GET /api/v1/users lists them."));
    }

    /** @throws NotFoundException, or ConflictException when it would leave no admin */
    public User setRole(String name, Role role) {
        User u = get(name);
        if (u.role() == Role.ADMIN && role != Role.ADMIN) {
            requireAnotherAdmin(name);
        }
        verified.clear();
        db.update("UPDATE app_user SET role = ? WHERE name = ?", role.name(), name);
        return new User(name, role, u.createdAt());
    }

    /** @throws InvalidRequestException for a weak password, NotFoundException */
    public void setPassword(String name, String password) {
        get(name);
        if (password == null || password.length() < 12 || password.length() > 72) {
            throw InvalidRequestException.of("password", "must have 12 to 72 characters");
        }
        verified.clear();
        String hash = BcryptUtil.bcryptHash(password, BCRYPT_COST);
        db.inTransaction(c -> {
            MetadataDb.update(c, "UPDATE app_user SET password_hash = ? WHERE name = ?", hash, name);
            return MetadataDb.update(c, "DELETE FROM web_session WHERE user_name = ?", name);
        });
    }

    /** Deletes a user with their tokens and sessions. @throws NotFoundException, or ConflictException for the last admin */
    public void delete(String name) {
        User u = get(name);
        if (u.role() == Role.ADMIN) {
            requireAnotherAdmin(name);
        }
        verified.clear();
        db.inTransaction(c -> {
            MetadataDb.update(c, "DELETE FROM api_token WHERE user_name = ?", name);
            MetadataDb.update(c, "DELETE FROM web_session WHERE user_name = ?", name);
            return MetadataDb.update(c, "DELETE FROM app_user WHERE name = ?", name);
        });
    }

    private void requireAnotherAdmin(String name) {
        if (list().stream().noneMatch(o -> o.role() == Role.ADMIN && !o.name().equals(name))) {
            throw new ConflictException("last_admin", "'" + name + "' is the last admin; make another user admin first.");
        }
    }

    /** The user if the password is theirs; takes the same time whether or not the user exists. */
    public Optional<User> authenticate(String name, String password) {
        if (name == null || password == null) {
            return Optional.empty();
        }
        String[] stored = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT password_hash, role, created_at FROM app_user WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? new String[] {rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant().toString()} : null;
                }
            }
        });
        String hash = stored == null ? DUMMY_HASH : stored[0];
        String memo = MetadataDb.sha256(name + "\u0000" + password + "\u0000" + hash);
        Instant checked = verified.get(memo);
        boolean ok = checked != null && checked.plus(VERIFIED_LIFETIME).isAfter(clock.instant()) || BcryptUtil.matches(password, hash);
        if (ok && stored != null) {
            if (verified.size() > 10_000) {
                verified.clear();
            }
            verified.put(memo, checked != null ? checked : clock.instant());
        }
        return ok && stored != null ? Optional.of(new User(name, Role.valueOf(stored[1]), Instant.parse(stored[2]))) : Optional.empty();
    }

    /**
     * Issues an API token; the returned text is shown once and never stored.
     *
     * @param ttl how long it lasts, or null for no expiry
     * @return the token: {@code slc_<id>_<secret>}
     */
    public String issueToken(String user, String label, Duration ttl) {
        get(user);
        if (label == null || label.isBlank() || label.length() > 100) {
            throw InvalidRequestException.of("label", "must be 1 to 100 characters that say what the token is for (for example 'ci')");
        }
        String id = HexFormat.of().formatHex(randomBytes(8));
        String token = "slc_" + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
        Instant now = clock.instant();
        db.inTransaction(c -> MetadataDb.update(c,
                "INSERT INTO api_token (id, user_name, label, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)", id, user,
                label, MetadataDb.sha256(token), Timestamp.from(now), ttl == null ? null : Timestamp.from(now.plus(ttl))));
        return token;
    }

    public List<Token> tokens(String user) {
        return tokens("user_name", user);
    }

    /** @throws NotFoundException */
    public Token token(String id) {
        return tokens("id", id).stream().findFirst()
                .orElseThrow(() -> new NotFoundException("No token with id '" + id + "'."));
    }

    /** Tokens whose column ({@code user_name} or {@code id}, never input) equals the value; all tokens when it is null. */
    private List<Token> tokens(String column, String value) {
        return db.read(c -> {
            List<Token> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, user_name, label, created_at, expires_at, last_used FROM api_token"
                    + (value == null ? "" : " WHERE " + column + " = ?") + " ORDER BY created_at")) {
                if (value != null) {
                    ps.setString(1, value);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Token(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                                instant(rs.getTimestamp(5)), instant(rs.getTimestamp(6))));
                    }
                }
            }
            return out;
        });
    }

    public void revokeToken(String id) {
        db.update("DELETE FROM api_token WHERE id = ?", id);
    }

    /** The principal of a valid, unexpired token. */
    public Optional<Principal> byToken(String token) {
        String hash = MetadataDb.sha256(token);
        Optional<Principal> p = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT u.name, u.role, t.expires_at FROM api_token t JOIN app_user u"
                    + " ON u.name = t.user_name WHERE t.token_hash = ?")) {
                ps.setString(1, hash);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || (rs.getTimestamp(3) != null && rs.getTimestamp(3).toInstant().isBefore(clock.instant()))) {
                        return Optional.empty();
                    }
                    return Optional.of(new Principal(rs.getString(1), Role.valueOf(rs.getString(2)), null));
                }
            }
        });
        // At most one write a minute per token: a script polling the API must not turn every read into a write.
        Instant now = clock.instant();
        p.ifPresent(x -> db.inTransaction(c -> MetadataDb.update(c,
                "UPDATE api_token SET last_used = ? WHERE token_hash = ? AND (last_used IS NULL OR last_used < ?)",
                Timestamp.from(now), hash, Timestamp.from(now.minusSeconds(60)))));
        return p;
    }

    /**
     * Opens a browser session.
     *
     * @return the cookie value (shown to the browser only)
     */
    public String openSession(String user) {
        String session = Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
        String csrf = HexFormat.of().formatHex(randomBytes(16));
        Instant now = clock.instant();
        db.inTransaction(c -> {
            MetadataDb.update(c, "DELETE FROM web_session WHERE expires_at < ?", Timestamp.from(now));
            return MetadataDb.update(c, "INSERT INTO web_session (session_hash, user_name, csrf_token, created_at, expires_at)"
                    + " VALUES (?, ?, ?, ?, ?)", MetadataDb.sha256(session), user, csrf, Timestamp.from(now),
                    Timestamp.from(now.plus(SESSION_LIFETIME)));
        });
        return session;
    }

    public Optional<Principal> bySession(String session) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT u.name, u.role, s.csrf_token, s.expires_at FROM web_session s JOIN app_user u"
                    + " ON u.name = s.user_name WHERE s.session_hash = ?")) {
                ps.setString(1, MetadataDb.sha256(session));
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getTimestamp(4).toInstant().isBefore(clock.instant())) {
                        return Optional.empty();
                    }
                    return Optional.of(new Principal(rs.getString(1), Role.valueOf(rs.getString(2)), rs.getString(3)));
                }
            }
        });
    }

    public void closeSession(String session) {
        db.update("DELETE FROM web_session WHERE session_hash = ?", MetadataDb.sha256(session));
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
