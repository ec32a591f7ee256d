package dev.rxpath.agent.traces;

import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.path.ForwardingPathListener;
import dev.rxpath.agent.path.PathListener;
import dev.rxpath.agent.path.ReceivePath;

/**
 * The sink that turns the finished paths the tail sampler keeps into traces, on the
 * pipeline's thread; passes every path on.
 */
public final class PathTraces extends ForwardingPathListener {
    /** Traces kept and paths sampled out, for another thread. */
    public record Counts(long traces, long sampledOut) {}

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
        if (sampler.keep(p)) {
            spans.export(p);
            export.ended(p.stages().size()); // the root and one per interval between stages
        }
        traces = sampler.kept();
        sampledOut = sampler.sampledOut();
        next.path(p);
    }

    public Counts counts() {
        return new Counts(traces, sampledOut);
    }
}
