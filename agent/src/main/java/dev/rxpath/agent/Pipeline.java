package dev.rxpath.agent;

import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.EventSink;
import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.flow.FlowTable;
import dev.rxpath.agent.path.PathCorrelator;
import dev.rxpath.agent.path.PathListener;
import dev.rxpath.agent.path.ReorderWindow;
import dev.rxpath.agent.probe.HookStatus;
import dev.rxpath.agent.probe.KernelNames;
import dev.rxpath.agent.probe.ReceiveHooks;
import dev.rxpath.agent.record.RecordingHeader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * Decoded events → reorder window → path correlator → flow table → the sink, all on the
 * thread that feeds it (the agent's pipeline thread, or a replay). Other threads look inside through
 * {@link #inspect}, which runs their question on that thread between two drains, so the
 * state needs no locks.
 */
public final class Pipeline implements EventSink {
    public record Limits(PathCorrelator.Limits paths, FlowTable.Limits flows) {
        public static final Limits DEFAULT = new Limits(PathCorrelator.Limits.DEFAULT, FlowTable.Limits.DEFAULT);
    }

    private final ReorderWindow window;
    private final PathCorrelator correlator;
    private final FlowTable flows;
    private final ConcurrentLinkedQueue<Runnable> inspections = new ConcurrentLinkedQueue<>();
    private long events;
    private long lastDrainedNs;

    private Pipeline(KernelNames names, Set<Stage> observable, Limits limits, PathListener sink) {
        this.flows = new FlowTable(sink, names, limits.flows());
        this.correlator = new PathCorrelator(flows, names, observable, limits.paths());
        this.window = new ReorderWindow(correlator);
    }

    /** For the records of these attached hooks: the running kernel's names, the stages that attached. */
    public static Pipeline observing(ReceiveHooks hooks, Limits limits, PathListener sink) {
        return new Pipeline(hooks.kernel().names(), HookStatus.observable(hooks.statuses()), limits, sink);
    }

    /** For a recording: the names and stages of the node it was made on. */
    public static Pipeline replaying(RecordingHeader header, Limits limits, PathListener sink) {
        return new Pipeline(header.names(), header.observable(), limits, sink);
    }

    @Override
    public void event(Event event) {
        events++;
        window.event(event);
    }

    @Override
    public void lost(int cpu, long count) {
        window.lost(cpu, count);
    }

    @Override
    public void drained(long monotonicNs) {
        lastDrainedNs = monotonicNs;
        window.drained(monotonicNs);
        Runnable r;
        while ((r = inspections.poll()) != null) r.run();
    }

    /**
     * Answers the questions asked since the last drain, time standing still: for a pipeline whose
     * input has ended (a replayed recording) and that still serves queries.
     */
    public void idle() {
        drained(lastDrainedNs);
    }

    /** The input has ended (rings closed, replay done): releases what the reorder window holds. */
    public void finish() {
        window.flush();
    }

    /** Runs {@code question} on the pipeline's thread at its next drain; the pipeline must be running. */
    public <T> CompletableFuture<T> inspect(Function<Pipeline, T> question) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        inspections.add(() -> {
            try {
                answer.complete(question.apply(this));
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        return answer;
    }

    /** Events decoded so far. Read on the pipeline's thread (or after it stopped). */
    public long events() {
        return events;
    }

    public ReorderWindow window() {
        return window;
    }

    public PathCorrelator paths() {
        return correlator;
    }

    public FlowTable flows() {
        return flows;
    }
}
