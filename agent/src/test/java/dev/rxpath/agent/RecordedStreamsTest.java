package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.event.DecodingSink;
import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.flow.Flow;
import dev.rxpath.agent.flow.FlowTable;
import dev.rxpath.agent.path.PathCorrelator;
import dev.rxpath.agent.path.PathStats;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.path.Verdict;
import dev.rxpath.agent.record.Recording;
import dev.rxpath.agent.ring.RecordSink;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The correlator and flow table over streams recorded from real traffic on a 6.18 kernel
 * (src/test/resources/recordings, made by RecordFixtures): no kernel needed, so every
 * property here is pure logic checked against what the kernel really emitted.
 */
class RecordedStreamsTest {
    private static final Path RECORDINGS = Path.of("src/test/resources/recordings");

    private record Replayed(Pipeline pipeline, PathCollector out) {
        Flow flow(int localPort, int remotePort) {
            List<Flow> found = pipeline.flows().flows().stream().filter(f -> f.endpoints() != null
                    && f.endpoints().localPort() == localPort && f.endpoints().remotePort() == remotePort).toList();
            assertEquals(1, found.size(), "flows from :" + localPort + " to :" + remotePort);
            return found.get(0);
        }
    }

    private static Replayed replay(String name, Pipeline.Limits limits) {
        Recording recording = Recording.load(RECORDINGS.resolve(name));
        PathCollector out = new PathCollector();
        Pipeline pipeline = Pipeline.replaying(recording.header(), limits, out);
        recording.replay(new DecodingSink(pipeline));
        pipeline.finish();
        return new Replayed(pipeline, out);
    }

    private static Properties traffic(String name) throws Exception {
        Properties p = new Properties();
        try (InputStream in = java.nio.file.Files.newInputStream(RECORDINGS.resolve(name))) {
            p.load(in);
        }
        return p;
    }

    private static int i(Properties p, String key) {
        return Integer.parseInt(p.getProperty(key));
    }

    /**
     * Listeners and connections that take each other's socket addresses between two counter
     * reads (recorded on 5.10, where it happens most): each connection still has exactly one
     * flow at each end, the server's with every byte, and no cookie is on two flows. A
     * connection's record that reaches a listener's flow, a listener's read that reaches a
     * connection's, and a life read only after a later one took its address are what once
     * made a second flow, or none.
     */
    @Test
    void socketLivesThatShareAnAddressKeepOneFlowEach() throws Exception {
        Properties t = traffic("churn.properties");
        Replayed r = replay("churn.rxrec.gz", new Pipeline.Limits(PathCorrelator.Limits.DEFAULT,
                new FlowTable.Limits(FlowTable.Limits.DEFAULT.maxFlows(), Long.MAX_VALUE / 2)));
        List<Flow> flows = r.pipeline.flows().flows();
        String[] connections = t.getProperty("connections").split(",");
        assertEquals(400, connections.length);
        for (String c : connections) {
            int server = Integer.parseInt(c.split(":")[0]), client = Integer.parseInt(c.split(":")[1]);
            Flow accepted = r.flow(server, client);
            assertEquals(Long.parseLong(t.getProperty("bytes")), accepted.bytesDelivered(), c);
            assertTrue(accepted.closed() && r.flow(client, server).closed(), c);
        }
        java.util.Map<Long, Long> byCookie = flows.stream().filter(f -> f.cookie() != 0)
                .collect(java.util.stream.Collectors.groupingBy(Flow::cookie, java.util.stream.Collectors.counting()));
        byCookie.forEach((cookie, n) -> assertEquals(1L, n, "flows with cookie " + cookie));
    }

    @Test
    void transfersAreDeliveredExactlyAndEveryPayloadPathReachesTheApplication() throws Exception {
        Properties t = traffic("loopback.properties");
        Replayed r = replay("loopback.rxrec.gz", Pipeline.Limits.DEFAULT);
        for (String conn : List.of("v4", "v6")) {
            Flow flow = r.flow(i(t, conn + ".port"), i(t, conn + ".clientPort"));
            assertEquals(Long.parseLong(t.getProperty(conn + ".bytes")), flow.bytesDelivered(), conn + " bytes delivered");
            assertEquals(i(t, conn + ".pid"), flow.reader().tgid());
            // addresses are reused at once by other sockets on the machine: the cookie tells them apart
            List<ReceivePath> payload = r.out.where(p -> p.sk() == flow.sk() && p.cookie() == flow.cookie() && PathCollector.carriedPayload(p));
            assertFalse(payload.isEmpty());
            for (ReceivePath p : payload) {
                assertNotNull(p.stage(Stage.USER), "time to the application: " + p);
                assertTrue(p.verdict() == Verdict.DELIVERED || p.verdict() == Verdict.MERGED, p.toString());
                for (int k = 1; k < p.stages().size(); k++) assertTrue(p.stages().get(k - 1).tsNs() <= p.stages().get(k).tsNs(), p.toString());
                assertEquals(p.verdict() == Verdict.MERGED, p.stage(Stage.USER).inferred(), "a merged path's read is found through the byte stream");
            }
            assertEquals(payload.size(), flow.paths(Verdict.DELIVERED) + flow.paths(Verdict.MERGED));
        }
        Flow v6 = r.flow(i(t, "v6.port"), i(t, "v6.clientPort"));
        assertTrue(v6.endpoints().local() instanceof Inet6Address, v6.endpoints().toString());

        PathStats s = r.pipeline.paths().stats();
        assertEquals(r.out.paths.size(), s.paths(), "verdict counts add up to the paths seen");
        assertEquals(0, r.pipeline.window().late(), "nothing arrived after the reorder window let later events go");
        assertEquals(0, s.lost());
        assertEquals(EnumSet.of(Stage.DEV, Stage.SOCKET, Stage.USER, Stage.END), r.pipeline.paths().observable());
    }

    @Test
    void aRefusedConnectionIsAResetWithTheRecordingKernelsReasonNames() throws Exception {
        Properties t = traffic("loopback.properties");
        Replayed r = replay("loopback.rxrec.gz", Pipeline.Limits.DEFAULT);
        List<ReceivePath> syn = r.out.toPort(i(t, "refused.port"));
        assertEquals(1, syn.size(), syn.toString());
        assertEquals(Verdict.RESET, syn.get(0).verdict());
        assertEquals("NO_SOCKET", syn.get(0).reason());
        assertEquals(Stage.LOOKUP, syn.get(0).diedAt());
        assertEquals(i(t, "refused.clientPort"), syn.get(0).endpoints().remotePort());
        assertEquals(InetAddress.getByName("127.0.0.1"), syn.get(0).endpoints().remote());
        assertEquals(1L, r.pipeline.paths().stats().drops().get("NO_SOCKET"));
    }

    @Test
    void aStalledReadersPayloadWaitsInTheSocketForTheStall() throws Exception {
        Properties t = traffic("stalled.properties");
        long stallNs = Long.parseLong(t.getProperty("stall.ms")) * 1_000_000;
        Replayed r = replay("stalled.rxrec.gz", Pipeline.Limits.DEFAULT);
        Flow flow = r.flow(i(t, "stalled.port"), i(t, "stalled.clientPort"));
        assertEquals(i(t, "stalled.bytes"), flow.bytesDelivered());
        List<ReceivePath> payload = r.out.where(p -> p.sk() == flow.sk() && PathCollector.carriedPayload(p));
        assertFalse(payload.isEmpty());
        for (ReceivePath p : payload) assertTrue(p.queuedNs() >= stallNs * 9 / 10, "queued through the stall: " + p);
        assertTrue(flow.latency(Stage.USER).getMinValue() >= stallNs * 9 / 10, "the flow's socket-queue histogram shows it");

        // A queue timeout shorter than the stall closes the same paths as QUEUED, still with the exact byte count.
        long timeoutNs = stallNs / 3;
        PathCorrelator.Limits d = PathCorrelator.Limits.DEFAULT;
        Replayed shortWait = replay("stalled.rxrec.gz", new Pipeline.Limits(
                new PathCorrelator.Limits(d.maxPaths(), d.pathTimeoutNs(), timeoutNs, d.maxSockets()), FlowTable.Limits.DEFAULT));
        List<ReceivePath> queued = shortWait.out.where(p -> p.verdict() == Verdict.QUEUED);
        assertEquals(payload.size(), queued.size(), "every payload path gave up waiting");
        for (ReceivePath p : queued) {
            assertNull(p.stage(Stage.USER));
            assertTrue(p.queuedNs() >= timeoutNs && p.queuedNs() < stallNs, p.toString());
        }
        assertEquals(i(t, "stalled.bytes"), shortWait.flow(i(t, "stalled.port"), i(t, "stalled.clientPort")).bytesDelivered());
    }

    @Test
    void theOrderTheRingsAreReadInWithinADrainDoesNotChangeThePaths() {
        Recording recording = Recording.load(RECORDINGS.resolve("loopback.rxrec.gz"));
        List<ReceivePath> inOrder = replay("loopback.rxrec.gz", Pipeline.Limits.DEFAULT).out.paths.stream().toList();

        // Hold each drain's records back and hand them over highest CPU first, as a reader that started on another ring would.
        PathCollector out = new PathCollector();
        Pipeline pipeline = Pipeline.replaying(recording.header(), Pipeline.Limits.DEFAULT, out);
        DecodingSink decoding = new DecodingSink(pipeline);
        recording.replay(new RecordSink() {
            private final List<int[]> held = new ArrayList<>();
            private final List<ByteBuffer> bytes = new ArrayList<>();

            @Override
            public void record(int cpu, ByteBuffer buffer, int offset, int length) {
                ByteBuffer copy = ByteBuffer.allocate(length).order(buffer.order());
                copy.put(0, buffer, offset, length);
                held.add(new int[] {cpu, length});
                bytes.add(copy);
            }

            @Override
            public void lost(int cpu, long count) {
                decoding.lost(cpu, count);
            }

            @Override
            public void drained(long monotonicNs) {
                for (int cpu = 63; cpu >= 0; cpu--) {
                    for (int k = 0; k < held.size(); k++) if (held.get(k)[0] == cpu) decoding.record(cpu, bytes.get(k), 0, held.get(k)[1]);
                }
                held.clear();
                bytes.clear();
                decoding.drained(monotonicNs);
            }
        });
        pipeline.finish();
        assertEquals(inOrder, List.copyOf(out.paths));
        assertEquals(0, pipeline.window().late());
    }

    @Test
    void capsFarBelowTheTrafficBoundMemoryAndCountEveryEviction() {
        int maxPaths = 4, maxFlows = 2;
        PathCorrelator.Limits d = PathCorrelator.Limits.DEFAULT;
        Replayed r = replay("loopback.rxrec.gz", new Pipeline.Limits(
                new PathCorrelator.Limits(maxPaths, d.pathTimeoutNs(), d.queueTimeoutNs(), maxFlows),
                new FlowTable.Limits(maxFlows, FlowTable.Limits.DEFAULT.closedRetentionNs())));
        PathStats s = r.pipeline.paths().stats();
        FlowTable.Stats f = r.pipeline.flows().stats();
        assertTrue(s.closed(dev.rxpath.agent.path.CloseReason.EVICTED) > 0, s.toString());
        assertTrue(s.live() <= maxPaths && s.sockets() <= maxFlows, s.toString());
        assertTrue(f.live() + f.closed() <= maxFlows && f.evicted() > 0, f.toString());
        assertEquals(f.created(), f.live() + f.closed() + f.evicted() + f.expired(), "every flow is live, closed, or counted gone");
        assertEquals(r.out.paths.size(), s.paths(), "evicted paths are still reported, with their verdict");
    }
}
