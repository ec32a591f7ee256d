package dev.rxpath.agent.record;

/** A recording that cannot be written or read, with what was wrong with it. */
public final class RecordingException extends RuntimeException {
    public RecordingException(String message) {
        super(message);
    }

    public RecordingException(String message, Throwable cause) {
        super(message, cause);
    }
}
