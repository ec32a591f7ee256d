package dev.rxpath.agent.bench;

import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the agent on this machine: ring throughput, its cost to TCP throughput and to request/response traffic, its memory with many sockets; the relay.",
        subcommands = {RingBench.class, TcpBench.class, RrBench.class, SocketsBench.class, RelayBench.class})
public final class BenchCommand {}
