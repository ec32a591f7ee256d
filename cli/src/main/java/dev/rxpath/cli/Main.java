package dev.rxpath.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The client side of bin/rxpath: queries the node agent's Observer service over gRPC
 * (observe, flows, top, drops, status, latency). bin/rxpath routes {@code agent}, {@code bench}
 * and {@code replay} to the node agent instead.
 */
// INHERIT: -h and -V on every subcommand too
@Command(name = "rxpath", mixinStandardHelpOptions = true, versionProvider = Version.class, scope = CommandLine.ScopeType.INHERIT,
        description = {"Kernel TCP receive-path observability.", "",
                "Node side (run as root on the node):",
                "  rxpath agent --print     print sampled paths, every drop and reset",
                "  rxpath agent --probe     which kernel hook points attach here, and why others do not",
                "  rxpath bench ring|tcp|rr|sockets|relay   measure the agent on this machine",
                "  rxpath relay             many agents' Observer APIs served as one",
                "  rxpath replay FILE       a recording replayed (and served with --listen)"},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:done (a follow ended by Ctrl-C too)",
                "1:the agent could not be reached, or failed to answer",
                "2:a usage error, or a filter the agent refused (the message names the flag or field)"},
        subcommands = {ObserveCommand.class, FlowsCommand.class, TopCommand.class, DropsCommand.class, StatusCommand.class,
                LatencyCommand.class, CompletionCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
