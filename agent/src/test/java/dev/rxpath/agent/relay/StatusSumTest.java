package dev.rxpath.agent.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Duration;
import dev.rxpath.api.v1.LostEvent;
import dev.rxpath.api.v1.LostSource;
import dev.rxpath.api.v1.NodeState;
import dev.rxpath.api.v1.NodeStatus;
import dev.rxpath.api.v1.ServerStatusResponse;
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
}
