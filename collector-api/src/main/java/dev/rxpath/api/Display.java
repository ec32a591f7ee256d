package dev.rxpath.api;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.rxpath.api.v1.Endpoints;
import dev.rxpath.api.v1.Flow;
import dev.rxpath.api.v1.Handshake;
import dev.rxpath.api.v1.LostEvent;
import dev.rxpath.api.v1.NodeState;
import dev.rxpath.api.v1.NodeStatus;
import dev.rxpath.api.v1.NodeStatusEvent;
import dev.rxpath.api.v1.ReceivePath;
import dev.rxpath.api.v1.StageTime;
import dev.rxpath.api.v1.TcpHeader;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * How single values of the API's messages read, in the compact format ({@link CompactFormat},
 * which {@code rxpath agent --print} writes too) and the CLI's table. Numbers are formatted
 * in {@link Locale#ROOT}: "12.1us" whatever the default locale says ("12,1us" in German).
 */
public final class Display {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS", Locale.ROOT);

    private Display() {}

    /** 850ns, 12.1us, 1.20ms, 2.50s. */
    public static String duration(Duration d) {
        long ns = d.getSeconds() * 1_000_000_000L + d.getNanos();
        if (ns < 1_000) return ns + "ns";
        if (ns < 1_000_000) return String.format(Locale.ROOT, "%.1fus", ns / 1e3);
        if (ns < 1_000_000_000) return String.format(Locale.ROOT, "%.2fms", ns / 1e6);
        return String.format(Locale.ROOT, "%.2fs", ns / 1e9);
    }

    /** 512B, 1.5KiB, 12.0MiB. */
    public static String bytes(long n) {
        if (n < 1024) return n + "B";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f%s", value, units[unit]);
    }

    /** Time of day to the microsecond, in {@code zone}. */
    public static String time(Timestamp t, ZoneId zone) {
        return TIME.format(Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).atZone(zone));
    }

    /** 10.0.0.2:51234, [2001:db8::2]:51234. */
    public static String remote(Endpoints e) {
        return IpText.endpoint(e.getRemoteIp(), e.getRemotePort());
    }

    public static String local(Endpoints e) {
        return IpText.endpoint(e.getLocalIp(), e.getLocalPort());
    }

    /** remote -> local, or the skb's address when the path never met a socket. */
    public static String tuple(ReceivePath p) {
        return p.hasEndpoints() ? remote(p.getEndpoints()) + " -> " + local(p.getEndpoints()) : "skb=" + Long.toHexString(p.getSkb());
    }

    /**
     * "[P.] seq=1 ack=1 win=512 tcplen=100", as tcpdump shows a header: numbers relative to the
     * connection's initial ones where the agent knows them, unless {@code absolute}.
     */
    static String tcp(TcpHeader t, boolean absolute) {
        long seq = !absolute && t.hasRelativeSeq() ? t.getRelativeSeq() : t.getSeq(), ack = !absolute && t.hasRelativeAck() ? t.getRelativeAck() : t.getAck();
        return TcpText.header(t.getFlags(), seq & 0xffffffffL, ack & 0xffffffffL, t.getWindow(), t.getMss(), t.hasWscale() ? t.getWscale() : -1,
                t.getSackOk(), t.getTimestamps()) + " tcplen=" + t.getPayload();
    }

    /**
     * "handshake=45.0us(accepted) peer-mss=1460 mss=1460 wscale=7/7 sackOK TS": the round trip,
     * which end connected, the peer's MSS and ours, the shifts (peer's/ours) and what both offered.
     */
    static String handshake(Handshake h) {
        StringBuilder s = new StringBuilder("handshake=").append(duration(h.getRtt())).append(h.getActive() ? "(connected)" : "(accepted)");
        s.append(" peer-mss=").append(h.getPeerMss()).append(" mss=").append(h.getMss());
        if (h.hasPeerWscale()) s.append(" wscale=").append(h.getPeerWscale()).append('/').append(h.getWscale());
        if (h.getSackOk()) s.append(" sackOK");
        if (h.getTimestamps()) s.append(" TS");
        return s.toString();
    }

    /** When the path entered: its first stage. */
    public static String entered(ReceivePath p, ZoneId zone) {
        return p.getStagesCount() > 0 ? time(p.getStages(0).getTime(), zone) : "-";
    }

    /** DEV > IP 3.1us > TCP 2.0us > USER* 684.1us: each stage and the time since the one before; * marks an inferred read. */
    public static String stages(ReceivePath p) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < p.getStagesCount(); i++) {
            StageTime t = p.getStages(i);
            if (i > 0) s.append(" > ");
            s.append(EnumText.of(t.getStage())).append(t.getInferred() ? "*" : "");
            if (i > 0) s.append(' ').append(duration(t.getSincePrevious()));
        }
        return s.toString();
    }

    /** LOST 42 records (subscriber queue), LOST 3 records (perf ring, cpu1). */
    public static String lost(LostEvent lost) {
        return "LOST " + lost.getCount() + " records (" + lostWhere(lost) + ")";
    }

    /** NODE b unavailable: UNAVAILABLE: io exception (Connection refused) — a relay's word on its nodes. */
    public static String node(NodeStatusEvent e) {
        return node(String.join(",", e.getNodeNamesList()), e.getState(), e.getMessage());
    }

    /** The same of one node in a relay's answer. */
    public static String node(NodeStatus n) {
        return node(n.getName(), n.getState(), n.getMessage());
    }

    private static String node(String names, NodeState state, String message) {
        String word = switch (state) {
            case NODE_STATE_CONNECTED -> "connected";
            case NODE_STATE_UNAVAILABLE -> "unavailable";
            case NODE_STATE_ERROR -> "error";
            case NODE_STATE_UNSPECIFIED, UNRECOGNIZED -> "unknown";
        };
        return "NODE " + names + " " + word + (message.isEmpty() ? "" : ": " + message);
    }

    /** subscriber queue; perf ring, cpu1. */
    public static String lostWhere(LostEvent lost) {
        return EnumText.of(lost.getSource()).toLowerCase(Locale.ROOT).replace('_', ' ') + (lost.getCpu() >= 0 ? ", cpu" + lost.getCpu() : "");
    }

    /** The last TCP state seen, and whether the socket has closed. */
    public static String state(Flow f) {
        return f.getState() + (f.getClosed() ? " (closed)" : "");
    }

    /** Drops of every reason. */
    public static long drops(Flow f) {
        return f.getDropsMap().values().stream().mapToLong(Long::longValue).sum();
    }

    /** The 99th percentile of the time to the application, or - before any read. */
    public static String p99(Flow f) {
        return f.getToApplication().getCount() > 0 ? duration(f.getToApplication().getP99()) : "-";
    }
}
