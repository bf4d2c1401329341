package io.sluice.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.event.ChangeEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link BackfillRun.Target#all}: several sinks written at once. */
class BackfillTargetTest {

    private static final List<ChangeEvent> ROWS = List.of();

    @Test
    void shouldWriteEveryTargetAtTheSameTimeAndReturnWhenAllAreDone() throws Exception {
        // The first target waits for the second to have started: written one after the other, it would time out.
        CountDownLatch secondStarted = new CountDownLatch(1);
        List<String> done = new CopyOnWriteArrayList<>();
        BackfillRun.Target first = rows -> {
            assertThat(secondStarted.await(10, TimeUnit.SECONDS)).as("the second target runs meanwhile").isTrue();
            done.add("first");
        };
        BackfillRun.Target second = rows -> {
            secondStarted.countDown();
            Thread.sleep(200);
            done.add("second");
        };
        BackfillRun.Target.all(List.of(first, second)).write(ROWS);
        assertThat(done).containsExactlyInAnyOrder("first", "second");
    }

    @Test
    void shouldThrowTheFirstFailureOnlyAfterEveryTargetEnded() {
        List<String> done = new CopyOnWriteArrayList<>();
        BackfillRun.Target fails = rows -> {
            throw new IllegalStateException("cache refused");
        };
        BackfillRun.Target slow = rows -> {
            Thread.sleep(300);
            done.add("index");
        };
        assertThatThrownBy(() -> BackfillRun.Target.all(List.of(slow, fails)).write(ROWS)).isInstanceOf(IllegalStateException.class)
                .hasMessage("cache refused");
        assertThat(done).containsExactly("index");
    }

    @Test
    void shouldStopTheOtherTargetsWhenTheCallersOwnWriteIsInterrupted() throws Exception {
        assertTheOtherTargetIsStoppedWhenTheFirst(rows -> {
            throw new InterruptedException("the server stops");
        });
    }

    @Test
    void shouldStopTheOtherTargetsWhenTheCallerIsInterruptedWhileWaitingForThem() throws Exception {
        assertTheOtherTargetIsStoppedWhenTheFirst(rows -> Thread.currentThread().interrupt());
    }

    private static void assertTheOtherTargetIsStoppedWhenTheFirst(BackfillRun.Target interruptsItsThread) throws Exception {
        CountDownLatch otherInterrupted = new CountDownLatch(1);
        BackfillRun.Target waitsForever = rows -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                otherInterrupted.countDown();
                throw e;
            }
        };
        Thread caller = new Thread(() -> {
            try {
                BackfillRun.Target.all(List.of(interruptsItsThread, waitsForever)).write(ROWS);
            } catch (InterruptedException e) {
                // expected
            }
        });
        caller.start();
        caller.join(10_000);
        assertThat(caller.isAlive()).isFalse();
        assertThat(otherInterrupted.getCount()).isZero();
    }
}
