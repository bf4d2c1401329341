package io.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The CLI's config file: named contexts (a server and its token) and the current one, as kubectl and kcctl keep
 * them. {@code ~/.sluice/config.json} unless {@code SLUICE_CONFIG} names another file. It holds tokens, so it is
 * written readable by its owner only (600, its directory 700).
 *
 * <pre>{"current-context": "prod", "contexts": {"prod": {"server": "https://sluice.internal", "token": "slc_..."}}}</pre>
 */
final class Contexts {
    static final String ENV = "SLUICE_CONFIG";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    /** A named server and its token (null when none is stored). */
    record Context(String name, String server, String token) {
    }

    private final Path file;
    private final Map<String, Context> contexts = new LinkedHashMap<>();
    private String current;

    private Contexts(Path file) {
        this.file = file;
    }

    /** Where the config file is: {@code SLUICE_CONFIG}, else {@code ~/.sluice/config.json}. */
    static Path location(Map<String, String> env) {
        String configured = env.get(ENV);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".sluice", "config.json");
    }

    /** Reads the file; a missing file holds no contexts. */
    static Contexts load(Path file) {
        Contexts c = new Contexts(file);
        if (Files.isDirectory(file)) {
            throw new CliException(ExitCode.FAILED, "the config file " + file + " is a directory: point " + ENV + " at a file, for example "
                    + Path.of(System.getProperty("user.home"), ".sluice", "config.json"));
        }
        if (!Files.exists(file)) {
            return c;
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new CliException(ExitCode.FAILED, "the config file " + file + " is not valid JSON (" + e.getOriginalMessage()
                    + "): fix it, or delete it and run `sluice context set` again");
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILED, "cannot read the config file " + file + " (" + describe(e) + "): check it or point " + ENV
                    + " at another file");
        }
        if (root == null || !root.isObject()) {
            throw new CliException(ExitCode.FAILED, "the config file " + file + " is not a JSON object: fix it, or delete it and run"
                    + " `sluice context set` again");
        }
        JsonNode list = root.path("contexts");
        if (!list.isMissingNode() && !list.isNull() && !list.isObject()) {
            throw misshapen(file, "contexts", "an object of named contexts", list);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = list.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isObject()) {
                throw misshapen(file, "contexts." + e.getKey(), "an object with server and token", e.getValue());
            }
            c.contexts.put(e.getKey(), new Context(e.getKey(), text(file, e.getValue(), "contexts." + e.getKey() + ".", "server"),
                    text(file, e.getValue(), "contexts." + e.getKey() + ".", "token")));
        }
        c.current = text(file, root, "", "current-context");
        return c;
    }

    /** A field that must be text, or absent. */
    private static String text(Path file, JsonNode node, String prefix, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw misshapen(file, prefix + field, "a string", v);
        }
        return v.asText();
    }

    /** A config file that is JSON, but not of the shape `sluice context set` writes. */
    private static CliException misshapen(Path file, String key, String expected, JsonNode found) {
        return new CliException(ExitCode.FAILED, "the config file " + file + " is not a Sluice config: '" + key + "' must be " + expected
                + ", not " + found.getNodeType().name().toLowerCase(Locale.ROOT) + ": fix it, or delete it and run `sluice context set` again");
    }

    /** What went wrong with a file, in words: an exception's name means nothing to a person. */
    static String describe(IOException e) {
        if (e instanceof CharacterCodingException) {
            return "it is not UTF-8 text";
        }
        if (e instanceof AccessDeniedException a) {
            return "permission denied on " + a.getFile();
        }
        if (e instanceof NoSuchFileException n) {
            return "no such file or directory: " + n.getFile();
        }
        if (e instanceof FileAlreadyExistsException f) {
            return f.getFile() + " is in the way: it exists and is not a directory";
        }
        if (e instanceof NotDirectoryException n) {
            return n.getFile() + " is not a directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + (f.getFile() == null ? "" : ": " + f.getFile());
        }
        return e.getMessage() == null ? "an input/output error" : e.getMessage();
    }

    Path file() {
        return file;
    }

    Map<String, Context> all() {
        return contexts;
    }

    Optional<Context> get(String name) {
        return Optional.ofNullable(contexts.get(name));
    }

    /** The current context, if one is set and still exists. */
    Optional<Context> current() {
        return current == null ? Optional.empty() : get(current);
    }

    String currentName() {
        return current;
    }

    void put(Context context) {
        contexts.put(context.name(), context);
    }

    void use(String name) {
        current = name;
    }

    /** Writes the file atomically, owner-only. */
    void save() {
        ObjectNode root = JSON.createObjectNode();
        root.put("current-context", current);
        ObjectNode list = root.putObject("contexts");
        for (Context c : contexts.values()) {
            ObjectNode o = list.putObject(c.name());
            o.put("server", c.server());
            if (c.token() != null) {
                o.put("token", c.token());
            }
        }
        Path dir = file.toAbsolutePath().getParent();
        try {
            boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
            if (!Files.isDirectory(dir)) {
                if (posix) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
                } else {
                    Files.createDirectories(dir);
                }
            }
            Path tmp = posix ? Files.createTempFile(dir, ".config-", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                    : Files.createTempFile(dir, ".config-", ".tmp");
            try {
                Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            if (posix) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILED, "cannot write the config file " + file + " (" + describe(e) + "): check that its directory"
                    + " is writable, or point " + ENV + " at another file");
        }
    }
}
