package dev.rxpath.agent.bench;

import dev.rxpath.agent.traces.TailSampler;
import picocli.CommandLine.Option;

/** Whether the benches also run the agent with its backends fed, and at which trace rate. */
final class ExportOption {
    @Option(names = "--export",
            description = "Also run each round with metrics served and scraped every second and traces exported over OTLP (to a receiver in this process).")
    boolean on;

    @Option(names = "--traces-rate", paramLabel = "N", description = "Paths a second traced, besides drops and resets (default: the agent's, ${DEFAULT-VALUE}).")
    double tracesPerSecond = 10;

    TailSampler.Options sampling() {
        return new TailSampler.Options(0, tracesPerSecond);
    }

    String describe() {
        return "metrics scraped every 1 s, traces over OTLP/HTTP at " + sampling().describe();
    }
}
