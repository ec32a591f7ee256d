package dev.rxpath.agent.metrics;

import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.path.ForwardingPathListener;
import dev.rxpath.agent.path.PathListener;
import dev.rxpath.agent.path.ReceivePath;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * Every finished path's latencies into Prometheus histograms, on the pipeline's thread: per
 * stage, the time from the stage before it, and from the first stage to the application's
 * read. Passes everything on.
 */
public final class PathLatencyMetrics extends ForwardingPathListener {
    /** Seconds: a stage takes from about a microsecond (softirq) to seconds (a reader that is behind). */
    private static final double[] BOUNDS = {1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025,
            0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    /** By stage ordinal: the label values looked up once. */
    private final DistributionDataPoint[] stages = new DistributionDataPoint[Stage.values().length];
    private final DistributionDataPoint toApplication;

    public PathLatencyMetrics(PrometheusRegistry registry, PathListener next) {
        super(next);
        Histogram stage = Histogram.builder().name("rxpath_stage_latency_seconds").unit(Unit.SECONDS)
                .help("Time from a path's stage before to this stage (sampled paths).").labelNames("stage")
                .classicOnly().classicUpperBounds(BOUNDS).register(registry);
        for (Stage s : Stage.values()) if (s != Stage.DEV && s != Stage.SOCKET_EVENT) stages[s.ordinal()] = stage.labelValues(s.name());
        toApplication = Histogram.builder().name("rxpath_delivery_latency_seconds").unit(Unit.SECONDS)
                .help("Time from a path's first stage to the application's read of its bytes (sampled paths).")
                .classicOnly().classicUpperBounds(BOUNDS).register(registry);
    }

    @Override
    public void path(ReceivePath p) {
        p.intervals((stage, ns) -> {
            DistributionDataPoint d = stages[stage.ordinal()];
            if (d != null) d.observe(ns / 1e9);
        });
        long delivered = p.toApplicationNs();
        if (delivered >= 0) toApplication.observe(delivered / 1e9);
        next.path(p);
    }
}
