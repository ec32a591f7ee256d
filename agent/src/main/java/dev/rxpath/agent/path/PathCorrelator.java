package dev.rxpath.agent.path;

import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.EventSink;
import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.probe.KernelNames;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
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

    /**
     * A received skb is freed within microseconds of its last stage (or is waiting in a socket,
     * which this does not apply to). A free this long after means the skb went unseen and its
     * address now belongs to another, often a transmitted one: its END is not this path's.
     */
    private static final long END_GAP_NS = 200_000_000L;

    private final PathListener out;
    private final KernelNames names;
    private final Set<Stage> observable;
    private final Limits limits;

    private final HashMap<Long, OpenPath> bySkb = new HashMap<>();
    /** Paths whose skb is followed and whose payload, if any, has been read: least recently active first. */
    private final PathQueue following = new PathQueue();
    /** Paths whose payload waits in a socket: longest waiting first. */
    private final PathQueue waiting = new PathQueue();
    private final LinkedHashMap<Long, SocketStream> streams = new LinkedHashMap<>(64, 0.75f, true);

    private final EnumMap<Verdict, Long> verdicts = new EnumMap<>(Verdict.class);
    private final EnumMap<CloseReason, Long> closes = new EnumMap<>(CloseReason.class);
    private final HashMap<String, Long> drops = new HashMap<>();
    private long unmatched, lost;

    public PathCorrelator(PathListener out, KernelNames names, Set<Stage> observable, Limits limits) {
        this.out = out;
        this.names = names;
        this.observable = Set.copyOf(observable);
        this.limits = limits;
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
            case CONSUME, DROP -> end(e);
            case RESET_SENT -> {
                resetSent((Event.ResetSent) e);
                out.socketEvent(e);
            }
            case RECV -> {
                recv((Event.Recv) e);
                out.socketEvent(e);
            }
            case STATE -> {
                Event.StateChange s = (Event.StateChange) e;
                // its unread payloads end QUEUED before the flow table learns the socket closed
                if (names.isClose(s.newState())) socketClosed(s.header().sk(), s.header().tsNs());
                out.socketEvent(e);
            }
            case SOCK -> {
                Event.SockCounters c = (Event.SockCounters) e;
                if (c.closed()) socketClosed(c.header().sk(), c.header().tsNs());
                out.socketEvent(e);
            }
            case DATA_READY, RESET_RECV, RETRANSMIT -> out.socketEvent(e);
        }
    }

    @Override
    public void lost(int cpu, long count) {
        lost += count;
        out.lost(cpu, count);
    }

    /** Closes what has been quiet too long, then lets the flow table do the same. */
    @Override
    public void drained(long monotonicNs) {
        OpenPath p;
        while ((p = following.head()) != null && p.lastNs < monotonicNs - limits.pathTimeoutNs()) {
            closeSkb(p, CloseReason.EXPIRED, monotonicNs);
        }
        while ((p = waiting.head()) != null && p.queuedAtNs < monotonicNs - limits.queueTimeoutNs()) {
            giveUp(p, CloseReason.EXPIRED, monotonicNs);
        }
        out.advanced(monotonicNs);
    }

    // ---- receive stages ----

    private void stage(Event e) {
        Event.Header h = e.header();
        Stage stage = h.type().stage;
        OpenPath p = bySkb.get(h.skb());
        if (p != null && startsAnother(p, e)) {
            closeSkb(p, CloseReason.REUSED, h.tsNs());
            p = null;
        }
        if (p == null) p = open(h.skb(), h.tsNs());
        p.mark(stage, h.tsNs(), h.cpu());
        touch(p, h.tsNs());
        if (e instanceof Event.Dev d) {
            p.devRecord = true;
            p.device = d.ifname();
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

    /**
     * The address now belongs to a new skb when a stage arrives that this one has already
     * passed: skbs are freed without a tracepoint and their memory reused at once.
     */
    private static boolean startsAnother(OpenPath p, Event e) {
        Stage stage = e.type().stage;
        if (e instanceof Event.DevMeta) return p.last != null;
        if (e instanceof Event.Dev) return p.devRecord || p.last.ordinal() > Stage.DEV.ordinal();
        return stage.ordinal() < p.last.ordinal();
    }

    private void socket(Event.SockQueue q) {
        Event.Header h = q.header();
        OpenPath p = bySkb.get(h.skb());
        if (p != null && (startsAnother(p, q) || p.socketSeen)) {
            closeSkb(p, CloseReason.REUSED, h.tsNs());
            p = null;
        }
        if (p == null) p = open(h.skb(), h.tsNs());
        p.mark(Stage.SOCKET, h.tsNs(), h.cpu());
        touch(p, h.tsNs());
        p.socketSeen = true;
        p.sk = h.sk();
        p.cookie = q.cookie();
        p.endpoints = Endpoints.localFirst(q.tuple());
        p.payload = q.dataLen();
        // a socket the kernel does not count (it predates the agent) has no stream offsets: only its own copy delivers it
        if (p.payload > 0 && p.sk != 0 && q.streamEnd() != 0) {
            following.remove(p);
            waiting.add(p);
            p.queuedAtNs = h.tsNs();
            stream(p.sk, h.tsNs()).arrive(p, q.streamEnd());
        }
    }

    private void resetSent(Event.ResetSent r) {
        OpenPath p = r.header().skb() == 0 ? null : bySkb.get(r.header().skb());
        if (p == null) return; // a reset the socket sent on its own (abort, close with unread data): socket history
        p.reset = r;
        if (p.endpoints == null) p.endpoints = Endpoints.localFirst(r.tuple());
        touch(p, r.header().tsNs());
    }

    private void end(Event e) {
        Event.Header h = e.header();
        OpenPath p = bySkb.get(h.skb());
        if (p != null && !p.waiting() && h.tsNs() - p.lastNs > END_GAP_NS) {
            closeSkb(p, CloseReason.REUSED, h.tsNs());
            p = null;
        }
        if (p == null) {
            unmatched++;
            return;
        }
        p.mark(Stage.END, h.tsNs(), h.cpu());
        if (e instanceof Event.Drop d) {
            p.drop = d;
            if (p.waiting()) {
                p.stream.leave(p, true);
                waiting.remove(p);
            }
        }
        closeSkb(p, CloseReason.END, h.tsNs());
    }

    // ---- the copy to the application ----

    private void copy(Event.Copy c) {
        Event.Header h = c.header();
        OpenPath p = bySkb.get(h.skb());
        if (p == null) {
            unmatched++;
            return;
        }
        p.copied += c.len();
        p.reader = c.task();
        touch(p, h.tsNs());
        SocketStream s = h.sk() == 0 ? null : streams.get(h.sk());
        if (s != null && c.delivered() > 0) { // the kernel counts delivery by copies here (no sock_recv_length)
            s.delivered(c.delivered());
            deliverReadable(s, h, c.task());
        }
        if (p.waiting()) {
            if (p.copied >= p.payload) deliver(p, h, c.task(), false);
        } else if (!p.delivered) {
            // copied without its payload having been seen queued (no tcp_probe for it): the first copy is its USER time
            p.mark(Stage.USER, h.tsNs(), h.cpu());
            p.delivered = true;
        }
    }

    private void recv(Event.Recv r) {
        SocketStream s = r.consumed() == 0 || r.delivered() == 0 ? null : streams.get(r.header().sk());
        if (s == null) return;
        s.delivered(r.delivered());
        deliverReadable(s, r.header(), r.task());
    }

    /** Delivers, in stream order, every waiting payload the socket's read cursor has passed. */
    private void deliverReadable(SocketStream s, Event.Header h, Event.Task task) {
        OpenPath p;
        while ((p = s.deliverable()) != null) deliver(p, h, task, true);
    }

    private void deliver(OpenPath p, Event.Header h, Event.Task task, boolean throughStream) {
        p.stream.leave(p, false);
        waiting.remove(p);
        p.delivered = true;
        p.mark(Stage.USER, h.tsNs(), h.cpu());
        p.userInferred = throughStream && p.copied == 0;
        if (p.reader == null || p.userInferred) p.reader = task;
        if (p.skbOpen) {
            p.lastNs = h.tsNs();
            following.add(p); // to be closed by its END, its address's reuse, or quiet
        } else {
            emit(p, h.tsNs());
        }
    }

    // ---- sockets ----

    private SocketStream stream(long sk, long tsNs) {
        SocketStream s = streams.get(sk);
        if (s == null) {
            s = new SocketStream();
            streams.put(sk, s);
            if (streams.size() > limits.maxSockets()) {
                Iterator<SocketStream> eldest = streams.values().iterator();
                SocketStream gone = eldest.next();
                eldest.remove();
                abandon(gone, CloseReason.EVICTED, tsNs);
            }
        }
        return s;
    }

    private void socketClosed(long sk, long tsNs) {
        SocketStream s = streams.remove(sk);
        if (s != null) abandon(s, CloseReason.SOCKET_CLOSED, tsNs);
    }

    /** The socket's unread payloads will never be read: each path ends QUEUED. */
    private void abandon(SocketStream s, CloseReason why, long tsNs) {
        while (!s.waiting.isEmpty()) giveUp(s.waiting.peekFirst(), why, tsNs);
    }

    // ---- bookkeeping ----

    private OpenPath open(long skb, long tsNs) {
        OpenPath p = new OpenPath(skb);
        p.lastNs = tsNs;
        bySkb.put(skb, p);
        following.add(p);
        while (following.size() + waiting.size() > limits.maxPaths()) evictOne(tsNs);
        return p;
    }

    private void evictOne(long tsNs) {
        OpenPath f = following.head(), w = waiting.head();
        if (w == null || (f != null && f.lastNs <= w.queuedAtNs)) closeSkb(f, CloseReason.EVICTED, tsNs);
        else giveUp(w, CloseReason.EVICTED, tsNs);
    }

    private void touch(OpenPath p, long tsNs) {
        p.lastNs = tsNs;
        following.moveToBack(p);
    }

    /** The correlator stops following the skb's address; the path is finished unless its payload still waits. */
    private void closeSkb(OpenPath p, CloseReason why, long tsNs) {
        bySkb.remove(p.skb, p);
        p.skbOpen = false;
        p.closedBy = why;
        closes.merge(why, 1L, Long::sum);
        if (!p.waiting()) {
            following.remove(p);
            emit(p, tsNs);
        }
    }

    /** A waiting payload's wait ends unread. */
    private void giveUp(OpenPath p, CloseReason why, long tsNs) {
        p.stream.leave(p, false);
        waiting.remove(p);
        if (p.skbOpen) closeSkb(p, why, tsNs); // which emits it, now that it no longer waits
        else emit(p, tsNs);
    }

    private void emit(OpenPath p, long decidedNs) {
        ReceivePath path = toPath(p, decidedNs);
        verdicts.merge(path.verdict(), 1L, Long::sum);
        if (p.drop != null) drops.merge(names.dropReason(p.drop.reason()), 1L, Long::sum);
        out.path(path);
    }

    private ReceivePath toPath(OpenPath p, long decidedNs) {
        Verdict v = verdict(p);
        String reason = null;
        Stage diedAt = null;
        if (v == Verdict.RESET) reason = names.resetReason(p.reset.reason());
        else if (v == Verdict.DROPPED) reason = names.dropReason(p.drop.reason());
        if (reason != null) diedAt = diedAt(p, reason);
        return new ReceivePath(p.skb, v, p.closedBy, stages(p), observable, p.device, p.napiId, p.queue, p.sk, p.cookie,
                p.endpoints, p.payload, p.copied, p.delivered ? p.reader : null, reason, diedAt,
                decidedNs);
    }

    private static Verdict verdict(OpenPath p) {
        if (p.reset != null) return Verdict.RESET;
        if (p.drop != null) return Verdict.DROPPED;
        if (p.payload > 0 && p.sk != 0) {
            if (!p.delivered) return Verdict.QUEUED;
            return p.userInferred ? Verdict.MERGED : Verdict.DELIVERED;
        }
        if (p.copied > 0) return Verdict.DELIVERED; // copied without a socket stage seen (tcp_probe unavailable)
        if (p.socketSeen) return Verdict.NO_PAYLOAD;
        if (p.seen(Stage.END)) return Verdict.CONSUMED;
        return Verdict.UNTRACED;
    }

    private static List<ReceivePath.StageTime> stages(OpenPath p) {
        List<ReceivePath.StageTime> list = new ArrayList<>(4);
        for (Stage s : Stage.values()) {
            if (s == Stage.SOCKET_EVENT || !p.seen(s)) continue;
            list.add(new ReceivePath.StageTime(s, p.ts[s.ordinal()], p.cpu[s.ordinal()], s == Stage.USER && p.userInferred));
        }
        list.sort((a, b) -> Long.compare(a.tsNs(), b.tsNs())); // stable: stage order breaks ties
        return List.copyOf(list);
    }

    /**
     * The last stage the segment reached, or the one its reason names if that is later:
     * without kprobes a NO_SOCKET drop is last seen at DEV, but it is the lookup that failed.
     */
    private static Stage diedAt(OpenPath p, String reason) {
        Stage reached = Stage.DEV;
        for (Stage s : Stage.values()) if (s.ordinal() < Stage.END.ordinal() && p.seen(s)) reached = s;
        Stage named = null;
        if (reason.equals("NO_SOCKET")) named = Stage.LOOKUP;
        else if (reason.startsWith("TCP_")) named = Stage.TCP;
        else if (reason.startsWith("SOCKET_") || reason.equals("PROTO_MEM")) named = Stage.SOCKET;
        else if (reason.startsWith("IP_") || reason.startsWith("IPV6") || reason.equals("OTHERHOST")) named = Stage.IP;
        return named != null && named.ordinal() > reached.ordinal() ? named : reached;
    }

    // ---- inspection (on the correlator's thread) ----

    /** The paths whose payload waits for a read now, as they would end if the wait ended at {@code nowNs}. */
    public List<ReceivePath> queued(long nowNs) {
        List<ReceivePath> list = new ArrayList<>(waiting.size());
        for (OpenPath p : waiting.paths()) list.add(toPath(p, nowNs));
        return list;
    }

    public PathStats stats() {
        return new PathStats(verdicts, closes, drops, unmatched, lost, following.size() + waiting.size(),
                waiting.size(), streams.size());
    }

    public Set<Stage> observable() {
        return observable;
    }
}
