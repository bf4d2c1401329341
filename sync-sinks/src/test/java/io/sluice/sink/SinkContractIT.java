package io.sluice.sink;

import static io.sluice.sink.TestEvents.TABLE;
import static io.sluice.sink.TestEvents.delete;
import static io.sluice.sink.TestEvents.upsert;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.event.ChangeEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What every sink must do, run by each sink's own IT against its real target: versions only go forward (an older
 * event is refused, a newer one wins), a replayed batch changes nothing, a delete leaves a tombstone that older
 * events cannot get past, the sweep after a snapshot removes (or marks) exactly what the snapshot did not see, the
 * generation stays across instances and changes once the target lost its data, the target reads back what was
 * written, and the capabilities are declared the same before and after {@link Sink#open()}.
 *
 * <p>A subclass builds its sink and reads its target natively ({@link #documents}); it may check more of its target
 * in the hooks ({@link #beforeSweep}, {@link #afterSweep}, {@link #generationKept}). Every test uses
 * {@link TestEvents#TABLE}.
 *
 * @param <S> the sink's type
 */
public abstract class SinkContractIT<S extends ReadableSink> {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A document as the target itself shows it.
     *
     * @param version its version
     * @param json its stored JSON, as written (decimals exact)
     */
    public record Stored(long version, String json) {
        JsonNode tree() {
            return DocumentMapper.tree(json);
        }

        String name() {
            return tree().path("name").asText();
        }

        boolean marked() {
            return tree().path(DocumentMapper.DELETED_FIELD).asBoolean(false);
        }
    }

    /**
     * A new instance of the sink on this test's target, not opened.
     *
     * @param keys keys to add to (or put over) the subclass's own, such as {@code delete.mode}
     */
    protected abstract S newSink(Map<String, String> keys);

    /**
     * The live documents of {@link TestEvents#TABLE} (marked ones included, tombstones not) as the target shows them
     * to its own clients, by id; made visible first where the target needs it.
     */
    protected abstract Map<String, Stored> documents(S sink) throws Exception;

    /** Makes the target lose what was written to it, as a wiped server or a new volume would. */
    protected abstract void loseData(S sink) throws Exception;

    /** The optional capabilities this sink declares besides {@link Sweepable}, {@link Generational} and {@link ReadableSink}. */
    protected Set<Class<?>> moreCapabilities() {
        return Set.of();
    }

    /**
     * Everything the target holds that a replay could change, compared before and after one; by default the
     * {@linkplain #documents documents}.
     */
    protected Object state(S sink) throws Exception {
        return documents(sink);
    }

    /** Makes what was written visible to {@link ReadableSink#scanIds}, if the target lists by search; nothing by default. */
    protected void makeListable(S sink) {
    }

    /** Called before the first sweep of {@link #shouldRemoveOnlyTheRowsASnapshotTakenAgainDidNotSeeAndKeepThemFromComingBack}. */
    protected void beforeSweep() throws Exception {
    }

    /** Called right after that sweep, before anything else reads the target: checks of the target's own. */
    protected void afterSweep(S sink) throws Exception {
    }

    /** Called once the target has a new generation after a loss: checks where it is kept. */
    protected void generationKept(String generation) throws Exception {
    }

    /** A new instance of the sink, opened. */
    protected final S sink(Map<String, String> keys) {
        S sink = newSink(keys);
        sink.open();
        return sink;
    }

    private static Map<String, String> names(Map<String, Stored> documents) {
        Map<String, String> out = new TreeMap<>();
        documents.forEach((id, d) -> out.put(id, d.name()));
        return out;
    }

    @Test
    void shouldDeclareTheSameCapabilitiesBeforeAndAfterItIsOpened() {
        Set<Class<?>> expected = new HashSet<>(Set.of(Sweepable.class, Generational.class, ReadableSink.class));
        expected.addAll(moreCapabilities());
        try (S sink = newSink(Map.of())) {
            assertThat(capabilities(sink)).as("before open").isEqualTo(expected);
            sink.open();
            assertThat(capabilities(sink)).as("after open").isEqualTo(expected);
            assertThat(sink.readable()).containsSame(sink);
        }
    }

    private static Set<Class<?>> capabilities(Sink sink) {
        Set<Class<?>> out = new HashSet<>();
        sink.sweepable().ifPresent(c -> out.add(Sweepable.class));
        sink.generational().ifPresent(c -> out.add(Generational.class));
        sink.readable().ifPresent(c -> out.add(ReadableSink.class));
        sink.reindexable().ifPresent(c -> out.add(Reindexable.class));
        sink.searchable().ifPresent(c -> out.add(Searchable.class));
        return out;
    }

    @Test
    void shouldConvergeUnderReplaysOutOfOrderDeliveryAndLateOlderWrites() throws Exception {
        List<ChangeEvent> batch = List.of(upsert(1, "A", 100), upsert(2, "B", 110), upsert(1, "A2", 120), delete(2, 130), upsert(3, "C", 140));
        try (S sink = sink(Map.of())) {
            assertThat(sink.write(batch).rejected()).isEmpty();
            sink.flush();
            Object first = state(sink);
            for (int i = 0; i < 3; i++) {
                assertThat(sink.write(batch).rejected()).isEmpty();
                sink.flush();
            }
            assertThat(state(sink)).as("the same state after three replays").isEqualTo(first);
            assertThat(names(documents(sink))).isEqualTo(Map.of("1", "A2", "3", "C"));

            sink.write(List.of(upsert(3, "older", 135), upsert(1, "oldest", 90), upsert(2, "zombie", 125)));
            sink.flush();
            assertThat(names(documents(sink))).as("older writes, one older than the delete").isEqualTo(Map.of("1", "A2", "3", "C"));
        }
    }

    @Test
    void shouldEndInTheNewestStateWhenEventsArriveOutOfOrder() throws Exception {
        try (S sink = sink(Map.of())) {
            sink.write(List.of(upsert(1, "newest", 300)));
            sink.write(List.of(upsert(1, "older", 200), upsert(1, "oldest", 100)));
            Stored held = documents(sink).get("1");
            assertThat(held.name()).isEqualTo("newest");
            assertThat(held.version()).isEqualTo(upsert(1, "newest", 300).version());
        }
    }

    @Test
    void shouldLetAWriteOfTheSameVersionReplaceTheDocument() throws Exception {
        try (S sink = sink(Map.of())) {
            sink.write(List.of(upsert(1, "as read at 100", 100), upsert(2, "kept", 100), delete(3, 100)));
            sink.flush();
            // A repair of a document changed by hand while the source did not move carries the version it already holds.
            sink.write(List.of(upsert(1, "repaired at 100", 100), upsert(3, "back at 100", 100)));
            sink.flush();
            assertThat(names(documents(sink))).isEqualTo(Map.of("1", "repaired at 100", "2", "kept", "3", "back at 100"));
            sink.write(List.of(upsert(1, "older", 99)));
            sink.flush();
            assertThat(names(documents(sink))).as("an older write still loses").containsEntry("1", "repaired at 100");
        }
    }

    @Test
    void shouldNotResurrectADeletedRowWithAnOlderWriteButTakeANewerOne() throws Exception {
        try (S sink = sink(Map.of())) {
            sink.write(List.of(upsert(1, "alive", 100), delete(1, 200)));
            sink.write(List.of(upsert(1, "zombie", 150)));
            assertThat(documents(sink)).doesNotContainKey("1");
            assertThat(sink.readBack(List.of(upsert(1, "x", 1)))).containsOnlyNulls();
            sink.write(List.of(upsert(1, "reborn", 250)));
            assertThat(documents(sink).get("1").name()).isEqualTo("reborn");
        }
    }

    @Test
    void shouldKeepAMarkedLastImageInMarkDeleteMode() throws Exception {
        try (S sink = sink(Map.of("delete.mode", "mark"))) {
            sink.write(List.of(upsert(1, "Ada", 100), delete(1, 200)));
            Stored held = documents(sink).get("1");
            assertThat(held.marked()).isTrue();
            assertThat(held.name()).isEqualTo("gone");
            sink.write(List.of(upsert(1, "zombie", 150)));
            assertThat(documents(sink).get("1").marked()).isTrue();
        }
    }

    @Test
    void shouldRemoveOnlyTheRowsASnapshotTakenAgainDidNotSeeAndKeepThemFromComingBack() throws Exception {
        try (S sink = sink(Map.of())) {
            Sweepable sweep = sink.sweepable().orElseThrow();
            sink.write(TestEvents.acrossTwoSnapshots());
            beforeSweep();
            assertThat(sweep.sweep(TestEvents.snapshotAt(1000))).containsExactly(Map.entry(TABLE, 1L));
            afterSweep(sink);
            assertThat(names(documents(sink))).isEqualTo(Map.of("1", "Ada", "2", "Grace", "3", "Barbara L.", "6", "Frances"));
            assertThat(sweep.sweep(TestEvents.snapshotAt(1000))).as("a sweep again").containsExactly(Map.entry(TABLE, 0L));

            // An older event replayed stays out; the snapshot's own copy of the row, arriving late, gets in.
            sink.write(List.of(upsert(4, "Hedy again", 130)));
            assertThat(documents(sink)).doesNotContainKey("4");
            sink.write(List.of(TestEvents.snapshotRead(4, "Hedy late", 1000)));
            assertThat(documents(sink).get("4").name()).isEqualTo("Hedy late");
            sink.flush();
        }
    }

    @Test
    void shouldMarkTheRowsASnapshotDidNotSeeInMarkDeleteModeKeepingTheirLastImage() throws Exception {
        try (S sink = sink(Map.of("delete.mode", "mark"))) {
            Sweepable sweep = sink.sweepable().orElseThrow();
            sink.write(TestEvents.acrossTwoSnapshots());
            assertThat(sweep.sweep(TestEvents.snapshotAt(1000))).as("row 5 is marked already").containsExactly(Map.entry(TABLE, 1L));
            Map<String, Stored> held = documents(sink);
            Stored hedy = held.get("4");
            assertThat(hedy.version()).isEqualTo(TestEvents.snapshotVersion(1000) - 1);
            assertThat(hedy.marked()).isTrue();
            assertThat(hedy.name()).isEqualTo("Hedy");
            assertThat(hedy.json()).as("the decimal as it was written").contains("\"balance\":12.50");
            assertThat(held.values().stream().filter(Stored::marked).map(Stored::name)).containsExactlyInAnyOrder("Hedy", "gone");
            assertThat(held.get("3").marked()).isFalse();
            assertThat(sweep.sweep(TestEvents.snapshotAt(1000))).as("a sweep again").containsExactly(Map.entry(TABLE, 0L));
        }
    }

    @Test
    void shouldKeepItsGenerationAcrossInstancesAndGetANewOneOnceTheTargetLostItsData() throws Exception {
        String first;
        try (S sink = sink(Map.of())) {
            sink.write(List.of(upsert(1, "Ada", 100)));
            sink.flush();
            first = sink.generational().orElseThrow().generation();
            assertThat(sink.generational().orElseThrow().generation()).isEqualTo(first);
        }
        String next;
        try (S again = sink(Map.of())) {
            Generational generations = again.generational().orElseThrow();
            assertThat(generations.generation()).as("another instance of the sink, its own connection").isEqualTo(first);
            loseData(again);
            next = generations.generation();
            assertThat(next).as("asked again after the loss").isNotEqualTo(first);
            assertThat(again.readBack(List.of(upsert(1, "Ada", 100)))).containsOnlyNulls();
            generationKept(next);
        }
        try (S fresh = sink(Map.of())) {
            assertThat(fresh.generational().orElseThrow().generation()).as("a new instance after the loss").isEqualTo(next);
            assertThat(fresh.readBack(List.of(upsert(1, "Ada", 100)))).containsOnlyNulls();
        }
    }

    @Test
    void shouldReadDocumentsBackAsVerifyComparesThemAndListTheLiveIds() throws Exception {
        try (S sink = sink(Map.of())) {
            assertThat(sink.readBack(List.of(upsert(1, "x", 1)))).as("nothing written yet").containsExactly((String) null);
            ChangeEvent ada = upsert(1, "Ada", 100);
            ChangeEvent hedy = upsert(3, "Hedy", 120);
            sink.write(List.of(ada, upsert(2, "Grace", 110), hedy, delete(2, 130)));
            List<String> held = sink.readBack(List.of(upsert(1, "x", 1), upsert(2, "x", 1), upsert(3, "x", 1)));
            assertThat(held).hasSize(3);
            assertThat(JSON.readTree(held.get(0))).isEqualTo(JSON.readTree(sink.stored(DocumentMapper.document(ada.after(), sink.mapping()))));
            assertThat(held.get(1)).as("a tombstone holds no document").isNull();
            assertThat(JSON.readTree(held.get(2))).isEqualTo(JSON.readTree(sink.stored(DocumentMapper.document(hedy.after(), sink.mapping()))));
            makeListable(sink);
            List<String> ids = new ArrayList<>();
            sink.scanIds(TABLE, ids::addAll);
            assertThat(ids).containsExactlyInAnyOrder("1", "3");
        }
    }
}
