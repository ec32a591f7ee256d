package dev.rxpath.agent.bench;

import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the agent on this machine: ring throughput, and its cost to TCP.",
        subcommands = {RingBench.class, TcpBench.class})
public final class BenchCommand {}
