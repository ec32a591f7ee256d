package dev.rxpath.agent.flow;

import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.probe.KernelNames;
import java.util.HashMap;
import java.util.Map;

/**
 * The kernel's exact per-socket counters summed over a set of sockets (the node's, or a
 * workload's), since the agent attached: each counter read adds what the socket counted since
 * its flow's previous read. Monotonic while flows are kept (a socket read again after its flow
 * was evicted by the table's cap counts from zero again: evictions are counted). Read and
 * written on the pipeline's thread.
 */
public final class CounterTotals {
    /** A copy, for another thread. */
    public record Totals(long segments, long bytesReceived, long bytesDelivered, long reads, long retransmits, long resetsSent,
                         long resetsReceived, Map<String, Long> drops) {
        /** Both together. */
        public Totals plus(Totals o) {
            Map<String, Long> both = new HashMap<>(drops);
            o.drops.forEach((reason, n) -> both.merge(reason, n, Long::sum));
            return new Totals(segments + o.segments, bytesReceived + o.bytesReceived, bytesDelivered + o.bytesDelivered, reads + o.reads,
                    retransmits + o.retransmits, resetsSent + o.resetsSent, resetsReceived + o.resetsReceived, both);
        }
    }

    private long segments, bytesReceived, bytesDelivered, reads, retransmits, resetsSent, resetsReceived;
    private final Map<String, Long> drops = new HashMap<>();

    /** Adds one socket's counts since {@code before} (null: its first read). */
    void add(Event.SocketCounts before, Event.SocketCounts now, KernelNames names) {
        segments += now.segments() - (before == null ? 0 : before.segments());
        bytesReceived += now.bytesReceived() - (before == null ? 0 : before.bytesReceived());
        bytesDelivered += now.delivered() - (before == null ? 0 : before.delivered());
        reads += now.reads() - (before == null ? 0 : before.reads());
        retransmits += now.retransmits() - (before == null ? 0 : before.retransmits());
        resetsSent += now.resetsSent() - (before == null ? 0 : before.resetsSent());
        resetsReceived += now.resetsReceived() - (before == null ? 0 : before.resetsReceived());
        now.drops().forEach((reason, n) -> {
            long added = n - (before == null ? 0 : before.drops().getOrDefault(reason, 0L));
            if (added != 0) drops.merge(names.dropReason(reason), added, Long::sum);
        });
        long other = now.dropsOther() - (before == null ? 0 : before.dropsOther());
        if (other != 0) drops.merge(OTHER_REASONS, other, Long::sum);
    }

    /** Drops with reasons beyond the kernel entry's slots (bpf/rxpath.h RX_DROP_SLOTS). */
    public static final String OTHER_REASONS = "OTHER";

    public Totals totals() {
        return new Totals(segments, bytesReceived, bytesDelivered, reads, retransmits, resetsSent, resetsReceived, Map.copyOf(drops));
    }
}
