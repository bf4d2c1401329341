package io.sluice.capture;

import io.sluice.event.ChangeEvent;
import io.sluice.event.SourceEvent;
import io.sluice.event.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Keeps every event it is handed, in order. Thread-safe. */
final class CollectingConsumer implements EventBatchConsumer {
    private final List<SourceEvent> events = new ArrayList<>();
    private final List<Completed> completed = new ArrayList<>();

    /** A table's snapshot completed at a version, after {@code eventsBefore} events had been accepted. */
    record Completed(String table, long version, int eventsBefore) {
    }

    @Override
    public synchronized void accept(List<SourceEvent> batch) {
        events.addAll(batch);
    }

    @Override
    public synchronized void snapshotCompleted(Map<TableId, Long> snapshots) {
        snapshots.forEach((table, version) -> completed.add(new Completed(table.table(), version, events.size())));
    }

    synchronized List<Completed> completed() {
        return List.copyOf(completed);
    }

    synchronized List<SourceEvent> events() {
        return List.copyOf(events);
    }

    synchronized List<ChangeEvent> changes() {
        return events.stream().filter(ChangeEvent.class::isInstance).map(ChangeEvent.class::cast).toList();
    }

    synchronized List<ChangeEvent> changes(String table) {
        return changes().stream().filter(c -> c.table().table().equals(table)).toList();
    }
}
