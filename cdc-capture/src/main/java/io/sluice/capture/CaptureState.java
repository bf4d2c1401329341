package io.sluice.capture;

/**
 * The state of a capture worker. A closed set; on Java 17 (no pattern switch) tell the states apart with
 * {@code instanceof} or {@link #label()}.
 */
public sealed interface CaptureState {

    /** Created or connecting; no event read yet. */
    record Starting() implements CaptureState {
        @Override
        public String label() {
            return "starting";
        }
    }

    /** Reading the tables' rows. */
    record Snapshotting() implements CaptureState {
        @Override
        public String label() {
            return "snapshotting";
        }
    }

    /** Reading the binlog. */
    record Streaming() implements CaptureState {
        @Override
        public String label() {
            return "streaming";
        }
    }

    /**
     * Holding at an event that may not be emitted yet; nothing at or after it is emitted or committed.
     *
     * @param reason why, in words a person can act on
     */
    record Paused(String reason) implements CaptureState {
        @Override
        public String label() {
            return "paused";
        }
    }

    /**
     * Stopped by an error that needs a person.
     *
     * @param failure what went wrong and how to recover
     */
    record Failed(CaptureFailure failure) implements CaptureState {
        @Override
        public String label() {
            return "failed";
        }
    }

    /** Stopped on request; offsets up to the consumer's last checkpoint were committed. */
    record Stopped() implements CaptureState {
        @Override
        public String label() {
            return "stopped";
        }
    }

    /** A short lower-case name for logs, metrics and APIs: starting, snapshotting, streaming, paused, failed, stopped. */
    String label();
}
