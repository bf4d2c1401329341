package io.sluice.sink.lucene;

import static io.sluice.sink.TestEvents.TABLE;
import static io.sluice.sink.TestEvents.delete;
import static io.sluice.sink.TestEvents.upsert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.event.ChangeEvent;
import io.sluice.sink.SearchPage;
import io.sluice.sink.SearchQuery;
import io.sluice.sink.Searchable;
import io.sluice.sink.SinkContractIT;
import io.sluice.sink.SinkException;
import io.sluice.testkit.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded Lucene sink on a real index on disk: the sink contract, and what is Lucene's own. */
class LuceneSinkIT extends SinkContractIT<LuceneSink> {

    @TempDir
    Path dir;

    @Override
    protected LuceneSink newSink(Map<String, String> keys) {
        Map<String, String> props = new HashMap<>(Map.of(LuceneSinkConfig.DIR, dir.toString(), LuceneSinkConfig.TOMBSTONE_TTL_MS, "60000"));
        props.putAll(keys);
        return new LuceneSink("index", LuceneSinkConfig.parse("index", props), Clock.systemUTC());
    }

    @Override
    protected Set<Class<?>> moreCapabilities() {
        return Set.of(Searchable.class);
    }

    /** What a search finds, each hit with the source it stores. */
    @Override
    protected Map<String, Stored> documents(LuceneSink sink) {
        Map<String, Stored> out = new LinkedHashMap<>();
        for (Map<String, Object> hit : sink.search(TABLE, new SearchQuery.All(), 0, 1000).hits()) {
            String id = (String) hit.get("_id");
            String source = sink.readBack(List.of(upsert(Integer.parseInt(id), "probe", 1))).get(0);
            out.put(id, new Stored((Long) hit.get("_version"), source));
        }
        return out;
    }

    /** A new volume: the indexes and everything beside them are gone. */
    @Override
    protected void loseData(LuceneSink sink) throws IOException {
        deleteTree(dir);
    }

    @Override
    protected void generationKept(String generation) throws IOException {
        assertThat(Files.readString(dir.resolve(LuceneSink.GENERATION_FILE)).trim()).isEqualTo(generation);
    }

    private static void deleteTree(Path tree) throws IOException {
        try (Stream<Path> paths = Files.walk(tree)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private LuceneSink sink(Clock clock) {
        LuceneSink sink = new LuceneSink("index", LuceneSinkConfig.parse("index", Map.of(LuceneSinkConfig.DIR, dir.toString(),
                LuceneSinkConfig.TOMBSTONE_TTL_MS, "60000")), clock);
        sink.open();
        return sink;
    }

    private static List<Object> names(SearchPage page) {
        return page.hits().stream().map(h -> h.get("name")).toList();
    }

    @Test
    void shouldMakeWritesSearchableOnlyOnceTheRefreshIntervalPassedOrAtFlushWhileVersionsStillHold() {
        ManualClock clock = new ManualClock(Instant.parse("2026-11-30T12:00:00Z"));
        LuceneSink sink = new LuceneSink("index", LuceneSinkConfig.parse("index", Map.of(LuceneSinkConfig.DIR, dir.toString(),
                LuceneSinkConfig.REFRESH_INTERVAL_MS, "1000")), clock);
        sink.open();
        try (sink) {
            sink.write(List.of(upsert(1, "Ada", 100), upsert(2, "Grace", 100)));
            assertThat(sink.search(TABLE, new SearchQuery.All(), 0, 10).total()).isZero();

            // Not yet searchable, yet known: an older version of a written key is skipped, a newer one lands.
            clock.advance(Duration.ofMillis(999));
            sink.write(List.of(upsert(1, "older Ada", 90), upsert(2, "Grace Hopper", 110)));
            assertThat(sink.search(TABLE, new SearchQuery.All(), 0, 10).total()).isZero();

            clock.advance(Duration.ofMillis(1));
            sink.write(List.of(upsert(3, "Barbara", 120)));
            assertThat(names(sink.search(TABLE, new SearchQuery.All(), 0, 10))).containsExactlyInAnyOrder("Ada", "Grace Hopper", "Barbara");

            sink.write(List.of(delete(3, 130)));
            assertThat(sink.search(TABLE, new SearchQuery.All(), 0, 10).total()).isEqualTo(3);
            sink.flush();
            assertThat(names(sink.search(TABLE, new SearchQuery.All(), 0, 10))).containsExactlyInAnyOrder("Ada", "Grace Hopper");
        }
    }

    @Test
    void shouldGetANewGenerationWhenTheIndexOfOneTableIsLostAlone() throws Exception {
        String first;
        String second;
        String index;
        try (LuceneSink sink = sink(Clock.systemUTC())) {
            sink.write(List.of(upsert(1, "Ada", 100)));
            sink.flush();
            first = sink.generation();
            index = sink.indexOf(TABLE);
        }
        deleteTree(dir.resolve(index));
        try (LuceneSink again = sink(Clock.systemUTC())) {
            second = again.generation();
            assertThat(second).as("the table's index was removed while the sink was closed").isNotEqualTo(first);
            again.write(List.of(upsert(2, "Grace", 110))); // the index comes back, empty but for this row
            again.flush();
            assertThat(again.generation()).as("an index written again is no new loss").isEqualTo(second);
        }
        deleteTree(dir.resolve(index));
        try (LuceneSink written = sink(Clock.systemUTC())) {
            written.write(List.of(upsert(3, "Hedy", 120))); // recreates the index before any check
            assertThat(written.generation()).as("lost again, seen though a write came first").isNotEqualTo(second);
        }
    }

    @Test
    void shouldUpsertDeleteAndSearchByTermMatchAndPage() {
        try (LuceneSink sink = sink(Clock.systemUTC())) {
            sink.write(List.of(upsert(1, "Ada Lovelace", 100), upsert(2, "Grace Hopper", 110), upsert(3, "Ada Yonath", 120)));
            sink.flush();
            assertThat(sink.search(TABLE, new SearchQuery.All(), 0, 10).total()).isEqualTo(3);
            assertThat(names(sink.search(TABLE, new SearchQuery.Match("name", "ada"), 0, 10))).containsExactlyInAnyOrder("Ada Lovelace", "Ada Yonath");
            assertThat(names(sink.search(TABLE, new SearchQuery.Term("name", "Grace Hopper"), 0, 10))).containsExactly("Grace Hopper");
            assertThat(names(sink.search(TABLE, new SearchQuery.Term("id", "3"), 0, 10))).containsExactly("Ada Yonath");
            SearchPage page2 = sink.search(TABLE, new SearchQuery.All(), 2, 2);
            assertThat(page2.total()).isEqualTo(3);
            assertThat(page2.hits()).hasSize(1);

            sink.write(List.of(upsert(1, "Ada King", 130), delete(2, 140)));
            SearchPage all = sink.search(TABLE, new SearchQuery.All(), 0, 10);
            assertThat(names(all)).containsExactlyInAnyOrder("Ada King", "Ada Yonath");
            assertThat(all.hits()).filteredOn(h -> h.get("_id").equals("1")).extracting(h -> h.get("_version"))
                    .containsExactly(upsert(1, "x", 130).version());
            assertThatThrownBy(() -> sink.search(TABLE, new SearchQuery.All(), 0, 0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void shouldCountEveryHitWhenMoreThanAThousandMatch() {
        try (LuceneSink sink = sink(Clock.systemUTC())) {
            List<ChangeEvent> batch = new ArrayList<>();
            for (int id = 1; id <= 2500; id++) {
                batch.add(upsert(id, id % 2 == 0 ? "even row" : "odd row", 100 + id));
            }
            sink.write(batch);
            assertThat(sink.search(TABLE, new SearchQuery.All(), 0, 10).total()).isEqualTo(2500);
            assertThat(sink.search(TABLE, new SearchQuery.Match("name", "even"), 990, 10).total()).isEqualTo(1250);
        }
    }

    @Test
    void shouldIndexLongTextForMatchesButNotAsATermLikeOpenSearchsKeywordIgnoreAbove() {
        String essay = "lorem ipsum ".repeat(4000); // 48,000 characters: over Lucene's limit for one term
        try (LuceneSink sink = sink(Clock.systemUTC())) {
            assertThat(sink.write(List.of(upsert(1, essay, 100), upsert(2, "Grace", 110))).rejected()).isEmpty();
            assertThat(sink.search(TABLE, new SearchQuery.Match("name", "ipsum"), 0, 10).total()).isEqualTo(1);
            assertThat(sink.search(TABLE, new SearchQuery.Term("name", "Grace"), 0, 10).total()).isEqualTo(1);
            assertThat(sink.search(TABLE, new SearchQuery.Term("name", essay), 0, 10).total()).isZero();
        }
    }

    @Test
    void shouldEndAtEachKeysNewestVersionOnceWhenOneLargeBatchRewritesEveryKeyAndIsReplayed() {
        rewriteEveryKeyFiveTimes(1000);
    }

    /**
     * Each key written five times in one batch (one version lookup per batch), the newest last, then the whole batch
     * again (a replay) and its oldest writes once more: every key must end at its newest, once (the first write of an
     * id the index does not hold adds its document without a delete: a second add would be a duplicate).
     */
    private void rewriteEveryKeyFiveTimes(int keys) {
        try (LuceneSink sink = sink(Clock.systemUTC())) {
            List<ChangeEvent> batch = new ArrayList<>();
            for (int round = 1; round <= 5; round++) {
                for (int id = 1; id <= keys; id++) {
                    batch.add(id % 7 == 0 && round == 5 ? delete(id, round * 10_000 + id) : upsert(id, "name " + id + " round " + round, round * 10_000 + id));
                }
            }
            sink.write(batch);
            sink.write(batch);
            sink.write(batch.subList(0, keys * 3));
            sink.flush();
            List<String> ids = new ArrayList<>();
            sink.scanIds(TABLE, ids::addAll);
            assertThat(ids).hasSize(keys - keys / 7).doesNotHaveDuplicates();
            assertThat(sink.search(TABLE, new SearchQuery.All(), 0, 10).total()).as("live documents").isEqualTo(keys - keys / 7);
            List<ChangeEvent> probes = new ArrayList<>();
            for (int id = 1; id <= keys; id++) {
                probes.add(upsert(id, "x", 1));
            }
            List<String> held = sink.readBack(probes);
            for (int id = 1; id <= keys; id++) {
                if (id % 7 == 0) {
                    assertThat(held.get(id - 1)).as("key %d was deleted last", id).isNull();
                } else {
                    assertThat(held.get(id - 1)).as("key %d", id).contains("\"name\":\"name " + id + " round 5\"");
                }
            }
        }
    }

    @Test
    void shouldPurgeTombstonesAfterTheirTimeToLive() {
        ManualClock clock = new ManualClock();
        try (LuceneSink sink = sink(clock)) {
            sink.write(List.of(upsert(1, "A", 100), delete(1, 200)));
            sink.flush();
            sink.write(List.of(upsert(1, "late", 150)));
            assertThat(sink.search(TABLE, new SearchQuery.All(), 0, 10).total()).isZero();
            clock.advance(Duration.ofMinutes(2));
            sink.flush();
            // Past the tombstone's lifetime an older write is no longer refused: the documented limit.
            sink.write(List.of(upsert(1, "late", 150)));
            assertThat(names(sink.search(TABLE, new SearchQuery.All(), 0, 10))).containsExactly("late");
        }
    }

    @Test
    void shouldKeepOnlyWhatWasFlushedAcrossACrashAndConvergeOnReplay() {
        List<ChangeEvent> first = new ArrayList<>();
        List<ChangeEvent> second = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            first.add(upsert(i, "v1-" + i, 1000 + i));
            second.add(upsert(i, "v2-" + i, 2000 + i));
        }
        try (LuceneSink sink = sink(Clock.systemUTC())) {
            sink.write(first);
            sink.flush();
            sink.write(second); // not flushed: the "crash" below loses it, and the pipeline did not commit past it
        }
        try (LuceneSink sink = sink(Clock.systemUTC())) {
            assertThat(names(sink.search(TABLE, new SearchQuery.Term("id", "7"), 0, 1))).containsExactly("v1-7");
            sink.write(first); // replay from the committed offset
            sink.write(second);
            sink.flush();
            assertThat(names(sink.search(TABLE, new SearchQuery.Term("id", "7"), 0, 1))).containsExactly("v2-7");
            assertThat(sink.search(TABLE, new SearchQuery.All(), 0, 100).total()).isEqualTo(50);
        }
    }

    /**
     * A write that fails inside Lucene (here: the index directory is gone while segments are written, as on a full
     * or failing disk) closes Lucene's writer for good. The sink must not stay broken: once the cause is fixed, the
     * next write reopens the index at its last commit, and the replay from the committed offset lands.
     */
    @Test
    void shouldReopenTheIndexAtItsLastCommitAfterAWriteFailedInsideLucene() throws Exception {
        List<ChangeEvent> committed = List.of(upsert(1, "Ada", 100), upsert(2, "Grace", 110));
        List<ChangeEvent> next = List.of(upsert(3, "Linus", 120), upsert(1, "Ada King", 130));
        try (LuceneSink sink = sink(Clock.systemUTC())) {
            sink.write(committed);
            sink.flush();
            Path index = dir.resolve(sink.indexOf(TABLE));
            Path away = dir.resolve("moved-away");
            Files.move(index, away);
            assertThatThrownBy(() -> sink.write(next)).isInstanceOf(SinkException.class).hasMessageContaining("index");
            Files.move(away, index);

            sink.write(next); // the pipeline replays from its committed offset
            sink.flush();
            assertThat(names(sink.search(TABLE, new SearchQuery.All(), 0, 10))).containsExactlyInAnyOrder("Ada King", "Grace", "Linus");
        }
    }

    @Test
    void shouldKeepWritingAndCommittingWhenTheWritingThreadIsInterrupted() {
        // A sink runner, backfill or rebuild is interrupted when it stops; Lucene's channels must not see it, or the
        // writer's lock is lost and every later commit fails ("FileLock invalidated by an external force").
        try (LuceneSink sink = sink(Clock.systemUTC())) {
            sink.write(List.of(upsert(1, "Ada", 100)));
            sink.flush();
            Thread.currentThread().interrupt();
            try {
                sink.write(List.of(upsert(2, "Grace", 110)));
                sink.flush();
                assertThat(Thread.currentThread().isInterrupted()).as("the caller's interrupt is kept for it to see").isTrue();
            } finally {
                Thread.interrupted();
            }
            sink.write(List.of(upsert(3, "Linus", 120)));
            sink.flush();
            assertThat(names(sink.search(TABLE, new SearchQuery.All(), 0, 10))).containsExactlyInAnyOrder("Ada", "Grace", "Linus");
        }
    }
}
