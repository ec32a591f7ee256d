package dev.rxpath.agent.flow;

import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.Stage;
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
    private final List<StateChange> states = new ArrayList<>(4);
    private boolean closed;
    private long retiredNs = -1;

    private long segments, bytesReceived, bytesDelivered, bytesCopied, reads, wakeups;
    private long resetsSent, resetsReceived, retransmits;
    private int rcvWnd, srttUs, sndWnd, sndCwnd;
    private final long[] verdicts = new long[Verdict.values().length];
    private Map<String, Long> drops = Map.of();
    /** Per stage: time from the stage before it; created on first use. */
    private final Latency[] stageLatency = new Latency[Stage.END.ordinal() + 1];
    private Latency toApplication;

    Flow(long sk, long cookie, long tsNs) {
        this.sk = sk;
        this.cookie = cookie;
        this.firstNs = tsNs;
        this.lastNs = tsNs;
    }

    void apply(Event e, KernelNames names) {
        lastNs = Math.max(lastNs, e.header().tsNs());
        if (e instanceof Event.SockQueue q) {
            if (q.cookie() != 0) cookie = q.cookie();
            endpoints = Endpoints.localFirst(q.tuple());
            if (q.dataLen() > 0) {
                segments++;
                bytesReceived += q.dataLen();
            }
            rcvWnd = q.rcvWnd();
            srttUs = q.srtt() >>> 3;
            sndWnd = q.sndWnd();
            sndCwnd = q.sndCwnd();
        } else if (e instanceof Event.Recv r) {
            if (r.consumed() > 0) {
                reads++;
                bytesDelivered += r.consumed();
                // tcp_probe's data_len is a u16 that wraps on merged skbs; the kernel cannot deliver what it did not receive
                bytesReceived = Math.max(bytesReceived, bytesDelivered);
            }
            reader = r.task();
        } else if (e instanceof Event.DataReady) {
            wakeups++;
        } else if (e instanceof Event.ResetSent r) {
            resetsSent++;
            if (endpoints == null) endpoints = Endpoints.localFirst(r.tuple());
        } else if (e instanceof Event.ResetReceived r) {
            resetsReceived++;
            if (r.cookie() != 0) cookie = r.cookie();
            if (endpoints == null) endpoints = Endpoints.localFirst(r.tuple());
        } else if (e instanceof Event.Retransmit r) {
            retransmits++;
            if (endpoints == null) endpoints = Endpoints.localFirst(r.tuple());
        } else if (e instanceof Event.StateChange s) {
            states.add(new StateChange(s.header().tsNs(), names.tcpState(s.oldState()), names.tcpState(s.newState())));
            if (endpoints == null || endpoints.remotePort() == 0) endpoints = Endpoints.localFirst(s.tuple());
            closed = names.isClose(s.newState());
        }
    }

    void path(ReceivePath p) {
        lastNs = Math.max(lastNs, p.decidedNs());
        if (endpoints == null) endpoints = p.endpoints();
        bytesCopied += p.copied();
        if (reads == 0) bytesReceived = Math.max(bytesReceived, bytesCopied); // as for reads, above
        if (reader == null) reader = p.reader();
        verdicts[p.verdict().ordinal()]++;
        if (p.verdict() == Verdict.DROPPED) {
            if (drops.isEmpty()) drops = new HashMap<>(4);
            drops.merge(p.reason(), 1L, Long::sum);
        }
        List<ReceivePath.StageTime> stages = p.stages();
        for (int i = 1; i < stages.size(); i++) {
            ReceivePath.StageTime t = stages.get(i);
            record(t.stage(), t.tsNs() - stages.get(i - 1).tsNs());
        }
        ReceivePath.StageTime user = p.stage(Stage.USER);
        if (user != null) {
            if (toApplication == null) toApplication = new Latency();
            toApplication.record(user.tsNs() - p.firstNs());
        }
    }

    private void record(Stage stage, long ns) {
        Latency l = stageLatency[stage.ordinal()];
        if (l == null) l = stageLatency[stage.ordinal()] = new Latency();
        l.record(ns);
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

    /** Its last state change was to TCP_CLOSE. */
    public boolean closed() {
        return closed;
    }

    /** Segments with payload that reached the socket (tcp_probe). */
    public long segments() {
        return segments;
    }

    public long bytesReceived() {
        return bytesReceived;
    }

    /**
     * Bytes the application read: exact from sock_recv_length; on kernels without that
     * tracepoint (6.1 has none), the bytes copied out of the socket's finished paths.
     */
    public long bytesDelivered() {
        return reads > 0 ? bytesDelivered : bytesCopied;
    }

    /** Received and not yet read. */
    public long bytesQueued() {
        return bytesReceived - bytesDelivered();
    }

    public long reads() {
        return reads;
    }

    /** Times the socket woke its reader (sk_data_ready). */
    public long wakeups() {
        return wakeups;
    }

    public long resetsSent() {
        return resetsSent;
    }

    public long resetsReceived() {
        return resetsReceived;
    }

    public long retransmits() {
        return retransmits;
    }

    /** From the last tcp_probe: receive window, smoothed RTT (µs), send window, congestion window. */
    public int rcvWnd() {
        return rcvWnd;
    }

    public int srttUs() {
        return srttUs;
    }

    public int sndWnd() {
        return sndWnd;
    }

    public int sndCwnd() {
        return sndCwnd;
    }

    public long paths(Verdict v) {
        return verdicts[v.ordinal()];
    }

    public Map<String, Long> drops() {
        return Collections.unmodifiableMap(drops);
    }

    /** Time from the stage before to this one, over this flow's paths; null if no path reached it after another. */
    public Histogram latency(Stage stage) {
        Latency l = stageLatency[stage.ordinal()];
        return l == null ? null : l.snapshot();
    }

    /** First stage to the application's read; null until a path was delivered. */
    public Histogram toApplication() {
        return toApplication == null ? null : toApplication.snapshot();
    }
}
