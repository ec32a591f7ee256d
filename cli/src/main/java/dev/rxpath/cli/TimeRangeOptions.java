package dev.rxpath.cli;

import com.google.protobuf.Timestamp;
import dev.rxpath.api.flags.TimeConverter;
import dev.rxpath.api.v1.GetPathsRequest;
import java.time.Instant;
import picocli.CommandLine.Option;

/** Which finished paths, by when they entered: the agent keeps a history of them. */
final class TimeRangeOptions {
    @Option(names = "--since", paramLabel = "TIME", converter = TimeConverter.class,
            description = "Paths that entered at or after TIME: RFC 3339 (2024-05-01T12:00:00Z) or a duration ago (5m).")
    Instant since;

    @Option(names = "--until", paramLabel = "TIME", converter = TimeConverter.class,
            description = "Paths that entered before TIME, written as for --since.")
    Instant until;

    GetPathsRequest.Builder applyTo(GetPathsRequest.Builder request) {
        if (since != null) request.setSince(timestamp(since));
        if (until != null) request.setUntil(timestamp(until));
        return request;
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
