package dev.rxpath.agent.ring;

/** A perf ring could not be opened, mapped or enabled; the message carries errno's text. */
public final class RingException extends RuntimeException {
    RingException(String message) {
        super(message);
    }
}
