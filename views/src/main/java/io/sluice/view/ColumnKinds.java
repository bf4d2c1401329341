package io.sluice.view;

import java.util.Set;

/** The kinds of MySQL and MariaDB column types whose values can be joined with each other. */
final class ColumnKinds {
    private static final Set<String> NUMBERS = Set.of("tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric",
            "year", "bit");
    private static final Set<String> FLOATS = Set.of("float", "double", "real");
    private static final Set<String> TEXT = Set.of("char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set");
    private static final Set<String> BYTES = Set.of("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob");
    private static final Set<String> MOMENTS = Set.of("datetime", "timestamp");

    private ColumnKinds() {
    }

    /** Whether columns of these types (lower-case SQL data types) can be joined. */
    static boolean joinable(String a, String b) {
        return kind(a).equals(kind(b));
    }

    private static String kind(String type) {
        if (NUMBERS.contains(type)) {
            return "number";
        }
        if (FLOATS.contains(type)) {
            return "float";
        }
        if (TEXT.contains(type)) {
            return "text";
        }
        if (BYTES.contains(type)) {
            return "bytes";
        }
        if (MOMENTS.contains(type)) {
            return "moment";
        }
        return type; // date, time, json, uuid, ...: only with their own kind
    }
}
