package dev.rxpath.agent;

import dev.rxpath.agent.containers.Containers;
import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.metrics.AgentMetrics;
import dev.rxpath.agent.metrics.MetricsServer;
import dev.rxpath.agent.metrics.PathLatencyMetrics;
import dev.rxpath.agent.metrics.TraceMetrics;
import dev.rxpath.agent.path.PathListener;
import dev.rxpath.agent.traces.PathTraces;
import dev.rxpath.agent.traces.TailSampler;
import dev.rxpath.agent.traces.TraceCounts;
import dev.rxpath.agent.traces.TraceExport;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The backends operators already run, fed from the finished paths: Prometheus metrics and
 * OpenTelemetry traces, either or both. Their sinks come first in the pipeline's chain (so
 * they are built before it), traces before metrics (a traced path reaches the histograms with
 * its span current, for their exemplars); the metrics are served once the agent runs.
 */
public final class Backends implements AutoCloseable {
    private final InetSocketAddress metricsAddress;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final TraceExport traceExport;
    private final TailSampler.Options sampling;
    private final KernelClock clock;
    private final String node;
    private PathTraces traces;
    private MetricsServer server;

    /**
     * @param metricsAddress where to serve /metrics; null: no metrics
     * @param traceExport    the configured trace export, started; null: no traces
     */
    public Backends(InetSocketAddress metricsAddress, TraceExport traceExport, TailSampler.Options sampling, KernelClock clock, String node) {
        this.metricsAddress = metricsAddress;
        this.traceExport = traceExport;
        this.sampling = sampling;
        this.clock = clock;
        this.node = node;
    }

    /** The sinks for the pipeline's finished paths, in front of {@code next}; call once. */
    public PathListener sinks(PathListener next) {
        PathListener sink = metricsAddress == null ? next : new PathLatencyMetrics(registry, next);
        if (traceExport != null) sink = traces = new PathTraces(traceExport, sampling, clock, node, sink);
        return sink;
    }

    /**
     * Serves the metrics, once the agent and its pipeline run; a no-op without metrics.
     *
     * @param ringLost   records lost per CPU, as the pipeline was told of them
     * @param containers where the workloads' cgroups find their pods
     * @return the port served on, or -1
     */
    public int serve(Agent agent, Pipeline pipeline, Supplier<Map<Integer, Long>> ringLost, Containers containers) throws IOException {
        if (metricsAddress == null) return -1;
        registry.register(new AgentMetrics(agent, pipeline, ringLost, containers));
        if (traces != null) registry.register(new TraceMetrics(traces::counts));
        server = MetricsServer.start(metricsAddress, registry);
        return server.port();
    }

    /** What the trace export has done, for any thread; null without traces. */
    public Supplier<TraceCounts> traceCounts() {
        return traces == null ? null : traces::counts;
    }

    /** Stops serving metrics, then sends what the trace export still holds (waiting for the backend at most 10 s). */
    @Override
    public void close() {
        if (server != null) server.close();
        if (traceExport != null) traceExport.close();
    }
}
