package dev.rxpath.cli;

import dev.rxpath.api.EnumText;
import dev.rxpath.api.v1.Flow;
import dev.rxpath.api.v1.GetFlowsResponse;
import dev.rxpath.api.v1.LatencySource;
import dev.rxpath.api.v1.NodeLatency;
import dev.rxpath.api.v1.ObserverGrpc;
import dev.rxpath.api.v1.ServerStatusRequest;
import dev.rxpath.api.v1.ServerStatusResponse;
import dev.rxpath.api.v1.Stage;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "latency",
        description = {"Latency distributions of the selected flows as terminal histograms: per stage (the time from the stage",
                "before), and from the first stage to the application's read; log2 buckets, p50 and p99 marked.",
                "Per-flow figures come from sampled paths; the node's DEV -> socket histogram times every segment.",
                FilterOptions.COMBINED},
        footer = {"", "Examples:",
                "  rxpath latency --local-port 443",
                "  rxpath latency --pod shop/web-0 --closed"})
final class LatencyCommand extends AgentCommand {
    @Mixin
    FlowFilterOptions filters;

    @Option(names = "--width", paramLabel = "COLUMNS", description = "Width of a histogram (default: $COLUMNS, else 80).")
    Integer width;

    @Override
    int query(ObserverGrpc.ObserverBlockingStub observer) {
        ServerStatusResponse status = observer.serverStatus(ServerStatusRequest.getDefaultInstance());
        GetFlowsResponse flows = observer.getFlows(filters.request().build()).next();
        int columns = width != null ? width : columns();
        PrintWriter out = out();
        for (NodeLatency n : status.getLatencyList()) {
            if (n.getSource() != LatencySource.LATENCY_SOURCE_EVERY_SEGMENT) continue;
            LatencyHistogram h = new LatencyHistogram();
            h.add(n.getSummary());
            draw(out, h, "DEV -> " + EnumText.of(n.getStage()) + " on the node, every segment (timed in the kernel)", "segments", columns);
        }
        Map<String, LatencyHistogram> byStage = new LinkedHashMap<>();
        for (Stage s : Stage.values()) {
            if (s != Stage.STAGE_UNSPECIFIED && s != Stage.UNRECOGNIZED && s != Stage.STAGE_SOCKET_EVENT) byStage.put(s.name(), new LatencyHistogram());
        }
        LatencyHistogram toApplication = new LatencyHistogram();
        for (Flow f : flows.getFlowsList()) {
            f.getStageLatencyMap().forEach((stage, summary) -> byStage.computeIfAbsent("STAGE_" + stage, k -> new LatencyHistogram()).add(summary));
            toApplication.add(f.getToApplication());
        }
        String sampled = "sampled paths (" + (status.getPathSampling().isEmpty() ? "sampling unknown" : status.getPathSampling()) + ") of "
                + flows.getFlowsCount() + " flow" + (flows.getFlowsCount() == 1 ? "" : "s");
        boolean any = false;
        for (Map.Entry<String, LatencyHistogram> e : byStage.entrySet()) {
            if (e.getValue().count() == 0) continue;
            any = true;
            draw(out, e.getValue(), e.getKey().substring("STAGE_".length()) + ", from the stage before: " + sampled, "paths", columns);
        }
        if (toApplication.count() > 0) {
            any = true;
            draw(out, toApplication, "first stage -> the application's read: " + sampled, "paths", columns);
        }
        if (!any) out.println("no sampled path latency in " + flows.getFlowsCount() + " matching flows (of " + flows.getTotal() + ")");
        return ExitCode.OK;
    }

    private static void draw(PrintWriter out, LatencyHistogram h, String title, String unit, int columns) {
        out.println(String.format(Locale.ROOT, "%s: %,d %s, p50 <=%s p99 <=%s", title, h.count(), unit,
                LatencyHistogram.ns(h.quantile(0.5)), LatencyHistogram.ns(h.quantile(0.99))));
        h.rows(columns).forEach(out::println);
        out.println();
    }

    private static int columns() {
        try {
            String c = System.getenv("COLUMNS");
            return c == null ? 80 : Math.max(40, Integer.parseInt(c.strip()));
        } catch (NumberFormatException e) {
            return 80;
        }
    }
}
