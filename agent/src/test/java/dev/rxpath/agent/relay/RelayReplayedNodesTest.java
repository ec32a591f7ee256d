package dev.rxpath.agent.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.Pipeline;
import dev.rxpath.agent.ReplayedNode;
import dev.rxpath.agent.export.AgentServer;
import dev.rxpath.agent.record.Recording;
import dev.rxpath.api.FlowLatencies;
import dev.rxpath.api.v1.Flow;
import dev.rxpath.api.v1.FlowFilter;
import dev.rxpath.api.v1.FlowSort;
import dev.rxpath.api.v1.FlowsLatency;
import dev.rxpath.api.v1.GetFlowsRequest;
import dev.rxpath.api.v1.GetFlowsResponse;
import dev.rxpath.api.v1.GetLatencyRequest;
import dev.rxpath.api.v1.GetLatencyResponse;
import dev.rxpath.api.v1.GetPathsRequest;
import dev.rxpath.api.v1.GetPathsResponse;
import dev.rxpath.api.v1.NodeLatency;
import dev.rxpath.api.v1.NodeState;
import dev.rxpath.api.v1.NodeStatus;
import dev.rxpath.api.v1.ObserverGrpc;
import dev.rxpath.api.v1.PathFilter;
import dev.rxpath.api.v1.ServerStatusRequest;
import dev.rxpath.api.v1.ServerStatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Twenty nodes behind one relay without twenty kernels: each serves the same recording
 * (`rxpath replay --listen` does this for one), over real sockets. Their paths share their
 * times, which makes the merge's answer exact: the newest N of all are N/20 from each node.
 */
class RelayReplayedNodesTest {
    private static final int NODES = 20;
    private static final List<ReplayedNode> nodes = new ArrayList<>();
    private static Peers peers;
    private static AgentServer relay;
    private static ManagedChannel channel;
    private static ObserverGrpc.ObserverBlockingStub observer;
    private static ServerStatusResponse one;
    private static long oneFlows;

    @BeforeAll
    static void start() throws Exception {
        Recording recording = Recording.load(Path.of("src/test/resources/recordings/loopback.rxrec.gz"));
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            ReplayedNode n = ReplayedNode.serve(recording, String.format("node-%02d", i),
                    new AgentServer.Tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, null, null), Pipeline.Limits.DEFAULT, 10_000);
            nodes.add(n);
            addresses.add("127.0.0.1:" + n.port());
        }
        ManagedChannel first = NettyChannelBuilder.forAddress("127.0.0.1", nodes.get(0).port()).usePlaintext().build();
        try {
            one = ObserverGrpc.newBlockingStub(first).serverStatus(ServerStatusRequest.getDefaultInstance());
            oneFlows = ObserverGrpc.newBlockingStub(first).getFlows(GetFlowsRequest.newBuilder()
                    .addWhitelist(FlowFilter.newBuilder().setClosed(true)).setLimit(1).build()).next().getTotal();
        } finally {
            first.shutdownNow();
        }
        peers = new Peers(addresses, null, 1000, Peers.Tls.NONE, 5000, 200, why -> {});
        relay = AgentServer.start(new RelayService(peers, "relay", 200_000_000L, 1000), null,
                new AgentServer.Tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, null, null));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", relay.tcpPort()).usePlaintext().build();
        observer = ObserverGrpc.newBlockingStub(channel);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (peers.all().stream().filter(Peer::connected).count() < NODES) {
            assertTrue(System.nanoTime() < deadline, "every replayed node connected");
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void stop() {
        if (channel != null) channel.shutdownNow();
        if (relay != null) relay.close();
        if (peers != null) peers.close();
        nodes.forEach(ReplayedNode::close);
    }

    @Test
    void theNewestPathsOfTwentyNodesAreMergedByTimeEachNamed() {
        int n = 200;
        List<GetPathsResponse> got = new ArrayList<>();
        observer.getPaths(GetPathsRequest.newBuilder().setNumber(n).build()).forEachRemaining(got::add);
        List<GetPathsResponse> paths = got.stream().filter(GetPathsResponse::hasPath).toList();
        assertEquals(n, paths.size());
        for (int i = 1; i < paths.size(); i++) assertTrue(MergedPaths.entered(paths.get(i - 1)) <= MergedPaths.entered(paths.get(i)), "at " + i);
        Map<String, Long> byNode = paths.stream().collect(Collectors.groupingBy(GetPathsResponse::getNodeName, Collectors.counting()));
        assertEquals(NODES, byNode.size(), byNode.toString());
        assertTrue(byNode.values().stream().allMatch(c -> c == n / NODES), "the same recording: as many of the newest from each " + byNode);
        // the stream began with the nodes' word on themselves
        assertTrue(got.get(0).hasNodeStatus() && got.get(0).getNodeStatus().getState() == NodeState.NODE_STATE_CONNECTED
                && got.get(0).getNodeStatus().getNodeNamesCount() == NODES, got.get(0).toString());
    }

    /**
     * GetLatency is the flows' latencies summed where they are: on a node, what adding up its
     * GetFlows answer gives; through the relay, every node's sum added, bucket by bucket.
     */
    @Test
    void latencyIsSummedOnEachNodeAndAcrossNodes() {
        ManagedChannel first = NettyChannelBuilder.forAddress("127.0.0.1", nodes.get(0).port()).usePlaintext().build();
        try {
            ObserverGrpc.ObserverBlockingStub node = ObserverGrpc.newBlockingStub(first);
            FlowFilter closedToo = FlowFilter.newBuilder().setClosed(true).build();
            GetLatencyResponse mine = node.getLatency(GetLatencyRequest.newBuilder().addWhitelist(closedToo).build());
            FlowLatencies expected = new FlowLatencies();
            node.getFlows(GetFlowsRequest.newBuilder().addWhitelist(closedToo).build()).next().getFlowsList().forEach(expected::add);
            assertEquals(expected.response("node-00"), mine);
            assertEquals(oneFlows, mine.getFlows());
            assertTrue(mine.getStageLatencyOrThrow("SOCKET").getFlows() > 0, mine.toString());

            GetLatencyResponse all = observer.getLatency(GetLatencyRequest.newBuilder().addWhitelist(closedToo).build());
            assertEquals("relay", all.getNodeName());
            assertEquals(NODES, all.getNodesList().stream().filter(n -> n.getState() == NodeState.NODE_STATE_CONNECTED).count(), all.getNodesList().toString());
            assertEquals(NODES * mine.getFlows(), all.getFlows());
            assertEquals(mine.getStageLatencyMap().keySet(), all.getStageLatencyMap().keySet());
            mine.getStageLatencyMap().forEach((stage, l) -> {
                FlowsLatency sum = all.getStageLatencyOrThrow(stage);
                assertEquals(NODES * l.getFlows(), sum.getFlows(), stage);
                assertEquals(l.getSummary().getBucketsList().stream().map(b -> b.toBuilder().setCount(NODES * b.getCount()).build()).toList(),
                        sum.getSummary().getBucketsList(), stage);
            });

            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> observer.getLatency(GetLatencyRequest.newBuilder()
                    .addWhitelist(FlowFilter.newBuilder().addPod("a/b/c")).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
            assertEquals("whitelist[0].pod: \"a/b/c\" is not [namespace/]name", refused.getStatus().getDescription());
        } finally {
            first.shutdownNow();
        }
    }

    /** A node that does not answer is named, and the sums are of the nodes that did. */
    @Test
    void aNodeThatDoesNotAnswerIsNamedBesideTheSums() throws Exception {
        int dead;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = free.getLocalPort(); // nothing listens there once it is closed
        }
        try (Peers two = new Peers(List.of("127.0.0.1:" + nodes.get(0).port(), "127.0.0.1:" + dead), null, 1000, Peers.Tls.NONE, 5000, 200, why -> {})) {
            AgentServer partial = AgentServer.start(new RelayService(two, "partial", 200_000_000L, 1000), null,
                    new AgentServer.Tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, null, null));
            ManagedChannel toPartial = NettyChannelBuilder.forAddress("127.0.0.1", partial.tcpPort()).usePlaintext().build();
            ManagedChannel toNode = NettyChannelBuilder.forAddress("127.0.0.1", nodes.get(0).port()).usePlaintext().build();
            try {
                GetLatencyRequest closedToo = GetLatencyRequest.newBuilder().addWhitelist(FlowFilter.newBuilder().setClosed(true)).build();
                GetLatencyResponse sum = ObserverGrpc.newBlockingStub(toPartial).getLatency(closedToo);
                GetLatencyResponse node = ObserverGrpc.newBlockingStub(toNode).getLatency(closedToo);
                assertEquals(node.toBuilder().setNodeName("partial").clearNodes().build(), sum.toBuilder().clearNodes().build(),
                        "the sums are the answering node's");
                assertEquals(Map.of("node-00", NodeState.NODE_STATE_CONNECTED, "127.0.0.1:" + dead, NodeState.NODE_STATE_UNAVAILABLE),
                        sum.getNodesList().stream().collect(Collectors.toMap(NodeStatus::getName, NodeStatus::getState)));
                assertTrue(sum.getNodesList().stream().allMatch(n -> n.getState() == NodeState.NODE_STATE_CONNECTED || !n.getMessage().isEmpty()),
                        "why each one that did not answer did not: " + sum.getNodesList());
            } finally {
                toPartial.shutdownNow();
                toNode.shutdownNow();
                partial.close();
            }
        }
    }

    @Test
    void flowsAreSortedAcrossNodesAndStatusIsTheirSum() {
        GetFlowsResponse top = observer.getFlows(GetFlowsRequest.newBuilder().addWhitelist(FlowFilter.newBuilder().setClosed(true))
                .setSort(FlowSort.FLOW_SORT_BYTES_RECEIVED).setLimit(25).build()).next();
        assertEquals(NODES * oneFlows, top.getTotal());
        assertEquals(25, top.getFlowsCount());
        for (int i = 1; i < top.getFlowsCount(); i++) {
            assertTrue(top.getFlows(i - 1).getBytesReceived() >= top.getFlows(i).getBytesReceived(), "largest first, at " + i);
        }
        List<Flow> largest = top.getFlowsList().subList(0, NODES);
        assertEquals(NODES, largest.stream().map(Flow::getNodeName).distinct().count(), "each node's largest flow leads");

        ServerStatusResponse sum = observer.serverStatus(ServerStatusRequest.getDefaultInstance());
        assertEquals(NODES, sum.getNodesCount());
        assertTrue(sum.getNodesList().stream().allMatch(s -> s.getState() == NodeState.NODE_STATE_CONNECTED), sum.getNodesList().toString());
        assertEquals(NODES * one.getRecordsReceived(), sum.getRecordsReceived());
        assertEquals(NODES * one.getClosedFlows(), sum.getClosedFlows());
        assertEquals(one.getPathSampling(), sum.getPathSampling());
        // latencies: the same stages and sources, every bucket twenty times one node's
        assertFalse(one.getLatencyList().isEmpty());
        assertEquals(one.getLatencyCount(), sum.getLatencyCount(), sum.getLatencyList().toString());
        for (int i = 0; i < one.getLatencyCount(); i++) {
            NodeLatency mine = one.getLatency(i), all = sum.getLatency(i);
            assertEquals(List.of(mine.getSource(), mine.getStage()), List.of(all.getSource(), all.getStage()));
            assertEquals(NODES * mine.getSummary().getCount(), all.getSummary().getCount());
            assertEquals(mine.getSummary().getMax(), all.getSummary().getMax());
            assertEquals(mine.getSummary().getBucketsList().stream().map(b -> b.toBuilder().setCount(NODES * b.getCount()).build()).toList(),
                    all.getSummary().getBucketsList());
        }
    }

    @Test
    void manyFollowersCostNoThreadEachInTheRelayOrTheNodes() throws Exception {
        // 100 followers through the relay are 2,000 streams from the relay to the nodes, all in this JVM
        int followers = 100, number = 5;
        int threadsBefore = Thread.activeCount();
        CountDownLatch allPaths = new CountDownLatch(followers * NODES * number);
        List<ClientCallStreamObserver<GetPathsRequest>> calls = new ArrayList<>();
        var async = ObserverGrpc.newStub(channel);
        for (int i = 0; i < followers; i++) {
            async.getPaths(GetPathsRequest.newBuilder().setFollow(true).setNumber(number).build(),
                    new ClientResponseObserver<GetPathsRequest, GetPathsResponse>() {
                        @Override
                        public void beforeStart(ClientCallStreamObserver<GetPathsRequest> call) {
                            synchronized (calls) {
                                calls.add(call);
                            }
                        }

                        @Override
                        public void onNext(GetPathsResponse r) {
                            if (r.hasPath()) allPaths.countDown();
                        }

                        @Override
                        public void onError(Throwable t) {}

                        @Override
                        public void onCompleted() {}
                    });
        }
        try {
            assertTrue(allPaths.await(60, TimeUnit.SECONDS), "every follower had each node's last " + number + ": " + allPaths.getCount() + " missing");
            int grown = Thread.activeCount() - threadsBefore;
            assertTrue(grown < followers, "threads grew by " + grown + " for " + followers * (NODES + 1) + " streams");
            ServerStatusResponse sum = observer.serverStatus(ServerStatusRequest.getDefaultInstance());
            assertEquals(NODES * followers, sum.getSubscribers(), "every node counts the relay's followers as its subscribers");
        } finally {
            synchronized (calls) {
                calls.forEach(c -> c.cancel("done", null));
            }
        }
    }

    @Test
    void aMalformedFilterIsRefusedThroughTheRelayNamingTheFieldAndNoNodeIsBlamed() {
        for (boolean follow : new boolean[] {false, true}) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> observer.getPaths(GetPathsRequest.newBuilder()
                    .setFollow(follow).addWhitelist(PathFilter.newBuilder().addRemoteIp("10.0.0.0/33")).build()).forEachRemaining(r -> {}));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), "follow " + follow);
            assertTrue(e.getStatus().getDescription().startsWith("whitelist[0].remote_ip: "), e.getStatus().getDescription());
        }
        assertTrue(peers.all().stream().allMatch(Peer::connected), "a client's malformed filter says nothing about the nodes");
    }
}
