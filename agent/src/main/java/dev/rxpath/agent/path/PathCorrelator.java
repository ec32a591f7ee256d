package dev.rxpath.agent.path;

import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.EventSink;
import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.probe.KernelNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns timestamp-ordered events (from a {@link ReorderWindow}) into {@link ReceivePath}s,
 * one per received skb, keyed by the skb's address from the first stage seen to its verdict.
 *
 * <p>A path closes at its END stage, or, since most skbs are freed where the kernel has no
 * tracepoint, when its address starts a new path, or when it has been quiet for the path
 * timeout; every close is counted by how it happened. A path whose payload reached a socket
 * then waits, whatever became of its skb, until a read carries the payload to the
 * application ({@link SocketStream}), or the queue timeout, the cap, or the socket's close
 * ends the wait with QUEUED. Live paths are capped; the least recently active go first.
 *
 * <p>It writes what each event says into its path and hands the rest on: {@link SkbPaths}
 * follows the addresses and the waits, {@link SocketStreams} the sockets' byte streams,
 * {@link FinishedPaths} decides, counts and passes on each path that ends.
 *
 * <p>Single-threaded: it runs on whatever thread feeds it.
 */
public final class PathCorrelator implements EventSink {
    /**
     * @param maxPaths       paths followed or waiting at once
     * @param pathTimeoutNs  quiet time after which an skb is taken to be gone (one may wait in a busy socket's backlog)
     * @param queueTimeoutNs how long a payload may wait for its read before the path is closed as QUEUED
     * @param maxSockets     sockets whose byte streams are accounted at once
     */
    public record Limits(int maxPaths, long pathTimeoutNs, long queueTimeoutNs, int maxSockets) {
        public static final Limits DEFAULT = new Limits(65_536, 1_000_000_000L, 30_000_000_000L, 65_536);
    }

    private final PathListener out;
    private final KernelNames names;
    private final Set<Stage> observable;

    private final PathCounters counters = new PathCounters();
    private final FinishedPaths finished;
    private final SkbPaths paths;
    private final SocketStreams streams;

    public PathCorrelator(PathListener out, KernelNames names, Set<Stage> observable, Limits limits) {
        this.out = out;
        this.names = names;
        this.observable = Set.copyOf(observable);
        this.finished = new FinishedPaths(out, names, this.observable, counters);
        this.paths = new SkbPaths(limits.maxPaths(), limits.pathTimeoutNs(), limits.queueTimeoutNs(), counters, finished);
        this.streams = new SocketStreams(paths, limits.maxSockets());
    }

    @Override
    public void event(Event e) {
        switch (e.type()) {
            case DEV, DEV_META, IP, TCP, LOOKUP -> stage(e);
            case SOCK_QUEUE -> {
                socket((Event.SockQueue) e);
                out.socketEvent(e);
            }
            case COPY -> copy((Event.Copy) e);
            case CONSUME, DROP -> {
                if (!paths.end(e)) counters.unmatched();
            }
            case RESET_SENT -> {
                resetSent((Event.ResetSent) e);
                out.socketEvent(e);
            }
            case RECV -> {
                streams.recv((Event.Recv) e);
                out.socketEvent(e);
            }
            case STATE -> {
                Event.StateChange s = (Event.StateChange) e;
                // its unread payloads end QUEUED before the flow table learns the socket closed
                if (names.isClose(s.newState())) streams.closed(s.header().sk(), s.header().tsNs());
                out.socketEvent(e);
            }
            case SOCK -> {
                Event.SockCounters c = (Event.SockCounters) e;
                if (c.counts().closed()) streams.closed(c.header().sk(), c.header().tsNs());
                out.socketEvent(e);
            }
            case SEGMENT -> paths.segment((Event.Segment) e);
            case LISTEN_FULL -> {
                OpenPath p = paths.get(e.header().skb());
                if (p != null) p.listenFull = true;
            }
            case DATA_READY, RESET_RECV, RETRANSMIT, HANDSHAKE -> out.socketEvent(e);
        }
    }

    @Override
    public void lost(int cpu, long count) {
        counters.lost(count);
        out.lost(cpu, count);
    }

    /** Closes what has been quiet too long, then lets the flow table do the same. */
    @Override
    public void drained(long monotonicNs) {
        paths.expire(monotonicNs);
        out.advanced(monotonicNs);
    }

    // ---- what the events say of a path ----

    private void stage(Event e) {
        Event.Header h = e.header();
        OpenPath p = paths.stage(e);
        if (e instanceof Event.Dev d) {
            p.devRecord = true;
            // an unsampled segment's DEV, kept for its drop or reset, comes without the device's name
            if (!d.ifname().isEmpty()) p.device = d.ifname();
        } else if (e instanceof Event.DevMeta m) {
            p.device = m.ifname();
            p.napiId = m.napiId();
            p.queue = m.queueMapping();
        } else if (e instanceof Event.Lookup l) {
            if (l.found()) {
                p.lookupFound = true;
                p.sk = h.sk();
            }
            if (p.endpoints == null) p.endpoints = Endpoints.remoteFirst(l.tuple());
        }
    }

    private void socket(Event.SockQueue q) {
        Event.Header h = q.header();
        OpenPath p = paths.stage(q);
        p.socketSeen = true;
        p.sk = h.sk();
        p.cookie = q.cookie();
        p.endpoints = Endpoints.localFirst(q.tuple());
        p.payload = q.dataLen();
        // a socket the kernel does not count (it predates the agent) has no stream offsets: only its own copy delivers it
        if (p.payload > 0 && p.sk != 0 && q.streamEnd() != 0) streams.arrive(p, q.streamEnd(), h.tsNs());
    }

    private void resetSent(Event.ResetSent r) {
        OpenPath p = r.header().skb() == 0 ? null : paths.get(r.header().skb());
        if (p == null) return; // a reset the socket sent on its own (abort, close with unread data): socket history
        p.reset = r;
        if (p.endpoints == null) p.endpoints = Endpoints.localFirst(r.tuple());
        paths.touch(p, r.header().tsNs());
    }

    private void copy(Event.Copy c) {
        Event.Header h = c.header();
        OpenPath p = paths.get(h.skb());
        if (p == null) {
            counters.unmatched();
            return;
        }
        p.copied += c.len();
        p.reader = c.task();
        paths.touch(p, h.tsNs());
        streams.copy(c);
        if (p.waiting()) {
            if (p.copied >= p.payload) paths.deliver(p, h, c.task(), false);
        } else if (!p.delivered) {
            // copied without its payload having been seen queued (no tcp_probe for it): the first copy is its USER time
            p.mark(Stage.USER, h.tsNs(), h.cpu());
            p.delivered = true;
        }
    }

    // ---- inspection (on the correlator's thread) ----

    /** The paths whose payload waits for a read now, as they would end if the wait ended at {@code nowNs}. */
    public List<ReceivePath> queued(long nowNs) {
        List<ReceivePath> list = new ArrayList<>(paths.waitingCount());
        for (OpenPath p : paths.waiting()) list.add(finished.toPath(p, nowNs));
        return list;
    }

    public PathStats stats() {
        return counters.stats(paths.live(), paths.waitingCount(), streams.size());
    }

    public Set<Stage> observable() {
        return observable;
    }
}
