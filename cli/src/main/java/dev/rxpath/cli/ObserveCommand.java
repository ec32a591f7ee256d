package dev.rxpath.cli;

import dev.rxpath.api.CompactFormat;
import dev.rxpath.api.Display;
import dev.rxpath.api.flags.FilterOptions;
import dev.rxpath.api.flags.PathFilterOptions;
import dev.rxpath.api.v1.GetPathsRequest;
import dev.rxpath.api.v1.GetPathsResponse;
import dev.rxpath.api.v1.ObserverGrpc;
import dev.rxpath.api.v1.ReceivePath;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "observe",
        description = {"Receive paths, one per received segment: the most recent from the agent's history, then with -f each new one as it finishes.",
                FilterOptions.COMBINED,
                "Records lost on the way are printed in place: LOST 42 records (subscriber queue)."},
        footer = {"", "Examples:",
                "  rxpath observe --last 100 --verdict dropped --verdict reset",
                "  rxpath observe -f --port 443 --not --remote-ip 10.0.0.0/8",
                "  rxpath observe --since 10m --min-latency 5ms --stage user -o json"})
final class ObserveCommand extends AgentCommand {
    @Option(names = "--last", paramLabel = "N", converter = CountConverter.class,
            description = "Start with the N most recent paths (default: 20, or 0 with -f).")
    Integer last;

    @Option(names = {"-f", "--follow"}, description = "Keep printing paths as they finish, until Ctrl-C.")
    boolean follow;

    @Option(names = {"-S", "--absolute-seq"},
            description = "Sequence and acknowledgement numbers as sent, not relative to the connection's initial ones (as tcpdump -S).")
    boolean absoluteSeq;

    @Mixin
    PathFilterOptions filters;

    @Mixin
    TimeRangeOptions range;

    @Mixin
    Output output;

    @Override
    int query(ObserverGrpc.ObserverBlockingStub observer) {
        GetPathsRequest request = range.applyTo(filters.request()).setNumber(last != null ? last : follow ? 0 : 20).setFollow(follow).build();
        Iterator<GetPathsResponse> paths = observer.getPaths(request);
        PrintWriter out = out();
        switch (output.format) {
            case JSON -> paths.forEachRemaining(response -> out.println(Output.json(response)));
            case COMPACT -> {
                CompactFormat compact = new CompactFormat(ZoneId.systemDefault(), colour, absoluteSeq);
                printEach(paths, out, p -> List.of(compact.path(p)));
            }
            case WATERFALL -> printEach(paths, out, new Waterfall(ZoneId.systemDefault())::path);
            case TABLE -> {
                TableFormat format = new TableFormat(ZoneId.systemDefault());
                Table table = TableFormat.paths();
                paths.forEachRemaining(response -> {
                    if (response.hasLost() || response.hasNodeStatus()) {
                        // in its place among the rows
                        table.flush(out);
                        out.println(response.hasLost() ? Display.lost(response.getLost()) : Display.node(response.getNodeStatus()));
                    } else if (response.hasPath()) {
                        format.addPath(table, response.getPath());
                        if (follow) table.flush(out);
                    }
                });
                table.flush(out);
            }
        }
        return ExitCode.OK;
    }

    /**
     * Each path as its lines, losses and node events in their place. A relay names its nodes
     * first; from then on, each path's first line and each loss names the node it is from.
     */
    private static void printEach(Iterator<GetPathsResponse> paths, PrintWriter out, Function<ReceivePath, List<String>> lines) {
        boolean[] relayed = {false};
        paths.forEachRemaining(response -> {
            String node = relayed[0] ? response.getNodeName() + "  " : "";
            if (response.hasNodeStatus()) {
                relayed[0] = true;
                out.println(Display.node(response.getNodeStatus()));
            } else if (response.hasLost()) {
                out.println(node + Display.lost(response.getLost()));
            } else if (response.hasPath()) {
                List<String> rows = lines.apply(response.getPath());
                out.println(node + rows.get(0));
                rows.subList(1, rows.size()).forEach(out::println);
            }
        });
    }
}
