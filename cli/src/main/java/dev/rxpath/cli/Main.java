package dev.rxpath.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The client side of bin/rxpath. Its query commands (observe, flows, top, drops, status)
 * arrive with the Observer service; until then it states what exists, and bin/rxpath
 * routes {@code agent} and {@code bench} to the node agent.
 */
@Command(name = "rxpath", mixinStandardHelpOptions = true, version = "rxpath 0.1.0",
        description = {"Kernel TCP receive-path observability.", "",
                "Node side (run as root on the node):",
                "  rxpath agent --print     stream every receive-path event",
                "  rxpath agent --probe     which kernel hook points attach here, and why others do not",
                "  rxpath bench ring|tcp    measure the agent on this machine"})
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
