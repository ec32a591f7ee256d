package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.probe.KernelProbe;
import dev.rxpath.api.TcpText;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Segments' TCP headers, read by the programs through the running kernel's sk_buff layout
 * (from its BTF): a loopback connection's handshake, data and close, and a refused SYN.
 */
class SegmentHeadersKernelTest {
    private static final int TOTAL = 200_000;

    @BeforeAll
    static void root() throws Exception {
        KernelTests.requireRoot();
        assertTrue(KernelProbe.scan().skbLayout().isPresent(), "this kernel has BTF: " + KernelProbe.scan().skbLayoutMissing());
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
        try (RunningAgent running = RunningAgent.start(Pipeline.Limits.DEFAULT)) {
            t = Traffic.loopback(InetAddress.getByName("127.0.0.1"), TOTAL);
            running.settleAndClose();
            assertEquals(0, running.out.lost.get(), "records lost");
            toServer = withHeaders(running.out.toPort(t.serverPort()), t.clientPort());
            toClient = withHeaders(running.out.toPort(t.clientPort()), t.serverPort());
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
        for (ReceivePath p : data) {
            assertEquals(next, relative(p.tcp().seq(), isn), "each segment starts where the one before ended: " + p);
            next += p.tcp().payload();
        }
        assertEquals(t.bytesRead(), next, "the data segments carry every byte read");
        // the FIN may ride on the last data ([FP.])
        ReceivePath fin = only(toServer, TcpText.FIN | TcpText.ACK, TcpText.FIN | TcpText.ACK | TcpText.PSH);
        assertEquals(TOTAL, relative(fin.tcp().seq(), isn) + fin.tcp().payload(), "the FIN follows the last byte: " + fin);

        assertTrue(syn.firstNs() < synAck.firstNs() && synAck.firstNs() < data.get(0).firstNs()
                && data.get(data.size() - 1).firstNs() <= fin.firstNs(), "[S], [S.], data, [F.] in order");
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
