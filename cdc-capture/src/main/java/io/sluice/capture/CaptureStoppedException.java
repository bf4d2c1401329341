package io.sluice.capture;

/** Ends the engine's batch handling, or a worker's start, with a failure that is already classified. */
final class CaptureStoppedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient CaptureFailure failure;

    CaptureStoppedException(CaptureFailure failure) {
        super(failure.message());
        this.failure = failure;
    }
}
