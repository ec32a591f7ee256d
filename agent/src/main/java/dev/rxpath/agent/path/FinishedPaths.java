package dev.rxpath.agent.path;

import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.probe.KernelNames;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Where a path ends: it becomes a {@link ReceivePath} with its verdict ({@link VerdictRules}),
 * is counted, and goes to the {@link PathListener}.
 */
final class FinishedPaths {
    private final PathListener out;
    private final KernelNames names;
    private final Set<Stage> observable;
    private final PathCounters counters;

    FinishedPaths(PathListener out, KernelNames names, Set<Stage> observable, PathCounters counters) {
        this.out = out;
        this.names = names;
        this.observable = observable;
        this.counters = counters;
    }

    void finish(OpenPath p, long decidedNs) {
        ReceivePath path = toPath(p, decidedNs);
        counters.verdict(path.verdict());
        if (p.drop != null) counters.dropped(names.dropReason(p.drop.reason())); // a reset path's drop too
        else if (path.verdict() == Verdict.DROPPED) counters.dropped(path.reason()); // a full listener's SYN: no kfree_skb
        out.path(path);
    }

    /** The path as it ends at {@code decidedNs}. */
    ReceivePath toPath(OpenPath p, long decidedNs) {
        Set<Stage> seen = seen(p);
        Verdict v = VerdictRules.verdict(new VerdictRules.Facts(seen, p.reset != null, p.drop != null, p.payload, p.sk,
                p.copied, p.delivered, p.userInferred, p.socketSeen, p.listenFull));
        String reason = null;
        Stage diedAt = null;
        if (v == Verdict.RESET) reason = names.resetReason(p.reset.reason());
        else if (v == Verdict.DROPPED) reason = p.drop != null ? names.dropReason(p.drop.reason()) : VerdictRules.LISTEN_OVERFLOW;
        String dropSite = p.drop == null ? null : names.dropSite(p.drop.location());
        if (reason != null) diedAt = VerdictRules.diedAt(seen, reason, dropSite);
        return new ReceivePath(p.skb, v, p.closedBy, stages(p, seen), observable, p.device, p.napiId, p.queue, p.sk, p.cookie,
                p.endpoints != null ? p.endpoints : p.segment == null ? null : Endpoints.remoteFirst(p.segment.tuple()),
                p.payload, p.copied, p.delivered ? p.reader : null, reason, diedAt, dropSite,
                p.segment == null ? null : p.segment.tcp(), decidedNs);
    }

    private static Set<Stage> seen(OpenPath p) {
        EnumSet<Stage> seen = EnumSet.noneOf(Stage.class);
        for (Stage s : Stage.values()) if (p.seen(s)) seen.add(s);
        return seen;
    }

    private static List<ReceivePath.StageTime> stages(OpenPath p, Set<Stage> seen) {
        List<ReceivePath.StageTime> list = new ArrayList<>(4);
        for (Stage s : seen) { // in stage order
            if (s == Stage.SOCKET_EVENT) continue;
            list.add(new ReceivePath.StageTime(s, p.ts[s.ordinal()], p.cpu[s.ordinal()], s == Stage.USER && p.userInferred));
        }
        list.sort((a, b) -> Long.compare(a.tsNs(), b.tsNs())); // stable: stage order breaks ties
        return List.copyOf(list);
    }
}
