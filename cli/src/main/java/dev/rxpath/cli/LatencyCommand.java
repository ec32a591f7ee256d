package dev.rxpath.cli;

import dev.rxpath.api.Display;
import dev.rxpath.api.EnumText;
import dev.rxpath.api.LatencySum;
import dev.rxpath.api.flags.FilterOptions;
import dev.rxpath.api.flags.FlowFilterOptions;
import dev.rxpath.api.v1.FlowsLatency;
import dev.rxpath.api.v1.GetFlowsRequest;
import dev.rxpath.api.v1.GetLatencyRequest;
import dev.rxpath.api.v1.GetLatencyResponse;
import dev.rxpath.api.v1.LatencySource;
import dev.rxpath.api.v1.NodeLatency;
import dev.rxpath.api.v1.NodeState;
import dev.rxpath.api.v1.NodeStatus;
import dev.rxpath.api.v1.ObserverGrpc;
import dev.rxpath.api.v1.ServerStatusRequest;
import dev.rxpath.api.v1.ServerStatusResponse;
import dev.rxpath.api.v1.Stage;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

@Command(name = "latency",
        description = {"Latency histograms of the selected flows, per stage and to the application, p50 and p99 marked.",
                "Per stage the time from the stage before, and from the first stage to the application's read, over the"
                        + " flows' sampled paths; then the node's DEV -> SOCKET time of every segment, counted in the kernel."
                        + " A row per log2 bucket.",
                FilterOptions.COMBINED},
        footer = {"", "Examples:",
                "  rxpath latency --local-port 443",
                "  rxpath latency --pod shop/web-0 --closed"})
final class LatencyCommand extends AgentCommand {
    /** The stages whose time a flow keeps, in path order. */
    static final List<Stage> STAGES = List.of(Stage.STAGE_DEV, Stage.STAGE_IP, Stage.STAGE_TCP, Stage.STAGE_LOOKUP, Stage.STAGE_SOCKET,
            Stage.STAGE_USER, Stage.STAGE_END);

    @Mixin
    FlowFilterOptions filters;

    @Option(names = "--width", paramLabel = "COLUMNS", description = "Columns to fit (default: $COLUMNS, else 80).")
    Integer width;

    @Override
    int query(ObserverGrpc.ObserverBlockingStub observer) {
        if (width != null && width < 40) throw new ParameterException(spec.commandLine(), "--width must be at least 40");
        ServerStatusResponse status = observer.serverStatus(ServerStatusRequest.getDefaultInstance());
        GetFlowsRequest selected = filters.request().build();
        GetLatencyResponse latency = observer.getLatency(GetLatencyRequest.newBuilder()
                .addAllWhitelist(selected.getWhitelistList()).addAllBlacklist(selected.getBlacklistList()).build());
        draw(out(), status, latency, width != null ? width : columns());
        return ExitCode.OK;
    }

    /** The pictures: the flows' per stage and to the application, summed where they are, then the node's every segment. */
    static void draw(PrintWriter out, ServerStatusResponse status, GetLatencyResponse latency, int columns) {
        String sampled = ", sampled (" + (status.getPathSampling().isEmpty() ? "sampling unknown" : status.getPathSampling()) + ")";
        Map<String, FlowsLatency> byStage = new LinkedHashMap<>();
        for (Stage s : STAGES) byStage.put(EnumText.of(s), FlowsLatency.getDefaultInstance());
        // a stage this CLI does not know yet comes after the ones it does
        byStage.putAll(latency.getStageLatencyMap());
        // through a relay, the nodes that did not answer: their flows are missing from the sums
        List<NodeStatus> missing = latency.getNodesList().stream().filter(n -> n.getState() != NodeState.NODE_STATE_CONNECTED).toList();
        missing.forEach(n -> out.println(Display.node(n) + " (its flows are not in these sums)"));
        if (!missing.isEmpty()) out.println();
        long flows = latency.getFlows();
        if (flows == 0) {
            out.println("No flow matches.");
            out.println();
        } else if (latency.getToApplication().getFlows() == 0 && byStage.values().stream().allMatch(l -> l.getFlows() == 0)) {
            out.println(String.format(Locale.ROOT, "No path latency in the %,d matching flow%s.", flows, flows == 1 ? "" : "s"));
            out.println();
        }
        for (Map.Entry<String, FlowsLatency> e : byStage.entrySet()) {
            picture(out, e.getKey() + ", time from the stage before", e.getValue(), sampled, columns);
        }
        picture(out, "First stage -> the application's read", latency.getToApplication(), sampled, columns);
        // what the kernel times for every segment is the node's, whatever the flow filters say
        long nodes = status.getNodesList().stream().filter(n -> n.getState() == NodeState.NODE_STATE_CONNECTED).count();
        String where = status.getNodesCount() == 0 ? "on the node" : String.format(Locale.ROOT, "on %,d node%s", nodes, nodes == 1 ? "" : "s");
        for (NodeLatency n : status.getLatencyList()) {
            if (n.getSource() != LatencySource.LATENCY_SOURCE_EVERY_SEGMENT) continue;
            picture(out, "DEV -> " + EnumText.of(n.getStage()) + " of every segment " + where, new LatencySum().add(n.getSummary()), "segments",
                    ", exact counts (timed in the kernel)", columns);
        }
    }

    private static void picture(PrintWriter out, String what, FlowsLatency latency, String source, int columns) {
        String unit = String.format(Locale.ROOT, "paths of %,d flow%s", latency.getFlows(), latency.getFlows() == 1 ? "" : "s");
        picture(out, what, new LatencySum().add(latency.getSummary()), unit, source, columns);
    }

    private static void picture(PrintWriter out, String what, LatencySum sum, String unit, String source, int columns) {
        if (sum.buckets().isEmpty()) return;
        out.println(LatencyHistogram.header(what, sum, unit, source));
        LatencyHistogram.rows(sum, columns).forEach(out::println);
        out.println();
    }

    private static int columns() {
        try {
            String c = System.getenv("COLUMNS");
            return c == null || c.isBlank() ? 80 : Math.max(40, Integer.parseInt(c.strip()));
        } catch (NumberFormatException e) {
            return 80;
        }
    }
}
