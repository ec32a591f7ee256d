package dev.rxpath.agent;

import dev.rxpath.agent.containers.Containers;
import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.export.PathPrinter;
import dev.rxpath.agent.flow.FlowTable;
import dev.rxpath.agent.flow.WorkloadCounts;
import dev.rxpath.agent.path.PathCorrelator;
import dev.rxpath.agent.path.PathListener;
import dev.rxpath.api.flags.PathFilterOptions;
import dev.rxpath.api.v1.GetPathsRequest;
import java.io.PrintStream;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The correlator's and flow table's bounds, and what {@code --print} shows (observe's path
 * filters), shared by {@code agent} and {@code replay}.
 */
final class PipelineOptions {
    private static final Pipeline.Limits D = Pipeline.Limits.DEFAULT;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--max-paths", paramLabel = "N", description = "Paths followed or waiting for a read at once; the least recently active are evicted (default: ${DEFAULT-VALUE}).")
    int maxPaths = D.paths().maxPaths();

    @Option(names = "--path-timeout", paramLabel = "MS", description = "Close a path whose skb shows no stage for this long (default: ${DEFAULT-VALUE}).")
    long pathTimeoutMs = D.paths().pathTimeoutNs() / 1_000_000;

    @Option(names = "--queue-timeout", paramLabel = "SECONDS", description = "Close a path whose payload waits this long for the application as QUEUED (default: ${DEFAULT-VALUE}).")
    long queueTimeoutS = D.paths().queueTimeoutNs() / 1_000_000_000;

    @Option(names = "--max-flows", paramLabel = "N", description = "Socket flows kept, live and closed; the least recently active are evicted (default: ${DEFAULT-VALUE}).")
    int maxFlows = D.flows().maxFlows();

    @Option(names = "--closed-retention", paramLabel = "SECONDS", description = "Keep a closed socket's flow this long (default: ${DEFAULT-VALUE}).")
    long closedRetentionS = D.flows().closedRetentionNs() / 1_000_000_000;

    @Mixin
    PathFilterOptions filters;

    @Option(names = "--all", description = {"With --print: also the paths of skbs no socket took (no tuple:",
            "a pure ACK freed unseen, a segment dropped before its socket was found)."})
    boolean all;

    Pipeline.Limits limits() {
        return limits(WorkloadCounts.Options.NONE);
    }

    /** With the workloads the agent's metrics count. */
    Pipeline.Limits limits(WorkloadCounts.Options workloads) {
        positive("--max-paths", maxPaths);
        positive("--path-timeout", pathTimeoutMs);
        positive("--queue-timeout", queueTimeoutS);
        positive("--max-flows", maxFlows);
        if (closedRetentionS < 0) throw new ParameterException(spec.commandLine(), "--closed-retention must not be negative");
        return new Pipeline.Limits(
                new PathCorrelator.Limits(maxPaths, pathTimeoutMs * 1_000_000, queueTimeoutS * 1_000_000_000, maxFlows),
                new FlowTable.Limits(maxFlows, closedRetentionS * 1_000_000_000, workloads));
    }

    private void positive(String option, long value) {
        if (value <= 0) throw new ParameterException(spec.commandLine(), option + " must be positive, not " + value);
    }

    /**
     * Refuses filter flags nothing would apply: they choose what {@code --print paths} shows,
     * except the {@code applied} ones the command applies itself when they select (the agent's
     * kernel watch).
     */
    void requireFiltersApplied(boolean printing, Set<String> applied) {
        filters.request(); // refuses what is malformed even where nothing prints (--stage alone)
        Set<String> printOnly = new TreeSet<>(filters.given(false));
        printOnly.removeAll(applied);
        printOnly.addAll(filters.given(true));
        if (!printing && !printOnly.isEmpty()) {
            throw new ParameterException(spec.commandLine(), String.join(", ", printOnly) + (printOnly.size() == 1 ? " chooses" : " choose")
                    + " the paths --print shows: without it, give " + (printOnly.size() == 1 ? "it" : "them") + " to `rxpath observe`");
        }
    }

    /** What {@code --print} shows. */
    enum PrintMode {
        /** one line per finished path */
        paths,
        /** one line per kernel record */
        raw,
        none
    }

    /**
     * Where finished paths go: printed, those the filters pass, or nowhere yet (the flow table
     * keeps them counted).
     *
     * @param node this node's name, for --node
     */
    PathListener sink(PrintMode mode, PrintStream out, KernelClock clock, Containers containers, String node) {
        if (mode != PrintMode.paths) return PathListener.NONE;

        GetPathsRequest request = filters.request().build();
        try {
            return new PathPrinter(out, clock, containers, all, request.getWhitelistList(), request.getBlacklistList(), node);
        } catch (IllegalArgumentException invalid) {
            throw new ParameterException(spec.commandLine(), "a filter flag: " + invalid.getMessage());
        }
    }
}
