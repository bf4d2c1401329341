package io.sluice.sink;

import java.util.List;
import java.util.Map;

/**
 * One page of search results.
 *
 * @param total how many live documents match
 * @param hits the documents of this page (their JSON source as a map, with {@code _id} and {@code _version} added)
 */
public record SearchPage(long total, List<Map<String, Object>> hits) {
}
