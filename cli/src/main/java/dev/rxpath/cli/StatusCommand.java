package dev.rxpath.cli;

import com.google.protobuf.util.Durations;
import dev.rxpath.api.Display;
import dev.rxpath.api.EnumText;
import dev.rxpath.api.v1.HookStatus;
import dev.rxpath.api.v1.LatencySource;
import dev.rxpath.api.v1.NodeLatency;
import dev.rxpath.api.v1.NodeState;
import dev.rxpath.api.v1.NodeStatus;
import dev.rxpath.api.v1.ObserverGrpc;
import dev.rxpath.api.v1.ServerStatusRequest;
import dev.rxpath.api.v1.ServerStatusResponse;
import dev.rxpath.api.v1.Stage;
import dev.rxpath.api.v1.TraceExport;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;

@Command(name = "status",
        description = {"What the agent observes on its node: kernel, counters, records lost, hook points.",
                "Each hook point: attached or unavailable, by which mechanism, and why a better one was not used.",
                "-o compact and -o table print the same; -o json the whole response."})
final class StatusCommand extends AgentCommand {
    @Mixin
    Output output;

    @Override
    int query(ObserverGrpc.ObserverBlockingStub observer) {
        output.noWaterfall(spec);
        ServerStatusResponse status = observer.serverStatus(ServerStatusRequest.getDefaultInstance());
        PrintWriter out = out();
        if (output.format == Output.Format.JSON) {
            out.println(Output.json(status));
            return ExitCode.OK;
        }
        String lost = status.getLostList().stream().filter(l -> l.getCount() > 0).map(l -> l.getCount() + " (" + Display.lostWhere(l) + ")").collect(Collectors.joining(", "));
        line(out, "node", status.getNodeName());
        if (status.getNodesCount() > 0) {
            long connected = status.getNodesList().stream().filter(n -> n.getState() == NodeState.NODE_STATE_CONNECTED).count();
            line(out, "nodes", connected + " of " + status.getNodesCount() + " connected; the counters below are their sums");
        } else {
            line(out, "kernel", status.getKernelRelease());
        }
        line(out, "uptime", uptime(status));
        line(out, "events/s", String.format(Locale.ROOT, "%.1f", status.getEventsPerSecond()));
        line(out, "records", status.getRecordsSubmitted() + " submitted, " + status.getRecordsReceived() + " received");
        line(out, "lost", lost.isEmpty() ? "none" : lost);
        line(out, "paths", status.getPathSampling() + "; " + status.getSegmentsSampled() + " segments sampled, "
                + status.getPathsKeptUnsampled() + " kept for a drop or reset");
        line(out, "sockets", status.getSocketsCounted() + " counted in the kernel (exact)"
                + (status.getSocketsNotCounted() > 0 ? ", " + status.getSocketsNotCounted() + " not counted: the map was full (--max-sockets)" : ""));
        for (NodeLatency l : status.getLatencyList()) {
            String what = l.getStage() == Stage.STAGE_UNSPECIFIED ? "to the application" : "to " + EnumText.of(l.getStage());
            String from = (l.getSource() == LatencySource.LATENCY_SOURCE_EVERY_SEGMENT ? "every segment, timed in the kernel"
                    : "sampled paths")
                    // a relay adds its nodes' buckets up: of a sum, a percentile is known to its log2 bucket
                    + (status.getNodesCount() > 1 ? "; nodes summed, p50 and p99 to a log2 bucket" : "");
            line(out, "latency", String.format(Locale.ROOT, "%-18s p50 %s  p99 %s  max %s  (%,d; %s)", what,
                    Display.duration(l.getSummary().getP50()), Display.duration(l.getSummary().getP99()),
                    Display.duration(l.getSummary().getMax()), l.getSummary().getCount(), from));
        }
        line(out, "live", status.getLivePaths() + " paths, " + status.getLiveFlows() + " flows, " + status.getClosedFlows() + " closed flows kept");
        line(out, "evicted", status.getPathsEvicted() + " paths, " + status.getFlowsEvicted() + " flows");
        line(out, "subscribers", status.getSubscribers() + " (" + status.getSubscriberLost() + " records dropped from slow ones)");
        line(out, "history", status.getHistorySize() + " paths");
        if (status.hasTraces()) {
            TraceExport t = status.getTraces();
            line(out, "traces", String.format(Locale.ROOT, "to %s: %d paths traced, %d sampled out; spans %d ended, %d exported, %d failed, %d dropped (queue full), %d queued",
                    t.getExporter(), t.getPathsTraced(), t.getPathsSampledOut(), t.getSpansEnded(), t.getSpansExported(), t.getSpansFailed(),
                    t.getSpansDropped(), t.getSpansQueued()));
        }
        out.println();
        if (status.getNodesCount() > 0) {
            // a relay: its nodes, each with its state and why it is not connected
            Table nodes = new Table("NODE", "ADDRESS", "STATE", "UPTIME", "MESSAGE");
            for (NodeStatus n : status.getNodesList()) {
                nodes.add(n.getName(), n.getAddress(), EnumText.of(n.getState()), n.hasUptime() ? uptime(n.getUptime()) : "-", n.getMessage());
            }
            nodes.flush(out);
            return ExitCode.OK;
        }
        Table hooks = new Table("STAGE", "HOOK", "STATUS", "MECHANISM", "REASON");
        for (HookStatus hook : status.getHooksList()) {
            hooks.add(EnumText.of(hook.getStage()), hook.getHook(), hook.getAttached() ? "attached" : "unavailable",
                    hook.getMechanism().isEmpty() ? "-" : hook.getMechanism(), hook.getReason());
        }
        hooks.flush(out);
        return ExitCode.OK;
    }

    private static void line(PrintWriter out, String key, String value) {
        out.printf("%-12s %s%n", key, value);
    }

    /** 2h03m04s */
    private static String uptime(ServerStatusResponse status) {
        return uptime(status.getUptime());
    }

    private static String uptime(com.google.protobuf.Duration d) {
        long s = Durations.toSeconds(d);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
