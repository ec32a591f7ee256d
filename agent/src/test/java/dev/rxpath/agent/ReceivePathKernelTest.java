package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.bcc.BpfSource;
import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.probe.KernelNames;
import dev.rxpath.agent.probe.KernelProbe;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real loopback traffic through the attached hooks, the rings and the decoder. */
@KernelTest
class ReceivePathKernelTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final KernelTests.Collector sink = new KernelTests.Collector();
    private KernelProbe kernel;
    private Agent agent;

    @BeforeEach
    void start() {
        kernel = KernelProbe.scan();
        agent = Agent.start(kernel, BpfSource.packaged(), Agent.Options.DEFAULT, sink);
    }

    @AfterEach
    void stop() {
        agent.close();
    }

    @Test
    void aKnownByteCountArrivesAtEveryStageAndNothingIsLost() throws Exception {
        int total = 300_000;
        int serverPort, clientPort;
        long pid = ProcessHandle.current().pid();
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK)) {
            serverPort = server.getLocalPort();
            try (Socket client = new Socket(LOOPBACK, serverPort); Socket accepted = server.accept()) {
                clientPort = client.getLocalPort();
                OutputStream out = client.getOutputStream();
                InputStream in = accepted.getInputStream();
                byte[] chunk = new byte[1000], buf = new byte[8192];
                int read = 0;
                for (int sent = 0; sent < total; sent += chunk.length) {
                    out.write(chunk);
                    if (sent % 50_000 == 0) Thread.sleep(2); // a reader that is sometimes behind
                    while (in.available() > 0) read += in.read(buf);
                }
                while (read < total) read += in.read(buf);
                assertEquals(total, read);
            }
        }
        Thread.sleep(200);
        agent.close();

        // Segments queued to the server's socket: local end is the server port.
        List<Event.SockQueue> queued = sink.of(Event.SockQueue.class).stream()
                .filter(q -> q.tuple().sport() == serverPort && q.tuple().dport() == clientPort).collect(Collectors.toList());
        assertFalse(queued.isEmpty(), "tcp_probe saw the server socket's segments");
        Set<Long> serverSockets = queued.stream().map(q -> q.header().sk()).collect(Collectors.toSet());
        assertEquals(1, serverSockets.size(), "one socket");
        long serverSk = serverSockets.iterator().next();
        for (Event.SockQueue q : queued) {
            // Java's sockets are dual-stack, AF_INET6 with v4-mapped addresses: told as the IPv4 their segments carry
            assertEquals(2, q.tuple().family(), q.toString());
            assertEquals(LOOPBACK, q.tuple().saddr(), q.toString());
            assertEquals(LOOPBACK, q.tuple().daddr(), q.toString());
        }

        // What the application read, exactly, from the socket-level and the skb-level copy records.
        // (this process's reads: the address may be another socket's once the server's closed)
        long recvBytes = sink.of(Event.Recv.class).stream().filter(r -> r.header().sk() == serverSk && r.ret() > 0 && r.task().tgid() == pid)
                .mapToLong(Event.Recv::ret).sum();
        assertEquals(total, recvBytes, "sock_recv_length on the server socket");
        Set<Long> queuedSkbs = queued.stream().map(q -> q.header().skb()).collect(Collectors.toSet());
        List<Event.Copy> copies = sink.of(Event.Copy.class).stream().filter(c -> queuedSkbs.contains(c.header().skb()))
                .collect(Collectors.toList());
        assertEquals(total, copies.stream().mapToLong(Event.Copy::len).sum(), "skb_copy_datagram_iovec for the server's skbs");
        assertTrue(copies.stream().allMatch(c -> c.task().tgid() == pid), "the reading task is this process");

        // Every copied skb entered the core receive path on lo under the same address.
        Set<Long> devSkbs = sink.of(Event.Dev.class).stream().filter(d -> d.ifname().equals("lo"))
                .map(d -> d.header().skb()).collect(Collectors.toSet());
        for (Event.Copy c : copies) assertTrue(devSkbs.contains(c.header().skb()), "skb " + Long.toHexString(c.header().skb()));

        // The socket's state history, named by the running kernel.
        KernelNames names = kernel.names();
        List<String> transitions = sink.of(Event.StateChange.class).stream().filter(s -> s.header().sk() == serverSk)
                .map(s -> names.tcpState(s.oldState()) + ">" + names.tcpState(s.newState())).collect(Collectors.toList());
        assertTrue(transitions.contains("TCP_SYN_RECV>TCP_ESTABLISHED"), transitions.toString());

        // The programs' own count equals what the rings delivered: nothing lost, nothing malformed.
        Agent.Stats s = agent.stats();
        assertEquals(0, s.lost(), "LOST records");
        assertEquals(0, s.submitFailed(), "perf_submit failures");
        assertEquals(0, s.malformed());
        assertEquals(s.submitted(), s.received(), "submitted in the kernel vs received from the rings");
        assertEquals(s.received() + agent.sockets().stats().handed(), sink.events.size(), "every ring and map record decoded");

        // The kernel's own count for the socket, read from its map: the same bytes, in as many reads as recvmsg returned.
        List<Event.SockCounters> counts = sink.of(Event.SockCounters.class).stream().filter(c -> c.header().sk() == serverSk
                && c.tuple() != null && c.tuple().sport() == serverPort && c.tuple().dport() == clientPort).toList();
        assertFalse(counts.isEmpty(), "the server socket's counters were read");
        Event.SockCounters last = counts.get(counts.size() - 1);
        assertEquals(total, last.counts().delivered());
        assertEquals(sink.of(Event.Recv.class).stream().filter(r -> r.header().sk() == serverSk && r.consumed() > 0 && r.task().tgid() == pid)
                .count(), last.counts().reads());
        assertEquals(serverPort, last.tuple().sport());
    }

    @Test
    void aConnectionToAClosedPortIsDroppedWithTheKernelsReasonAndReset() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            closedPort = s.getLocalPort();
        }
        try (Socket client = new Socket()) {
            assertThrows(ConnectException.class, () -> client.connect(new InetSocketAddress(LOOPBACK, closedPort), 2000));
        }
        KernelNames names = kernel.names();
        KernelTests.await("the reset for the SYN to port " + closedPort, 3000, () -> sink.of(Event.ResetSent.class).stream()
                .anyMatch(r -> r.tuple().sport() == closedPort));
        Event.ResetSent reset = sink.of(Event.ResetSent.class).stream().filter(r -> r.tuple().sport() == closedPort)
                .findFirst().orElseThrow();
        assertEquals(LOOPBACK, reset.tuple().saddr());
        if (!names.resetReasons().isEmpty()) assertEquals("NO_SOCKET", names.resetReason(reset.reason()));
        KernelTests.await("the SYN's drop", 3000, () -> sink.of(Event.Drop.class).stream()
                .anyMatch(d -> d.header().skb() == reset.header().skb()));
        Event.Drop drop = sink.of(Event.Drop.class).stream().filter(d -> d.header().skb() == reset.header().skb())
                .findFirst().orElseThrow();
        assertEquals("NO_SOCKET", names.dropReason(drop.reason()), "reason named from the running kernel's kfree_skb format");
        assertEquals(0x0800, drop.protocol());
        assertTrue(sink.of(Event.Dev.class).stream().anyMatch(d -> d.header().skb() == drop.header().skb()),
                "the dropped SYN was seen entering the receive path");
    }
}
