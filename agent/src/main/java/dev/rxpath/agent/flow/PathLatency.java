package dev.rxpath.agent.flow;

import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.path.ReceivePath;
import org.HdrHistogram.Histogram;

/**
 * Latency distributions over a set of paths (one flow's, or the node's): per stage, the time
 * from the stage before it, and from the first stage to the application's read. Only the
 * paths the agent has, so sampled when paths are.
 */
public final class PathLatency {
    /** Per stage; created on first use. */
    private final Latency[] stages = new Latency[Stage.END.ordinal() + 1];
    private Latency toApplication;

    void record(ReceivePath p) {
        p.intervals((stage, ns) -> {
            Latency l = stages[stage.ordinal()];
            if (l == null) l = stages[stage.ordinal()] = new Latency();
            l.record(ns);
        });
        long delivered = p.toApplicationNs();
        if (delivered >= 0) {
            if (toApplication == null) toApplication = new Latency();
            toApplication.record(delivered);
        }
    }

    /** Time from the stage before to this one; null if no path reached it after another. A copy the caller may keep. */
    public Histogram stage(Stage stage) {
        Latency l = stages[stage.ordinal()];
        return l == null ? null : l.snapshot();
    }

    /** First stage to the application's read; null until a path was delivered. A copy the caller may keep. */
    public Histogram toApplication() {
        return toApplication == null ? null : toApplication.snapshot();
    }
}
