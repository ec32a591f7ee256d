package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.flow.Flow;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.path.Verdict;
import dev.rxpath.agent.probe.Cgroup;
import dev.rxpath.agent.probe.Cidr;
import dev.rxpath.agent.probe.KernelFilter;
import dev.rxpath.agent.probe.ReceiveHooks;
import dev.rxpath.agent.probe.Sampling;
import dev.rxpath.api.flags.CgroupV2;
import java.io.BufferedReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The agent's filter, applied in the kernel: with every segment's path recorded, a socket
 * outside the filter still produces no record and no count, and the programs say they skipped it;
 * by addresses and ports, and by the cgroup of the socket's task (a process the test puts in a
 * cgroup of its own).
 */
@KernelTest
class FilterKernelTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

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

    @Test
    void onlySocketsWhoseTaskIsInTheCgroupAreCountedAndRecorded() throws Exception {
        Path mount = CgroupV2.mount().orElseThrow(() -> new AssertionError("this machine has no cgroup v2 hierarchy mounted"));
        Path dir = Files.createDirectory(mount.resolve("rxpath-test-" + ProcessHandle.current().pid()));
        try (ServerSocket server = new ServerSocket(0, 4, LOOPBACK)) {
            KernelFilter filter = new KernelFilter(Set.of(), Set.of(), Set.of(), List.of(), List.of(), List.of(new Cgroup("/" + mount.relativize(dir), dir)));
            RunningAgent running = RunningAgent.start(new ReceiveHooks.Options(Sampling.all(), 131_072, filter),
                    Agent.Options.DEFAULT.withCountersMillis(200));
            Peer inside, outside;
            try (running) {
                inside = peer(dir.toString(), server);
                outside = peer("-", server);
                running.settleAndClose();
            }
            // the peer in the cgroup: its connected socket and its listener, decided at connect() and listen(), and
            // its accepted socket, at its first read
            record Ends(int local, int remote) {}
            Set<Ends> watched = Set.of(new Ends(inside.clientPort, server.getLocalPort()), new Ends(inside.listenPort, 0),
                    new Ends(inside.listenPort, inside.ourPort));
            List<Flow> flows = running.pipeline.flows().flows().stream().filter(f -> f.endpoints() != null
                    && Set.of(server.getLocalPort(), inside.listenPort, outside.listenPort).stream()
                    .anyMatch(port -> f.endpoints().localPort() == port || f.endpoints().remotePort() == port)).toList();
            assertEquals(watched, flows.stream().map(f -> new Ends(f.endpoints().localPort(), f.endpoints().remotePort()))
                    .collect(Collectors.toSet()), () -> "the flows of the traffic: " + KernelTests.describe(flows));
            for (Flow f : flows) {
                long expected = f.endpoints().localPort() == inside.clientPort ? inside.clientRead
                        : f.endpoints().remotePort() == 0 ? 0 : inside.serverRead;
                assertEquals(expected, f.bytesDelivered(), "exact for " + f.endpoints());
            }
            assertEquals(200_000, inside.clientRead);
            assertEquals(300_000, inside.serverRead);
            for (ReceivePath p : running.out.paths) {
                // a drop whose socket no hook showed (and no socket owns) is kept even with a filter, nothing
                // telling whose it was; its own headers give it a tuple, not a socket
                if (p.endpoints() == null || p.sk() == 0 && p.verdict() == Verdict.DROPPED) continue;
                Ends e = new Ends(p.endpoints().localPort(), p.endpoints().remotePort());
                if (Set.of(server.getLocalPort(), inside.listenPort, outside.listenPort, outside.clientPort).contains(e.local())) {
                    assertTrue(watched.contains(e), "a path outside the cgroup: " + p);
                }
            }
            assertTrue(running.agent.stats().programs().filtered() > 0, "the programs count what they skipped: " + running.agent.stats().programs());
        } finally {
            Files.delete(dir); // a cgroup is removed with rmdir once its processes are gone
        }
    }

    /** A {@link CgroupPeer}'s ports, and what it read: its client socket's local port, its listener's, and ours that connected to it. */
    private record Peer(int clientPort, int listenPort, int ourPort, long clientRead, long serverRead) {}

    /** Runs a {@link CgroupPeer} in {@code cgroup} ("-": ours): it reads 200,000 bytes from {@code server}, then 300,000 from us. */
    private static Peer peer(String cgroup, ServerSocket server) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CgroupPeer.class.getName(), cgroup,
                String.valueOf(server.getLocalPort())).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader lines = p.inputReader()) {
            int listenPort = Integer.parseInt(lines.readLine().split(" ")[1]);
            try (Socket accepted = server.accept()) {
                Traffic.send(accepted, 200_000);
            }
            String[] client = lines.readLine().split(" ");
            int ourPort;
            try (Socket s = new Socket(LOOPBACK, listenPort)) {
                ourPort = s.getLocalPort();
                Traffic.send(s, 300_000);
            }
            String[] served = lines.readLine().split(" ");
            assertEquals(0, p.waitFor(), "the peer's exit status");
            assertEquals(ourPort, Integer.parseInt(served[1]));
            return new Peer(Integer.parseInt(client[1]), listenPort, ourPort, Long.parseLong(client[2]), Long.parseLong(served[2]));
        } finally {
            p.destroyForcibly();
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
