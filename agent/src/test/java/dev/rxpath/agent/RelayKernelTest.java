package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.api.v1.Flow;
import dev.rxpath.api.v1.FlowFilter;
import dev.rxpath.api.v1.GetFlowsRequest;
import dev.rxpath.api.v1.GetFlowsResponse;
import dev.rxpath.api.v1.GetPathsRequest;
import dev.rxpath.api.v1.GetPathsResponse;
import dev.rxpath.api.v1.NodeState;
import dev.rxpath.api.v1.NodeStatus;
import dev.rxpath.api.v1.ObserverGrpc;
import dev.rxpath.api.v1.PathFilter;
import dev.rxpath.api.v1.ServerStatusRequest;
import dev.rxpath.api.v1.ServerStatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three real agents on this machine, each its own node (its own name and TCP listener), behind
 * a relay run as a user runs it. All three see the same loopback traffic, so a known connection
 * shows on every node.
 */
@KernelTest
class RelayKernelTest {
    private static final String[] NODES = {"node-a", "node-b", "node-c"};
    private static final int[] PORTS = new int[NODES.length];
    private static final AgentProcess[] AGENTS = new AgentProcess[NODES.length];
    private static Path dir;
    private static AgentProcess relay;
    private static int relayPort;
    private static ManagedChannel channel;
    private static ObserverGrpc.ObserverBlockingStub observer;
    /**
     * How long the relay holds a path for older ones. A node streams a path a few hundred ms after
     * it entered (its rings are read at most 100 ms apart, and a path ends when its skb is freed),
     * more on a busy machine: the wait must outlast that for the merge to have something to order.
     */
    private static final long DRAIN_MS = 2000;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("rxpath-relay");
        for (int i = 0; i < NODES.length; i++) PORTS[i] = freePort();
        for (int i = 0; i < NODES.length; i++) AGENTS[i] = agent(i);
        for (AgentProcess a : AGENTS) a.awaitAttached();
        relayPort = freePort();
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:" + relayPort, "--poll-interval", "200", "--drain-timeout", String.valueOf(DRAIN_MS)));
        for (int p : PORTS) args.addAll(List.of("--peer", "127.0.0.1:" + p));
        relay = AgentProcess.start(AgentProcess.command("relay", args.toArray(String[]::new)));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", relayPort).usePlaintext().build();
        observer = ObserverGrpc.newBlockingStub(channel);
        KernelTests.await("the relay to connect its three nodes", 30_000, () -> connected(status()) == NODES.length);
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) channel.shutdownNow();
        if (relay != null) relay.close();
        for (AgentProcess a : AGENTS) if (a != null) a.close();
    }

    private static AgentProcess agent(int i) throws Exception {
        return AgentProcess.agent("--node-name", NODES[i], "--listen", "127.0.0.1:" + PORTS[i], "--socket", dir.resolve(NODES[i] + ".sock").toString(),
                "--paths", "all");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static ServerStatusResponse status() {
        try {
            return observer.withDeadlineAfter(5, TimeUnit.SECONDS).serverStatus(ServerStatusRequest.getDefaultInstance());
        } catch (RuntimeException e) {
            return ServerStatusResponse.getDefaultInstance();
        }
    }

    private static long connected(ServerStatusResponse s) {
        return s.getNodesList().stream().filter(n -> n.getState() == NodeState.NODE_STATE_CONNECTED).count();
    }

    /** A followed GetPaths through the relay, collecting what arrives. */
    private static final class Follow implements AutoCloseable {
        final List<GetPathsResponse> got = new CopyOnWriteArrayList<>();
        /** When each of {@code got} reached this client, wall-clock nanoseconds (added first, so never shorter than it). */
        final List<Long> arrived = new CopyOnWriteArrayList<>();
        private final ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", relayPort).usePlaintext().build();
        private final io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();

        Follow() {
            // only paths this test's sockets read: the nodes also see the relay's own streams, whose paths
            // would otherwise flow back through it and crowd the sort buffer
            GetPathsRequest request = GetPathsRequest.newBuilder().setFollow(true)
                    .addWhitelist(PathFilter.newBuilder().addPid((int) ProcessHandle.current().pid())).build();
            context.run(() -> ObserverGrpc.newStub(ch).getPaths(request, new StreamObserver<>() {
                @Override
                public void onNext(GetPathsResponse r) {
                    arrived.add(wallNanos());
                    got.add(r);
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {}
            }));
        }

        List<GetPathsResponse> paths(Predicate<GetPathsResponse> which) {
            return got.stream().filter(GetPathsResponse::hasPath).filter(which).toList();
        }

        /** The chosen paths in the order they came, each with when it reached this client. */
        List<Arrival> arrivals(Predicate<GetPathsResponse> which) {
            List<GetPathsResponse> all = List.copyOf(got);
            List<Arrival> chosen = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).hasPath() && which.test(all.get(i))) chosen.add(new Arrival(all.get(i), arrived.get(i)));
            }
            return chosen;
        }

        boolean event(NodeState state, String node) {
            return got.stream().anyMatch(r -> r.hasNodeStatus() && r.getNodeStatus().getState() == state
                    && r.getNodeStatus().getNodeNamesList().contains(node));
        }

        @Override
        public void close() {
            context.cancel(null);
            ch.shutdownNow();
        }
    }

    private static Map<String, Long> pathsByNode(List<GetPathsResponse> paths) {
        return paths.stream().collect(Collectors.groupingBy(GetPathsResponse::getNodeName, Collectors.counting()));
    }

    @Test
    void everyNodesPathsArriveMergedByTimeAndNamedAndFlowsAndStatusAdd() throws Exception {
        Traffic.Transfer t;
        try (Follow follow = new Follow()) {
            KernelTests.await("the stream to say which nodes it has", 10_000, () -> follow.event(NodeState.NODE_STATE_CONNECTED, "node-a"));
            t = Traffic.loopback(InetAddress.getLoopbackAddress(), 200_000);
            Predicate<GetPathsResponse> ours = r -> r.getPath().getEndpoints().getLocalPort() == t.serverPort();
            KernelTests.await("the connection's paths from every node", 20_000, () -> pathsByNode(follow.paths(ours)).size() == NODES.length);
            // The relay holds a path until it is older than the drain timeout, so the paths come in the order
            // they entered their nodes, except one that reached the relay after a newer one had waited that
            // out: such a path goes on at once rather than wait for nothing (on a busy machine, or one whose
            // segments sat unread). So every older path after a newer one reached this client at least the
            // drain timeout after the newer one entered (the nodes share this machine's clock).
            List<Arrival> came = follow.arrivals(ours);
            long newest = Long.MIN_VALUE;
            for (int i = 0; i < came.size(); i++) {
                long entered = entered(came.get(i).response());
                if (entered < newest) {
                    assertTrue(came.get(i).atNs() >= newest + TimeUnit.MILLISECONDS.toNanos(DRAIN_MS),
                            "path " + i + " came before the newer one had waited out the drain timeout: " + (came.get(i).atNs() - newest) / 1_000_000 + " ms");
                }
                newest = Math.max(newest, entered);
            }
            Map<String, Long> byNode = pathsByNode(follow.paths(ours));
            assertEquals(java.util.Set.of(NODES), byNode.keySet(), byNode.toString());
        }

        // one snapshot of every node's flows, each naming its node (counted once each agent has read its kernel's counters)
        GetFlowsRequest ofOurs = GetFlowsRequest.newBuilder().addWhitelist(FlowFilter.newBuilder().addLocalPort(t.serverPort())
                .addRemotePort(t.clientPort()).setClosed(true)).build();
        KernelTests.await("every node's flow to count the bytes read", 10_000, () -> {
            GetFlowsResponse f = observer.getFlows(ofOurs).next();
            return f.getFlowsCount() == NODES.length && f.getFlowsList().stream().allMatch(x -> x.getBytesDelivered() == t.bytesRead());
        });
        GetFlowsResponse flows = observer.getFlows(ofOurs).next();
        assertEquals("relay", flows.getNodeName());
        assertEquals(NODES.length, flows.getTotal(), flows.toString());
        assertEquals(java.util.Set.of(NODES), flows.getFlowsList().stream().map(Flow::getNodeName).collect(Collectors.toSet()));
        GetFlowsResponse onlyB = observer.getFlows(GetFlowsRequest.newBuilder().addWhitelist(FlowFilter.newBuilder()
                .addLocalPort(t.serverPort()).addRemotePort(t.clientPort()).setClosed(true).addNodeName("node-b")).build()).next();
        assertEquals(List.of("node-b"), onlyB.getFlowsList().stream().map(Flow::getNodeName).toList());

        // the relay's counters are the nodes' sums: each node's, read first, only grows
        long received = 0, uptimeSeconds = 0;
        for (int p : PORTS) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", p).usePlaintext().build();
            try {
                ServerStatusResponse s = ObserverGrpc.newBlockingStub(ch).serverStatus(ServerStatusRequest.getDefaultInstance());
                received += s.getRecordsReceived();
                uptimeSeconds = Math.max(uptimeSeconds, s.getUptime().getSeconds());
            } finally {
                ch.shutdownNow();
            }
        }
        ServerStatusResponse sum = status();
        assertEquals(NODES.length, connected(sum), sum.toString());
        assertTrue(sum.getRecordsReceived() >= received, sum.getRecordsReceived() + " >= " + received);
        assertTrue(sum.getUptime().getSeconds() >= uptimeSeconds, "the oldest node's uptime");
        assertTrue(sum.getHooksList().isEmpty());
    }

    @Test
    void aNodeThatDiesIsNamedWithWhyAndComesBackWhenItRestarts() throws Exception {
        try (Follow follow = new Follow()) {
            KernelTests.await("the stream to start", 10_000, () -> follow.event(NodeState.NODE_STATE_CONNECTED, "node-c"));
            AGENTS[2].process.destroyForcibly();
            assertTrue(AGENTS[2].process.waitFor(20, TimeUnit.SECONDS));
            KernelTests.await("node-c named unavailable", 15_000, () -> follow.event(NodeState.NODE_STATE_UNAVAILABLE, "node-c"));
            GetPathsResponse gone = follow.got.stream().filter(r -> r.hasNodeStatus() && r.getNodeStatus().getState() == NodeState.NODE_STATE_UNAVAILABLE)
                    .findFirst().orElseThrow();
            assertFalse(gone.getNodeStatus().getMessage().isEmpty(), "why: " + gone);
            ServerStatusResponse down = status();
            NodeStatus c = down.getNodesList().stream().filter(n -> n.getName().equals("node-c")).findFirst().orElseThrow();
            assertEquals(NodeState.NODE_STATE_UNAVAILABLE, c.getState(), down.toString());
            assertFalse(c.getMessage().isEmpty());
            assertEquals(NODES.length - 1, connected(down));

            // the stream goes on with the others
            Traffic.Transfer during = Traffic.loopback(InetAddress.getLoopbackAddress(), 50_000);
            KernelTests.await("node-a's and node-b's paths after node-c left", 20_000, () -> pathsByNode(follow.paths(
                    r -> r.getPath().getEndpoints().getLocalPort() == during.serverPort())).keySet().containsAll(List.of("node-a", "node-b")));

            AGENTS[2] = agent(2);
            AGENTS[2].awaitAttached();
            KernelTests.await("node-c connected again", 20_000, () -> follow.got.stream().filter(r -> r.hasNodeStatus()
                    && r.getNodeStatus().getState() == NodeState.NODE_STATE_CONNECTED && r.getNodeStatus().getNodeNamesList().contains("node-c")).count() >= 2);
            Traffic.Transfer after = Traffic.loopback(InetAddress.getLoopbackAddress(), 50_000);
            KernelTests.await("node-c's paths again", 20_000, () -> pathsByNode(follow.paths(
                    r -> r.getPath().getEndpoints().getLocalPort() == after.serverPort())).containsKey("node-c"));
            // one event per change: node-c left once and came back once
            assertEquals(1, follow.got.stream().filter(r -> r.hasNodeStatus() && r.getNodeStatus().getState() == NodeState.NODE_STATE_UNAVAILABLE
                    && r.getNodeStatus().getNodeNamesList().contains("node-c")).count(), follow.got.stream().filter(GetPathsResponse::hasNodeStatus).toList().toString());
        }
        ServerStatusResponse back = status();
        assertEquals(NODES.length, connected(back), back.toString());
        NodeStatus c = back.getNodesList().stream().filter(n -> n.getName().equals("node-c")).findFirst().orElseThrow();
        assertTrue(c.getUptime().getSeconds() < 60, "node-c counts from its restart: " + c);
    }

    /** Peers from DNS: every address of the name is a node (here localhost: node-a's loopback listener). */
    @Test
    void peersFromDnsAreEveryAddressOfTheName() throws Exception {
        int port = freePort();
        AgentProcess dnsRelay = AgentProcess.start(AgentProcess.command("relay", "--peers-dns", "localhost:" + PORTS[0],
                "--listen", "127.0.0.1:" + port, "--poll-interval", "200", "--dns-interval", "500"));
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            var stub = ObserverGrpc.newBlockingStub(ch);
            KernelTests.await("node-a through DNS", 20_000, () -> {
                try {
                    return stub.serverStatus(ServerStatusRequest.getDefaultInstance()).getNodesList().stream()
                            .anyMatch(n -> n.getName().equals("node-a") && n.getState() == NodeState.NODE_STATE_CONNECTED);
                } catch (RuntimeException e) {
                    return false;
                }
            });
            ServerStatusResponse s = stub.serverStatus(ServerStatusRequest.getDefaultInstance());
            for (NodeStatus n : s.getNodesList()) {
                assertTrue(n.getAddress().endsWith(":" + PORTS[0]), n.toString());
                // localhost may also be ::1, where no agent listens: named with why
                if (!n.getName().equals("node-a")) assertFalse(n.getMessage().isEmpty(), n.toString());
            }
            assertTrue(s.getNodesList().stream().anyMatch(n -> n.getAddress().equals("127.0.0.1:" + PORTS[0])), s.toString());
        } finally {
            ch.shutdownNow();
            dnsRelay.close();
        }
    }

    /** Off loopback the relay will not speak plaintext: it says so and exits with a usage error. */
    @Test
    void aPlaintextPeerOffLoopbackIsRefused() throws Exception {
        Process p = AgentProcess.command("relay", "--peer", "10.255.0.1:4244").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), text);
        assertTrue(text.contains("--peer 10.255.0.1:4244 is not a loopback address: plaintext is refused, give --tls-ca"), text);
    }

    private record Arrival(GetPathsResponse response, long atNs) {}

    private static long wallNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static long entered(GetPathsResponse r) {
        var t = r.getPath().getStages(0).getTime();
        return t.getSeconds() * 1_000_000_000L + t.getNanos();
    }
}
