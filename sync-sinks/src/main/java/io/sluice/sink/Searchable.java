package io.sluice.sink;

import io.sluice.event.TableId;
import io.sluice.sink.SearchPage;
import io.sluice.sink.SearchQuery;

/**
 * A sink whose documents Sluice itself can search (the embedded index), declared through
 * {@link Sink#searchable()}.
 *
 * <p>Unlike the sink's other calls, searches may come from any thread at the same time as the writes, after
 * {@link Sink#open()}; they see what the writes made searchable.
 */
@FunctionalInterface
public interface Searchable {

    /**
     * Searches a table's documents; tombstones are never returned.
     *
     * @param from the first hit, from 0
     * @param size how many hits, 1 to 1000
     * @throws IllegalArgumentException for a bad page
     */
    SearchPage search(TableId table, SearchQuery query, int from, int size);
}
