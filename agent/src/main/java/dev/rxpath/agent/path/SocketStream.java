package dev.rxpath.agent.path;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * One socket's received byte stream, as the kernel's offsets: each sampled payload ends at
 * the offset the kernel gave it when it reached the socket (tcp_probe), and the bytes the
 * application took (the kernel's delivered count, carried by the reads recorded while such a
 * payload waits) are a cursor along it. A segment whose skb was merged into another is
 * delivered by the read that moves the cursor past its end, whichever skb that read copied.
 *
 * <p>The kernel takes a payload's start as the larger of what arrived and what was
 * delivered: tcp_probe's data_len is a u16 that wraps on skbs merged in the backlog, and the
 * kernel cannot deliver bytes it did not receive. A payload dropped after it was counted
 * never reaches the cursor: the payloads after it move down by its length.
 */
final class SocketStream {
    private long cursor, dropped;
    /** Paths whose payload waits, in stream order. */
    final ArrayDeque<OpenPath> waiting = new ArrayDeque<>();

    long cursor() {
        return cursor;
    }

    /** Appends a payload that ends at the kernel's {@code streamEnd}. */
    void arrive(OpenPath p, long streamEnd) {
        p.stream = this;
        p.streamEnd = streamEnd - dropped;
        waiting.addLast(p);
    }

    /** The application has taken {@code total} bytes of the stream so far. */
    void delivered(long total) {
        cursor = Math.max(cursor, total);
    }

    /** The next waiting path the cursor has passed, or null. */
    OpenPath deliverable() {
        OpenPath head = waiting.peekFirst();
        return head != null && head.streamEnd <= cursor ? head : null;
    }

    /** A path leaves the stream: delivered, given up on, or, if {@code dropped}, its range closes up. */
    void leave(OpenPath p, boolean dropped) {
        p.stream = null;
        if (!dropped) {
            if (waiting.peekFirst() == p) waiting.pollFirst();
            else waiting.remove(p);
            return;
        }
        boolean after = false;
        for (Iterator<OpenPath> it = waiting.iterator(); it.hasNext(); ) {
            OpenPath q = it.next();
            if (q == p) {
                it.remove();
                after = true;
            } else if (after) {
                q.streamEnd -= p.payload;
            }
        }
        this.dropped += p.payload;
    }
}
