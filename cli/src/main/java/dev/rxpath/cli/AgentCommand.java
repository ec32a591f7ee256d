package dev.rxpath.cli;

import dev.rxpath.api.v1.ObserverGrpc;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that queries the agent: it connects through --server, queries, and turns the
 * agent's failures into exit statuses: 1 when the agent cannot be reached or fails, 2 when
 * it refuses an argument (its description names the field), as for a usage error here.
 */
abstract class AgentCommand implements Callable<Integer> {
    private static final String CLEAR_SCREEN = "\033[H\033[2J";

    @Mixin
    ServerOptions server;

    @Spec
    CommandSpec spec;

    /** Colours and redraws are for a person at a terminal, never for a pipe or a file. */
    final boolean terminal = System.console() != null;

    /** Colours also yield to NO_COLOR, set and not empty (no-color.org). */
    final boolean colour = terminal && (System.getenv("NO_COLOR") == null || System.getenv("NO_COLOR").isEmpty());

    /** Set by the shutdown hook: Ctrl-C is how a follow ends, not a failure. */
    private volatile boolean exiting;

    /** Queries the agent and prints; returns the exit status. */
    abstract int query(ObserverGrpc.ObserverBlockingStub observer);

    @Override
    public final Integer call() {
        try (Connection connection = server.connect()) {
            // closing the channel on the way out ends the agent's stream at once
            Thread onExit = new Thread(() -> {
                exiting = true;
                connection.close();
            });
            Runtime.getRuntime().addShutdownHook(onExit);
            try {
                return run(connection.channel());
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(onExit);
                } catch (IllegalStateException alreadyExiting) {
                    // the hook is running
                }
            }
        }
    }

    /** The query over {@code channel}, its failures as exit statuses. */
    final int run(Channel channel) {
        try {
            return query(ObserverGrpc.newBlockingStub(channel));
        } catch (StatusRuntimeException e) {
            return exiting ? ExitCode.OK : failed(e.getStatus());
        }
    }

    final PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** A follow's next snapshot: drawn over the last one on a terminal, printed after it otherwise. */
    final void redraw(Consumer<PrintWriter> snapshot) {
        PrintWriter out = out();
        if (terminal) out.print(CLEAR_SCREEN);
        snapshot.accept(out);
        if (!terminal) out.println();
        out.flush();
    }

    private int failed(Status status) {
        PrintWriter err = spec.commandLine().getErr();
        switch (status.getCode()) {
            case UNAVAILABLE -> {
                err.println("rxpath: cannot reach the agent at " + server.address() + ": " + server.unreachable(status));
                return ExitCode.SOFTWARE;
            }
            case INVALID_ARGUMENT -> {
                err.println("rxpath: " + status.getDescription());
                return ExitCode.USAGE;
            }
            default -> {
                err.println("rxpath: the agent answered " + status.getCode()
                        + (status.getDescription() != null ? ": " + status.getDescription() : ""));
                return ExitCode.SOFTWARE;
            }
        }
    }
}
