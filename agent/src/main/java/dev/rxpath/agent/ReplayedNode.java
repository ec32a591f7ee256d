package dev.rxpath.agent;

import dev.rxpath.agent.containers.Containers;
import dev.rxpath.agent.event.DecodingSink;
import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.export.AgentServer;
import dev.rxpath.agent.export.ObservedNode;
import dev.rxpath.agent.export.ObserverHub;
import dev.rxpath.agent.export.ObserverService;
import dev.rxpath.agent.path.PathListener;
import dev.rxpath.agent.record.Recording;
import dev.rxpath.agent.record.RecordingHeader;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A recording served as a node: replayed once through the pipeline, then its paths (as history),
 * flows and status answered over the Observer API as the agent that made it would answer them.
 * It lets many nodes stand behind a relay without as many kernels.
 */
public final class ReplayedNode implements AutoCloseable {
    private final AgentServer server;
    private final ScheduledExecutorService pipelineThread;
    private final long frames;

    private ReplayedNode(AgentServer server, ScheduledExecutorService pipelineThread, long frames) {
        this.server = server;
        this.pipelineThread = pipelineThread;
        this.frames = frames;
    }

    /** Replays {@code recording} and serves it as {@code node} on {@code tcp}; {@code history}: the paths kept for `last N`. */
    public static ReplayedNode serve(Recording recording, String node, AgentServer.Tcp tcp, Pipeline.Limits limits, int history) throws IOException {
        RecordingHeader h = recording.header();
        ObserverHub hub = new ObserverHub(history, PathListener.NONE);
        Pipeline pipeline = Pipeline.replaying(h, limits, hub);
        long frames = recording.replay(new DecodingSink(pipeline));
        pipeline.finish();
        long events = pipeline.events();
        // the pipeline's thread from now on: it answers the API's questions, the recording's clock
        // standing still at its end
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rxpath-replayed-" + node);
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(pipeline::idle, 0, 20, TimeUnit.MILLISECONDS);
        try {
            AgentServer server = AgentServer.start(new ObserverService(ObservedNode.replayed(h, () -> events), pipeline, hub,
                    new KernelClock(h.wallMinusMonoNs()), Containers.NONE, node, 4096, null), null, tcp);
            return new ReplayedNode(server, thread, frames);
        } catch (IOException | RuntimeException e) {
            thread.shutdownNow();
            throw e;
        }
    }

    public int port() {
        return server.tcpPort();
    }

    public long frames() {
        return frames;
    }

    @Override
    public void close() {
        server.close();
        pipelineThread.shutdownNow();
    }
}
