package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.flow.Flow;
import dev.rxpath.agent.maps.SocketMap;
import dev.rxpath.agent.probe.ReceiveHooks;
import dev.rxpath.agent.maps.SubmitCounters;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The exact channel: per-socket counters kept in the kernel's map, read by the agent, right
 * to the byte whatever the rings lose, final when a socket closes, and bounded by deletion.
 */
@KernelTest
class CountersKernelTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void deliveredBytesAreExactWhileATinyRingLosesPathRecords() throws Exception {
        // every segment's path through one page per CPU: the ring cannot keep up with a flood of small segments
        Agent.Options tiny = new Agent.Options(1, 1024, 100, 200, 16);
        long total;
        int serverPort, clientPort;
        RunningAgent running = RunningAgent.start(ReceiveHooks.Options.ALL_PATHS, tiny);
        try (running; ServerSocket server = new ServerSocket(0, 1, LOOPBACK);
             Socket client = new Socket(LOOPBACK, server.getLocalPort()); Socket accepted = server.accept()) {
            serverPort = server.getLocalPort();
            clientPort = client.getLocalPort();
            client.setTcpNoDelay(true);
            Thread writer = new Thread(() -> flood(client, 100, 60_000), "flood");
            writer.start();
            total = readAll(accepted);
            writer.join();
            Thread.sleep(600); // a counter pass after the last read
            running.close();
        }
        Agent.Stats stats = running.agent.stats();
        assertTrue(stats.lost() > 0, "the one-page ring lost records: " + stats);
        assertEquals(stats.lostReported() + stats.handoffLost(), running.out.lost.get(), "every LOST record reached the pipeline's end in band");
        assertEquals(6_000_000, total);
        Flow flow = onlyFlow(running, serverPort, clientPort);
        assertEquals(total, flow.bytesDelivered(), "delivered bytes from the kernel's counters");
        assertTrue(flow.bytesReceived() >= total);
        assertTrue(flow.reads() > 0 && flow.segments() > 0);
    }

    @Test
    void closedSocketsKeepTheirFinalCountsAndLeaveTheMap() throws Exception {
        Agent.Options quick = Agent.Options.DEFAULT.withCountersMillis(200);
        int connections = connections();
        // loopback reuses a client port at once (tcp_tw_reuse): count connections per client port
        Map<Integer, Integer> clientPorts = new HashMap<>();
        int serverPort;
        RunningAgent running = RunningAgent.start(new ReceiveHooks.Options(ReceiveHooks.Options.DEFAULT.sampling(), 4096), quick);
        try (running; ServerSocket server = new ServerSocket(0, 64, LOOPBACK)) {
            serverPort = server.getLocalPort();
            for (int i = 0; i < connections; i++) {
                try (Socket c = new Socket(LOOPBACK, serverPort); Socket s = server.accept()) {
                    c.getOutputStream().write(new byte[300]);
                    s.getInputStream().readNBytes(300);
                    s.getOutputStream().write(new byte[100]);
                    c.getInputStream().readNBytes(100);
                    clientPorts.merge(c.getLocalPort(), 1, Integer::sum);
                }
            }
            Thread.sleep(1500); // closes a pass old are deleted at the next pass
            SocketMap.Stats map = running.inspect(p -> running.agent.sockets().stats());
            int entries = running.inspect(p -> running.agent.sockets().entries());
            assertTrue(map.deleted() >= 2L * connections, "every closed socket's entry was deleted: " + map);
            // what stays is the machine's other sockets, not this test's thousands
            assertTrue(entries < connections / 5, "the kernel's map holds " + entries + " entries");
            running.close();
        }
        SubmitCounters.Totals programs = running.agent.stats().programs();
        assertEquals(0, programs.socketsFull(), "no socket went uncounted");
        List<Flow> servers = running.pipeline.flows().flows().stream()
                .filter(f -> f.endpoints() != null && f.endpoints().localPort() == serverPort && clientPorts.containsKey(f.endpoints().remotePort()))
                .toList();
        Map<Integer, List<Flow>> byPort = servers.stream().collect(java.util.stream.Collectors.groupingBy(f -> f.endpoints().remotePort()));
        clientPorts.forEach((port, uses) -> assertEquals(uses, byPort.getOrDefault(port, List.of()).size(),
                () -> "a flow for each of the " + uses + " connections from port " + port + ": " + KernelTests.describe(byPort.getOrDefault(port, List.of()))));
        for (Flow f : servers) {
            assertTrue(f.closed(), "closed: " + f.endpoints());
            assertEquals(300, f.bytesDelivered(), "what the server read on " + f.endpoints());
            assertEquals(1, f.reads());
        }
        long clients = running.pipeline.flows().flows().stream()
                .filter(f -> f.endpoints() != null && f.endpoints().remotePort() == serverPort && clientPorts.containsKey(f.endpoints().localPort())
                        && f.bytesDelivered() == 100 && f.closed())
                .count();
        assertEquals(connections, clients, "every client socket read its 100 bytes");
        assertEquals(connections, servers.size());
    }

    @Test
    void thousandsOfLiveSocketsAreAllRead() throws Exception {
        // more entries than one batch of the map read returns, which ends at a hash bucket's edge
        int connections = connections();
        RunningAgent running = RunningAgent.start(ReceiveHooks.Options.DEFAULT, Agent.Options.DEFAULT.withCountersMillis(200));
        List<Socket> open = new java.util.ArrayList<>();
        try (running; ServerSocket server = new ServerSocket(0, 128, LOOPBACK)) {
            for (int i = 0; i < connections; i++) {
                Socket c = new Socket(LOOPBACK, server.getLocalPort());
                Socket s = server.accept();
                open.add(c);
                open.add(s);
                c.getOutputStream().write(new byte[10]);
                s.getInputStream().readNBytes(10);
            }
            int port = server.getLocalPort();
            KernelTests.await("every server socket's counts", 10_000, () -> {
                try {
                    return connections == running.inspect(p -> p.flows().flows().stream().filter(f -> f.endpoints() != null
                            && f.endpoints().localPort() == port && f.bytesDelivered() == 10).count());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        } finally {
            for (Socket s : open) s.close();
        }
    }

    /** Short connections in the churn test: fewer where the kernel runs emulated (bin/vmtest). */
    protected int connections() {
        return 1500;
    }

    private static Flow onlyFlow(RunningAgent running, int localPort, int remotePort) {
        List<Flow> found = running.pipeline.flows().flows().stream().filter(f -> f.endpoints() != null
                && f.endpoints().localPort() == localPort && f.endpoints().remotePort() == remotePort).toList();
        assertEquals(1, found.size(), "one flow for the socket");
        return found.get(0);
    }

    /** {@code count} writes of {@code size} bytes, then the end of the stream. */
    static void flood(Socket socket, int size, int count) {
        try {
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[size];
            for (int i = 0; i < count; i++) out.write(chunk);
            socket.shutdownOutput();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("flooding failed", e);
        }
    }

    static long readAll(Socket socket) throws java.io.IOException {
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[4096];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) total += n;
        return total;
    }
}
