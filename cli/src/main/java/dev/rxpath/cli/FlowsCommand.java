package dev.rxpath.cli;

import dev.rxpath.api.CompactFormat;
import dev.rxpath.api.flags.FilterOptions;
import dev.rxpath.api.flags.FlowFilterOptions;
import dev.rxpath.api.v1.Flow;
import dev.rxpath.api.v1.GetFlowsRequest;
import dev.rxpath.api.v1.GetFlowsResponse;
import dev.rxpath.api.v1.ObserverGrpc;
import java.io.PrintWriter;
import java.time.ZoneId;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;

@Command(name = "flows",
        description = {"Per-socket flows: one sorted snapshot of the agent's flow table.",
                FilterOptions.COMBINED},
        footer = {"", "Examples:",
                "  rxpath flows --sort drops --limit 10",
                "  rxpath flows --local-port 443 --closed -o table"})
final class FlowsCommand extends AgentCommand {
    @Mixin
    FlowSortOptions order;

    @Mixin
    FlowFilterOptions filters;

    @Mixin
    Output output;

    @Override
    int query(ObserverGrpc.ObserverBlockingStub observer) {
        output.noWaterfall(spec);
        GetFlowsRequest.Builder request = filters.request();
        order.applyTo(request, 0);
        observer.getFlows(request.build()).forEachRemaining(this::print);
        return ExitCode.OK;
    }

    private void print(GetFlowsResponse snapshot) {
        PrintWriter out = out();
        switch (output.format) {
            case JSON -> snapshot.getFlowsList().forEach(flow -> out.println(Output.json(flow)));
            case COMPACT -> {
                CompactFormat compact = new CompactFormat(ZoneId.systemDefault(), colour);
                for (Flow flow : snapshot.getFlowsList()) {
                    // through a relay each flow names its node
                    boolean relayed = !flow.getNodeName().isEmpty() && !flow.getNodeName().equals(snapshot.getNodeName());
                    out.println((relayed ? flow.getNodeName() + "  " : "") + compact.flow(flow));
                }
            }
            case TABLE -> new TableFormat(ZoneId.systemDefault()).flows(snapshot.getFlowsList()).flush(out);
            case WATERFALL -> throw new IllegalStateException("refused before the query");
        }
        if (output.format != Output.Format.JSON && snapshot.getTotal() > snapshot.getFlowsCount()) {
            out.println("(" + snapshot.getFlowsCount() + " of " + snapshot.getTotal() + " flows: --limit)");
        }
    }
}
