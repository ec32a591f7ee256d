package dev.rxpath.api;

import dev.rxpath.api.v1.CloseReason;
import dev.rxpath.api.v1.Flow;
import dev.rxpath.api.v1.ReceivePath;
import dev.rxpath.api.v1.Stage;
import dev.rxpath.api.v1.Task;
import dev.rxpath.api.v1.Verdict;
import java.time.ZoneId;
import java.util.Locale;

/**
 * One line per path or flow, readable at a glance, as `hubble observe` writes them: what
 * `rxpath agent --print` prints and the CLI's {@code -o compact}, from the same message the
 * API sends, so the two never differ. Verdicts are coloured only where asked (a terminal).
 */
public final class CompactFormat {
    private static final String RESET = "\033[0m";

    private final ZoneId zone;
    private final boolean colour;
    private final boolean absoluteSeq;

    public CompactFormat(ZoneId zone, boolean colour) {
        this(zone, colour, false);
    }

    /** @param absoluteSeq sequence numbers as sent, not relative to the connection's initial ones (tcpdump -S) */
    public CompactFormat(ZoneId zone, boolean colour, boolean absoluteSeq) {
        this.zone = zone;
        this.colour = colour;
        this.absoluteSeq = absoluteSeq;
    }

    /**
     * <pre>
     * 14:46:05.448162 [::1]:45588 -> [::1]:43601                      DELIVERED     60.3us DEV > SOCKET 6.0us > USER 40.5us > END 13.8us  dev=lo len=100 copied=100 pid=14498 comm=java
     * 14:46:05.448162 [2001:db8::2]:51234 -> [2001:db8::1]:443        QUEUED         1.50s DEV > SOCKET 6.0us > waiting 1.50s  dev=eth0 len=1000
     * </pre>
     */
    public String path(ReceivePath p) {
        StringBuilder s = new StringBuilder(160);
        s.append(Display.entered(p, zone)).append(' ');
        s.append(String.format(Locale.ROOT, "%-47s ", Display.tuple(p)));
        s.append(verdict(p.getVerdict())).append(' ');
        s.append(String.format(Locale.ROOT, "%9s ", Display.duration(p.getTotal())));
        s.append(Display.stages(p));
        if (p.hasWaiting()) s.append(" > waiting ").append(Display.duration(p.getWaiting()));
        s.append(' ');
        if (p.hasTcp()) s.append(' ').append(Display.tcp(p.getTcp(), absoluteSeq)).append(' ');
        if (!p.getDevice().isEmpty()) s.append(" dev=").append(p.getDevice());
        if (p.getPayload() > 0) s.append(" len=").append(p.getPayload());
        if (p.getCopied() > 0) s.append(" copied=").append(p.getCopied());
        if (p.hasReader()) s.append(reader(p.getReader()));
        if (!p.getReason().isEmpty()) s.append(" reason=").append(p.getReason());
        if (p.getDiedAt() != Stage.STAGE_UNSPECIFIED) s.append(" at=").append(EnumText.of(p.getDiedAt()));
        if (p.getAtClose()) s.append(" (at close)");
        if (!p.getDropSite().isEmpty()) s.append(" site=").append(p.getDropSite());
        if (p.getClosedBy() != CloseReason.CLOSE_REASON_UNSPECIFIED && p.getClosedBy() != CloseReason.CLOSE_REASON_END) {
            s.append(" closed=").append(EnumText.typed(p.getClosedBy()));
        }
        return s.toString().stripTrailing();
    }

    /**
     * <pre>
     * 10.0.0.2:51234 -> 10.0.0.1:443                  ESTABLISHED   rx=1.2MiB delivered=1.2MiB queued=0B segs=880 drops=0 p99=85.1us srtt=210us  pid=812 comm=nginx last=14:46:05.448162
     * </pre>
     */
    public String flow(Flow f) {
        StringBuilder s = new StringBuilder(200);
        s.append(String.format(Locale.ROOT, "%-47s %-12s ", Display.remote(f.getEndpoints()) + " -> " + Display.local(f.getEndpoints()), Display.state(f)));
        s.append(" rx=").append(Display.bytes(f.getBytesReceived()));
        s.append(" delivered=").append(Display.bytes(f.getBytesDelivered()));
        s.append(" queued=").append(Display.bytes(f.getBytesQueued()));
        s.append(" segs=").append(f.getSegments());
        s.append(" drops=").append(Display.drops(f));
        s.append(" p99=").append(Display.p99(f));
        s.append(" srtt=").append(f.getSrttUs()).append("us ");
        if (f.hasHandshake()) s.append(' ').append(Display.handshake(f.getHandshake())).append(' ');
        if (f.hasReader()) s.append(reader(f.getReader()));
        s.append(" last=").append(Display.time(f.getLastActive(), zone));
        return s.toString();
    }

    private static String reader(Task reader) {
        return " pid=" + reader.getPid() + " comm=" + reader.getComm() + (reader.hasContainer() ? container(reader.getContainer()) : "");
    }

    /** " pod=shop/web-0 container=web" where the pod is known, else " container=containerd://c0ffee012345" (docker's short id). */
    private static String container(dev.rxpath.api.v1.Container c) {
        if (!c.getPod().isEmpty()) return " pod=" + c.getNamespace() + "/" + c.getPod() + " container=" + c.getName();
        return " container=" + (c.getRuntime().isEmpty() ? "" : c.getRuntime() + "://") + c.getId().substring(0, Math.min(12, c.getId().length()));
    }

    private String verdict(Verdict v) {
        String name = String.format(Locale.ROOT, "%-10s", EnumText.of(v));
        if (!colour) return name;
        String ansi = switch (v) {
            case VERDICT_DELIVERED -> "\033[32m"; // green
            case VERDICT_DROPPED, VERDICT_RESET -> "\033[31m"; // red
            case VERDICT_QUEUED -> "\033[33m"; // yellow: unread when the wait ended
            case VERDICT_UNTRACED -> "\033[2m"; // dim: its end is unknown
            default -> "";
        };
        return ansi.isEmpty() ? name : ansi + name + RESET;
    }
}
