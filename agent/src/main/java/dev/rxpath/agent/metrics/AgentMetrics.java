package dev.rxpath.agent.metrics;

import dev.rxpath.agent.Agent;
import dev.rxpath.agent.Pipeline;
import dev.rxpath.agent.flow.FlowTable;
import dev.rxpath.agent.flow.NodeCounts;
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
import java.util.List;
import java.util.Map;
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

    private record PipelineView(PathStats paths, FlowTable.Stats flows, NodeCounts.Totals counts, long late) {}

    private final Agent agent;
    private final Pipeline pipeline;
    private final Supplier<Map<Integer, Long>> ringLost;
    private long pipelineTimeouts;

    /** @param ringLost records lost per CPU ({@link Handoff#CPU}: the agent's own buffer) */
    public AgentMetrics(Agent agent, Pipeline pipeline, Supplier<Map<Integer, Long>> ringLost) {
        this.agent = agent;
        this.pipeline = pipeline;
        this.ringLost = ringLost;
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
            return pipeline.inspect(p -> new PipelineView(p.paths().stats(), p.flows().stats(), p.flows().nodeCounts(), p.window().late()))
                    .get(PIPELINE_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            pipelineTimeouts++;
            return null;
        }
    }

    private static void pipeline(PipelineView v, List<MetricSnapshot> out) {
        NodeCounts.Totals c = v.counts();
        out.add(counter("rxpath_received_segments", "Segments with payload TCP sockets accepted (the kernel's per-socket counters, exact).",
                Labels.EMPTY, c.segments()));
        out.add(counter("rxpath_received_bytes", "Payload bytes TCP sockets accepted (exact).", Labels.EMPTY, c.bytesReceived()));
        out.add(counter("rxpath_delivered_bytes", "Bytes applications read from TCP sockets (exact).", Labels.EMPTY, c.bytesDelivered()));
        out.add(counter("rxpath_reads", "Reads that took bytes from TCP sockets (exact).", Labels.EMPTY, c.reads()));
        out.add(counter("rxpath_retransmits", "Segments TCP sockets retransmitted (exact).", Labels.EMPTY, c.retransmits()));
        CounterSnapshot.Builder resets = CounterSnapshot.builder().name("rxpath_socket_resets")
                .help("Resets TCP sockets sent and received (exact).");
        resets.dataPoint(point(Labels.of("direction", "sent"), c.resetsSent()));
        resets.dataPoint(point(Labels.of("direction", "received"), c.resetsReceived()));
        out.add(resets.build());
        CounterSnapshot.Builder socketDrops = CounterSnapshot.builder().name("rxpath_socket_drops")
                .help("Segments of TCP sockets the kernel dropped, by its reason (exact; reasons beyond a socket's first four: OTHER).");
        c.drops().forEach((reason, n) -> socketDrops.dataPoint(point(Labels.of("reason", reason), n)));
        out.add(socketDrops.build());

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
