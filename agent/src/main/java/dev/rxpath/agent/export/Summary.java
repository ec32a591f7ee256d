package dev.rxpath.agent.export;

import dev.rxpath.agent.flow.FlowTable;
import dev.rxpath.agent.path.CloseReason;
import dev.rxpath.agent.path.PathStats;
import dev.rxpath.agent.path.Verdict;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The correlator's and flow table's counters as a few lines of text, for stderr and replays. */
public final class Summary {
    private Summary() {}

    public static String of(PathStats p, long late, FlowTable.Stats f) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "paths %d:", p.paths()));
        for (Verdict v : Verdict.values()) if (p.verdict(v) > 0) s.append(' ').append(v).append('=').append(p.verdict(v));
        s.append(String.format("%n  closed by:"));
        for (CloseReason r : CloseReason.values()) if (p.closed(r) > 0) s.append(' ').append(r.name().toLowerCase(Locale.ROOT)).append('=').append(p.closed(r));
        s.append(String.format(Locale.ROOT, "; live %d (%d waiting for a read, %d sockets accounted)%n", p.live(), p.waiting(), p.sockets()));
        if (!p.drops().isEmpty()) {
            s.append("  drops:");
            for (Map.Entry<String, Long> d : new TreeMap<>(p.drops()).entrySet()) s.append(' ').append(d.getKey()).append('=').append(d.getValue());
            s.append(String.format("%n"));
        }
        s.append(String.format(Locale.ROOT, "  events late for the reorder window %d, copies/ends of skbs never seen received %d, "
                + "records lost %d%n", late, p.unmatched(), p.lost()));
        s.append(String.format(Locale.ROOT, "flows %d live, %d closed; %d created, %d evicted, %d expired", f.live(), f.closed(), f.created(),
                f.evicted(), f.expired()));
        return s.toString();
    }

    /** The same counts on one line, for the periodic report: "paths 1234 (DELIVERED=1200 DROPPED=3), 5 live, 0 waiting; flows 12 live, 40 closed". */
    public static String line(PathStats p, FlowTable.Stats f) {
        StringBuilder s = new StringBuilder("paths ").append(p.paths());
        String sep = " (";
        for (Verdict v : Verdict.values()) {
            if (p.verdict(v) > 0) {
                s.append(sep).append(v).append('=').append(p.verdict(v));
                sep = " ";
            }
        }
        return s.append(sep.equals(" ") ? "), " : ", ").append(p.live()).append(" live, ").append(p.waiting()).append(" waiting; flows ").append(f.live())
                .append(" live, ").append(f.closed()).append(" closed").toString();
    }
}
