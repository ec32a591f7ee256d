package dev.rxpath.cli;

import com.google.protobuf.util.Durations;
import dev.rxpath.api.Display;
import dev.rxpath.api.EnumText;
import dev.rxpath.api.flags.DurationConverter;
import dev.rxpath.api.flags.FilterOptions;
import dev.rxpath.api.flags.FlowFilterOptions;
import dev.rxpath.api.v1.GetFlowsRequest;
import dev.rxpath.api.v1.GetFlowsResponse;
import dev.rxpath.api.v1.ObserverGrpc;
import java.time.Duration;
import java.time.ZoneId;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

@Command(name = "top",
        description = {"The flow table, redrawn every --interval until Ctrl-C.",
                "Into a pipe or a file, the snapshots follow one another.",
                FilterOptions.COMBINED},
        footer = {"", "Examples:",
                "  rxpath top --sort latency-p99",
                "  rxpath top --interval 5s --comm nginx"})
final class TopCommand extends AgentCommand {
    /** The agent sends snapshots no more often than this. */
    private static final Duration SHORTEST_INTERVAL = Duration.ofMillis(100);

    private com.google.protobuf.Duration interval;

    @Mixin
    FlowSortOptions order;

    @Mixin
    FlowFilterOptions filters;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
            description = "Time between snapshots, at least 100ms (default: ${DEFAULT-VALUE}).")
    void interval(Duration interval) {
        if (interval.compareTo(SHORTEST_INTERVAL) < 0) throw new ParameterException(spec.commandLine(), "--interval must be at least 100ms");
        this.interval = Durations.fromNanos(interval.toNanos());
    }

    @Override
    int query(ObserverGrpc.ObserverBlockingStub observer) {
        GetFlowsRequest.Builder request = filters.request();
        order.applyTo(request, 20);
        request.setFollow(true).setInterval(interval);
        TableFormat format = new TableFormat(ZoneId.systemDefault());
        observer.getFlows(request.build()).forEachRemaining(snapshot -> redraw(out -> {
            out.println(header(snapshot));
            format.flows(snapshot.getFlowsList()).flush(out);
        }));
        return ExitCode.OK;
    }

    private String header(GetFlowsResponse snapshot) {
        return "rxpath top: " + snapshot.getNodeName() + "  " + Display.time(snapshot.getTime(), ZoneId.systemDefault())
                + "  " + snapshot.getFlowsCount() + " of " + snapshot.getTotal() + " flows by " + EnumText.typed(order.sort)
                + (order.ascending ? ", smallest first" : "") + ", every " + Display.duration(interval);
    }
}
