package dev.rxpath.cli;

import com.google.protobuf.Value;
import dev.rxpath.api.Display;
import dev.rxpath.api.EnumText;
import dev.rxpath.api.flags.FilterOptions;
import dev.rxpath.api.flags.PathFilterOptions;
import dev.rxpath.api.v1.GetPathsRequest;
import dev.rxpath.api.v1.GetPathsResponse;
import dev.rxpath.api.v1.ObserverGrpc;
import dev.rxpath.api.v1.PathFilter;
import dev.rxpath.api.v1.Stage;
import dev.rxpath.api.v1.Verdict;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "drops",
        description = {"Dropped and reset segments by verdict and reason: how many, and the latest of each.",
                "Counts among the --last most recent paths; with -f keeps counting, and reprints the groups each second they change.",
                "--verdict narrows to DROPPED or RESET; the other path filters apply as in observe.", FilterOptions.COMBINED,
                "-o compact and -o table print the same table; -o json one object per group."},
        footer = {"", "Examples:",
                "  rxpath drops --since 1h",
                "  rxpath drops -f --local-port 8080"})
final class DropsCommand extends AgentCommand {
    @Option(names = "--last", paramLabel = "N", defaultValue = "1000", converter = CountConverter.class,
            description = "Count among the N most recent paths (default: ${DEFAULT-VALUE}).")
    int last;

    @Option(names = {"-f", "--follow"}, description = "Keep counting new paths and reprint the groups, until Ctrl-C.")
    boolean follow;

    @Mixin
    PathFilterOptions filters;

    @Mixin
    TimeRangeOptions range;

    @Mixin
    Output output;

    @Override
    int query(ObserverGrpc.ObserverBlockingStub observer) {
        output.noWaterfall(spec);
        GetPathsRequest.Builder request = range.applyTo(filters.request()).setNumber(last).setFollow(follow);
        // drops and resets, unless --verdict chose
        if (request.getWhitelistCount() == 0) request.addWhitelist(PathFilter.newBuilder());
        request.getWhitelistBuilderList().stream().filter(filter -> filter.getVerdictCount() == 0)
                .forEach(filter -> filter.addVerdict(Verdict.VERDICT_DROPPED).addVerdict(Verdict.VERDICT_RESET));
        Iterator<GetPathsResponse> paths = observer.getPaths(request.build());
        DropGroups groups = new DropGroups();
        if (!follow) {
            paths.forEachRemaining(groups::add);
            print(groups.snapshot(), out());
            return ExitCode.OK;
        }
        ScheduledExecutorService redraws = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "drops-redraw");
            thread.setDaemon(true);
            return thread;
        });
        AtomicLong drawn = new AtomicLong(-1);
        redraws.scheduleWithFixedDelay(() -> {
            DropGroups.Snapshot snapshot = groups.snapshot();
            if (drawn.getAndSet(snapshot.version()) != snapshot.version()) redraw(out -> print(snapshot, out));
        }, 0, 1, TimeUnit.SECONDS);
        try {
            paths.forEachRemaining(groups::add);
        } finally {
            redraws.shutdownNow();
            try {
                redraws.awaitTermination(1, TimeUnit.SECONDS); // a redraw under way finishes before the last one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // the agent ended the stream: the final counts
        redraw(out -> print(groups.snapshot(), out));
        return ExitCode.OK;
    }

    private void print(DropGroups.Snapshot snapshot, PrintWriter out) {
        if (output.format == Output.Format.JSON) {
            for (DropGroups.Group group : snapshot.groups()) {
                out.println("{\"verdict\":\"" + EnumText.of(group.verdict()) + "\",\"reason\":" + Output.json(Value.newBuilder().setStringValue(group.reason()))
                        + ",\"site\":" + Output.json(Value.newBuilder().setStringValue(group.site()))
                        + ",\"count\":" + group.count() + ",\"latest\":" + Output.json(group.latest()) + "}");
            }
            if (snapshot.lost() > 0) out.println("{\"lost\":" + snapshot.lost() + "}");
            return;
        }
        ZoneId zone = ZoneId.systemDefault();
        Table table = new Table("COUNT", "VERDICT", "REASON", "AT", "SITE", "LATEST", "REMOTE -> LOCAL", "DEV");
        for (DropGroups.Group group : snapshot.groups()) {
            table.add(String.valueOf(group.count()), EnumText.of(group.verdict()), group.reason().isEmpty() ? "-" : group.reason(),
                    group.latest().getDiedAt() == Stage.STAGE_UNSPECIFIED ? "-" : EnumText.of(group.latest().getDiedAt()),
                    group.site().isEmpty() ? "-" : group.site(), Display.entered(group.latest(), zone), Display.tuple(group.latest()),
                    group.latest().getDevice());
        }
        table.flush(out);
        if (snapshot.lost() > 0) out.println(snapshot.lost() + " records lost on the way: the counts are a lower bound");
    }
}
