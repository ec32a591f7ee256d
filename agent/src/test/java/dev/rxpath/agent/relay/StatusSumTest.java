package dev.rxpath.agent.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Duration;
import dev.rxpath.api.v1.LatencyBucket;
import dev.rxpath.api.v1.LatencySource;
import dev.rxpath.api.v1.LatencySummary;
import dev.rxpath.api.v1.LostEvent;
import dev.rxpath.api.v1.LostSource;
import dev.rxpath.api.v1.NodeLatency;
import dev.rxpath.api.v1.NodeState;
import dev.rxpath.api.v1.NodeStatus;
import dev.rxpath.api.v1.ServerStatusResponse;
import dev.rxpath.api.v1.Stage;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusSumTest {
    private static ServerStatusResponse node(String name, long uptime, long received, double rate, long flows, long lostRing, String sampling) {
        return ServerStatusResponse.newBuilder().setNodeName(name).setUptime(Duration.newBuilder().setSeconds(uptime))
                .setRecordsReceived(received).setEventsPerSecond(rate).setLiveFlows(flows).setPathSampling(sampling)
                .addLost(LostEvent.newBuilder().setSource(LostSource.LOST_SOURCE_PERF_RING).setCpu(0).setCount(lostRing))
                .addLost(LostEvent.newBuilder().setSource(LostSource.LOST_SOURCE_PERF_RING).setCpu(1).setCount(1)).build();
    }

    private static Peer.View view(String address, String name, NodeState state, String message) {
        return new Peer.View(address, name, state, message, null);
    }

    @Test
    void connectedNodesAreSummedAndEveryNodeIsListedWithWhy() {
        ServerStatusResponse sum = StatusSum.of("relay", List.of(
                new StatusSum.Node(view("10.0.0.1:4244", "a", NodeState.NODE_STATE_CONNECTED, ""), node("a", 100, 1_000, 10.5, 3, 2, "up to 100 paths/s")),
                new StatusSum.Node(view("10.0.0.2:4244", "b", NodeState.NODE_STATE_CONNECTED, ""), node("b", 7, 500, 4.5, 2, 0, "up to 100 paths/s")),
                // answered before, unreachable now: not in the sums, named with why
                new StatusSum.Node(view("10.0.0.3:4244", "c", NodeState.NODE_STATE_UNAVAILABLE, "UNAVAILABLE: io exception"), null)));
        assertEquals("relay", sum.getNodeName());
        assertEquals(100, sum.getUptime().getSeconds(), "the oldest node's uptime");
        assertEquals(1_500, sum.getRecordsReceived());
        assertEquals(15.0, sum.getEventsPerSecond(), "rates add");
        assertEquals(5, sum.getLiveFlows());
        assertEquals(List.of(LostEvent.newBuilder().setSource(LostSource.LOST_SOURCE_PERF_RING).setCpu(-1).setCount(4).build()), sum.getLostList());
        assertEquals("up to 100 paths/s", sum.getPathSampling());
        assertEquals(List.of(
                NodeStatus.newBuilder().setName("a").setAddress("10.0.0.1:4244").setState(NodeState.NODE_STATE_CONNECTED).setUptime(Duration.newBuilder().setSeconds(100)).build(),
                NodeStatus.newBuilder().setName("b").setAddress("10.0.0.2:4244").setState(NodeState.NODE_STATE_CONNECTED).setUptime(Duration.newBuilder().setSeconds(7)).build(),
                NodeStatus.newBuilder().setName("c").setAddress("10.0.0.3:4244").setState(NodeState.NODE_STATE_UNAVAILABLE)
                        .setMessage("UNAVAILABLE: io exception").build()), sum.getNodesList());
    }

    @Test
    void nodesSampledDifferentlyAreAllNamed() {
        ServerStatusResponse sum = StatusSum.of("relay", List.of(
                new StatusSum.Node(view("a:1", "a", NodeState.NODE_STATE_CONNECTED, ""), node("a", 1, 0, 0, 0, 0, "every segment")),
                new StatusSum.Node(view("b:1", "b", NodeState.NODE_STATE_CONNECTED, ""), node("b", 1, 0, 0, 0, 0, "up to 100 paths/s"))));
        assertEquals("every segment; up to 100 paths/s", sum.getPathSampling());
    }

    private static Duration ns(long ns) {
        return Duration.newBuilder().setNanos((int) ns).build();
    }

    /** A summary with its p50, p99 and max, and buckets as upper bound and count pairs. */
    private static LatencySummary summary(long p50, long p99, long max, long... boundAndCount) {
        LatencySummary.Builder b = LatencySummary.newBuilder().setP50(ns(p50)).setP99(ns(p99)).setMax(ns(max));
        for (int i = 0; i < boundAndCount.length; i += 2) {
            b.addBuckets(LatencyBucket.newBuilder().setUpperBound(ns(boundAndCount[i])).setCount(boundAndCount[i + 1]));
            b.setCount(b.getCount() + boundAndCount[i + 1]);
        }
        return b.build();
    }

    private static NodeLatency latency(LatencySource source, Stage stage, LatencySummary summary) {
        return NodeLatency.newBuilder().setSource(source).setStage(stage).setSummary(summary).build();
    }

    @Test
    void latenciesAddUpBucketByBucketPerStageAndSource() {
        LatencySource every = LatencySource.LATENCY_SOURCE_EVERY_SEGMENT, sampled = LatencySource.LATENCY_SOURCE_SAMPLED_PATHS;
        ServerStatusResponse a = node("a", 1, 0, 0, 0, 0, "up to 100 paths/s").toBuilder()
                .addLatency(latency(every, Stage.STAGE_SOCKET, summary(1_023, 2_047, 4_095, 1_024, 60, 2_048, 39, 4_096, 1)))
                .addLatency(latency(sampled, Stage.STAGE_SOCKET, summary(1_500, 3_000, 3_100, 2_048, 3, 4_096, 1)))
                .addLatency(latency(sampled, Stage.STAGE_UNSPECIFIED, summary(9_000, 9_000, 9_000, 16_384, 1))).build();
        // b has no to-application latency yet, and lists its own in another order
        ServerStatusResponse b = node("b", 1, 0, 0, 0, 0, "up to 100 paths/s").toBuilder()
                .addLatency(latency(sampled, Stage.STAGE_USER, summary(20_000, 20_000, 20_000, 32_768, 2)))
                .addLatency(latency(every, Stage.STAGE_SOCKET, summary(2_047, 8_191, 8_191, 2_048, 40, 8_192, 60))).build();
        ServerStatusResponse sum = StatusSum.of("relay", List.of(
                new StatusSum.Node(view("a:1", "a", NodeState.NODE_STATE_CONNECTED, ""), a),
                new StatusSum.Node(view("b:1", "b", NodeState.NODE_STATE_CONNECTED, ""), b)));
        assertEquals(List.of(
                // 200 segments: exact counts per bucket; p50 the 100th (bucket < 2048), p99 the 198th (< 8192)
                latency(every, Stage.STAGE_SOCKET, LatencySummary.newBuilder().setCount(200).setP50(ns(2_048)).setP99(ns(8_192)).setMax(ns(8_191))
                        .addBuckets(LatencyBucket.newBuilder().setUpperBound(ns(1_024)).setCount(60))
                        .addBuckets(LatencyBucket.newBuilder().setUpperBound(ns(2_048)).setCount(79))
                        .addBuckets(LatencyBucket.newBuilder().setUpperBound(ns(4_096)).setCount(1))
                        .addBuckets(LatencyBucket.newBuilder().setUpperBound(ns(8_192)).setCount(60)).build()),
                // one node's alone: as that node said it, percentiles and all
                latency(sampled, Stage.STAGE_SOCKET, a.getLatency(1).getSummary()),
                latency(sampled, Stage.STAGE_USER, b.getLatency(0).getSummary()),
                latency(sampled, Stage.STAGE_UNSPECIFIED, a.getLatency(2).getSummary())), sum.getLatencyList());
    }
}
