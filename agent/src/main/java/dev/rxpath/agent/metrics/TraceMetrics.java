package dev.rxpath.agent.metrics;

import dev.rxpath.agent.traces.PathTraces;
import dev.rxpath.agent.traces.TraceExport;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/** What the trace export did, at each scrape: paths traced and sampled out; spans ended, exported, failed, dropped. */
public final class TraceMetrics implements MultiCollector {
    private final PathTraces traces;
    private final TraceExport export;

    public TraceMetrics(PathTraces traces, TraceExport export) {
        this.traces = traces;
        this.export = export;
    }

    @Override
    public MetricSnapshots collect() {
        PathTraces.Counts t = traces.counts();
        TraceExport.Counts e = export.counts();
        return new MetricSnapshots(
                CounterSnapshot.builder().name("rxpath_trace_paths").help("Finished paths the tail sampler kept as traces, and those it sampled out.")
                        .dataPoint(outcome("traced", t.traces())).dataPoint(outcome("sampled_out", t.sampledOut())).build(),
                CounterSnapshot.builder().name("rxpath_trace_spans")
                        .help("Spans ended, exported, failed to export; ended less those is still queued or dropped by the full queue.")
                        .dataPoint(outcome("ended", e.ended())).dataPoint(outcome("exported", e.exported()))
                        .dataPoint(outcome("failed", e.failed())).build());
    }

    private static CounterSnapshot.CounterDataPointSnapshot outcome(String outcome, long n) {
        return AgentMetrics.point(Labels.of("outcome", outcome), n);
    }
}
