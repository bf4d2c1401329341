package io.sluice.view;

import io.sluice.backfill.BackfillRun;
import io.sluice.backfill.BinlogPoint;
import io.sluice.backfill.DocumentComparison;
import io.sluice.backfill.Verifier;
import io.sluice.event.ChangeEvent;
import io.sluice.event.EventVersion;
import io.sluice.event.SourcePosition;
import io.sluice.sink.DocumentMapper;
import io.sluice.sink.ReadableSink;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;

/**
 * Compares what a view builds from the source with what one sink holds, online, and optionally repairs exactly the
 * documents that differ.
 *
 * <ol>
 * <li>The root table is read a page of keys at a time; each document is built from the source ({@link ViewReader})
 *     and compared with what the sink reads back: absent is <em>missing</em>, different is <em>stale</em>.</li>
 * <li>Every id the sink holds for the view whose root row is gone is <em>extra</em> (for the default id template
 *     {@code {key}}; other templates are reported as not checked).</li>
 * <li>Suspects are checked again after {@code recheckDelay}: a change still on its way is not drift.</li>
 * <li>With repair, the confirmed documents are built again and written (a deleted root's document is deleted) with
 *     the version of the binlog's end noted just before that read: each holds at least every change before that
 *     point, and the stream's rebuilds of later changes carry higher versions, so a live change always wins.</li>
 * </ol>
 * Documents are compared as {@link DocumentComparison} says.
 *
 * <p>Not thread-safe: one run per instance, on the caller's thread; {@link #cancel()} from any thread.
 */
public final class ViewVerifier {
    private static final SourcePosition NOWHERE = new SourcePosition("verify.000000", 0, 0, null, 0, true);
    private static final int PAGE = 500;

    private final CompiledView view;
    private final ReadableSink sink;
    private final BackfillRun.Target repairs;
    private final Duration recheckDelay;
    private final int samples;
    private final int epoch;
    private final Clock clock;
    private final BackfillRun.Sleeper sleeper;
    private volatile boolean cancelled;

    /**
     * @param repairs where repairs are written (the sink, through the server's runner); null for a report only
     * @param epoch the source's version epoch, for the repairs' versions
     */
    public ViewVerifier(CompiledView view, ReadableSink sink, BackfillRun.Target repairs, Duration recheckDelay, int samples, int epoch,
            Clock clock, BackfillRun.Sleeper sleeper) {
        this.view = view;
        this.sink = sink;
        this.repairs = repairs;
        this.recheckDelay = recheckDelay;
        this.samples = samples;
        this.epoch = epoch;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** Stops the run at its next page or wait; {@link #run} then throws {@link InterruptedException}. */
    public void cancel() {
        cancelled = true;
    }

    /**
     * Compares, and repairs if a repair target was given.
     *
     * @throws SQLException if the source fails
     * @throws InterruptedException if cancelled or interrupted
     */
    public Verifier.Report run(Connection c) throws SQLException, InterruptedException {
        Map<List<String>, List<Object>> suspects = new LinkedHashMap<>();
        long checked = 0;
        for (List<Object> after = null; ; ) {
            stopIfCancelled();
            List<List<Object>> page = ViewReader.rootKeys(view, c, after, PAGE);
            if (page.isEmpty()) {
                break;
            }
            checked += page.size();
            Map<List<String>, List<Object>> keys = byText(page);
            compare(c, keys).keySet().forEach(k -> suspects.put(k, keys.get(k)));
            after = page.get(page.size() - 1);
        }
        boolean extraChecked = "{key}".equals(sink.mapping().id().toString());
        if (extraChecked) {
            extra(c).forEach(suspects::putIfAbsent);
        }
        if (!suspects.isEmpty()) {
            sleeper.sleep(recheckDelay);
        }
        List<String> missing = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        Map<List<String>, List<Object>> confirmed = new LinkedHashMap<>();
        List<List<Object>> all = new ArrayList<>(suspects.values());
        for (int from = 0; from < all.size(); from += PAGE) {
            stopIfCancelled();
            Map<List<String>, List<Object>> part = byText(all.subList(from, Math.min(all.size(), from + PAGE)));
            compare(c, part).forEach((key, difference) -> {
                (difference == Difference.MISSING ? missing : difference == Difference.STALE ? stale : extra).add(String.join(":", key));
                confirmed.put(key, part.get(key));
            });
        }
        long repaired = repairs == null ? 0 : repair(c, confirmed);
        return new Verifier.Report(checked, missing.size(), stale.size(), extra.size(), sample(missing), sample(stale), sample(extra),
                extraChecked, repaired);
    }

    private enum Difference { MISSING, STALE, EXTRA }

    /** The documents of these keys that the sink does not hold as the source builds them now. */
    private Map<List<String>, Difference> compare(Connection c, Map<List<String>, List<Object>> keys) throws SQLException {
        Map<List<String>, Optional<GenericRecord>> docs = ViewReader.read(view, c, keys.values());
        List<ChangeEvent> events = ViewEngine.documents(view, keys, docs, 0, NOWHERE, clock.instant());
        List<String> held = sink.readBack(events);
        Map<List<String>, Difference> out = new LinkedHashMap<>();
        int i = 0;
        for (List<String> key : keys.keySet()) {
            ChangeEvent e = events.get(i);
            String h = held.get(i++);
            if (e.after() == null) {
                if (DocumentComparison.live(h) != null) {
                    out.put(key, Difference.EXTRA);
                }
            } else if (!DocumentComparison.same(sink.stored(DocumentMapper.document(e.after(), sink.mapping())), h)) {
                out.put(key, DocumentComparison.live(h) == null ? Difference.MISSING : Difference.STALE);
            }
        }
        return out;
    }

    /** The keys of documents the sink holds for the view whose root row is gone. */
    private Map<List<String>, List<Object>> extra(Connection c) throws SQLException {
        List<List<Object>> ids = new ArrayList<>();
        int width = view.root().keyColumns().size();
        sink.scanIds(view.id(), batch -> batch.forEach(id -> ids.add(List.of((Object[]) (width == 1 ? new String[] {id}
                : id.split(":", width))))));
        Set<List<String>> present = new HashSet<>();
        for (int from = 0; from < ids.size(); from += PAGE) {
            ViewReader.read(view, c, ids.subList(from, Math.min(ids.size(), from + PAGE))).forEach((k, d) -> {
                if (d.isPresent()) {
                    present.add(k);
                }
            });
        }
        Map<List<String>, List<Object>> out = new LinkedHashMap<>();
        for (List<Object> id : ids) {
            List<String> text = KeyValues.text(id);
            if (!present.contains(text)) {
                out.put(text, id);
            }
        }
        return out;
    }

    private long repair(Connection c, Map<List<String>, List<Object>> confirmed) throws SQLException, InterruptedException {
        List<List<Object>> all = new ArrayList<>(confirmed.values());
        long done = 0;
        for (int from = 0; from < all.size(); from += PAGE) {
            stopIfCancelled();
            Map<List<String>, List<Object>> part = byText(all.subList(from, Math.min(all.size(), from + PAGE)));
            BinlogPoint low = BinlogPoint.current(c);
            long version = EventVersion.of(epoch, EventVersion.fileNumber(low.file()), low.position(), 0, false);
            Map<List<String>, Optional<GenericRecord>> docs = ViewReader.read(view, c, part.values());
            List<ChangeEvent> writes = ViewEngine.documents(view, part, docs, version, new SourcePosition(low.file(), low.position(), 0, null,
                    0, true), clock.instant());
            repairs.write(writes);
            done += writes.size();
        }
        return done;
    }

    private static Map<List<String>, List<Object>> byText(List<List<Object>> keys) {
        Map<List<String>, List<Object>> out = new LinkedHashMap<>();
        keys.forEach(k -> out.put(KeyValues.text(k), k));
        return out;
    }

    private List<String> sample(List<String> ids) {
        return List.copyOf(ids.subList(0, Math.min(ids.size(), samples)));
    }

    private void stopIfCancelled() throws InterruptedException {
        if (cancelled) {
            throw new InterruptedException("verification cancelled");
        }
    }
}
