package dev.rxpath.agent.export;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.rxpath.agent.containers.Containers;
import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.event.TcpHandshake;
import dev.rxpath.agent.event.TcpHeader;
import dev.rxpath.agent.flow.Flow;
import dev.rxpath.agent.path.Endpoints;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.path.Verdict;
import dev.rxpath.agent.probe.HookStatus;
import dev.rxpath.agent.ring.Handoff;
import dev.rxpath.agent.traces.TraceCounts;
import dev.rxpath.api.IpText;
import dev.rxpath.api.v1.Family;
import dev.rxpath.api.v1.LatencyBucket;
import dev.rxpath.api.v1.LatencySummary;
import dev.rxpath.api.v1.LostSource;
import dev.rxpath.api.v1.StageTime;
import dev.rxpath.api.v1.Task;
import java.time.Instant;
import java.util.List;

import org.HdrHistogram.Histogram;

/** The agent's records as the collector-api contract spells them; kernel times become wall-clock time here. */
final class ApiMessages {
    private final KernelClock clock;
    private final Containers containers;

    ApiMessages(KernelClock clock, Containers containers) {
        this.clock = clock;
        this.containers = containers;
    }

    dev.rxpath.api.v1.ReceivePath path(ReceivePath p) {
        var b = dev.rxpath.api.v1.ReceivePath.newBuilder()
                .setSkb(p.skb())
                .setVerdict(ApiEnums.verdict(p.verdict()))
                .setClosedBy(ApiEnums.closeReason(p.closedBy()))
                .setNapiId(p.napiId())
                .setQueue(p.queue())
                .setSk(p.sk())
                .setCookie(p.cookie())
                .setPayload(p.payload())
                .setCopied(p.copied())
                .setTotal(duration(p.totalNs()));
        if (p.device() != null) b.setDevice(p.device());
        if (p.endpoints() != null) b.setEndpoints(endpoints(p.endpoints()));
        if (p.reader() != null) b.setReader(task(p.reader()));
        if (p.reason() != null) b.setReason(p.reason());
        if (p.diedAt() != null) b.setDiedAt(ApiEnums.stage(p.diedAt()));
        if (p.dropSite() != null) b.setDropSite(p.dropSite());
        if (p.tcp() != null) b.setTcp(tcpHeader(p.tcp()));
        b.setAtClose(p.atClose());
        if (p.verdict() == Verdict.QUEUED && p.queuedNs() >= 0) b.setWaiting(duration(p.queuedNs()));
        for (Stage s : p.observable()) b.addObservable(ApiEnums.stage(s));
        List<ReceivePath.StageTime> stages = p.stages();
        for (int i = 0; i < stages.size(); i++) {
            ReceivePath.StageTime t = stages.get(i);
            b.addStages(StageTime.newBuilder().setStage(ApiEnums.stage(t.stage())).setTime(time(t.tsNs()))
                    .setSincePrevious(duration(i == 0 ? 0 : t.tsNs() - stages.get(i - 1).tsNs()))
                    .setCpu(t.cpu()).setInferred(t.inferred()));
        }
        return b.build();
    }

    dev.rxpath.api.v1.Flow flow(Flow f) {
        var b = dev.rxpath.api.v1.Flow.newBuilder()
                .setSk(f.sk())
                .setCookie(f.cookie())
                .setClosed(f.closed())
                .setFirstSeen(time(f.firstNs()))
                .setLastActive(time(f.lastNs()))
                .setSegments(f.segments())
                .setBytesReceived(f.bytesReceived())
                .setBytesDelivered(f.bytesDelivered())
                .setBytesQueued(f.bytesQueued())
                .setReads(f.reads())
                .setResetsSent(f.resetsSent())
                .setResetsReceived(f.resetsReceived())
                .setRetransmits(f.retransmits())
                .setWakeups(f.wakeups())
                .setRcvWnd(f.rcvWnd())
                .setSrttUs(f.srttUs())
                .setSndWnd(f.sndWnd())
                .setSndCwnd(f.sndCwnd())
                .putAllDrops(f.drops())
                .setCounted(f.counted());
        if (f.endpoints() != null) b.setEndpoints(endpoints(f.endpoints()));
        if (f.reader() != null) b.setReader(task(f.reader()));
        if (f.handshake() != null) b.setHandshake(handshake(f.handshake()));
        if (f.state() != null) b.setState(f.state());
        for (Verdict v : Verdict.values()) {
            if (f.paths(v) > 0) b.putVerdicts(v.name(), f.paths(v));
        }
        return latencies(f, b).build();
    }

    /** A flow's latencies alone, for GetLatency to add up. */
    dev.rxpath.api.v1.Flow latencies(Flow f) {
        return latencies(f, dev.rxpath.api.v1.Flow.newBuilder()).build();
    }

    private static dev.rxpath.api.v1.Flow.Builder latencies(Flow f, dev.rxpath.api.v1.Flow.Builder b) {
        Histogram app = f.toApplication();
        if (app != null) b.setToApplication(latency(app));
        for (Stage s : Stage.values()) {
            if (s == Stage.SOCKET_EVENT) continue; // not a stage of a path
            Histogram h = f.latency(s);
            if (h != null) b.putStageLatency(s.name(), latency(h));
        }
        return b;
    }

    /** Where an in-band loss happened: the agent's handoff counts its own under {@link Handoff#CPU}, a ring under its CPU. */
    static LostSource lostSource(int cpu) {
        return cpu == Handoff.CPU ? LostSource.LOST_SOURCE_AGENT_BUFFER : LostSource.LOST_SOURCE_PERF_RING;
    }

    /** The loss's CPU for the API: -1 when it is not one CPU's. */
    static int lostCpu(int cpu) {
        return cpu == Handoff.CPU ? -1 : cpu;
    }

    static dev.rxpath.api.v1.HookStatus hook(HookStatus s) {
        return dev.rxpath.api.v1.HookStatus.newBuilder().setHook(s.hook().target()).setStage(ApiEnums.stage(s.hook().stage()))
                .setMechanism(s.attached() ? s.attachment() : "").setAttached(s.attached()).setReason(s.reason()).build();
    }

    static dev.rxpath.api.v1.TraceExport traces(TraceCounts t) {
        return dev.rxpath.api.v1.TraceExport.newBuilder().setExporter(t.exporter()).setPathsTraced(t.traced()).setPathsSampledOut(t.sampledOut())
                .setSpansEnded(t.spansEnded()).setSpansExported(t.spansExported()).setSpansFailed(t.spansFailed())
                .setSpansDropped(t.spansDropped()).setSpansQueued(t.spansQueued()).build();
    }

    static dev.rxpath.api.v1.Endpoints endpoints(Endpoints e) {
        return dev.rxpath.api.v1.Endpoints.newBuilder().setFamily(e.family() == 10 ? Family.FAMILY_INET6 : Family.FAMILY_INET)
                .setLocalIp(IpText.of(e.local())).setLocalPort(e.localPort())
                .setRemoteIp(IpText.of(e.remote())).setRemotePort(e.remotePort()).build();
    }

    static dev.rxpath.api.v1.TcpHeader tcpHeader(TcpHeader t) {
        dev.rxpath.api.v1.TcpHeader.Builder b = dev.rxpath.api.v1.TcpHeader.newBuilder().setFlags(t.flags()).setSeq((int) t.seq())
                .setAck((int) t.ack()).setWindow(t.window()).setPayload(t.payload()).setMss(t.mss()).setSackOk(t.sackOk())
                .setTimestamps(t.timestamps());
        if (t.wscale() >= 0) b.setWscale(t.wscale());
        if (t.relativeSeq() >= 0) b.setRelativeSeq((int) t.relativeSeq());
        if (t.relativeAck() >= 0) b.setRelativeAck((int) t.relativeAck());
        return b.build();
    }

    static dev.rxpath.api.v1.Handshake handshake(TcpHandshake h) {
        dev.rxpath.api.v1.Handshake.Builder b = dev.rxpath.api.v1.Handshake.newBuilder().setRtt(duration(h.rttUs() * 1000))
                .setPeerMss(h.peerMss()).setMss(h.mss()).setSackOk(h.sackOk()).setTimestamps(h.timestamps()).setActive(h.active());
        if (h.peerWscale() >= 0) b.setPeerWscale(h.peerWscale()).setWscale(h.wscale());
        return b.build();
    }

    Task task(Event.Task t) {
        Task.Builder b = Task.newBuilder().setPid(t.tgid()).setTid(t.pid()).setCgroupId(t.cgroupId()).setComm(t.comm());
        containers.of(t.cgroupId()).ifPresent(c -> {
            var container = dev.rxpath.api.v1.Container.newBuilder().setRuntime(c.runtime()).setId(c.id())
                    .setPodUid(c.podUid() == null ? "" : c.podUid()).setCgroup(c.cgroup());
            containers.pod(c).ifPresent(p -> container.setNamespace(p.namespace()).setPod(p.pod()).setName(p.container()));
            b.setContainer(container);
        });
        return b.build();
    }

    static LatencySummary latency(Histogram h) {
        var b = LatencySummary.newBuilder().setCount(h.getTotalCount()).setP50(duration(h.getValueAtPercentile(50)))
                .setP99(duration(h.getValueAtPercentile(99))).setMax(duration(h.getMaxValue()));
        // log2 buckets, the kernel's: the one bounded by 2^k holds [2^(k-1), 2^k) ns (by 1, 0), so every
        // histogram's buckets line up. HdrHistogram's ranges of equal values never straddle a power of
        // two, so each count falls in one bucket exactly. Counted octave by octave from the smallest
        // time to the largest: walking the whole histogram (recordedValues) costs several times more,
        // and a snapshot of flows does this for each of them.
        if (h.getTotalCount() > 0) {
            for (int k = octave(h.getMinValue()), last = octave(h.getMaxValue()); k <= last; k++) {
                long n = h.getCountBetweenValues(k == 0 ? 0 : 1L << (k - 1), (1L << k) - 1);
                if (n > 0) b.addBuckets(LatencyBucket.newBuilder().setUpperBound(duration(1L << k)).setCount(n));
            }
        }
        return b.build();
    }

    /** k of the log2 bucket holding {@code ns}, [2^(k-1), 2^k); at most 62, past any wait. */
    private static int octave(long ns) {
        return Math.min(62, 64 - Long.numberOfLeadingZeros(ns));
    }

    long wallNs(long monotonicNs) {
        return monotonicNs + clock.wallMinusMonoNs();
    }

    Timestamp time(long monotonicNs) {
        return timestamp(clock.toInstant(monotonicNs));
    }

    static Timestamp timestamp(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    static Duration duration(long ns) {
        return Duration.newBuilder().setSeconds(ns / 1_000_000_000L).setNanos((int) (ns % 1_000_000_000L)).build();
    }

    static long nanos(Duration d) {
        return d.getSeconds() * 1_000_000_000L + d.getNanos();
    }

    static long nanos(Timestamp t) {
        return t.getSeconds() * 1_000_000_000L + t.getNanos();
    }
}
