package dev.rxpath.agent.metrics;

import dev.rxpath.agent.Agent;
import dev.rxpath.agent.Pipeline;
import dev.rxpath.agent.containers.Containers;
import dev.rxpath.agent.containers.Pods;
import dev.rxpath.agent.flow.CounterTotals;
import dev.rxpath.agent.flow.FlowTable;
import dev.rxpath.agent.flow.WorkloadCounts;
import dev.rxpath.agent.path.PathStats;
import dev.rxpath.agent.path.Verdict;
import dev.rxpath.agent.probe.HookStatus;
import dev.rxpath.agent.ring.Handoff;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The agent's counts as Prometheus metrics, taken at each scrape: the kernel's exact
 * per-socket counters summed over the node, paths by verdict and drop reason, flows, records
 * and their losses, hooks. The pipeline's share is asked for once per scrape on the
 * pipeline's own thread; if it does not answer in time, that share is left out of the scrape
 * (counted in {@code rxpath_metrics_pipeline_timeouts_total}) and the rest is still served.
 */
public final class AgentMetrics implements MultiCollector {
    private static final long PIPELINE_WAIT_MS = 2_000;

    private record PipelineView(PathStats paths, FlowTable.Stats flows, CounterTotals.Totals counts, WorkloadCounts.Snapshot workloads,
                                long late) {}

    private final Agent agent;
    private final Pipeline pipeline;
    private final Supplier<Map<Integer, Long>> ringLost;
    private final Containers containers;
    private long pipelineTimeouts;

    /**
     * @param ringLost   records lost per CPU ({@link Handoff#CPU}: the agent's own buffer)
     * @param containers where a workload's cgroup finds its pod, for the pod and namespace labels
     */
    public AgentMetrics(Agent agent, Pipeline pipeline, Supplier<Map<Integer, Long>> ringLost, Containers containers) {
        this.agent = agent;
        this.pipeline = pipeline;
        this.ringLost = ringLost;
        this.containers = containers;
    }

    @Override
    public synchronized MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        PipelineView v = pipelineView();
        if (v != null) pipeline(v, out);
        records(out);
        hooks(out);
        out.add(counter("rxpath_metrics_pipeline_timeouts", "Scrapes whose pipeline metrics were left out: the pipeline did not answer in "
                + PIPELINE_WAIT_MS + " ms.", Labels.EMPTY, pipelineTimeouts));
        return new MetricSnapshots(out);
    }

    private PipelineView pipelineView() {
        try {
            return pipeline.inspect(p -> new PipelineView(p.paths().stats(), p.flows().stats(), p.flows().nodeCounts(), p.flows().workloadCounts(),
                            p.window().late()))
                    .get(PIPELINE_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            pipelineTimeouts++;
            return null;
        }
    }

    private void pipeline(PipelineView v, List<MetricSnapshot> out) {
        socketCounts("rxpath_", "TCP sockets", Map.of(Labels.EMPTY, v.counts()), out);
        WorkloadCounts.Snapshot w = v.workloads();
        if (!w.labels().isEmpty()) {
            Map<Labels, CounterTotals.Totals> byWorkload = new HashMap<>();
            // several cgroups (a pod's containers) may share one pod's labels
            w.workloads().forEach((workload, totals) -> byWorkload.merge(labels(w.labels(), workload), totals, CounterTotals.Totals::plus));
            socketCounts("rxpath_workload_", "a workload's TCP sockets (--metrics-labels)", byWorkload, out);
            out.add(gauge("rxpath_workloads", "Workloads counted now (at most --metrics-max-workloads).", Labels.EMPTY, w.workloads().size()));
            out.add(counter("rxpath_workloads_refused", "Counter reads of sockets whose workload found no room under --metrics-max-workloads "
                    + "(in the node's totals only).", Labels.EMPTY, w.refused()));
            out.add(counter("rxpath_workloads_deleted", "Workloads deleted, with their series, after their sockets counted nothing for "
                    + "--metrics-workload-grace.", Labels.EMPTY, w.deleted()));
        }

        CounterSnapshot.Builder paths = CounterSnapshot.builder().name("rxpath_paths")
                .help("Receive paths followed to their end, by verdict (sampled; drops and resets always kept).");
        for (Verdict verdict : Verdict.values()) paths.dataPoint(point(Labels.of("verdict", verdict.name()), v.paths().verdict(verdict)));
        out.add(paths.build());
        CounterSnapshot.Builder drops = CounterSnapshot.builder().name("rxpath_path_drops")
                .help("Dropped receive paths by the kernel's reason, sockets or not.");
        v.paths().drops().forEach((reason, n) -> drops.dataPoint(point(Labels.of("reason", reason), n)));
        out.add(drops.build());
        out.add(gauge("rxpath_paths_live", "Paths being followed or waiting for a read.", Labels.EMPTY, v.paths().live() + v.paths().waiting()));
        out.add(counter("rxpath_records_late", "Records that came too late for the reorder window.", Labels.EMPTY, v.late()));

        FlowTable.Stats f = v.flows();
        GaugeSnapshot.Builder flows = GaugeSnapshot.builder().name("rxpath_flows").help("Flows in the table, by their socket's state.");
        flows.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("state", "live")).value(f.live()).build());
        flows.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("state", "closed")).value(f.closed()).build());
        out.add(flows.build());
        out.add(counter("rxpath_flows_created", "Flows created.", Labels.EMPTY, f.created()));
        out.add(counter("rxpath_flows_evicted", "Flows evicted by the table's cap.", Labels.EMPTY, f.evicted()));
        out.add(counter("rxpath_flows_expired", "Closed flows expired after their retention.", Labels.EMPTY, f.expired()));
    }

    /** The kernel's exact per-socket counters, summed per label set: the node's (no labels), or each workload's. */
    private static void socketCounts(String prefix, String of, Map<Labels, CounterTotals.Totals> sums, List<MetricSnapshot> out) {
        CounterSnapshot.Builder segments = family(prefix + "received_segments", "Segments with payload " + of + " accepted (the kernel's per-socket counters, exact).");
        CounterSnapshot.Builder received = family(prefix + "received_bytes", "Payload bytes " + of + " accepted (exact).");
        CounterSnapshot.Builder delivered = family(prefix + "delivered_bytes", "Bytes applications read from " + of + " (exact).");
        CounterSnapshot.Builder reads = family(prefix + "reads", "Reads that took bytes from " + of + " (exact).");
        CounterSnapshot.Builder retransmits = family(prefix + "retransmits", "Segments " + of + " retransmitted (exact).");
        CounterSnapshot.Builder resets = family(prefix + "socket_resets", "Resets " + of + " sent and received (exact).");
        CounterSnapshot.Builder drops = family(prefix + "socket_drops",
                "Segments of " + of + " the kernel dropped, by its reason (exact; reasons beyond a socket's first four: OTHER).");
        sums.forEach((labels, c) -> {
            segments.dataPoint(point(labels, c.segments()));
            received.dataPoint(point(labels, c.bytesReceived()));
            delivered.dataPoint(point(labels, c.bytesDelivered()));
            reads.dataPoint(point(labels, c.reads()));
            retransmits.dataPoint(point(labels, c.retransmits()));
            resets.dataPoint(point(labels.add("direction", "sent"), c.resetsSent()));
            resets.dataPoint(point(labels.add("direction", "received"), c.resetsReceived()));
            c.drops().forEach((reason, n) -> drops.dataPoint(point(labels.add("reason", reason), n)));
        });
        for (CounterSnapshot.Builder b : List.of(segments, received, delivered, reads, retransmits, resets, drops)) out.add(b.build());
    }

    private static CounterSnapshot.Builder family(String name, String help) {
        return CounterSnapshot.builder().name(name).help(help);
    }

    /** A workload's label values, for the labels it is told apart by; "" for a reader in no pod, or one not found (yet). */
    private Labels labels(Set<WorkloadCounts.Label> chosen, WorkloadCounts.Workload w) {
        Labels labels = Labels.EMPTY;
        if (chosen.contains(WorkloadCounts.Label.LOCAL_PORT)) labels = labels.add(WorkloadCounts.Label.LOCAL_PORT.labelName(), String.valueOf(w.localPort()));
        if (chosen.contains(WorkloadCounts.Label.COMM)) labels = labels.add(WorkloadCounts.Label.COMM.labelName(), w.comm());
        if (chosen.contains(WorkloadCounts.Label.NAMESPACE) || chosen.contains(WorkloadCounts.Label.POD)) {
            Optional<Pods.PodContainer> pod = containers.of(w.cgroupId()).flatMap(containers::pod);
            if (chosen.contains(WorkloadCounts.Label.NAMESPACE)) {
                labels = labels.add(WorkloadCounts.Label.NAMESPACE.labelName(), pod.map(Pods.PodContainer::namespace).orElse(""));
            }
            if (chosen.contains(WorkloadCounts.Label.POD)) labels = labels.add(WorkloadCounts.Label.POD.labelName(), pod.map(Pods.PodContainer::pod).orElse(""));
        }
        return labels;
    }

    private void records(List<MetricSnapshot> out) {
        Agent.Stats s = agent.stats();
        out.add(counter("rxpath_records_received", "Records the agent read from the kernel's rings.", Labels.EMPTY, s.received()));
        out.add(counter("rxpath_records_malformed", "Records the decoder refused (unknown type or size).", Labels.EMPTY, s.malformed()));
        CounterSnapshot.Builder lost = CounterSnapshot.builder().name("rxpath_records_lost")
                .help("Records lost before the pipeline: in a CPU's perf ring, or in the agent's buffer.");
        for (Map.Entry<Integer, Long> e : ringLost.get().entrySet()) {
            boolean buffer = e.getKey() == Handoff.CPU;
            lost.dataPoint(point(Labels.of("source", buffer ? "agent_buffer" : "perf_ring", "cpu", buffer ? "" : String.valueOf(e.getKey())),
                    e.getValue()));
        }
        out.add(lost.build());
        out.add(counter("rxpath_segments_sampled", "Segments the kernel gave a path at their first stage.", Labels.EMPTY, s.programs().sampled()));
        out.add(counter("rxpath_paths_kept_unsampled", "Paths of unsampled segments kept because they were dropped or reset.", Labels.EMPTY,
                s.programs().promoted()));
        out.add(counter("rxpath_sockets_untracked", "Sockets the kernel could not count: its socket map was full.", Labels.EMPTY,
                s.programs().socketsFull()));
    }

    private void hooks(List<MetricSnapshot> out) {
        GaugeSnapshot.Builder hooks = GaugeSnapshot.builder().name("rxpath_hook_attached")
                .help("1 for a hook point attached (with its mechanism), 0 for one this kernel does not offer.");
        for (HookStatus h : agent.hooks().statuses()) {
            hooks.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("hook", h.hook().target(), "stage",
                    h.hook().stage().name(), "mechanism", h.attached() ? h.attachment() : "")).value(h.attached() ? 1 : 0).build());
        }
        out.add(hooks.build());
    }

    private static CounterSnapshot counter(String name, String help, Labels labels, double value) {
        return CounterSnapshot.builder().name(name).help(help).dataPoint(point(labels, value)).build();
    }

    private static GaugeSnapshot gauge(String name, String help, Labels labels, double value) {
        return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build()).build();
    }

    /** One counter's value with its labels: every collector here builds its counters of these. */
    static CounterSnapshot.CounterDataPointSnapshot point(Labels labels, double value) {
        return CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }
}
