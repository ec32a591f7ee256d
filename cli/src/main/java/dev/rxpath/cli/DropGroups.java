package dev.rxpath.cli;

import dev.rxpath.api.v1.GetPathsResponse;
import dev.rxpath.api.v1.ReceivePath;
import dev.rxpath.api.v1.Verdict;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drops and resets grouped by verdict, reason and the place in the kernel that dropped them
 * (as dropwatch counts drops per location): how many, and the latest. The kernel names drop
 * and reset reasons alike (NO_SOCKET is both), so the verdict is part of the group. A
 * follow's stream adds while its redraw reads: every method holds the lock.
 */
final class DropGroups {
    record Group(Verdict verdict, String reason, String site, long count, ReceivePath latest) {}

    /** The groups, largest first; records lost on the way; and a number that grows with each change. */
    record Snapshot(List<Group> groups, long lost, long version) {}

    private record Key(Verdict verdict, String reason, String site) {}

    private final Map<Key, Group> groups = new HashMap<>();
    private long lost;
    private long version;

    synchronized void add(GetPathsResponse response) {
        if (response.hasLost()) {
            lost += response.getLost().getCount();
        } else if (response.hasPath()) {
            ReceivePath p = response.getPath();
            groups.merge(new Key(p.getVerdict(), p.getReason(), p.getDropSite()), new Group(p.getVerdict(), p.getReason(), p.getDropSite(), 1, p),
                    (old, latest) -> new Group(old.verdict(), old.reason(), old.site(), old.count() + 1, latest.latest()));
        } else {
            return;
        }
        version++;
    }

    synchronized Snapshot snapshot() {
        List<Group> largestFirst = groups.values().stream()
                .sorted(Comparator.comparingLong(Group::count).reversed().thenComparing(Group::reason).thenComparing(Group::verdict)
                        .thenComparing(Group::site))
                .toList();
        return new Snapshot(largestFirst, lost, version);
    }
}
