package dev.rxpath.agent.bench;

import dev.rxpath.agent.Agent;
import dev.rxpath.agent.Pipeline;
import dev.rxpath.agent.bcc.BpfProgram;
import dev.rxpath.agent.bcc.BpfSource;
import dev.rxpath.agent.flow.Flow;
import dev.rxpath.agent.path.PathListener;
import dev.rxpath.agent.probe.HookStatus;
import dev.rxpath.agent.probe.KernelProbe;
import dev.rxpath.agent.probe.ReceiveHooks;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The agent as the benches run it: in the bench's own process, so that process's CPU and
 * memory are the agent's, with every available hook attached and every record read,
 * decoded, correlated into paths and accounted to flows, and the per-socket counters read. Starting it and reading flows
 * out of it happen here only, so a change to the Agent, Pipeline or FlowTable API is one
 * edit for every bench.
 */
final class BenchAgent implements AutoCloseable {
    static final int DEFAULT_PAGES = Agent.Options.DEFAULT.pagesPerCpu();

    private final Agent agent;
    private final Pipeline pipeline;
    private boolean finished;

    private BenchAgent(Agent agent, Pipeline pipeline) {
        this.agent = agent;
        this.pipeline = pipeline;
    }

    /**
     * With {@code programs} (which segments get a path) and the agent's default rings, limits
     * and wakeups but {@code pagesPerCpu} (a power of two) ring pages per CPU.
     */
    static BenchAgent start(ReceiveHooks.Options programs, int pagesPerCpu) throws IOException {
        return start(programs, pagesPerCpu, null);
    }

    /** The same, its finished paths feeding {@code backends} (null: none), which it serves once it runs. */
    static BenchAgent start(ReceiveHooks.Options programs, int pagesPerCpu, BenchBackends backends) throws IOException {
        Agent.Options rings = Agent.Options.DEFAULT.withPages(pagesPerCpu);
        KernelProbe kernel = KernelProbe.scan();
        ReceiveHooks hooks = ReceiveHooks.attach(kernel, BpfSource.packaged(), programs);
        Pipeline pipeline = Pipeline.observing(hooks, Pipeline.Limits.DEFAULT, backends == null ? PathListener.NONE : backends.sinks(PathListener.NONE));
        Agent agent = Agent.start(hooks, rings, pipeline, UnaryOperator.identity());
        if (backends != null) {
            try {
                backends.serve(agent, pipeline);
            } catch (IOException e) {
                agent.close();
                throw e;
            }
        }
        return new BenchAgent(agent, pipeline);
    }

    Agent agent() {
        return agent;
    }

    /** Read on the pipeline's thread ({@link Pipeline#inspect}) while running, directly after {@link #close()}. */
    Pipeline pipeline() {
        return pipeline;
    }

    int hooksAttached() {
        return (int) agent.hooks().statuses().stream().filter(HookStatus::attached).count();
    }

    /** Every program loaded; valid until {@link #close()}. */
    List<BpfProgram> programs() {
        return agent.hooks().module().programs();
    }

    /**
     * The bytes the flow table counts as delivered to the application on each socket whose
     * local port is {@code localPort}, by remote port. After {@link #close()}, when the
     * pipeline is still and has released everything its reorder window held.
     */
    Map<Integer, Long> deliveredTo(int localPort) {
        if (!finished) throw new IllegalStateException("read the flows after close()");
        return pipeline.flows().flows().stream().filter(f -> f.endpoints().localPort() == localPort)
                .collect(Collectors.toMap(f -> f.endpoints().remotePort(), Flow::bytesDelivered, Long::sum));
    }

    /** Detaches and stops the reader, then lets the pipeline finish what it held; safe to call twice. */
    @Override
    public void close() {
        agent.close();
        if (!finished) pipeline.finish();
        finished = true;
    }
}
