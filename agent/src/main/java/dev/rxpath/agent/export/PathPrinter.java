package dev.rxpath.agent.export;

import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.path.CloseReason;
import dev.rxpath.agent.path.PathListener;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.path.Verdict;
import java.io.PrintStream;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * {@code rxpath agent --print}: one line per finished path, pwru/Hubble-style: when it
 * entered, remote → local, verdict, time to its last stage, then each stage with the
 * time since the one before ("USER*" is a merged segment's read, found through its
 * socket's byte stream), and the device, payload, reader and reason.
 */
public final class PathPrinter implements PathListener {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS").withZone(ZoneId.systemDefault());

    private final PrintStream out;
    private final KernelClock clock;

    public PathPrinter(PrintStream out, KernelClock clock) {
        this.out = out;
        this.clock = clock;
    }

    @Override
    public void path(ReceivePath p) {
        out.println(format(p));
    }

    @Override
    public void socketEvent(Event event) {
        // the per-socket view belongs to the flow table
    }

    @Override
    public void lost(int cpu, long count) {
        out.println(EventPrinter.lostLine(cpu, count));
    }

    @Override
    public void advanced(long monotonicNs) {}

    public String format(ReceivePath p) {
        StringBuilder s = new StringBuilder(160);
        s.append(TIME.format(clock.toInstant(p.firstNs()))).append(' ');
        s.append(String.format("%-47s %-10s %9s ", p.endpoints() != null ? p.endpoints() : "skb=" + Long.toHexString(p.skb()),
                p.verdict(), duration(p.totalNs())));
        ReceivePath.StageTime prev = null;
        for (ReceivePath.StageTime t : p.stages()) {
            if (prev != null) s.append(" > ");
            s.append(t.stage()).append(t.inferred() ? "*" : "");
            if (prev != null) s.append(' ').append(duration(t.tsNs() - prev.tsNs()));
            prev = t;
        }
        if (p.verdict() == Verdict.QUEUED) s.append(" > waiting ").append(duration(p.queuedNs()));
        if (p.tcp() != null) s.append("  ").append(p.tcp()).append(" tcplen=").append(p.tcp().payload());
        if (p.device() != null) s.append("  dev=").append(p.device());
        if (p.payload() > 0) s.append(" len=").append(p.payload());
        if (p.reader() != null) s.append(" pid=").append(p.reader().tgid()).append(" comm=").append(p.reader().comm());
        if (p.reason() != null) s.append(" reason=").append(p.reason()).append(" at=").append(p.diedAt());
        if (p.atClose()) s.append(" (at close)");
        if (p.dropSite() != null) s.append(" site=").append(p.dropSite());
        if (p.closedBy() != null && p.closedBy() != CloseReason.END) {
            s.append(" closed=").append(p.closedBy().name().toLowerCase());
        }
        return s.toString();
    }

    /** 850ns, 12.1us, 1.20ms, 2.50s. */
    static String duration(long ns) {
        if (ns < 1_000) return ns + "ns";
        if (ns < 1_000_000) return String.format("%.1fus", ns / 1e3);
        if (ns < 1_000_000_000) return String.format("%.2fms", ns / 1e6);
        return String.format("%.2fs", ns / 1e9);
    }
}
