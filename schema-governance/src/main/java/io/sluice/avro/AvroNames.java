package io.sluice.avro;

/**
 * Avro names from arbitrary identifiers: each dot-separated part must match {@code [A-Za-z_][A-Za-z0-9_]*}.
 * Invalid characters become {@code _}; a leading digit gets a {@code _} prefix.
 */
public final class AvroNames {
    private AvroNames() {
    }

    /** A valid simple name; the same input always gives the same output. */
    public static String name(String identifier) {
        if (identifier == null || identifier.isEmpty()) {
            return "_";
        }
        StringBuilder out = new StringBuilder(identifier.length() + 1);
        for (int i = 0; i < identifier.length(); i++) {
            char c = identifier.charAt(i);
            boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
            if (!ok && i == 0 && c >= '0' && c <= '9') {
                out.append('_').append(c);
            } else {
                out.append(ok ? c : '_');
            }
        }
        return out.toString();
    }

    /** A valid full name: each dot-separated part made valid by {@link #name}. */
    public static String fullName(String dotted) {
        String[] parts = dotted.split("\\.", -1);
        StringBuilder out = new StringBuilder(dotted.length() + 4);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                out.append('.');
            }
            out.append(name(parts[i]));
        }
        return out.toString();
    }
}
