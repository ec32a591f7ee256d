package dev.rxpath.agent.flow;

import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.event.TcpHandshake;
import dev.rxpath.agent.path.Endpoints;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.path.Verdict;
import dev.rxpath.agent.probe.KernelNames;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * One socket's receive history. Owned by the flow table's thread; read it there (through
 * the pipeline's inspect) or after the pipeline has stopped.
 */
public final class Flow {
    public record StateChange(long tsNs, String from, String to) {}

    private final long sk;
    private long cookie;
    private Endpoints endpoints;
    private final long firstNs;
    private long lastNs;
    private Event.Task reader;
    /** State changes with their times: recorded with --paths all (the current state is always counted). */
    private List<StateChange> states = List.of();
    private String state;
    private long retiredNs = -1;

    /** The kernel's exact counters (struct rx_sock) as last read, and when; null until the first read. */
    private Event.SocketCounts counters;
    private long countersReadNs;
    private Map<String, Long> drops = Map.of();
    /** Paths by verdict; made with the first path: with sampling most sockets have none. */
    private long[] verdicts;
    /** What its handshake agreed, where the kernel let it be read and the agent saw it happen. */
    private TcpHandshake handshake;
    /** Created with the first path: most sockets see few or none. */
    private PathLatency latency;

    Flow(long sk, long cookie, long tsNs) {
        this.sk = sk;
        this.cookie = cookie;
        this.firstNs = tsNs;
        this.lastNs = tsNs;
    }

    /** A ring record about this socket: its addresses and state history (the counts come from {@link #counters}). */
    void apply(Event e, KernelNames names) {
        lastNs = Math.max(lastNs, e.header().tsNs());
        if (e instanceof Event.SockQueue q) {
            if (q.cookie() != 0) cookie = q.cookie();
            endpoints = Endpoints.localFirst(q.tuple());
        } else if (e instanceof Event.Recv r) {
            reader = r.task();
        } else if (e instanceof Event.ResetSent r) {
            if (endpoints == null) endpoints = Endpoints.localFirst(r.tuple());
        } else if (e instanceof Event.ResetReceived r) {
            if (r.cookie() != 0) cookie = r.cookie();
            if (endpoints == null) endpoints = Endpoints.localFirst(r.tuple());
        } else if (e instanceof Event.Retransmit r) {
            if (endpoints == null) endpoints = Endpoints.localFirst(r.tuple());
        } else if (e instanceof Event.Handshake h) {
            handshake = h.handshake();
            if (endpoints == null || endpoints.remotePort() == 0) endpoints = Endpoints.localFirst(h.tuple());
        } else if (e instanceof Event.StateChange s) {
            if (states.isEmpty()) states = new ArrayList<>(4);
            states.add(new StateChange(s.header().tsNs(), names.tcpState(s.oldState()), names.tcpState(s.newState())));
            if (endpoints == null || endpoints.remotePort() == 0) endpoints = Endpoints.localFirst(s.tuple());
        }
    }

    /** The kernel's counters for this socket, cumulative: they replace the previous read; false for an older read than that. */
    boolean counters(Event.SockCounters read, KernelNames names) {
        long readNs = read.header().tsNs();
        if (counters != null && countersReadNs > readNs) return false;
        Event.SocketCounts c = read.counts();
        counters = c;
        countersReadNs = readNs;
        lastNs = Math.max(lastNs, readNs);
        if (c.cookie() != 0) cookie = c.cookie();
        // the kernel's tuple for this socket life is the authority once it names both ends
        Event.Tuple t = read.tuple();
        if (t != null && (endpoints == null || t.dport() != 0)) endpoints = Endpoints.localFirst(t);
        if (c.reader() != null) reader = c.reader();
        if (!c.drops().isEmpty()) {
            Map<String, Long> named = new HashMap<>(4);
            c.drops().forEach((reason, n) -> named.merge(names.dropReason(reason), n, Long::sum));
            drops = named;
        }
        state = c.state() < 0 ? null : names.tcpState(c.state());
        return true;
    }

    /** The kernel's counters as last read, or null before the first read. */
    Event.SocketCounts counts() {
        return counters;
    }

    /** Whether {@code tsNs} falls in the socket life the kernel counted for this flow (from its birth to its close). */
    boolean spans(long tsNs) {
        return counters != null && tsNs >= counters.firstNs() && (!counters.closed() || tsNs <= counters.closedNs());
    }

    /** Whether {@code tsNs} falls within {@code windowNs} after the flow was retired at its close. */
    boolean closedWithin(long tsNs, long windowNs) {
        return retiredNs >= 0 && tsNs >= retiredNs && tsNs - retiredNs <= windowNs;
    }

    /** When the kernel began counting this socket (its first record since the agent attached), or 0 before any read. */
    long countedSinceNs() {
        return counters == null ? 0 : counters.firstNs();
    }

    void path(ReceivePath p) {
        lastNs = Math.max(lastNs, p.decidedNs());
        if (endpoints == null) endpoints = p.endpoints();
        if (reader == null) reader = p.reader();
        if (verdicts == null) verdicts = new long[Verdict.values().length];
        verdicts[p.verdict().ordinal()]++;
        if (latency == null) latency = new PathLatency();
        latency.record(p);
    }

    public long sk() {
        return sk;
    }

    public long cookie() {
        return cookie;
    }

    /** Null until a record with the socket's addresses has been seen. */
    public Endpoints endpoints() {
        return endpoints;
    }

    public long firstNs() {
        return firstNs;
    }

    public long lastNs() {
        return lastNs;
    }

    /** The process that last read from the socket, or null. */
    public Event.Task reader() {
        return reader;
    }

    /** What its handshake agreed, or null: the kernel has no BTF, or the connection predates the agent. */
    public TcpHandshake handshake() {
        return handshake;
    }

    public List<StateChange> states() {
        return Collections.unmodifiableList(states);
    }

    void retired(long tsNs) {
        retiredNs = tsNs;
    }

    /** When the table moved it to its closed flows (closed, or its address taken by a new socket), or -1. */
    public long retiredNs() {
        return retiredNs;
    }

    /** Its socket changed to TCP_CLOSE (the kernel's counters say so). */
    public boolean closed() {
        return counters != null && counters.closed();
    }

    /** The last TCP state the kernel counted, by its name, or null. */
    public String state() {
        return state;
    }

    /** A listener's, as the kernel last counted it: its socket accepts connections and is none. */
    boolean listening() {
        return "TCP_LISTEN".equals(state);
    }

    /** Whether the kernel's counters have been read for this socket: every count below is exact once they have. */
    public boolean counted() {
        return counters != null;
    }

    /** Segments with payload that reached the socket. */
    public long segments() {
        return counters == null ? 0 : counters.segments();
    }

    /** Bytes that reached the socket ({@link Event.SocketCounts#bytesReceived}). */
    public long bytesReceived() {
        return counters == null ? 0 : counters.bytesReceived();
    }

    /**
     * Bytes the application read: recvmsg's returns without MSG_PEEK; on kernels without
     * sock_recv_length (6.1 has none), the bytes copied out of the socket's skbs.
     */
    public long bytesDelivered() {
        return counters == null ? 0 : counters.delivered();
    }

    /** Received and not yet read. */
    public long bytesQueued() {
        return bytesReceived() - bytesDelivered();
    }

    public long reads() {
        return counters == null ? 0 : counters.reads();
    }

    /** Times the socket woke its reader (sk_data_ready). */
    public long wakeups() {
        return counters == null ? 0 : counters.wakeups();
    }

    public long resetsSent() {
        return counters == null ? 0 : counters.resetsSent();
    }

    public long resetsReceived() {
        return counters == null ? 0 : counters.resetsReceived();
    }

    public long retransmits() {
        return counters == null ? 0 : counters.retransmits();
    }

    /** Drops of segments this socket held, beyond the reasons {@link #drops()} names. */
    public long dropsUnnamed() {
        return counters == null ? 0 : counters.dropsOther();
    }

    /** From the last tcp_probe: receive window, smoothed RTT (µs), send window, congestion window. */
    public int rcvWnd() {
        return counters == null ? 0 : counters.rcvWnd();
    }

    public int srttUs() {
        return counters == null ? 0 : counters.srtt();
    }

    public int sndWnd() {
        return counters == null ? 0 : counters.sndWnd();
    }

    public int sndCwnd() {
        return counters == null ? 0 : counters.sndCwnd();
    }

    /** Paths of this socket by verdict: the sampled ones, and every drop and reset. */
    public long paths(Verdict v) {
        return verdicts == null ? 0 : verdicts[v.ordinal()];
    }

    /** Drops by the kernel's reason name, exact. */
    public Map<String, Long> drops() {
        return Collections.unmodifiableMap(drops);
    }

    /** Time from the stage before to this one, over this flow's (sampled) paths; null if no path reached it after another. */
    public Histogram latency(Stage stage) {
        return latency == null ? null : latency.stage(stage);
    }

    /** First stage to the application's read; null until a path was delivered. */
    public Histogram toApplication() {
        return latency == null ? null : latency.toApplication();
    }
}
