package dev.rxpath.agent.path;

import java.util.EnumMap;
import java.util.HashMap;

/** The correlator's counts since it started, snapshot as {@link PathStats}. */
final class PathCounters {
    private final EnumMap<Verdict, Long> verdicts = new EnumMap<>(Verdict.class);
    private final EnumMap<CloseReason, Long> closes = new EnumMap<>(CloseReason.class);
    private final HashMap<String, Long> drops = new HashMap<>();
    private long unmatched, lost;

    void verdict(Verdict v) {
        verdicts.merge(v, 1L, Long::sum);
    }

    void closed(CloseReason why) {
        closes.merge(why, 1L, Long::sum);
    }

    void dropped(String reason) {
        drops.merge(reason, 1L, Long::sum);
    }

    void unmatched() {
        unmatched++;
    }

    void lost(long count) {
        lost += count;
    }

    PathStats stats(int live, int waiting, int sockets) {
        return new PathStats(verdicts, closes, drops, unmatched, lost, live, waiting, sockets);
    }
}
