package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.flow.Flow;
import dev.rxpath.agent.flow.FlowTable;
import dev.rxpath.agent.path.CloseReason;
import dev.rxpath.agent.path.PathCorrelator;
import dev.rxpath.agent.path.PathStats;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.path.Verdict;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real traffic through the real hooks into paths and flows. */
@KernelTest
class PathsAndFlowsKernelTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private RunningAgent running;
    private PathCollector out;
    private Pipeline pipeline;

    private void start(Pipeline.Limits limits) {
        running = RunningAgent.start(limits);
        out = running.out;
        pipeline = running.pipeline;
    }

    private void settleAndStop() throws InterruptedException {
        running.settleAndClose();
    }

    @AfterEach
    void stop() {
        if (running != null) running.close();
    }

    private <T> T inspect(Function<Pipeline, T> question) throws Exception {
        return running.inspect(question);
    }

    /** A condition on the pipeline's state, asked on its thread (the kernel's counters reach flows at each read of the map). */
    private boolean holds(Function<Pipeline, Boolean> condition) {
        try {
            return inspect(condition);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Flow serverFlow(Traffic.Transfer t) {
        List<Flow> found = pipeline.flows().flows().stream().filter(f -> f.endpoints() != null
                && f.endpoints().localPort() == t.serverPort() && f.endpoints().remotePort() == t.clientPort()).toList();
        assertEquals(1, found.size(), "one flow for the server's socket");
        return found.get(0);
    }

    /** What every delivered transfer must show, over any address family and device. */
    private void assertDeliveredExactly(Traffic.Transfer t, long total, Flow flow) {
        assertEquals(total, t.bytesRead());
        assertEquals(total, flow.bytesDelivered(), "bytes the flow says the application read");
        assertEquals(t.readerPid(), flow.reader().tgid(), "the reading process");
        List<ReceivePath> payload = out.toPort(t.serverPort()).stream().filter(PathCollector::carriedPayload).toList();
        assertFalse(payload.isEmpty());
        for (ReceivePath p : payload) {
            for (int i = 1; i < p.stages().size(); i++) {
                assertTrue(p.stages().get(i - 1).tsNs() <= p.stages().get(i).tsNs(), "stages in timestamp order: " + p);
            }
            assertTrue(p.verdict() == Verdict.DELIVERED || p.verdict() == Verdict.MERGED, p.toString());
            assertNotNull(p.stage(Stage.USER), "time to the application: " + p);
            assertEquals(t.readerPid(), p.reader().tgid(), p.toString());
            assertEquals(flow.sk(), p.sk());
        }
        assertEquals(payload.size(), flow.paths(Verdict.DELIVERED) + flow.paths(Verdict.MERGED), "the flow counted each payload path");

        PathStats s = pipeline.paths().stats();
        assertEquals(out.paths.size(), s.paths(), "every path finished is counted once, by verdict");
        Map<Verdict, Long> seen = out.paths.stream().collect(Collectors.groupingBy(ReceivePath::verdict, Collectors.counting()));
        for (Verdict v : Verdict.values()) assertEquals(seen.getOrDefault(v, 0L), s.verdict(v), v.name());
        assertEquals(0, out.lost.get(), "records lost");
    }

    @Test
    void aLoopbackTransferIsDeliveredExactlyAndEveryPayloadPathIsTimedToTheApplication() throws Exception {
        start(Pipeline.Limits.DEFAULT);
        int total = 3_000_000;
        Traffic.Transfer t = Traffic.loopback(LOOPBACK, total);
        settleAndStop();
        Flow flow = serverFlow(t);
        assertDeliveredExactly(t, total, flow);
        assertTrue(flow.bytesReceived() >= total, "received " + flow.bytesReceived());
        assertTrue(flow.segments() > 0);
        assertTrue(flow.states().stream().anyMatch(c -> c.to().equals("TCP_ESTABLISHED")), flow.states().toString());
        assertNotNull(flow.latency(Stage.USER), "socket-queue latency histogram");
        assertTrue(flow.toApplication().getTotalCount() > 0);
        assertTrue(flow.srttUs() > 0 && flow.rcvWnd() > 0, "tcp_probe's RTT and window");
    }

    @Test
    void anIpv6TransferOverLoopbackIsDeliveredExactly() throws Exception {
        start(Pipeline.Limits.DEFAULT);
        int total = 500_000;
        Traffic.Transfer t = Traffic.loopback(InetAddress.getByName("::1"), total);
        settleAndStop();
        Flow flow = serverFlow(t);
        assertEquals(10, flow.endpoints().family());
        assertTrue(flow.endpoints().local() instanceof Inet6Address && flow.endpoints().local().isLoopbackAddress(),
                flow.endpoints().toString());
        assertDeliveredExactly(t, total, flow);
    }

    @Test
    void aReceiverThatStopsReadingLeavesItsPathsQueuedWithGrowingQueueTime() throws Exception {
        long queueTimeoutNs = 3_000_000_000L;
        PathCorrelator.Limits d = PathCorrelator.Limits.DEFAULT;
        start(new Pipeline.Limits(new PathCorrelator.Limits(d.maxPaths(), d.pathTimeoutNs(), queueTimeoutNs, d.maxSockets()),
                FlowTable.Limits.DEFAULT));
        int sent = 100_000;
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK);
             Socket client = new Socket(LOOPBACK, server.getLocalPort());
             Socket stalled = server.accept()) {
            int port = server.getLocalPort();
            OutputStream o = client.getOutputStream();
            for (int i = 0; i < sent / 1000; i++) o.write(new byte[1000]);

            Thread.sleep(300);
            Map<Long, Long> first = queuedAt(port);
            Thread.sleep(700);
            Map<Long, Long> later = queuedAt(port);
            assertFalse(first.isEmpty(), "paths waiting in the socket");
            for (Map.Entry<Long, Long> e : first.entrySet()) {
                assertTrue(later.get(e.getKey()) >= e.getValue() + 600_000_000L, "queue time grows: " + e.getValue() + " then " + later.get(e.getKey()));
            }
            KernelTests.await("the flow's unread bytes, from the kernel's counters", 3000, () -> holds(p -> sent == p.flows().flows().stream()
                    .filter(f -> f.endpoints() != null && f.endpoints().localPort() == port).mapToLong(Flow::bytesQueued).sum()));

            KernelTests.await("the queue timeout to close them as QUEUED", 10_000, () -> out.toPort(port).stream()
                    .filter(p -> p.verdict() == Verdict.QUEUED).count() == first.size());
            for (ReceivePath p : out.toPort(port)) {
                if (p.verdict() != Verdict.QUEUED) continue;
                assertTrue(p.queuedNs() >= queueTimeoutNs, "waited out the queue timeout: " + p);
                assertEquals(null, p.stage(Stage.USER));
                // its own skb was still in the queue (expired with the wait), or merged into another and its address reused
                assertTrue(p.closedBy() == CloseReason.EXPIRED || p.closedBy() == CloseReason.REUSED, p.toString());
            }
            assertEquals(sent, stalled.getInputStream().available(), "the data really was still unread");
        }
    }

    /**
     * Waiting paths of the connection to {@code port}: when each entered → its socket-queue time so far.
     * (Not by skb: a merged skb's address is reused at once, while its payload still waits.)
     */
    private Map<Long, Long> queuedAt(int port) throws Exception {
        return inspect(p -> p.paths().queued(System.nanoTime()).stream()
                .filter(q -> q.endpoints().localPort() == port)
                .peek(q -> assertEquals(Verdict.QUEUED, q.verdict()))
                .collect(Collectors.toMap(ReceivePath::firstNs, ReceivePath::queuedNs)));
    }

    @Test
    void aConnectionToAClosedPortEndsInAResetWithTheKernelsReasons() throws Exception {
        start(Pipeline.Limits.DEFAULT);
        Traffic.Refused r = Traffic.refused(LOOPBACK);
        KernelTests.await("the SYN's path", 3000, () -> !out.toPort(r.port()).isEmpty());
        ReceivePath syn = out.toPort(r.port()).get(0);
        assertEquals(Verdict.RESET, syn.verdict(), syn.toString());
        assertEquals("NO_SOCKET", syn.reason());
        assertEquals(Stage.LOOKUP, syn.diedAt(), "no socket: the lookup failed, though only DEV was observable");
        // where the kernel freed it, named through /proc/kallsyms as dropwatch and pwru name it
        assertTrue(syn.dropSite() != null && syn.dropSite().matches("tcp_v4_rcv\\+0x[0-9a-f]+"), syn.dropSite());
        assertEquals(LOOPBACK, syn.endpoints().remote());
        assertEquals(r.clientPort(), syn.endpoints().remotePort());
        assertEquals(LOOPBACK, syn.endpoints().local());
        assertEquals(List.of(Stage.DEV, Stage.END), syn.stages().stream().map(ReceivePath.StageTime::stage).toList());
        assertEquals(0, syn.sk(), "it met no socket");
        assertTrue(inspect(p -> p.paths().stats().drops().getOrDefault("NO_SOCKET", 0L)) >= 1, "node-wide drops by reason");
        Flow client = inspect(p -> p.flows().flows().stream().filter(f -> f.endpoints() != null
                && f.endpoints().localPort() == r.clientPort() && f.endpoints().remotePort() == r.port()).findFirst().orElseThrow());
        KernelTests.await("a read of the kernel's counters", 3000, () -> holds(p -> client.counted()));
        assertEquals(1, client.resetsReceived(), "the client's socket took the reset");
        assertEquals(List.of("TCP_CLOSE>TCP_SYN_SENT", "TCP_SYN_SENT>TCP_CLOSE"),
                client.states().stream().map(c -> c.from() + ">" + c.to()).toList());
        assertTrue(client.closed());
    }

    @Test
    void aFloodOfShortConnectionsPastTheCapsStaysBoundedAndCountsEvictions() throws Exception {
        int maxFlows = 64, maxPaths = 256;
        PathCorrelator.Limits d = PathCorrelator.Limits.DEFAULT;
        start(new Pipeline.Limits(new PathCorrelator.Limits(maxPaths, d.pathTimeoutNs(), d.queueTimeoutNs(), maxFlows),
                new FlowTable.Limits(maxFlows, FlowTable.Limits.DEFAULT.closedRetentionNs())));
        int connections = 400;
        List<Integer> sizes = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 64, LOOPBACK)) {
            for (int i = 0; i < connections; i++) {
                try (Socket c = new Socket(LOOPBACK, server.getLocalPort()); Socket s = server.accept()) {
                    c.getOutputStream().write(new byte[10]);
                    s.getInputStream().readNBytes(10);
                }
                if (i % 50 == 0) sizes.add(inspect(p -> p.flows().stats().live() + p.flows().stats().closed()));
            }
        }
        settleAndStop();
        FlowTable.Stats f = pipeline.flows().stats();
        PathStats p = pipeline.paths().stats();
        assertTrue(f.created() >= 2L * connections, "both ends of each connection: " + f);
        assertTrue(f.live() + f.closed() <= maxFlows, f.toString());
        assertTrue(f.evicted() >= f.created() - maxFlows, "every flow beyond the cap was evicted: " + f);
        for (int n : sizes) assertTrue(n <= maxFlows, "bounded while it ran: " + sizes);
        assertTrue(p.live() <= maxPaths, p.toString());
        assertTrue(p.paths() > connections, p.toString());
        assertEquals(EnumSet.of(Stage.DEV, Stage.SOCKET, Stage.USER, Stage.END), pipeline.paths().observable(),
                "the stages this kernel can observe (no kprobes)");
    }
}
