package io.sluice.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.event.ChangeEvent;
import io.sluice.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GenerationWatchTest {
    /** A sink whose target answers the generations queued, one per call; an empty queue means unreachable. */
    private static class Target implements Sink, Generational {
        final Deque<String> answers = new ArrayDeque<>();
        int asked;

        @Override
        public String name() {
            return "cache";
        }

        @Override
        public void open() {
        }

        @Override
        public WriteResult write(List<ChangeEvent> batch) {
            return new WriteResult(List.of());
        }

        @Override
        public void flush() {
        }

        @Override
        public String generation() {
            asked++;
            if (answers.isEmpty()) {
                throw new RetriableSinkException("unreachable", null);
            }
            return answers.poll();
        }

        @Override
        public Optional<Generational> generational() {
            return Optional.of(this);
        }

        @Override
        public void close() {
        }
    }

    /** A record in memory. */
    private static final class Kept implements GenerationWatch.Record {
        String last;
        final List<String> seen = new ArrayList<>();

        @Override
        public Optional<String> last() {
            return Optional.ofNullable(last);
        }

        @Override
        public void seen(String generation) {
            last = generation;
            seen.add(generation);
        }
    }

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-30T12:00:00Z"));
    private final Target target = new Target();
    private final Kept kept = new Kept();
    private final List<GenerationWatch.Loss> losses = new ArrayList<>();

    @Test
    void shouldTakeTheFirstGenerationAsTheTargetsAndReportADifferentOneOnceAsALoss() {
        GenerationWatch watch = new GenerationWatch(target, kept, clock, losses::add);
        target.answers.addAll(List.of("a", "a", "b", "b"));

        assertThat(watch.check()).isEmpty();
        clock.advance(GenerationWatch.EVERY);
        assertThat(watch.check()).isEmpty();
        clock.advance(GenerationWatch.EVERY);
        assertThat(watch.check()).contains(new GenerationWatch.Loss("cache", "a", "b"));
        clock.advance(GenerationWatch.EVERY);
        assertThat(watch.check()).isEmpty();

        assertThat(losses).containsExactly(new GenerationWatch.Loss("cache", "a", "b"));
        assertThat(kept.seen).containsExactly("a", "b");
    }

    @Test
    void shouldReportALossThatHappenedWhileSluiceWasStoppedFromTheRecordedGeneration() {
        kept.last = "before-the-restart";
        target.answers.add("after-the-restart");

        new GenerationWatch(target, kept, clock, losses::add).check();

        assertThat(losses).containsExactly(new GenerationWatch.Loss("cache", "before-the-restart", "after-the-restart"));
        assertThat(kept.last).isEqualTo("after-the-restart");
    }

    @Test
    void shouldAskTheTargetAtMostOncePerIntervalAndAgainWhenTheClockIsSetBack() {
        GenerationWatch watch = new GenerationWatch(target, kept, clock, losses::add);
        target.answers.addAll(List.of("a", "a", "a"));

        watch.check();
        clock.advance(Duration.ofMillis(999));
        watch.check();
        assertThat(target.asked).isEqualTo(1);
        clock.advance(Duration.ofMillis(1));
        watch.check();
        assertThat(target.asked).isEqualTo(2);
        clock.advance(Duration.ofMinutes(-5));
        watch.check();
        assertThat(target.asked).isEqualTo(3);
        assertThat(losses).isEmpty();
    }

    @Test
    void shouldRecordNothingWhenTheTargetCannotBeReachedAndAskAgainAtTheNextFlush() {
        kept.last = "a";
        GenerationWatch watch = new GenerationWatch(target, kept, clock, losses::add);

        assertThatThrownBy(watch::check).isInstanceOf(RetriableSinkException.class);
        target.answers.add("b");
        assertThat(watch.check()).as("asked again at once: the failed call did not count").isPresent();
        assertThat(kept.seen).containsExactly("b");
    }

    @Test
    void shouldNeverAskASinkThatKeepsNoGeneration() {
        Target silent = new Target() {
            @Override
            public Optional<Generational> generational() {
                return Optional.empty();
            }
        };
        silent.answers.add("a");
        GenerationWatch watch = new GenerationWatch(silent, kept, clock, losses::add);

        assertThat(watch.check()).isEmpty();
        clock.advance(GenerationWatch.EVERY);
        assertThat(watch.check()).isEmpty();
        assertThat(silent.asked).isZero();
        assertThat(kept.seen).isEmpty();
    }

    @Test
    void shouldNotRecordTheNewGenerationWhenTheListenerFailed() {
        kept.last = "a";
        target.answers.addAll(List.of("b", "b"));
        GenerationWatch watch = new GenerationWatch(target, kept, clock, loss -> {
            throw new IllegalStateException("no repair could be started");
        });

        assertThatThrownBy(watch::check).isInstanceOf(IllegalStateException.class);
        assertThat(kept.last).as("the loss is reported again at the next check").isEqualTo("a");
    }
}
