package dev.rxpath.agent.export;

import dev.rxpath.agent.containers.Containers;
import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.path.PathListener;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.api.CompactFormat;
import dev.rxpath.api.v1.PathFilter;
import java.io.PrintStream;
import java.time.ZoneId;
import java.util.List;
import java.util.function.Predicate;

/**
 * {@code rxpath agent --print}: one line per finished path, the CLI's compact line
 * ({@link CompactFormat}) of the message the API would send for it, so that the agent and
 * {@code rxpath observe} print a path alike.
 */
public final class PathPrinter implements PathListener {
    private final PrintStream out;
    private final ApiMessages messages;
    private final boolean all;
    private final Predicate<ReceivePath> shown;
    private final CompactFormat compact = new CompactFormat(ZoneId.systemDefault(), false);

    /**
     * @param containers names the reader's container and pod, as the API does
     * @param all        also paths with no socket: no tuple, so nothing a reader could tell them by
     * @param whitelist  the paths printed, as {@code GetPaths} selects them (none: all)
     * @param node       this node's name, for filters that name nodes
     * @throws IllegalArgumentException naming the filter field that is malformed
     */
    public PathPrinter(PrintStream out, KernelClock clock, Containers containers, boolean all, List<PathFilter> whitelist,
                       List<PathFilter> blacklist, String node) {
        this.out = out;
        this.all = all;
        this.shown = PathFilters.paths(whitelist, blacklist, containers, node);
        this.messages = new ApiMessages(clock, containers);
    }

    @Override
    public void path(ReceivePath p) {
        if ((all || p.endpoints() != null) && shown.test(p)) out.println(format(p));
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

    String format(ReceivePath p) {
        return compact.path(messages.path(p));
    }
}
