package dev.rxpath.agent;

import dev.rxpath.agent.bcc.BpfSource;
import dev.rxpath.agent.path.PathCorrelator;
import dev.rxpath.agent.probe.KernelProbe;
import dev.rxpath.agent.probe.ReceiveHooks;
import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.record.Recorder;
import dev.rxpath.agent.record.Recording;
import dev.rxpath.agent.record.RecordingHeader;
import dev.rxpath.agent.ring.RecordSink;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/** The whole agent in the test's process: hooks, rings, and the pipeline ending in a {@link PathCollector}. */
public final class RunningAgent implements AutoCloseable {
    public final PathCollector out = new PathCollector();
    public final Pipeline pipeline;
    public final Agent agent;
    private boolean closed;

    private Recorder recorder;

    private RunningAgent(KernelProbe kernel, ReceiveHooks.Options programs, Agent.Options rings, Pipeline.Limits limits, Path recordTo) {
        ReceiveHooks hooks = ReceiveHooks.attach(kernel, BpfSource.packaged(), programs);
        pipeline = Pipeline.observing(hooks, limits, out);
        UnaryOperator<RecordSink> tap = UnaryOperator.identity();
        if (recordTo != null) {
            RecordingHeader header = RecordingHeader.of(hooks, new KernelClock());
            tap = raw -> recorder = Recording.record(recordTo, header, raw);
        }
        agent = Agent.start(hooks, rings, pipeline, tap);
    }

    /** Every segment's path (the tests of path reconstruction check each one). */
    public static RunningAgent start(Pipeline.Limits limits) {
        return start(KernelProbe.scan(), limits);
    }

    public static RunningAgent start(KernelProbe kernel, Pipeline.Limits limits) {
        return new RunningAgent(kernel, ReceiveHooks.Options.ALL_PATHS, Agent.Options.DEFAULT, limits, null);
    }

    /** With these programs and rings. */
    public static RunningAgent start(ReceiveHooks.Options programs, Agent.Options rings) {
        return new RunningAgent(KernelProbe.scan(), programs, rings, Pipeline.Limits.DEFAULT, null);
    }

    /**
     * Also writes the raw stream to {@code file}, as {@code agent --record} does, with every
     * segment's path and deeper rings: the traffic generator shares this process's two CPUs with the reader.
     */
    public static RunningAgent recording(Path file) {
        return recording(file, ReceiveHooks.Options.ALL_PATHS, Agent.Options.DEFAULT);
    }

    /** The same with these programs and counter reads. */
    public static RunningAgent recording(Path file, ReceiveHooks.Options programs, Agent.Options rings) {
        return new RunningAgent(KernelProbe.scan(), programs, rings.withPages(4096), Pipeline.Limits.DEFAULT, file);
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
        if (recorder != null) recorder.close();
    }
}
