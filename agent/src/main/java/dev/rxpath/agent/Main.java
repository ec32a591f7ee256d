package dev.rxpath.agent;

import dev.rxpath.agent.bench.BenchCommand;
import dev.rxpath.agent.log.LogOptions;
import dev.rxpath.agent.relay.RelayCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The agent-side commands of bin/rxpath: {@code agent}, {@code replay}, {@code bench} and {@code relay}. */
@Command(name = "rxpath", mixinStandardHelpOptions = true, versionProvider = Version.class, scope = CommandLine.ScopeType.INHERIT,
        description = "Kernel TCP receive-path observability (node side).",
        subcommands = {AgentCommand.class, ReplayCommand.class, BenchCommand.class, RelayCommand.class})
public final class Main {
    public static void main(String[] args) {
        LogOptions.install();
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
