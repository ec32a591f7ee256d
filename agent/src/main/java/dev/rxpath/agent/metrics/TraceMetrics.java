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
                        .dataPoint(point("outcome", "traced", t.traces())).dataPoint(point("outcome", "sampled_out", t.sampledOut())).build(),
                CounterSnapshot.builder().name("rxpath_trace_spans")
                        .help("Spans ended, exported, failed to export; ended less those is still queued or dropped by the full queue.")
                        .dataPoint(point("outcome", "ended", e.ended())).dataPoint(point("outcome", "exported", e.exported()))
                        .dataPoint(point("outcome", "failed", e.failed())).build());
    }

    private static CounterSnapshot.CounterDataPointSnapshot point(String label, String value, double n) {
        return CounterSnapshot.CounterDataPointSnapshot.builder().labels(Labels.of(label, value)).value(n).build();
    }
}
