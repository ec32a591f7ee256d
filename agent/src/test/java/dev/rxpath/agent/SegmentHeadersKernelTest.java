package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.event.TcpHandshake;
import dev.rxpath.agent.flow.Flow;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.path.Verdict;
import dev.rxpath.agent.probe.Hook;
import dev.rxpath.agent.probe.KernelProbe;
import dev.rxpath.agent.probe.ReceiveHooks;
import dev.rxpath.api.TcpText;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Segments' TCP headers and connections' handshakes, read by the programs at the running
 * kernel's struct offsets (from its BTF): a loopback connection's handshake, data and close,
 * and a refused SYN.
 */
@KernelTest
class SegmentHeadersKernelTest {
    private static final int TOTAL = 200_000;

    @BeforeAll
    static void kernelHasBtf() throws Exception {
        assertTrue(KernelProbe.scan().structOffsets().isPresent(), "this kernel has BTF: " + KernelProbe.scan().structOffsetsMissing());
    }

    /**
     * With every segment's path: the SYN offers loopback's MSS (65495: MTU 65536 less 40) and
     * the options the sysctls turn on, the SYN-ACK acknowledges it, the data segments'
     * sequence numbers relative to the SYN's tile the bytes sent exactly, and the FIN follows them.
     */
    @Test
    void aLoopbackConnectionsSegmentsCarryTheirHeaders() throws Exception {
        Traffic.Transfer t;
        List<ReceivePath> toServer, toClient;
        Flow server, client;
        try (RunningAgent running = RunningAgent.start(Pipeline.Limits.DEFAULT)) {
            t = Traffic.loopback(InetAddress.getByName("127.0.0.1"), TOTAL);
            running.settleAndClose();
            assertEquals(0, running.out.lost.get(), "records lost");
            toServer = withHeaders(running.out.toPort(t.serverPort()), t.clientPort());
            toClient = withHeaders(running.out.toPort(t.clientPort()), t.serverPort());
            server = flow(running, t.serverPort(), t.clientPort());
            client = flow(running, t.clientPort(), t.serverPort());
        }
        ReceivePath syn = only(toServer, TcpText.SYN, TcpText.SYN), synAck = only(toClient, TcpText.SYN | TcpText.ACK, TcpText.SYN | TcpText.ACK);
        assertEquals(65495, syn.tcp().mss(), syn.toString());
        assertEquals(sysctl("tcp_sack") != 0, syn.tcp().sackOk(), syn.toString());
        assertEquals(sysctl("tcp_timestamps") != 0, syn.tcp().timestamps(), syn.toString());
        assertEquals(sysctl("tcp_window_scaling") != 0, syn.tcp().wscale() >= 0, syn.toString());
        assertEquals(65495, synAck.tcp().mss(), synAck.toString());
        assertEquals((syn.tcp().seq() + 1) & 0xffffffffL, synAck.tcp().ack(), "the SYN-ACK acknowledges the SYN: " + synAck);

        long isn = syn.tcp().seq();
        List<ReceivePath> data = toServer.stream().filter(p -> p.tcp().payload() > 0)
                .sorted(Comparator.comparingLong(p -> relative(p.tcp().seq(), isn))).toList();
        long next = 0;
        int numbered = 0;
        List<ReceivePath> resent = new java.util.ArrayList<>();
        for (ReceivePath p : data) {
            if (relative(p.tcp().seq(), isn) + p.tcp().payload() <= next) {
                // bytes already received: a retransmission (a slow guest's tail loss probe resends the
                // last segment), which the sender's socket must have counted
                resent.add(p);
                continue;
            }
            assertEquals(next, relative(p.tcp().seq(), isn), "each segment starts where the one before ended: " + p);
            // where it reached the socket, numbered as Wireshark does from the socket's handshake:
            // the first byte is 1, the SYN-ACK acknowledged as 1
            if (p.sk() != 0) {
                assertEquals(next + 1, p.tcp().relativeSeq(), p.toString());
                assertEquals(1, p.tcp().relativeAck(), p.toString());
                numbered++;
            }
            next += p.tcp().payload();
        }
        assertTrue(numbered > 0, "data segments that reached the socket");
        assertEquals(t.bytesRead(), next, "the data segments carry every byte read");
        // the FIN may ride on the last data ([FP.])
        assertTrue(resent.isEmpty() || client.retransmits() >= resent.size(), "the client counted what it resent: " + resent);
        List<ReceivePath> sent = toServer.stream().filter(p -> !resent.contains(p)).toList();
        ReceivePath fin = only(sent, TcpText.FIN | TcpText.ACK, TcpText.FIN | TcpText.ACK | TcpText.PSH);
        assertEquals(TOTAL, relative(fin.tcp().seq(), isn) + fin.tcp().payload(), "the FIN follows the last byte: " + fin);

        List<ReceivePath> firstSent = data.stream().filter(p -> !resent.contains(p)).toList();
        assertTrue(syn.firstNs() < synAck.firstNs() && synAck.firstNs() < firstSent.get(0).firstNs()
                && firstSent.get(firstSent.size() - 1).firstNs() <= fin.firstNs(), "[S], [S.], data, [F.] in order");

        // each socket's handshake as it was established: what the SYN and SYN-ACK above offered
        for (Flow f : List.of(server, client)) {
            TcpHandshake h = f.handshake();
            assertNotNull(h, "the handshake of " + f.endpoints());
            assertEquals(f == client, h.active(), h.toString());
            assertEquals(65495, h.peerMss(), h.toString());
            assertEquals(65495, h.mss(), h.toString());
            assertEquals(syn.tcp().sackOk(), h.sackOk(), h.toString());
            assertEquals(syn.tcp().timestamps(), h.timestamps(), h.toString());
            assertEquals(syn.tcp().wscale(), f == client ? h.wscale() : h.peerWscale(), "the SYN's shift is the client's: " + h);
            // the initial sequence numbers the sockets hold are the ones their SYNs carried
            assertEquals(syn.tcp().seq(), f == client ? h.isn() : h.peerIsn(), h.toString());
            assertEquals(synAck.tcp().seq(), f == client ? h.peerIsn() : h.isn(), h.toString());
            assertEquals(synAck.tcp().wscale(), f == client ? h.peerWscale() : h.wscale(), "the SYN-ACK's the server's: " + h);
            assertTrue(h.rttUs() > 0 && h.rttUs() * 1000 < f.lastNs() - f.firstNs(),
                    "a round trip shorter than the connection: " + h + ", connection " + (f.lastNs() - f.firstNs()) + " ns");
        }
    }

    /**
     * In the default mode, where few segments get a path and a flow begins at its socket's
     * first counter read: every connection's two flows still carry their handshake, the one
     * the other's mirrors, at the addresses the segments had (IPv4, though Java's sockets are
     * IPv6 ones with v4-mapped addresses).
     */
    @Test
    void inTheDefaultSampledModeEachConnectionsFlowsHaveItsHandshake() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        List<Traffic.Transfer> transfers = new ArrayList<>();
        List<Flow> flows;
        try (RunningAgent running = RunningAgent.start(ReceiveHooks.Options.DEFAULT, Agent.Options.DEFAULT.withCountersMillis(200))) {
            for (int i = 0; i < 20; i++) transfers.add(Traffic.loopback(loopback, 1000));
            running.settleAndClose();
            flows = running.pipeline.flows().flows();
        }
        for (Traffic.Transfer t : transfers) {
            TcpHandshake server = handshakeOf(flows, t.serverPort(), t.clientPort(), loopback);
            TcpHandshake client = handshakeOf(flows, t.clientPort(), t.serverPort(), loopback);
            assertTrue(client.active() && !server.active(), client + " " + server);
            assertEquals(client.isn(), server.peerIsn(), client + " " + server);
            assertEquals(server.isn(), client.peerIsn(), client + " " + server);
            assertEquals(client.mss(), server.peerMss(), client + " " + server);
        }
    }

    private static TcpHandshake handshakeOf(List<Flow> flows, int localPort, int remotePort, InetAddress address) {
        List<Flow> found = flows.stream().filter(f -> f.endpoints() != null && f.endpoints().localPort() == localPort
                && f.endpoints().remotePort() == remotePort).toList();
        assertEquals(1, found.size(), () -> KernelTests.describe(found));
        Flow f = found.get(0);
        assertEquals(address, f.endpoints().local(), f.endpoints().toString());
        assertEquals(2, f.endpoints().family(), "AF_INET: " + f.endpoints());
        assertNotNull(f.handshake(), () -> "the handshake of " + f.endpoints() + ": " + KernelTests.describe(found));
        return f.handshake();
    }

    private static Flow flow(RunningAgent running, int localPort, int remotePort) throws Exception {
        List<Flow> flows = running.pipeline.flows().flows().stream().filter(f -> f.endpoints() != null
                && f.endpoints().localPort() == localPort && f.endpoints().remotePort() == remotePort).toList();
        assertEquals(1, flows.size(), () -> KernelTests.describe(flows));
        return flows.get(0);
    }

    /** A SYN to a closed port is answered with a reset: the path names the SYN by its own headers. */
    @Test
    void aRefusedSynIsNamedByItsHeaders() throws Exception {
        try (RunningAgent running = RunningAgent.start(Pipeline.Limits.DEFAULT)) {
            Traffic.Refused r = Traffic.refused(InetAddress.getByName("127.0.0.1"));
            running.settleAndClose();
            ReceivePath syn = running.out.refused(r.port());
            assertEquals(r.clientPort(), syn.endpoints().remotePort(), syn.toString());
            assertNotNull(syn.tcp(), "the refused segment's header: " + syn);
            assertEquals("[S]", TcpText.flags(syn.tcp().flags()), syn.toString());
            assertEquals(0, syn.tcp().payload(), syn.toString());
        }
    }

    /**
     * A listener (backlog 1, so two connections wait for accept()) that never accepts, and
     * holds each handshake until the client's first data (TCP_DEFER_ACCEPT): two clients'
     * data fill its accept queue, and a third's finds it full. The kernel drops that segment
     * (TCP_LISTEN_OVERFLOW where it names the reason); its path names it by its own headers.
     */
    @Test
    void aSegmentThatFindsTheAcceptQueueFullIsDroppedAndNamed() throws Exception {
        Inet4Address loopback = (Inet4Address) InetAddress.getByName("127.0.0.1");
        try (RunningAgent running = RunningAgent.start(Pipeline.Limits.DEFAULT);
             DeferAcceptListener listener = DeferAcceptListener.open(loopback, 1);
             Socket late = new Socket(loopback, listener.port); Socket first = new Socket(loopback, listener.port);
             Socket second = new Socket(loopback, listener.port)) {
            first.getOutputStream().write(1);
            second.getOutputStream().write(1);
            Thread.sleep(200); // both are queued for accept()
            late.getOutputStream().write(new byte[10]);
            KernelTests.await("the late client's dropped data", 5000, () -> !overflowed(running, listener.port, late.getLocalPort()).isEmpty());
            running.settleAndClose();
            ReceivePath drop = overflowed(running, listener.port, late.getLocalPort()).get(0);
            assertEquals(Verdict.DROPPED, drop.verdict(), drop.toString());
            assertEquals(loopback, drop.endpoints().remote(), drop.toString());
            assertEquals(10, drop.tcp().payload(), drop.toString());
            assertTrue(drop.tcp().has(TcpText.ACK), drop.toString());
            boolean named = KernelProbe.scan().format(Hook.KFREE_SKB).map(f -> f.symbols("reason").containsValue("TCP_LISTEN_OVERFLOW"))
                    .orElse(false);
            if (named) assertEquals("TCP_LISTEN_OVERFLOW", drop.reason(), drop.toString());
        }
    }

    /** Dropped paths from the client's port to the listener's that carried data. */
    private static List<ReceivePath> overflowed(RunningAgent running, int port, int clientPort) {
        return running.out.where(p -> p.verdict() == Verdict.DROPPED && p.endpoints() != null && p.endpoints().localPort() == port
                && p.endpoints().remotePort() == clientPort && p.tcp() != null && p.tcp().payload() > 0);
    }

    /** Paths whose header was read, between the two ports. */
    private static List<ReceivePath> withHeaders(List<ReceivePath> paths, int remotePort) {
        return paths.stream().filter(p -> p.tcp() != null && p.endpoints().remotePort() == remotePort).toList();
    }

    /** The one path whose flags include {@code required} and nothing outside {@code allowed}. */
    private static ReceivePath only(List<ReceivePath> paths, int required, int allowed) {
        List<ReceivePath> found = paths.stream().filter(p -> (p.tcp().flags() & required) == required
                && (p.tcp().flags() & ~allowed) == 0).toList();
        assertEquals(1, found.size(), () -> "one " + TcpText.flags(required) + " among the flags "
                + paths.stream().map(p -> TcpText.flags(p.tcp().flags())).toList());
        return found.get(0);
    }

    private static long relative(long seq, long isn) {
        return (seq - isn - 1) & 0xffffffffL;
    }

    private static int sysctl(String name) throws Exception {
        return Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4", name)).trim());
    }
}
