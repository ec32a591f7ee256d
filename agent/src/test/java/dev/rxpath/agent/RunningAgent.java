package dev.rxpath.agent;

import dev.rxpath.agent.bcc.BpfSource;
import dev.rxpath.agent.path.PathCorrelator;
import dev.rxpath.agent.probe.HookStatus;
import dev.rxpath.agent.probe.KernelProbe;
import dev.rxpath.agent.probe.ReceiveHooks;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/** The whole agent in the test's process: hooks, rings, and the pipeline ending in a {@link PathCollector}. */
public final class RunningAgent implements AutoCloseable {
    public final PathCollector out = new PathCollector();
    public final Pipeline pipeline;
    public final Agent agent;
    private boolean closed;

    private RunningAgent(Pipeline.Limits limits) {
        KernelProbe kernel = KernelProbe.scan();
        ReceiveHooks hooks = ReceiveHooks.attach(kernel, BpfSource.packaged());
        pipeline = new Pipeline(kernel.names(), HookStatus.observable(hooks.statuses()), limits, out);
        agent = Agent.start(hooks, Agent.Options.DEFAULT, pipeline, UnaryOperator.identity());
    }

    public static RunningAgent start(Pipeline.Limits limits) {
        return new RunningAgent(limits);
    }

    /** Asks the running pipeline, on its own thread. */
    public <T> T inspect(Function<Pipeline, T> question) throws Exception {
        return pipeline.inspect(question).get(5, TimeUnit.SECONDS);
    }

    /** Lets the reader's drains expire paths that wait for an END that will not come, then stops. */
    public void settleAndClose() throws InterruptedException {
        Thread.sleep(3 * PathCorrelator.Limits.DEFAULT.pathTimeoutNs() / 1_000_000);
        close();
    }

    /** Stops the agent; the pipeline's state can then be read from this thread. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        agent.close();
        pipeline.finish();
    }
}
