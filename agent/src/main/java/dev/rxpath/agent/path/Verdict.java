package dev.rxpath.agent.path;

/**
 * What became of one received skb. The last three are the honest answers for skbs the
 * kernel frees without a tracepoint (pure ACKs and coalesced segments go through
 * __kfree_skb or kfree_skb_partial; docs/kernel.md): rxpath says what it saw, never that
 * an end it did not see happened.
 */
public enum Verdict {
    /** Its payload was copied to the application under its own address. */
    DELIVERED,
    /** Its payload was coalesced into an earlier skb and reached the application through that skb's read. */
    MERGED,
    /** Its payload was still waiting in the socket when the path was closed (reader stopped, or socket gone). */
    QUEUED,
    /** Freed by kfree_skb with the kernel's drop reason. */
    DROPPED,
    /** Answered with a reset (tcp_send_reset), with the kernel's reset reason. */
    RESET,
    /** Reached a TCP socket with no payload (a pure ACK or a FIN) and was consumed by TCP. */
    NO_PAYLOAD,
    /** Freed by consume_skb without reaching a TCP socket's queue (handshake segments, other protocols). */
    CONSUMED,
    /**
     * Left no trace after the stages listed: freed where the kernel has no tracepoint. On a
     * kernel without the TCP and lookup stages that includes segments coalesced into a
     * socket's backlog, whose bytes reach the application inside another skb.
     */
    UNTRACED
}
