package dev.rxpath.api.flags;

import dev.rxpath.api.v1.GetPathsRequest;
import dev.rxpath.api.v1.PathFilter;
import dev.rxpath.api.v1.Stage;
import dev.rxpath.api.v1.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Option;

/**
 * Which paths: every PathFilter field as a flag. {@code rxpath observe} sends them to the agent;
 * {@code rxpath agent --print} applies them to what it prints.
 */
public final class PathFilterOptions extends FilterOptions {
    @Option(names = "--stage", paramLabel = "STAGE", converter = EnumNames.Stages.class, completionCandidates = EnumNames.Stages.class,
            description = "Makes --min-latency the time from the stage before to this one: ${COMPLETION-CANDIDATES}.")
    Stage stage;

    public PathFilterOptions() {
        super(PathFilter.getDescriptor());
    }

    @Option(names = "--device", paramLabel = "NAME", description = "The receiving device (lo, eth0).")
    void device(List<String> values) {
        add("--device", values, "device");
    }

    @Option(names = "--verdict", paramLabel = "VERDICT", converter = EnumNames.Verdicts.class, completionCandidates = EnumNames.Verdicts.class,
            description = "How the path ended: ${COMPLETION-CANDIDATES}.")
    void verdict(List<Verdict> values) {
        add("--verdict", values, "verdict");
    }

    @Option(names = "--reason", paramLabel = "REASON", description = "Drop or reset reason as the kernel names it (NO_SOCKET).")
    void reason(List<String> values) {
        add("--reason", values, "reason");
    }

    @Option(names = "--tcp-flags", paramLabel = "FLAGS",
            description = "Segments whose TCP header has all these flags (SYN, SYN,ACK, FIN, RST; read for sampled segments, drops and resets).")
    void tcpFlags(List<String> values) {
        add("--tcp-flags", values, "tcp_flags");
    }

    @Option(names = "--min-latency", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Paths at least this slow (5ms, 200us), first stage to last, or of --stage.")
    void minLatency(List<Duration> values) {
        add("--min-latency", values, "min_latency");
    }

    /** The request's filters; the command adds the time range, how many and whether to follow. */
    public GetPathsRequest.Builder request() {
        List<PathFilter.Builder> whitelist = whitelist(PathFilter::newBuilder);
        List<PathFilter.Builder> blacklist = blacklist(PathFilter::newBuilder);
        if (stage != null) {
            // --stage qualifies --min-latency on whichever side of --not it went
            List<PathFilter.Builder> timed = Stream.concat(whitelist.stream(), blacklist.stream())
                    .filter(PathFilter.Builder::hasMinLatency).toList();
            if (timed.isEmpty()) throw usage("--stage qualifies --min-latency: give both");
            timed.forEach(filter -> filter.setLatencyStage(stage));
        }
        GetPathsRequest.Builder request = GetPathsRequest.newBuilder();
        whitelist.forEach(request::addWhitelist);
        blacklist.forEach(request::addBlacklist);
        return request;
    }
}
