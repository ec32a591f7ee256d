package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.flow.Flow;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.path.Verdict;
import dev.rxpath.agent.probe.Cidr;
import dev.rxpath.agent.probe.KernelFilter;
import dev.rxpath.agent.probe.ReceiveHooks;
import dev.rxpath.agent.probe.Sampling;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent's filter, applied in the kernel: with every segment's path recorded, a socket
 * outside the filter still produces no record and no count, and the programs say they skipped it.
 */
class FilterKernelTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @BeforeAll
    static void root() throws Exception {
        KernelTests.requireRoot();
    }

    @Test
    void trafficOutsideTheFilterIsNeitherCountedNorRecorded() throws Exception {
        try (ServerSocket watched = new ServerSocket(0, 1, LOOPBACK); ServerSocket other = new ServerSocket(0, 1, LOOPBACK)) {
            int port = watched.getLocalPort(), otherPort = other.getLocalPort();
            KernelFilter filter = new KernelFilter(Set.of(port), Set.of(), Set.of(), List.of(Cidr.parse("127.0.0.0/8")), List.of());
            RunningAgent running = RunningAgent.start(new ReceiveHooks.Options(Sampling.all(), 131_072, filter),
                    Agent.Options.DEFAULT.withCountersMillis(200));
            long read, otherRead;
            try (running) {
                read = transfer(watched, 1_000_000);
                otherRead = transfer(other, 1_000_000);
                running.settleAndClose();
            }
            assertEquals(1_000_000, read);
            assertEquals(1_000_000, otherRead);

            List<ReceivePath> paths = List.copyOf(running.out.paths);
            assertFalse(paths.isEmpty());
            for (ReceivePath p : paths) {
                if (p.endpoints() == null) {
                    // only a drop whose socket no hook showed is kept without one
                    assertTrue(p.verdict() == Verdict.DROPPED, "a path outside the filter: " + p);
                } else {
                    assertTrue(p.endpoints().localPort() == port || p.endpoints().remotePort() == port, "outside the filter: " + p);
                }
            }
            List<Flow> flows = running.pipeline.flows().flows();
            assertTrue(flows.stream().noneMatch(f -> f.endpoints() != null
                    && (f.endpoints().localPort() == otherPort || f.endpoints().remotePort() == otherPort)), "no flow of the unwatched port");
            Flow server = flows.stream().filter(f -> f.endpoints() != null && f.endpoints().localPort() == port
                    && f.endpoints().remotePort() != 0).findFirst().orElseThrow();
            assertEquals(1_000_000, server.bytesDelivered(), "the watched socket is counted exactly");
            assertTrue(running.agent.stats().programs().filtered() > 0, "the programs count what they skipped: " + running.agent.stats().programs());
        }
    }

    /** One connection to {@code server} carrying {@code total} bytes; returns the bytes read. */
    private static long transfer(ServerSocket server, int total) throws Exception {
        try (Socket client = new Socket(LOOPBACK, server.getLocalPort()); Socket accepted = server.accept()) {
            Thread writer = new Thread(() -> Traffic.send(client, total), "writer");
            writer.start();
            long read = Traffic.receive(accepted);
            writer.join();
            return read;
        }
    }
}
