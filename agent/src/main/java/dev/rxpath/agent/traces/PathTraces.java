package dev.rxpath.agent.traces;

import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.path.ForwardingPathListener;
import dev.rxpath.agent.path.PathListener;
import dev.rxpath.agent.path.ReceivePath;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;

/**
 * The sink that turns the finished paths the tail sampler keeps into traces, on the
 * pipeline's thread; passes every path on. A traced path is passed on with its root span
 * current (OpenTelemetry's context), so the sinks after this one can tie what they make of
 * the path to its trace: the Prometheus client takes the current span for its exemplars.
 */
public final class PathTraces extends ForwardingPathListener {
    private final TailSampler sampler;
    private final PathSpans spans;
    private final TraceExport export;
    private volatile long traces, sampledOut;

    public PathTraces(TraceExport export, TailSampler.Options sampling, KernelClock clock, String node, PathListener next) {
        super(next);
        this.sampler = new TailSampler(sampling);
        this.spans = new PathSpans(export.tracer(), clock, node);
        this.export = export;
    }

    @Override
    public void path(ReceivePath p) {
        boolean keep = sampler.keep(p);
        traces = sampler.kept();
        sampledOut = sampler.sampledOut();
        if (!keep) {
            next.path(p);
            return;
        }
        Span root = spans.start(p);
        try (Scope current = root.makeCurrent()) {
            next.path(p);
        } finally {
            spans.end(root, p);
            export.ended(p.stages().size()); // the root and one per interval between stages
        }
    }

    /** For any thread. */
    public TraceCounts counts() {
        return export.counts(traces, sampledOut);
    }
}
