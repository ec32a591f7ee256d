package dev.rxpath.agent.path;

import java.util.Map;

/**
 * The correlator's counters: every path by verdict and by how it closed, drops by the
 * kernel's reason name (node-wide, sockets or not), and what could not be matched.
 *
 * @param unmatched copies and ends for skbs never seen entering the receive path: transmit-side skbs,
 *                  and skbs already in flight when the agent attached
 * @param live      paths being followed or waiting for a read, now
 */
public record PathStats(Map<Verdict, Long> verdicts, Map<CloseReason, Long> closes, Map<String, Long> drops,
                        long unmatched, long lost, int live, int waiting, int sockets) {
    public PathStats {
        verdicts = Map.copyOf(verdicts);
        closes = Map.copyOf(closes);
        drops = Map.copyOf(drops);
    }

    public long paths() {
        return verdicts.values().stream().mapToLong(Long::longValue).sum();
    }

    public long verdict(Verdict v) {
        return verdicts.getOrDefault(v, 0L);
    }

    public long closed(CloseReason r) {
        return closes.getOrDefault(r, 0L);
    }
}
