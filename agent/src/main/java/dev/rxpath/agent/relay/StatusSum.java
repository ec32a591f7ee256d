package dev.rxpath.agent.relay;

import dev.rxpath.api.LatencySum;
import dev.rxpath.api.v1.LostEvent;
import dev.rxpath.api.v1.LostSource;
import dev.rxpath.api.v1.NodeLatency;
import dev.rxpath.api.v1.ServerStatusResponse;
import dev.rxpath.api.v1.Stage;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A relay's status: every node with its state, and the connected nodes' counters summed (rates
 * too), the oldest node's uptime, losses by source, and latencies by stage and source (their
 * log2 buckets add up exactly; a sum's percentiles are its buckets' bounds, see
 * {@link LatencySum}). A node that restarted counts from its restart: each sum is of what the
 * nodes say now, never of remembered totals.
 */
final class StatusSum {
    private StatusSum() {}

    /** A node as the relay sees it: its state, and its answer when it gave one. */
    record Node(Peer.View view, ServerStatusResponse status) {}

    static ServerStatusResponse of(String relay, List<Node> nodes) {
        ServerStatusResponse.Builder b = ServerStatusResponse.newBuilder().setNodeName(relay);
        Map<LostSource, Long> lost = new LinkedHashMap<>();
        TreeSet<String> sampling = new TreeSet<>();
        // in a node's order: every segment's first, then per stage in path order, then to the application (no stage);
        // by number, which a value newer than this relay also has
        record LatencyKey(int source, int stage) {}
        Map<LatencyKey, LatencySum> latency = new TreeMap<>(Comparator.comparingInt(LatencyKey::source)
                .thenComparingInt(k -> k.stage() == Stage.STAGE_UNSPECIFIED_VALUE ? Integer.MAX_VALUE : k.stage()));
        for (Node n : nodes) {
            ServerStatusResponse s = n.status();
            if (s == null) {
                b.addNodes(n.view().node(null));
                continue;
            }
            b.addNodes(n.view().node(s.getNodeName()).setUptime(s.getUptime()));
            if (s.getUptime().getSeconds() > b.getUptime().getSeconds()
                    || (s.getUptime().getSeconds() == b.getUptime().getSeconds() && s.getUptime().getNanos() > b.getUptime().getNanos())) {
                b.setUptime(s.getUptime());
            }
            b.setRecordsSubmitted(b.getRecordsSubmitted() + s.getRecordsSubmitted())
                    .setRecordsReceived(b.getRecordsReceived() + s.getRecordsReceived())
                    .setEventsPerSecond(b.getEventsPerSecond() + s.getEventsPerSecond())
                    .setLivePaths(b.getLivePaths() + s.getLivePaths())
                    .setLiveFlows(b.getLiveFlows() + s.getLiveFlows())
                    .setClosedFlows(b.getClosedFlows() + s.getClosedFlows())
                    .setPathsEvicted(b.getPathsEvicted() + s.getPathsEvicted())
                    .setFlowsEvicted(b.getFlowsEvicted() + s.getFlowsEvicted())
                    .setSubscribers(b.getSubscribers() + s.getSubscribers())
                    .setSubscriberLost(b.getSubscriberLost() + s.getSubscriberLost())
                    .setHistorySize(b.getHistorySize() + s.getHistorySize())
                    .setSegmentsSampled(b.getSegmentsSampled() + s.getSegmentsSampled())
                    .setPathsKeptUnsampled(b.getPathsKeptUnsampled() + s.getPathsKeptUnsampled())
                    .setSocketsCounted(b.getSocketsCounted() + s.getSocketsCounted())
                    .setSocketsNotCounted(b.getSocketsNotCounted() + s.getSocketsNotCounted());
            if (!s.getPathSampling().isEmpty()) sampling.add(s.getPathSampling());
            for (LostEvent l : s.getLostList()) lost.merge(l.getSource(), l.getCount(), Long::sum);
            for (NodeLatency l : s.getLatencyList()) {
                latency.computeIfAbsent(new LatencyKey(l.getSourceValue(), l.getStageValue()), k -> new LatencySum()).add(l.getSummary());
            }
        }
        // per-CPU losses are one node's matter: the sum keeps the source
        lost.forEach((source, count) -> b.addLost(LostEvent.newBuilder().setSource(source).setCpu(-1).setCount(count)));
        latency.forEach((k, sum) -> {
            if (sum.count() > 0) b.addLatency(NodeLatency.newBuilder().setSourceValue(k.source()).setStageValue(k.stage()).setSummary(sum.summary()));
        });
        b.setPathSampling(sampling.size() == 1 ? sampling.first() : String.join("; ", sampling));
        return b.build();
    }
}
