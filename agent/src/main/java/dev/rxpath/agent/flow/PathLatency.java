package dev.rxpath.agent.flow;

import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.path.ReceivePath;
import java.util.List;
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
        List<ReceivePath.StageTime> times = p.stages();
        for (int i = 1; i < times.size(); i++) {
            ReceivePath.StageTime t = times.get(i);
            Latency l = stages[t.stage().ordinal()];
            if (l == null) l = stages[t.stage().ordinal()] = new Latency();
            l.record(t.tsNs() - times.get(i - 1).tsNs());
        }
        ReceivePath.StageTime user = p.stage(Stage.USER);
        if (user != null) {
            if (toApplication == null) toApplication = new Latency();
            toApplication.record(user.tsNs() - p.firstNs());
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
