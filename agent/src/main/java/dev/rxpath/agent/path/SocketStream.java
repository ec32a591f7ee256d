package dev.rxpath.agent.path;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * One socket's received byte stream, as offsets: each segment's payload takes the next
 * range when it reaches the socket (tcp_probe), and reads move a cursor along it. A
 * segment whose skb was merged into another is delivered by the read that moves the
 * cursor past its range, whichever skb that read copied from.
 *
 * <p>The cursor is the larger of two exact counts: bytes copied from this socket's known
 * skbs (skb_copy_datagram_iovec) and bytes recvmsg returned (sock_recv_length, without
 * MSG_PEEK). Arrivals can only be undercounted (tcp_probe's data_len is a u16 that wraps
 * on skbs merged in the backlog), and the kernel cannot deliver bytes it did not receive,
 * so when the cursor passes the arrivals they are resynchronised to it.
 */
final class SocketStream {
    private long arrived, copied, read;
    /** Paths whose payload waits, in stream order. */
    final ArrayDeque<OpenPath> waiting = new ArrayDeque<>();

    long cursor() {
        return Math.max(copied, read);
    }

    /** Appends a payload; true when the arrivals had fallen behind the cursor and were resynchronised. */
    boolean arrive(OpenPath p, int length) {
        long c = cursor();
        boolean resync = c > arrived;
        if (resync) arrived = c;
        arrived += length;
        p.stream = this;
        p.streamEnd = arrived;
        waiting.addLast(p);
        return resync;
    }

    void copied(long bytes) {
        copied += bytes;
    }

    void read(long bytes) {
        read += bytes;
    }

    /** The next waiting path the cursor has passed, or null. */
    OpenPath deliverable() {
        OpenPath head = waiting.peekFirst();
        return head != null && head.streamEnd <= cursor() ? head : null;
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
        arrived -= p.payload;
    }
}
