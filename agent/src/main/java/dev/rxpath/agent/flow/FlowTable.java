package dev.rxpath.agent.flow;

import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.path.Endpoints;
import dev.rxpath.agent.path.PathListener;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.probe.KernelNames;
import io.netty.util.collection.LongObjectHashMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Per-socket flows, keyed by socket address (its cookie tells a reused address apart).
 * Memory is bounded: live and closed flows together are capped, closed ones go first,
 * then the least recently active live ones; a closed socket's flow is kept for the
 * retention time. Every eviction and expiry is counted. Passes everything on downstream.
 */
public final class FlowTable implements PathListener {
    /** @param workloads the workloads whose counts are summed for labelled metrics: none unless asked for */
    public record Limits(int maxFlows, long closedRetentionNs, WorkloadCounts.Options workloads) {
        public static final Limits DEFAULT = new Limits(131_072, 60_000_000_000L);

        public Limits(int maxFlows, long closedRetentionNs) {
            this(maxFlows, closedRetentionNs, WorkloadCounts.Options.NONE);
        }
    }

    /**
     * Flows created, evicted by the cap, and closed flows expired after their retention;
     * {@code orphaned}: paths that finished after their socket's flow was gone and its address taken by
     * another, or that name a socket only a lookup returned and nothing else has shown (a request socket),
     * and handshakes whose socket showed no flow while they waited.
     */
    public record Stats(int live, int closed, long created, long evicted, long expired, long orphaned) {}

    private final PathListener next;
    private final KernelNames names;
    private final Limits limits;
    private final LinkedHashMap<Long, Flow> live = new LinkedHashMap<>(1024, 0.75f, true);
    /** Closed flows, oldest first; several may share an address, which sockets reuse at once. */
    private final ArrayDeque<Flow> closed = new ArrayDeque<>();
    /** The latest closed flow at each address, for paths that finish after their socket closed. */
    private final LongObjectHashMap<Flow> closedBySk = new LongObjectHashMap<>();
    /** Every kept flow whose socket cookie is known: the cookie, unlike the address, is never reused. */
    private final LongObjectHashMap<Flow> byCookie = new LongObjectHashMap<>();
    /** Every kept flow the kernel counts, by when it began counting it: one socket life, live or closed. */
    private final LongObjectHashMap<Flow> byLife = new LongObjectHashMap<>();
    /** Handshakes whose socket has no flow yet: without every segment's path, a flow begins after its handshake. */
    private final WaitingHandshakes waiting;
    /** Every path's latencies, flow or not: the node's. */
    private final PathLatency latency = new PathLatency();
    /** The kernel's counters, summed over the node's sockets. */
    private final CounterTotals node = new CounterTotals();
    /** The same, per workload (opt-in). */
    private final WorkloadCounts workloads;
    private long created, evicted, expired, orphaned;

    public FlowTable(PathListener next, KernelNames names, Limits limits) {
        this.next = next;
        this.names = names;
        this.limits = limits;
        this.waiting = new WaitingHandshakes(limits.maxFlows());
        this.workloads = new WorkloadCounts(limits.workloads());
    }

    @Override
    public void path(ReceivePath p) {
        latency.record(p);
        if (p.sk() != 0) {
            Flow f = flowOf(p);
            if (f != null) {
                claimHandshake(f);
                // the connection's initial sequence numbers are the flow's to know: numbered from them, as Wireshark does
                if (p.tcp() != null && f.handshake() != null) p = p.withTcp(p.tcp().relativeTo(f.handshake()));
                f.path(p);
            } else {
                orphaned++;
            }
        }
        next.path(p);
    }

    /**
     * A path can finish well after its socket closed (its skb outlived the close, or waited
     * out a timeout) and the address may by then be another socket's: match by cookie first.
     */
    private Flow flowOf(ReceivePath p) {
        if (p.cookie() != 0) {
            Flow f = byCookie.get(p.cookie());
            if (f != null) return f;
        }
        Flow f = live.get(p.sk());
        if (f == null) f = closedBySk.get(p.sk());
        if (f != null && p.cookie() != 0 && f.cookie() == 0 && anotherLife(f, p.cookie(), p.firstNs())) f = null; // a listener's, say
        if (f == null) {
            // A lookup also returns sockets that are not connections: the request socket a handshake's
            // last ACK finds. Only a socket-level record (tcp_probe) shows a socket worth a flow.
            return p.cookie() != 0 || p.stage(Stage.SOCKET) != null ? open(p.sk(), p.cookie(), p.firstNs()) : null;
        }
        return anotherLife(f, p.cookie(), p.firstNs()) ? null : f;
    }

    /**
     * Whether a record with this cookie at {@code tsNs} cannot be of the flow's socket life: the
     * flow has another cookie, or the kernel counted it as a listener (a listener gets no cookie,
     * its address is taken by connections at once) or as closed before then. A flow whose
     * counters were read without a cookie may still take one: a connection's first read can
     * come before its first data, which is where the kernel learns the cookie.
     */
    private static boolean anotherLife(Flow f, long cookie, long tsNs) {
        if (cookie == 0) return false;
        if (f.cookie() != 0) return f.cookie() != cookie;
        return f.counted() && (f.listening() || !f.spans(tsNs));
    }

    /** How long after its close a record without a cookie is still taken as the closed socket's. */
    private static final long LATE_NS = 1_000_000_000L;

    @Override
    public void socketEvent(Event e) {
        long sk = e.header().sk();
        if (e instanceof Event.SockCounters c) {
            counters(c);
        } else if (e instanceof Event.Handshake h) {
            handshake(h);
        } else if (sk != 0) {
            long cookie = e instanceof Event.SockQueue q ? q.cookie() : 0;
            long ts = e.header().tsNs();
            Flow f = cookie != 0 ? byCookie.get(cookie) : null; // addresses are reused at once; a cookie never is
            if (f == null) f = live.get(sk);
            if (f != null && anotherLife(f, cookie, ts)) {
                retire(f, ts); // the socket was freed unseen and its address reused
                f = null;
            }
            if (f == null) {
                // a late record of a socket whose flow closed: its FIN retransmitted before the close, or
                // its reader woken just after it (a FIN in FIN_WAIT2 closes the socket, then wakes it)
                Flow closedOne = closedBySk.get(sk);
                // a state change is how a new socket at a reused address begins: never the closed one's
                boolean late = cookie == 0 && !(e instanceof Event.StateChange) && closedOne != null && closedOne.closedWithin(ts, LATE_NS);
                boolean hers = closedOne != null && !anotherLife(closedOne, cookie, ts) && (closedOne.spans(ts) || late);
                f = hers ? closedOne : open(sk, cookie, ts);
            }
            f.apply(e, names);
            if (f.cookie() != 0) byCookie.putIfAbsent(f.cookie(), f);
            // with --paths all the close is recorded too: the address may be a new socket's at its next record
            if (e instanceof Event.StateChange s && names.isClose(s.newState()) && live.get(sk) == f) retire(f, ts);
        }
        next.socketEvent(e);
    }

    /**
     * A connection's handshake, for the flow of its socket: the live one, or a closed one,
     * whose counted life holds it, with the same connection's ports. It carries no cookie and
     * may be handed over after later counter reads, when the address already holds other
     * sockets' flows, so it opens none: where its socket has no flow yet (a flow begins with
     * the socket's first counter read or path) it waits for it.
     */
    private void handshake(Event.Handshake h) {
        long sk = h.header().sk();
        Flow f = live.get(sk);
        if (f == null || !hers(f, h)) f = closedBySk.get(sk);
        if (f != null && hers(f, h)) {
            f.apply(h, names);
        } else {
            orphaned += waiting.add(h);
        }
    }

    /** A flow that just began, or took its first counters, takes the handshake waiting for it. */
    private void claimHandshake(Flow f) {
        if (f.handshake() != null || !waiting.has(f.sk())) return;
        Event.Handshake h = waiting.claim(f.sk(), w -> hers(f, w));
        if (h != null) f.apply(h, names);
    }

    /**
     * Whether the handshake is this flow's socket's: not a listener's (a connection accepted
     * from it may take the address of one that closed, with its port), its counted life holds
     * it (a flow not counted yet was not retired before it), and the ports agree, where known
     * (a socket's first state change can come before one of its ports is).
     */
    private static boolean hers(Flow f, Event.Handshake h) {
        long ts = h.header().tsNs();
        if (f.listening() || (f.countedSinceNs() != 0 ? !f.spans(ts) : f.retiredNs() >= 0 && ts > f.retiredNs())) return false;
        Endpoints e = f.endpoints();
        return e == null || (e.localPort() == 0 || e.localPort() == h.tuple().sport()) && (e.remotePort() == 0 || e.remotePort() == h.tuple().dport());
    }

    /**
     * The kernel's counters for one socket life ({@code firstNs} tells lives at one address
     * apart): a live flow takes them, a closed one keeps taking them (a queue purge counts after
     * the close), and a close retires the flow.
     */
    private void counters(Event.SockCounters c) {
        long sk = c.header().sk();
        long ts = c.header().tsNs();
        Flow f = byLife.get(c.counts().firstNs());
        if (f == null) {
            f = uncounted(c);
            if (f == null) {
                Flow there = live.get(sk);
                long since = Math.min(ts, c.counts().firstNs());
                // an earlier life, read after a later one took the address (from the closed sockets' map)
                boolean earlier = there != null && there.countedSinceNs() != 0 && c.counts().firstNs() < there.countedSinceNs();
                f = earlier ? openClosed(sk, c.counts().cookie(), since, ts) : open(sk, c.counts().cookie(), since);
            }
            byLife.put(c.counts().firstNs(), f);
        }
        Event.SocketCounts before = f.counts();
        if (f.counters(c, names)) {
            node.add(before, c.counts(), names);
            workloads.add(f, before, c.counts(), ts, names);
        }
        claimHandshake(f);
        if (f.cookie() != 0) byCookie.putIfAbsent(f.cookie(), f);
        if (f.closed() && live.get(sk) == f) retire(f, ts);
    }

    /**
     * The flow that paths and socket records opened for this socket life before its counters
     * were first read: the one with its cookie, else the live one at its address that was
     * active within the life (addresses are reused at once; a cookie never is).
     */
    private Flow uncounted(Event.SockCounters c) {
        Flow f = c.counts().cookie() != 0 ? byCookie.get(c.counts().cookie()) : null;
        if (f == null) {
            // active within the life (a path's first stage, DEV, may come before its socket was born);
            // with --paths all its recorded close may have retired it already
            f = live.get(c.header().sk());
            if (f == null) f = closedBySk.get(c.header().sk());
            // a flow's cookie came from its socket's entry, so a read without one is another life's (the
            // read is stamped before it is made: a read that missed the cookie comes before the record with it)
            boolean within = f != null && f.lastNs() >= c.counts().firstNs() && (!c.counts().closed() || f.firstNs() <= c.counts().closedNs())
                    && (f.cookie() == 0 || f.cookie() == c.counts().cookie());
            if (!within) f = null;
        }
        return f != null && f.countedSinceNs() == 0 ? f : null;
    }

    @Override
    public void lost(int cpu, long count) {
        next.lost(cpu, count);
    }

    @Override
    public void advanced(long monotonicNs) {
        while (!closed.isEmpty() && closed.peekFirst().retiredNs() < monotonicNs - limits.closedRetentionNs()) {
            dropOldestClosed();
            expired++;
        }
        // a handshake whose socket showed no flow for as long as a closed flow is kept
        orphaned += waiting.expire(monotonicNs - limits.closedRetentionNs());
        workloads.advanced(monotonicNs);
        next.advanced(monotonicNs);
    }

    private Flow open(long sk, long cookie, long tsNs) {
        Flow previous = live.get(sk);
        if (previous != null) retire(previous, tsNs); // an address reused without the close being seen
        makeRoom();
        Flow f = new Flow(sk, cookie, tsNs);
        live.put(sk, f);
        return added(f);
    }

    /** A flow for a socket life that ended before the live one at its address began: closed from the start. */
    private Flow openClosed(long sk, long cookie, long tsNs, long nowNs) {
        makeRoom();
        Flow f = new Flow(sk, cookie, tsNs);
        f.retired(nowNs);
        closed.addLast(f);
        closedBySk.putIfAbsent(sk, f); // the latest closed one at the address stays the one late records find
        return added(f);
    }

    private Flow added(Flow f) {
        if (f.cookie() != 0) byCookie.putIfAbsent(f.cookie(), f);
        created++;
        return f;
    }

    /** Room for one more flow: the oldest closed one goes first, else the least recently active live one. */
    private void makeRoom() {
        while (live.size() + closed.size() >= limits.maxFlows()) {
            if (closed.isEmpty()) {
                Iterator<Flow> lru = live.values().iterator();
                forget(lru.next());
                lru.remove();
            } else {
                dropOldestClosed();
            }
            evicted++;
        }
    }

    private void dropOldestClosed() {
        Flow f = closed.pollFirst();
        closedBySk.remove(f.sk(), f);
        forget(f);
    }

    private void forget(Flow f) {
        if (f.cookie() != 0) byCookie.remove(f.cookie(), f);
        if (f.countedSinceNs() != 0) byLife.remove(f.countedSinceNs(), f);
    }

    private void retire(Flow f, long tsNs) {
        live.remove(f.sk());
        f.retired(tsNs);
        closed.addLast(f);
        closedBySk.put(f.sk(), f);
    }

    public Flow flow(long sk) {
        Flow f = live.get(sk);
        return f != null ? f : closedBySk.get(sk);
    }

    /** Live flows, least recently active first, then closed ones. */
    public List<Flow> flows() {
        List<Flow> all = new ArrayList<>(live.size() + closed.size());
        all.addAll(live.values());
        all.addAll(closed);
        return all;
    }

    /** The node's latencies over every path so far (sampled when paths are). Read on the table's thread. */
    public PathLatency nodeLatency() {
        return latency;
    }

    /** The kernel's exact counters summed over the node's sockets since the agent attached. Read on the table's thread. */
    public CounterTotals.Totals nodeCounts() {
        return node.totals();
    }

    /** The same per workload, when asked for ({@link Limits#workloads}). Read on the table's thread. */
    public WorkloadCounts.Snapshot workloadCounts() {
        return workloads.snapshot();
    }

    public Stats stats() {
        return new Stats(live.size(), closed.size(), created, evicted, expired, orphaned);
    }
}
