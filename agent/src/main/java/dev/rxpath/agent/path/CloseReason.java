package dev.rxpath.agent.path;

/** How the correlator stopped following an skb address. Each is counted. */
public enum CloseReason {
    /** consume_skb or kfree_skb for the address. */
    END,
    /** The address was seen starting a new path: the skb was freed without a tracepoint and reused. */
    REUSED,
    /** No stage for longer than the path timeout (or, with payload waiting, the queue timeout). */
    EXPIRED,
    /** Pushed out by the cap on live paths, least recently active first. */
    EVICTED,
    /** Its socket closed while its payload was still queued. */
    SOCKET_CLOSED
}
