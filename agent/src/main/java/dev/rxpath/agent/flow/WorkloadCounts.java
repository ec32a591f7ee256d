package dev.rxpath.agent.flow;

import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.probe.KernelNames;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The kernel's exact per-socket counters summed per workload, for labelled metrics: a
 * workload is the sockets' local port, the command that reads them, the reader's pod and its
 * namespace, or any of these together, as the operator chose. Never per socket (that is the cardinality Hubble's users complain of), opt-in, and
 * bounded: at most {@code maxWorkloads} at once; a counter read whose workload finds no room
 * adds to the node's totals only and is counted as refused. A workload whose sockets counted
 * nothing for the grace time is deleted, so a port or a program that is gone leaves no series
 * behind; if it comes back it counts from zero again (a counter reset, which rate() takes).
 * Read and written on the pipeline's thread.
 */
public final class WorkloadCounts {
    /** What a workload is told apart by; the metrics' label names. */
    public enum Label {
        LOCAL_PORT, COMM, NAMESPACE, POD;

        public String labelName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * @param labels       none: no workloads are counted
     * @param maxWorkloads workloads counted at once
     * @param graceNs      how long a workload whose sockets count nothing is kept
     */
    public record Options(Set<Label> labels, int maxWorkloads, long graceNs) {
        public static final Options NONE = new Options(Set.of(), 0, 0);
        public static final int DEFAULT_MAX = 1000;
        public static final long DEFAULT_GRACE_NS = 300_000_000_000L;

        public Options {
            labels = Set.copyOf(labels);
            if (!labels.isEmpty() && (maxWorkloads < 1 || graceNs < 1)) {
                throw new IllegalArgumentException("workloads: at most " + maxWorkloads + ", kept " + graceNs + " ns");
            }
        }

        boolean byPod() {
            return labels.contains(Label.POD) || labels.contains(Label.NAMESPACE);
        }
    }

    /**
     * One workload: its local port (-1 when not a label), reading command ("" when not a label or
     * not read yet), and for the pod and namespace labels the reader's cgroup (0 otherwise). A
     * cgroup's pod is looked up when the metrics are taken, not when the kernel's counters are
     * read: a container's first sockets are often counted before the agent has found its pod.
     */
    public record Workload(int localPort, String comm, long cgroupId) {}

    /**
     * A copy, for another thread: the labels workloads are told apart by, the workloads counted now, counter reads refused by
     * the cap, workloads deleted after their grace.
     */
    public record Snapshot(Set<Label> labels, Map<Workload, CounterTotals.Totals> workloads, long refused, long deleted) {}

    private static final long SWEEP_NS = 1_000_000_000L;

    private final Options options;
    private final Map<Workload, Counted> counted = new HashMap<>();
    private long refused, deleted, sweptNs;

    private static final class Counted {
        final CounterTotals totals = new CounterTotals();
        long lastNs;
    }

    WorkloadCounts(Options options) {
        this.options = options;
    }

    /** Adds one socket's counts since {@code before} to its flow's workload, at {@code nowNs}. */
    void add(Flow f, Event.SocketCounts before, Event.SocketCounts now, long nowNs, KernelNames names) {
        if (options.labels().isEmpty()) return;
        Workload w = workloadOf(f);
        Counted c = counted.get(w);
        if (c == null) {
            if (counted.size() >= options.maxWorkloads()) {
                refused++;
                return;
            }
            c = new Counted();
            counted.put(w, c);
        }
        c.totals.add(before, now, names);
        c.lastNs = nowNs;
    }

    private Workload workloadOf(Flow f) {
        int port = -1;
        if (options.labels().contains(Label.LOCAL_PORT)) port = f.endpoints() == null ? 0 : f.endpoints().localPort();
        String comm = "";
        if (options.labels().contains(Label.COMM) && f.reader() != null) comm = f.reader().comm();
        long cgroup = options.byPod() && f.reader() != null ? f.reader().cgroupId() : 0;
        return new Workload(port, comm, cgroup);
    }

    /** Time has moved on to {@code nowNs}: deletes the workloads whose grace has passed (looked at once a second). */
    void advanced(long nowNs) {
        if (counted.isEmpty() || nowNs - sweptNs < SWEEP_NS) return;
        sweptNs = nowNs;
        for (Iterator<Counted> it = counted.values().iterator(); it.hasNext(); ) {
            if (nowNs - it.next().lastNs > options.graceNs()) {
                it.remove();
                deleted++;
            }
        }
    }

    public Options options() {
        return options;
    }

    public Snapshot snapshot() {
        Map<Workload, CounterTotals.Totals> out = new HashMap<>();
        counted.forEach((w, c) -> out.put(w, c.totals.totals()));
        return new Snapshot(options.labels(), out, refused, deleted);
    }
}
