package io.sluice.sink;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Notices that a sink's target lost its data, from its {@linkplain Generational generation}: the first token seen is
 * the target's, and a later, different one is a loss, reported once to a listener and then taken as the target's.
 * The last token seen is kept through a {@link Record}, so that a loss while Sluice was stopped (a cache
 * restarted without persistence meanwhile) is noticed at the next start too. A sink that keeps no generation is
 * never asked, and no loss of its target is seen.
 *
 * <p>Checks cost the target a read, so {@link #check()} asks at most once per interval.
 *
 * <p>Not thread-safe: called by the one thread that writes the sink at a time, as the {@link Sink} contract says.
 */
public final class GenerationWatch {
    /** How often, at most, {@link #check()} asks the target. */
    public static final Duration EVERY = Duration.ofSeconds(1);

    /** Where the last generation seen of a sink is kept. */
    public interface Record {
        /** The last generation seen, or empty before the first. */
        Optional<String> last();

        /** Keeps the generation seen now. */
        void seen(String generation);
    }

    /**
     * A target that lost its data.
     *
     * @param sink the sink's name
     * @param was the generation it had
     * @param now the generation it has now
     */
    public record Loss(String sink, String was, String now) {
    }

    private final String sink;
    /** Null when the sink keeps no generation. */
    private final Generational target;
    private final Record record;
    private final Clock clock;
    private final Consumer<Loss> onLoss;
    private String known;
    private boolean loaded;
    private Instant checkedAt;

    /**
     * @param sink the sink whose {@link Sink#generational()} is watched, looked up once here
     * @param onLoss called on the writing thread when a loss is seen, before the new generation is recorded; it must
     *     return quickly (hand the repair to a thread of its own)
     */
    public GenerationWatch(Sink sink, Record record, Clock clock, Consumer<Loss> onLoss) {
        this.sink = Objects.requireNonNull(sink, "sink").name();
        this.target = sink.generational().orElse(null);
        this.record = Objects.requireNonNull(record, "record");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.onLoss = Objects.requireNonNull(onLoss, "onLoss");
    }

    /**
     * Checks the generation if {@link #EVERY} has passed since the last check (a clock set back counts as passed).
     *
     * @return the loss this check saw, if any; always empty for a sink that keeps no generation
     * @throws RetriableSinkException if the target is not reachable (nothing is recorded; the next call asks again)
     */
    public Optional<Loss> check() {
        if (target == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (checkedAt != null && !now.isBefore(checkedAt) && Duration.between(checkedAt, now).compareTo(EVERY) < 0) {
            return Optional.empty();
        }
        String generation = target.generation();
        checkedAt = now;
        if (!loaded) {
            known = record.last().orElse(null);
            loaded = true;
        }
        if (generation.equals(known)) {
            return Optional.empty();
        }
        Optional<Loss> loss = known == null ? Optional.empty() : Optional.of(new Loss(sink, known, generation));
        // Reported before it is recorded: a crash in between reports it again at the next start.
        loss.ifPresent(onLoss);
        record.seen(generation);
        known = generation;
        return loss;
    }
}
