package dev.rxpath.agent.path;

import dev.rxpath.agent.event.Event;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The byte streams of the sockets whose payloads wait for a read ({@link SocketStream}), least
 * recently used first: a read delivers every waiting payload it passes, and a socket's close
 * or eviction gives up on the rest.
 */
final class SocketStreams {
    private final SkbPaths paths;
    private final int maxSockets;
    private final LinkedHashMap<Long, SocketStream> streams = new LinkedHashMap<>(64, 0.75f, true);

    SocketStreams(SkbPaths paths, int maxSockets) {
        this.paths = paths;
        this.maxSockets = maxSockets;
    }

    /** Its payload, which ends at the kernel's {@code streamEnd} in its socket's stream, waits for a read. */
    void arrive(OpenPath p, long streamEnd, long tsNs) {
        paths.startWaiting(p, tsNs);
        stream(p.sk, tsNs).arrive(p, streamEnd);
    }

    void copy(Event.Copy c) {
        Event.Header h = c.header();
        SocketStream s = h.sk() == 0 ? null : streams.get(h.sk());
        if (s != null && c.delivered() > 0) { // the kernel counts delivery by copies here (no sock_recv_length)
            deliverReadable(s, c.delivered(), h, c.task());
        }
    }

    void recv(Event.Recv r) {
        SocketStream s = r.consumed() == 0 || r.delivered() == 0 ? null : streams.get(r.header().sk());
        if (s != null) deliverReadable(s, r.delivered(), r.header(), r.task());
    }

    /** Delivers, in stream order, every waiting payload the socket's read cursor has passed once it is at {@code delivered}. */
    private void deliverReadable(SocketStream s, long delivered, Event.Header h, Event.Task task) {
        s.delivered(delivered);
        OpenPath p;
        while ((p = s.deliverable()) != null) paths.deliver(p, h, task, true);
    }

    void closed(long sk, long tsNs) {
        SocketStream s = streams.remove(sk);
        if (s != null) abandon(s, CloseReason.SOCKET_CLOSED, tsNs);
    }

    int size() {
        return streams.size();
    }

    private SocketStream stream(long sk, long tsNs) {
        SocketStream s = streams.get(sk);
        if (s == null) {
            s = new SocketStream();
            streams.put(sk, s);
            if (streams.size() > maxSockets) {
                Iterator<SocketStream> eldest = streams.values().iterator();
                SocketStream gone = eldest.next();
                eldest.remove();
                abandon(gone, CloseReason.EVICTED, tsNs);
            }
        }
        return s;
    }

    /** The socket's unread payloads will never be read: each path ends QUEUED. */
    private void abandon(SocketStream s, CloseReason why, long tsNs) {
        while (!s.waiting.isEmpty()) paths.giveUp(s.waiting.peekFirst(), why, tsNs);
    }
}
