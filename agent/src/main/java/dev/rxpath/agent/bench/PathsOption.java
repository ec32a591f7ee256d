package dev.rxpath.agent.bench;

import dev.rxpath.agent.probe.ReceiveHooks;
import dev.rxpath.agent.probe.Sampling;
import picocli.CommandLine.Option;

/** Which segments the benchmarked agent records a path of: its default sampling, or every one. */
final class PathsOption {
    enum Mode { sampled, all }

    @Option(names = "--paths", paramLabel = "MODE",
            description = "sampled (the agent's default, at --path-rate) or all (every segment's path, as a debugging session runs) (default: ${DEFAULT-VALUE}).")
    Mode paths = Mode.sampled;

    @Option(names = "--path-rate", paramLabel = "N", description = "Sampled paths per second (default: the agent's, ${DEFAULT-VALUE}).")
    double pathRate = Sampling.DEFAULT.perSecond();

    ReceiveHooks.Options programs() {
        Sampling s = paths == Mode.all ? Sampling.all() : Sampling.rate(pathRate);
        return new ReceiveHooks.Options(s, ReceiveHooks.Options.DEFAULT.maxSockets());
    }

    /** "paths: up to 100 paths/s". */
    String describe() {
        return "paths: " + programs().sampling().describe();
    }
}
