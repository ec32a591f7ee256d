package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.bcc.BpfSource;
import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.export.ProbeTable;
import dev.rxpath.agent.flow.Flow;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.path.Verdict;
import dev.rxpath.agent.probe.Hook;
import dev.rxpath.agent.probe.HookStatus;
import dev.rxpath.agent.probe.KernelProbe;
import dev.rxpath.agent.probe.Mechanism;
import dev.rxpath.agent.probe.ReceiveHooks;
import dev.rxpath.api.TcpText;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The IP, TCP and LOOKUP stages: hooks on kernel functions, which need fentry/fexit or
 * kprobes. This machine's kernel has neither, so bin/vmtest runs these (tag "vm") on a
 * stock Debian kernel under QEMU, and Maven's own run leaves them out.
 */
@Tag("vm")
@KernelTest
class FunctionStagesKernelTest {
    private static final List<Hook> FUNCTION_HOOKS = Arrays.stream(Hook.values()).filter(h -> !h.isTracepoint()).toList();
    /** Functions whose only argument of interest is the skb: within the six a BPF trampoline takes on every kernel. */
    private static final Set<Hook> ONE_SKB_ARGUMENT = EnumSet.of(Hook.IP_RCV, Hook.IPV6_RCV, Hook.TCP_V4_RCV, Hook.TCP_V6_RCV);
    private static final List<Stage> RECEIVE_PATH = List.of(Stage.DEV, Stage.IP, Stage.TCP, Stage.LOOKUP, Stage.SOCKET, Stage.USER, Stage.END);

    /**
     * Every stage of a delivered segment. Its END needs the free to be deferred to the CPU that
     * allocated the skb (skb_attempt_defer_free, since 5.19) and so reach consume_skb: before
     * that, a read skb is freed by __kfree_skb, which has no tracepoint, and the path ends at USER.
     */
    private static List<Stage> completePath() {
        boolean deferred;
        try (java.util.stream.Stream<String> syms = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/kallsyms"))) {
            deferred = syms.anyMatch(l -> l.endsWith(" skb_attempt_defer_free"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return deferred ? RECEIVE_PATH : RECEIVE_PATH.subList(0, RECEIVE_PATH.size() - 1);
    }

    /** fentry/fexit where the kernel takes it, kprobes where it does not; the table names each and why. */
    @Test
    void everyFunctionHookAttachesPreferringFentryAndTheProbeTableShowsTheMechanism() {
        KernelProbe kernel = KernelProbe.scan();
        try (ReceiveHooks hooks = ReceiveHooks.attach(kernel, BpfSource.packaged(), ReceiveHooks.Options.ALL_PATHS)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ProbeTable.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), kernel, hooks.statuses());
            String table = bytes.toString(StandardCharsets.UTF_8);
            System.out.print(table);
            // Debian's kernels have BTF: the offsets the programs read headers and handshakes at
            assertTrue(table.contains("segment headers, handshakes and the raw DEV and SOCKET hooks: struct members read at the kernel's BTF offsets ("), table);
            for (HookStatus s : hooks.statuses()) {
                Hook h = s.hook();
                if (h.isTracepoint()) continue;
                if (kernel.unavailableReason(h).isPresent()) {
                    // the do_rcv hooks, on kernels whose tcp_probe names its skb
                    assertTrue(s.reason().startsWith("not needed: "), h.target() + ": " + s.reason());
                    continue;
                }
                assertTrue(s.attached(), h.target() + ": " + s.reason());
                if (ONE_SKB_ARGUMENT.contains(h)) assertEquals(Mechanism.FENTRY, s.mechanism(), h.target() + ": " + s.reason());
                // a fallback says what fentry/fexit answered
                if (s.mechanism() == Mechanism.KPROBE) {
                    assertTrue(s.reason().startsWith(h.attachment(Mechanism.FENTRY) + ": "), h.target() + ": " + s.reason());
                }
                assertTrue(table.lines().anyMatch(l -> l.matches(h.stage() + "\\s+" + h.target() + "\\s+attached\\s+"
                        + s.attachment().replace("+", "\\+") + "\\b.*")), "the table's row for " + h.target());
            }
        }
    }

    /**
     * A loopback connection over IPv4 and one over IPv6, with the function stages attached by
     * fentry (the default) and then by kprobes only (agent --mechanisms kprobe): payload paths
     * pass DEV, IP, TCP, LOOKUP, SOCKET, USER and END in timestamp order, and the bytes add up.
     */
    @ParameterizedTest
    @EnumSource(value = Mechanism.class, names = {"FENTRY", "KPROBE"})
    void loopbackPathsPassEveryStageInOrder(Mechanism preferred) throws Exception {
        Set<Mechanism> allowed = preferred == Mechanism.KPROBE ? EnumSet.of(Mechanism.TRACEPOINT, Mechanism.KPROBE)
                : EnumSet.allOf(Mechanism.class);
        Traffic.Transfer v4, v6;
        try (RunningAgent running = RunningAgent.start(KernelProbe.scan(allowed), Pipeline.Limits.DEFAULT)) {
            for (HookStatus s : running.agent.hooks().statuses()) {
                if (ONE_SKB_ARGUMENT.contains(s.hook())) assertEquals(preferred, s.mechanism(), s.hook().target() + ": " + s.reason());
                if (preferred == Mechanism.KPROBE && s.attached() && FUNCTION_HOOKS.contains(s.hook())) {
                    assertEquals(Mechanism.KPROBE, s.mechanism(), s.hook().target());
                }
            }
            // Reader and softirq on different CPUs: a TCP skb read on the CPU that allocated it is
            // freed by __kfree_skb, which has no tracepoint, and only the cross-CPU (deferred) free
            // reaches consume_skb, so only then does a path get its END (6.1 to 6.12).
            v4 = Traffic.loopback(InetAddress.getByName("127.0.0.1"), 1_000_000, 0, 1);
            v6 = Traffic.loopback(InetAddress.getByName("::1"), 300_000, 0, 1);
            running.settleAndClose();
            assertEquals(0, running.out.lost.get(), "records lost");
            for (Traffic.Transfer t : List.of(v4, v6)) assertStagesAndBytes(running, t);
        }
    }

    private static void assertStagesAndBytes(RunningAgent running, Traffic.Transfer t) {
        List<Flow> flows = running.pipeline.flows().flows().stream().filter(f -> f.endpoints() != null
                && f.endpoints().localPort() == t.serverPort() && f.endpoints().remotePort() == t.clientPort()).toList();
        assertEquals(1, flows.size(), () -> "one flow for the server's socket: " + flows.stream().map(f -> f.sk() + " " + f.cookie()
                + " " + f.states() + " segments " + f.segments()).toList());
        Flow flow = flows.get(0);
        List<ReceivePath> payload = running.out.toPort(t.serverPort()).stream().filter(PathCollector::carriedPayload).toList();
        assertEquals(t.bytesRead(), flow.bytesDelivered(), () -> "bytes the flow says the application read; flow sk " + flow.sk()
                + ", received " + flow.bytesReceived() + "; " + payload.size() + " payload paths, first " + payload.stream().limit(1).toList());
        assertFalse(payload.isEmpty());
        long copied = 0;
        int complete = 0;
        for (ReceivePath p : payload) {
            copied += p.copied();
            for (int i = 1; i < p.stages().size(); i++) {
                assertTrue(p.stages().get(i - 1).tsNs() <= p.stages().get(i).tsNs(), "stages in timestamp order: " + p);
            }
            // Every segment that reached the socket was looked up by its tuple, found, and handed over by IP and TCP.
            if (p.stage(Stage.DEV) != null) {
                for (Stage s : List.of(Stage.IP, Stage.TCP, Stage.LOOKUP)) {
                    assertNotNull(p.stage(s), s + " in " + p);
                    assertFalse(p.stage(s).inferred(), s + " seen, not inferred, in " + p);
                }
            }
            assertEquals(flow.sk(), p.sk(), "the looked-up socket is the flow's: " + p);
            if (p.stages().stream().map(ReceivePath.StageTime::stage).toList().equals(completePath())
                    && p.verdict() == Verdict.DELIVERED && !p.stage(Stage.USER).inferred()) {
                complete++;
                // later segments coalesced into a queued skb are copied out of it too
                assertTrue(p.copied() >= p.payload(), "a delivered segment's bytes all reached the application: " + p);
            }
        }
        assertTrue(complete > 0, () -> "paths with all of " + completePath() + ", of " + payload.size() + ": "
                + payload.stream().collect(Collectors.groupingBy(p -> p.verdict() + " " + p.stages().stream()
                        .map(st -> st.stage() + (st.inferred() ? "?" : "")).toList(), TreeMap::new, Collectors.counting())));
        assertEquals(t.bytesRead(), copied, "bytes copied out of this connection's skbs");
    }

    /** A SYN to a closed port: the listener lookup runs and finds nothing, and the segment dies there. */
    @Test
    void aClosedPortIsLookedUpAndReset() throws Exception {
        try (RunningAgent running = RunningAgent.start(Pipeline.Limits.DEFAULT)) {
            Traffic.Refused r = Traffic.refused(InetAddress.getByName("127.0.0.1"));
            running.settleAndClose();
            ReceivePath syn = running.out.refused(r.port());
            assertEquals(KernelTests.noSocketReason(), syn.reason(), syn.toString());
            assertNotNull(syn.stage(Stage.LOOKUP), syn.toString());
            assertFalse(syn.stage(Stage.LOOKUP).inferred(), "the lookup was seen: " + syn);
            assertEquals(Stage.LOOKUP, syn.diedAt(), syn.toString());
            assertEquals(0, syn.sk(), "no socket found: " + syn);
            for (Stage s : List.of(Stage.DEV, Stage.IP, Stage.TCP)) assertNotNull(syn.stage(s), s + " in " + syn);
        }
    }

    /**
     * A listener (backlog 1) that never accepts, its accept queue filled by two connections:
     * the kernel consumes the next SYN unanswered, counting a listen overflow but naming no
     * drop reason. The lookup that found the full listener keeps the SYN's path and says so.
     */
    @Test
    void aSynToAListenerWithAFullAcceptQueueIsDroppedAsAListenOverflow() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (RunningAgent running = RunningAgent.start(Pipeline.Limits.DEFAULT);
             ServerSocket listener = new ServerSocket(0, 1, loopback);
             Socket first = new Socket(loopback, listener.getLocalPort()); Socket second = new Socket(loopback, listener.getLocalPort());
             SocketChannel late = SocketChannel.open()) {
            late.bind(new InetSocketAddress(loopback, 0)); // a pending connect does not report the port it bound
            int port = ((InetSocketAddress) late.getLocalAddress()).getPort();
            late.configureBlocking(false);
            late.connect(new InetSocketAddress(loopback, listener.getLocalPort()));
            KernelTests.await("the late SYN's path", 10_000, () -> !overflows(running, listener.getLocalPort(), port).isEmpty());
            running.settleAndClose();
            ReceivePath syn = overflows(running, listener.getLocalPort(), port).get(0);
            assertEquals(Verdict.DROPPED, syn.verdict(), syn.toString());
            assertEquals(Stage.SOCKET, syn.diedAt(), syn.toString());
            assertNotNull(syn.stage(Stage.LOOKUP), "found by the listener lookup: " + syn);
            assertNotNull(syn.tcp(), "its headers (these kernels have BTF): " + syn);
            assertEquals(TcpText.SYN, syn.tcp().flags(), syn.toString());
        }
    }

    private static List<ReceivePath> overflows(RunningAgent running, int port, int clientPort) {
        return running.out.where(p -> "LISTEN_OVERFLOW".equals(p.reason()) && p.endpoints() != null
                && p.endpoints().localPort() == port && p.endpoints().remotePort() == clientPort);
    }
}
