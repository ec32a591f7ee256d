package dev.rxpath.cli;

import io.grpc.ManagedChannel;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.TimeUnit;

/** A channel to the agent and the event loop it alone uses (null over TCP, where gRPC's shared one serves). */
record Connection(ManagedChannel channel, EventLoopGroup loop) implements AutoCloseable {
    /** Closes at once: nothing is in flight worth waiting for when a command ends. May be called twice. */
    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (loop != null) loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
