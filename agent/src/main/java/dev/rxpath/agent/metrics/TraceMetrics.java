package dev.rxpath.agent.metrics;

import dev.rxpath.agent.traces.TraceCounts;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.function.Supplier;

/** What the trace export did, at each scrape: paths traced and sampled out; spans ended, exported, failed, dropped; the queue's length. */
public final class TraceMetrics implements MultiCollector {
    private final Supplier<TraceCounts> counts;

    public TraceMetrics(Supplier<TraceCounts> counts) {
        this.counts = counts;
    }

    @Override
    public MetricSnapshots collect() {
        TraceCounts t = counts.get();
        return new MetricSnapshots(
                CounterSnapshot.builder().name("rxpath_trace_paths").help("Finished paths the tail sampler kept as traces, and those it sampled out.")
                        .dataPoint(outcome("traced", t.traced())).dataPoint(outcome("sampled_out", t.sampledOut())).build(),
                CounterSnapshot.builder().name("rxpath_trace_spans")
                        .help("Spans ended; exported; failed to export (refused, timed out, rejected); dropped by the full export queue.")
                        .dataPoint(outcome("ended", t.spansEnded())).dataPoint(outcome("exported", t.spansExported()))
                        .dataPoint(outcome("failed", t.spansFailed())).dataPoint(outcome("dropped", t.spansDropped())).build(),
                GaugeSnapshot.builder().name("rxpath_trace_queue_spans").help("Spans in the export queue, waiting for the exporter.")
                        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(t.spansQueued()).build()).build());
    }

    private static CounterSnapshot.CounterDataPointSnapshot outcome(String outcome, long n) {
        return AgentMetrics.point(Labels.of("outcome", outcome), n);
    }
}
