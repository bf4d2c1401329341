package io.sluice.admin.pipeline;

import io.sluice.admin.error.Problem;
import io.sluice.event.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Which tables of a source go to which sinks.
 *
 * @param name the pipeline's name
 * @param source the source it reads
 * @param tables patterns {@code database.table} where {@code *} matches any run of characters; empty takes every
 *     table the source captures
 * @param sinks the sinks every matching change goes to
 */
public record PipelineSpec(String name, String source, List<String> tables, List<String> sinks) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern TABLE = Pattern.compile("[A-Za-z0-9_$*]+\\.[A-Za-z0-9_$*]+");

    public PipelineSpec {
        tables = tables == null ? List.of() : List.copyOf(tables);
        sinks = sinks == null ? null : List.copyOf(sinks);
    }

    /** Problems of the fields themselves, each naming the field; references are checked by the store. */
    List<Problem> problems() {
        List<Problem> out = new ArrayList<>();
        if (name == null || !NAME.matcher(name).matches()) {
            out.add(new Problem("name", "must be 1 to 63 characters of a-z, 0-9, '_' and '-', starting with a letter or digit"
                    + (name == null ? " (it is missing)" : ", not '" + name + "'")));
        }
        if (source == null || source.isBlank()) {
            out.add(new Problem("source", "is missing: name the source the pipeline reads"));
        }
        if (sinks == null || sinks.isEmpty()) {
            out.add(new Problem("sinks", "must list at least one sink"));
        }
        for (String t : tables) {
            if (t == null || !TABLE.matcher(t).matches()) {
                out.add(new Problem("tables", "entries are database.table with '*' as a wildcard (for example shop.* or"
                        + " shop.order_*), not '" + t + "'"));
            }
        }
        return out;
    }

    /** The tables this pipeline takes. */
    public Predicate<TableId> tableFilter() {
        if (tables.isEmpty()) {
            return t -> true;
        }
        List<Pattern> patterns = tables.stream()
                .map(t -> Pattern.compile(Pattern.quote(t).replace("*", "\\E.*\\Q"), Pattern.CASE_INSENSITIVE)).toList();
        return t -> {
            String qualified = t.database() + "." + t.table();
            return patterns.stream().anyMatch(p -> p.matcher(qualified).matches());
        };
    }
}
