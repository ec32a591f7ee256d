package dev.rxpath.agent;

import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.path.PathListener;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.path.Verdict;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/** The end of a test pipeline: keeps every finished path and retransmit record, and counts lost records. */
public final class PathCollector implements PathListener {
    public final ConcurrentLinkedQueue<ReceivePath> paths = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<Event.Retransmit> retransmits = new ConcurrentLinkedQueue<>();
    public final AtomicLong lost = new AtomicLong();

    @Override
    public void path(ReceivePath path) {
        paths.add(path);
    }

    @Override
    public void socketEvent(Event event) {
        if (event instanceof Event.Retransmit r) retransmits.add(r);
    }

    @Override
    public void lost(int cpu, long count) {
        lost.addAndGet(count);
    }

    @Override
    public void advanced(long monotonicNs) {}

    public List<ReceivePath> where(Predicate<ReceivePath> p) {
        return paths.stream().filter(p).toList();
    }

    /** Paths of the connection whose local (receiving) port is {@code port}. */
    public List<ReceivePath> toPort(int port) {
        return where(p -> p.endpoints() != null && p.endpoints().localPort() == port);
    }

    /**
     * The path of a SYN to a closed port: RESET, or DROPPED where the kernel answers it
     * without tcp_send_reset firing (6.1 sends no such event for a reset without a socket).
     */
    public ReceivePath refused(int port) {
        return toPort(port).stream().filter(p -> p.verdict() == Verdict.RESET || p.verdict() == Verdict.DROPPED).findFirst()
                .orElseThrow(() -> new AssertionError("no RESET or DROPPED path to port " + port + ": " + toPort(port)));
    }

    public static boolean carriedPayload(ReceivePath p) {
        // copied counts too: tcp_probe's u16 data_len reads 0 for a merged skb of exactly 64 KiB
        return (p.payload() > 0 || p.copied() > 0) && p.verdict() != Verdict.DROPPED && p.verdict() != Verdict.RESET;
    }
}
