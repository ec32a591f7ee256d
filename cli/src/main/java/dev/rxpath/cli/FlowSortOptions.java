package dev.rxpath.cli;

import dev.rxpath.api.flags.EnumNames;
import dev.rxpath.api.v1.FlowSort;
import dev.rxpath.api.v1.GetFlowsRequest;
import picocli.CommandLine.Option;

/** The order of a flow table and how much of it: flows and top. */
final class FlowSortOptions {
    @Option(names = "--sort", paramLabel = "KEY", defaultValue = "bytes-received", converter = EnumNames.Sorts.class,
            completionCandidates = EnumNames.Sorts.class, description = "Sort by ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    FlowSort sort;

    @Option(names = "--asc", description = "Smallest first (default: largest first).")
    boolean ascending;

    @Option(names = "--limit", paramLabel = "N", converter = CountConverter.class, description = "At most N flows (default: flows all, top 20).")
    Integer limit;

    void applyTo(GetFlowsRequest.Builder request, int limitByDefault) {
        request.setSort(sort).setAscending(ascending).setLimit(limit != null ? limit : limitByDefault);
    }
}
