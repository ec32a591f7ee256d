package dev.rxpath.agent.export;

import dev.rxpath.agent.KernelTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.Agent;
import dev.rxpath.agent.KernelTests;
import dev.rxpath.agent.PathCollector;
import dev.rxpath.agent.Pipeline;
import dev.rxpath.agent.containers.Containers;
import dev.rxpath.agent.Traffic;
import dev.rxpath.agent.bcc.BpfSource;
import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.probe.KernelProbe;
import dev.rxpath.agent.probe.ReceiveHooks;
import dev.rxpath.api.v1.GetFlowsRequest;
import dev.rxpath.api.v1.GetFlowsResponse;
import dev.rxpath.api.v1.GetPathsRequest;
import dev.rxpath.api.v1.GetPathsResponse;
import dev.rxpath.api.v1.ObserverGrpc;
import dev.rxpath.api.v1.PathFilter;
import dev.rxpath.api.v1.ServerStatusRequest;
import dev.rxpath.api.v1.ServerStatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Observer API of a real agent, over a real Unix socket, while real loopback traffic flows. */
@KernelTest
class ObserverServerKernelTest {
    @TempDir
    static Path dir;
    private static Agent agent;
    private static Pipeline pipeline;
    private static AgentServer server;
    private static ManagedChannel channel;
    private static EpollEventLoopGroup clientLoop;
    private static Path socket;

    @BeforeAll
    static void start() throws Exception {
        ReceiveHooks hooks = ReceiveHooks.attach(KernelProbe.scan(), BpfSource.packaged(), ReceiveHooks.Options.ALL_PATHS);
        KernelClock clock = new KernelClock();
        // a small subscriber queue, so that a client that stops reading overflows it quickly
        ObserverHub hub = new ObserverHub(1000, new PathCollector());
        pipeline = Pipeline.observing(hooks, Pipeline.Limits.DEFAULT, hub);
        agent = Agent.start(hooks, Agent.Options.DEFAULT, pipeline, r -> r);
        socket = dir.resolve("rxpath.sock");
        server = AgentServer.start(new ObserverService(ObservedNode.of(agent), pipeline, hub, clock, Containers.ofHost(null), "test-node", 64, null), socket, null,
                new java.net.InetSocketAddress("127.0.0.1", 0));
        clientLoop = new EpollEventLoopGroup(1);
        channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toFile())).eventLoopGroup(clientLoop)
                .channelType(EpollDomainSocketChannel.class).usePlaintext().build();
    }

    @AfterAll
    static void stop() {
        if (channel != null) channel.shutdownNow();
        if (clientLoop != null) clientLoop.shutdownGracefully();
        if (server != null) server.close();
        if (agent != null) agent.close();
    }

    private static ObserverGrpc.ObserverBlockingStub stub() {
        return ObserverGrpc.newBlockingStub(channel);
    }

    private static PathFilter toPort(int port) {
        return PathFilter.newBuilder().addLocalPort(port).build();
    }

    @Test
    void healthAndReflectionAreServed() throws Exception {
        var health = io.grpc.health.v1.HealthGrpc.newBlockingStub(channel)
                .check(io.grpc.health.v1.HealthCheckRequest.newBuilder().setService("rxpath.v1.Observer").build());
        assertEquals(io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING, health.getStatus());

        var services = new java.util.concurrent.CompletableFuture<List<String>>();
        var requests = io.grpc.reflection.v1.ServerReflectionGrpc.newStub(channel).serverReflectionInfo(
                new io.grpc.stub.StreamObserver<io.grpc.reflection.v1.ServerReflectionResponse>() {
                    @Override
                    public void onNext(io.grpc.reflection.v1.ServerReflectionResponse r) {
                        services.complete(r.getListServicesResponse().getServiceList().stream()
                                .map(io.grpc.reflection.v1.ServiceResponse::getName).toList());
                    }

                    @Override
                    public void onError(Throwable t) {
                        services.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {}
                });
        requests.onNext(io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("").build());
        List<String> names = services.get(10, TimeUnit.SECONDS);
        requests.onCompleted();
        assertTrue(names.contains("rxpath.v1.Observer") && names.contains("grpc.health.v1.Health"), names.toString());
    }

    /** The kubelet's gRPC probe speaks plaintext TCP: the health-only listener answers it, and serves nothing else. */
    @Test
    void theHealthOnlyListenerAnswersProbesAndNothingElse() {
        ManagedChannel probe = NettyChannelBuilder.forAddress("127.0.0.1", server.healthPort()).usePlaintext().build();
        try {
            var health = io.grpc.health.v1.HealthGrpc.newBlockingStub(probe).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance());
            assertEquals(io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
            var refused = org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class, () -> ObserverGrpc.newBlockingStub(probe)
                    .withDeadlineAfter(10, TimeUnit.SECONDS).serverStatus(dev.rxpath.api.v1.ServerStatusRequest.getDefaultInstance()));
            assertEquals(io.grpc.Status.Code.UNIMPLEMENTED, refused.getStatus().getCode());
        } finally {
            probe.shutdownNow();
        }
    }

    @Test
    void theSocketIsGroupReadableOnly() throws Exception {
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    }

    @Test
    void lastNPathsOfOneConnectionAndItsFlow() throws Exception {
        Traffic.Transfer t = Traffic.loopback(InetAddress.getLoopbackAddress(), 200_000);
        Thread.sleep(3000); // paths close at their END or the 1 s path timeout
        List<GetPathsResponse> got = new ArrayList<>();
        stub().getPaths(GetPathsRequest.newBuilder().setNumber(5).addWhitelist(toPort(t.serverPort())).build()).forEachRemaining(got::add);
        assertEquals(5, got.size(), got.toString());
        for (GetPathsResponse r : got) {
            assertEquals("test-node", r.getNodeName());
            assertEquals(t.serverPort(), r.getPath().getEndpoints().getLocalPort(), r.toString());
        }
        // a blacklist subtracts
        List<GetPathsResponse> none = new ArrayList<>();
        stub().getPaths(GetPathsRequest.newBuilder().setNumber(5).addWhitelist(toPort(t.serverPort()))
                .addBlacklist(PathFilter.newBuilder().addRemotePort(t.clientPort())).build()).forEachRemaining(none::add);
        assertTrue(none.isEmpty(), none.toString());

        GetFlowsResponse flows = stub().getFlows(GetFlowsRequest.newBuilder().addWhitelist(
                dev.rxpath.api.v1.FlowFilter.newBuilder().addLocalPort(t.serverPort()).addRemotePort(t.clientPort()).setClosed(true)).build()).next();
        assertEquals(1, flows.getFlowsCount(), flows.toString());
        assertEquals(200_000, flows.getFlows(0).getBytesDelivered());
        assertEquals(t.readerPid(), flows.getFlows(0).getReader().getPid());
    }

    /** --tcp-flags: a SYN, a SYN with ACK (either direction's handshake), and a flag no segment of it had. */
    @Test
    void pathsAreFoundByTheirTcpFlags() throws Exception {
        Traffic.Transfer t = Traffic.loopback(InetAddress.getLoopbackAddress(), 20_000);
        Thread.sleep(3000);
        PathFilter.Builder between = PathFilter.newBuilder().addLocalPort(t.serverPort()).addLocalPort(t.clientPort())
                .addRemotePort(t.serverPort()).addRemotePort(t.clientPort());
        List<GetPathsResponse> syns = new ArrayList<>(), handshake = new ArrayList<>(), urgent = new ArrayList<>();
        stub().getPaths(GetPathsRequest.newBuilder().setNumber(100).addWhitelist(between.clone().addTcpFlags("SYN")).build())
                .forEachRemaining(syns::add);
        stub().getPaths(GetPathsRequest.newBuilder().setNumber(100).addWhitelist(between.clone().addTcpFlags("syn,ack")).build())
                .forEachRemaining(handshake::add);
        stub().getPaths(GetPathsRequest.newBuilder().setNumber(100).addWhitelist(between.clone().addTcpFlags("URG")).build())
                .forEachRemaining(urgent::add);
        assertEquals(2, syns.size(), "the SYN and the SYN-ACK: " + syns);
        assertEquals(1, handshake.size(), handshake.toString());
        assertEquals(t.serverPort(), handshake.get(0).getPath().getEndpoints().getRemotePort(), "the SYN-ACK comes from the server");
        assertEquals(0x12, handshake.get(0).getPath().getTcp().getFlags());
        assertTrue(urgent.isEmpty(), urgent.toString());
    }

    @Test
    void followSendsNewPathsThatMatch() throws Exception {
        Iterator<GetPathsResponse> stream = stub().withDeadlineAfter(60, TimeUnit.SECONDS).getPaths(GetPathsRequest.newBuilder().setFollow(true)
                .addWhitelist(PathFilter.newBuilder().addVerdict(dev.rxpath.api.v1.Verdict.VERDICT_DELIVERED)
                        .addVerdict(dev.rxpath.api.v1.Verdict.VERDICT_MERGED)).build());
        // The server takes the subscription asynchronously: one transfer may finish all its paths before
        // it is registered, so transfers go on until the stream has its first path.
        List<Traffic.Transfer> transfers = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread traffic = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    transfers.add(Traffic.loopback(InetAddress.getLoopbackAddress(), 50_000));
                    Thread.sleep(200);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "transfers");
        traffic.start();
        GetPathsResponse first;
        try {
            first = stream.next();
        } finally {
            traffic.interrupt();
            traffic.join();
        }
        assertTrue(first.hasPath(), first.toString());
        assertTrue(first.getPath().getCopied() > 0 || first.getPath().getPayload() > 0, first.toString());
        assertFalse(transfers.isEmpty());
        for (Traffic.Transfer t : transfers) assertEquals(50_000, t.bytesRead());
    }

    /**
     * A follower that stops reading while 3 MB and 300 short connections go by: its transport
     * fills, its 64-path queue overflows, the pipeline goes on (the traffic's flow is complete
     * meanwhile), and when it reads again
     * it is told in band how many paths it missed, as is ServerStatus.
     */
    @Test
    void aSubscriberThatStopsReadingIsToldWhatItLostAndDoesNotSlowTheAgent() throws Exception {
        // the smallest HTTP/2 window, so that the unread stream backs up into the agent's queue at once
        ManagedChannel slow = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toFile())).eventLoopGroup(clientLoop)
                .channelType(EpollDomainSocketChannel.class).usePlaintext().flowControlWindow(65_535).build();
        try {
            Iterator<GetPathsResponse> stream = ObserverGrpc.newBlockingStub(slow).withDeadlineAfter(60, TimeUnit.SECONDS)
                    .getPaths(GetPathsRequest.newBuilder().setFollow(true).build());
            readAfterAPause(stream);
        } finally {
            slow.shutdownNow();
        }
    }

    private static void readAfterAPause(Iterator<GetPathsResponse> stream) throws Exception {
        Traffic.Transfer t = Traffic.loopback(InetAddress.getLoopbackAddress(), 3_000_000);
        Thread.sleep(3000);
        long delivered = stub().getFlows(GetFlowsRequest.newBuilder().addWhitelist(dev.rxpath.api.v1.FlowFilter.newBuilder()
                .addLocalPort(t.serverPort()).addRemotePort(t.clientPort()).setClosed(true)).build()).next().getFlows(0).getBytesDelivered();
        assertEquals(3_000_000, delivered, "the pipeline kept up while the subscriber did not read");
        // many small paths: 300 short connections
        for (int i = 0; i < 300; i++) Traffic.loopback(InetAddress.getLoopbackAddress(), 1000);
        Thread.sleep(3000);
        long lost = 0;
        for (int i = 0; i < 100_000 && lost == 0; i++) {
            GetPathsResponse r = stream.next();
            if (r.hasLost()) {
                assertEquals(dev.rxpath.api.v1.LostSource.LOST_SOURCE_SUBSCRIBER_QUEUE, r.getLost().getSource());
                lost = r.getLost().getCount();
            }
        }
        assertTrue(lost > 0, "a LostEvent in the stream");
        assertTrue(stub().serverStatus(ServerStatusRequest.getDefaultInstance()).getSubscriberLost() >= lost);
    }

    @Test
    void statusNamesTheKernelHooksAndCounters() throws Exception {
        ServerStatusResponse s = stub().serverStatus(ServerStatusRequest.getDefaultInstance());
        assertEquals(System.getProperty("os.version"), s.getKernelRelease());
        assertTrue(s.getHooksList().stream().anyMatch(h -> h.getHook().equals("net:netif_receive_skb") && h.getAttached()
                && h.getMechanism().equals("raw_tracepoint")), s.toString());
        // every record the programs submitted is received or counted lost, once those still in the rings are read
        KernelTests.await("records received or counted lost", 5000, () -> {
            ServerStatusResponse now = stub().serverStatus(ServerStatusRequest.getDefaultInstance());
            return now.getRecordsReceived() >= now.getRecordsSubmitted() - now.getLostList().stream().mapToLong(l -> l.getCount()).sum();
        });
        assertTrue(s.getUptime().getNanos() > 0 || s.getUptime().getSeconds() > 0);
    }

    /**
     * The node's DEV -> socket histogram counts every segment, in the kernel: 200 round trips on
     * a loopback connection are at least 400 segments more, in buckets that add up to the count.
     */
    @Test
    void theEverySegmentHistogramCountsEverySegment() throws Exception {
        long before = everySegment().getCount();
        int exchanges = 200;
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             java.net.Socket client = new java.net.Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             java.net.Socket server = listener.accept()) {
            client.setTcpNoDelay(true);
            server.setTcpNoDelay(true);
            for (int i = 0; i < exchanges; i++) {
                client.getOutputStream().write(i);
                server.getOutputStream().write(server.getInputStream().read());
                assertEquals(i & 0xff, client.getInputStream().read());
            }
        }
        KernelTests.await("the exchanges' segments counted", 5000, () -> everySegment().getCount() - before >= 2L * exchanges);
        dev.rxpath.api.v1.LatencySummary after = everySegment();
        assertEquals(after.getCount(), after.getBucketsList().stream().mapToLong(dev.rxpath.api.v1.LatencyBucket::getCount).sum(),
                "the buckets add up to the count: " + after);
        for (dev.rxpath.api.v1.LatencyBucket b : after.getBucketsList()) {
            long bound = com.google.protobuf.util.Durations.toNanos(b.getUpperBound());
            assertEquals(1, Long.bitCount(bound), "a power of two nanoseconds: " + b);
        }
        long p50 = com.google.protobuf.util.Durations.toNanos(after.getP50());
        assertTrue(p50 > 0 && p50 < 1_000_000_000L, "a loopback segment's DEV -> socket time: " + after.getP50());
    }

    private static dev.rxpath.api.v1.LatencySummary everySegment() {
        return stub().serverStatus(ServerStatusRequest.getDefaultInstance()).getLatencyList().stream()
                .filter(l -> l.getSource() == dev.rxpath.api.v1.LatencySource.LATENCY_SOURCE_EVERY_SEGMENT).findFirst()
                .orElseThrow(() -> new AssertionError("no every-segment latency in the status")).getSummary();
    }

    @Test
    void malformedFiltersAreInvalidArgumentNamingTheField() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub().getPaths(GetPathsRequest.newBuilder()
                .setNumber(1).addWhitelist(PathFilter.newBuilder().addRemoteIp("10.0.0.0/33")).build()).hasNext());
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("whitelist[0].remote_ip: "), e.getStatus().getDescription());

        StatusRuntimeException port = assertThrows(StatusRuntimeException.class, () -> stub().getFlows(GetFlowsRequest.newBuilder()
                .addBlacklist(dev.rxpath.api.v1.FlowFilter.newBuilder().addLocalPort(70000)).build()).hasNext());
        assertEquals(Status.Code.INVALID_ARGUMENT, port.getStatus().getCode());
        assertTrue(port.getStatus().getDescription().startsWith("blacklist[0].local_port: "), port.getStatus().getDescription());
        assertFalse(port.getStatus().getDescription().isEmpty());

        StatusRuntimeException flag = assertThrows(StatusRuntimeException.class, () -> stub().getPaths(GetPathsRequest.newBuilder()
                .setNumber(1).addWhitelist(PathFilter.newBuilder().addTcpFlags("SYN,FOO")).build()).hasNext());
        assertEquals(Status.Code.INVALID_ARGUMENT, flag.getStatus().getCode());
        assertEquals("whitelist[0].tcp_flags: unknown TCP flag \"FOO\" (one of FIN, SYN, RST, PSH, ACK, URG, ECE, CWR)",
                flag.getStatus().getDescription());

        for (String pod : List.of("shop/", "/web", "a/b/c", "")) {
            StatusRuntimeException named = assertThrows(StatusRuntimeException.class, () -> stub().getFlows(GetFlowsRequest.newBuilder()
                    .addWhitelist(dev.rxpath.api.v1.FlowFilter.newBuilder().addPod(pod)).build()).hasNext());
            assertEquals(Status.Code.INVALID_ARGUMENT, named.getStatus().getCode());
            assertEquals("whitelist[0].pod: \"" + pod + "\" is not [namespace/]name", named.getStatus().getDescription());
        }

        for (String node : List.of("", "a*b", "**")) {
            StatusRuntimeException named = assertThrows(StatusRuntimeException.class, () -> stub().getPaths(GetPathsRequest.newBuilder()
                    .setNumber(1).addBlacklist(PathFilter.newBuilder().addNodeName(node)).build()).hasNext());
            assertEquals(Status.Code.INVALID_ARGUMENT, named.getStatus().getCode());
            assertEquals("blacklist[0].node_name: \"" + node + "\" is not a node name or a prefix ending in *", named.getStatus().getDescription());
        }
    }

    /** A node filter is matched against the agent's own name: exactly, or by a prefix before "*". */
    @Test
    void aNodeFilterMatchesThisNodeOrNothing() {
        GetFlowsRequest.Builder all = GetFlowsRequest.newBuilder().addWhitelist(dev.rxpath.api.v1.FlowFilter.newBuilder().setClosed(true));
        long flows = stub().getFlows(all.build()).next().getTotal();
        assertTrue(flows > 0, "the agent has flows");
        for (String mine : List.of("test-node", "test-*", "*")) {
            var r = stub().getFlows(GetFlowsRequest.newBuilder().addWhitelist(dev.rxpath.api.v1.FlowFilter.newBuilder().setClosed(true)
                    .addNodeName("elsewhere").addNodeName(mine)).build()).next();
            assertTrue(r.getTotal() > 0, mine);
            assertTrue(r.getFlowsList().stream().allMatch(f -> f.getNodeName().equals("test-node")), mine);
        }
        assertEquals(0, stub().getFlows(GetFlowsRequest.newBuilder().addWhitelist(dev.rxpath.api.v1.FlowFilter.newBuilder().setClosed(true)
                .addNodeName("test-nodes")).build()).next().getTotal());
    }
}
