package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rxpath agent} and {@code rxpath replay} as their own processes, as a user runs them: --print, --record, --probe, SIGINT. */
@KernelTest
class AgentProcessKernelTest {
    @Test
    void printRawShowsEachRecordOfRealTrafficAndSigintDetaches() throws Exception {
        try (AgentProcess p = AgentProcess.agent("--print", "raw", "--paths", "all", "--stats-interval", "0")) {
            List<String> out = p.out, err = p.err;
            int port = attachedThenSend4321(p);
            String flow = ":" + port;
            KernelTests.await("the copy to the application", 5000, () -> out.stream().anyMatch(l -> l.contains("USER") && l.contains("len=4321")));
            assertTrue(out.stream().anyMatch(l -> l.contains(" DEV ") && l.contains("dev=lo")), "DEV lines");
            assertTrue(out.stream().anyMatch(l -> l.contains("SOCKET") && l.contains("sock_queue") && l.contains(flow) && l.contains("len=4321")),
                    "the segment queued to the socket, with its port and length");
            assertTrue(out.stream().anyMatch(l -> l.contains("TCP_SYN_RECV -> TCP_ESTABLISHED") && l.contains(flow)), "state names");
            assertTrue(out.stream().anyMatch(l -> l.contains(" handshake ") && l.contains(flow + " ") && l.contains("accepted rtt=")
                    && l.contains("peer_mss=65495")), "the accepted connection's handshake");
            assertTrue(out.stream().anyMatch(l -> l.contains(" segment ") && l.contains(flow) && l.contains("[P.]") && l.contains("tcplen=4321")),
                    "the data segment's header");

            p.interrupt();
            // start-up says one thing a line: a stage no hook serves is one summary line, each hook's whole reason is --log-level debug's
            assertTrue(err.stream().noneMatch(l -> l.contains(" unavailable (")), String.join("\n", err));
            assertTrue(err.stream().allMatch(l -> l.length() < 240), String.join("\n", err));
            String summary = err.stream().filter(l -> l.contains("detached")).findFirst().orElse("");
            assertTrue(summary.matches(".*detached; \\d+ records submitted, \\d+ received, 0 lost, 0 malformed"), String.join("\n", err));
        }
    }

    @Test
    void printShowsOneLinePerPathAndTheRecordingReplaysToTheSameLines(@TempDir Path dir) throws Exception {
        Path recording = dir.resolve("run.rxrec.gz");
        List<String> err;
        String delivered;
        try (AgentProcess p = AgentProcess.agent("--print", "--paths", "all", "--record", recording.toString(), "--stats-interval", "0")) {
            List<String> out = p.out;
            err = p.err;
            int port = attachedThenSend4321(p);
            String to = "-> 127.0.0.1:" + port + " ", pid = "pid=" + ProcessHandle.current().pid() + " ";
            KernelTests.await("the delivered segment's path", 5000, () -> out.stream().anyMatch(l -> l.contains(to) && l.contains("DELIVERED")));
            delivered = out.stream().filter(l -> l.contains(to) && l.contains("DELIVERED")).findFirst().orElseThrow();
            assertTrue(delivered.matches(".* DEV > SOCKET \\S+ > USER \\S+.* dev=lo len=4321 .*") && delivered.contains(pid), delivered);
            p.interrupt();
        }
        assertTrue(err.stream().anyMatch(l -> l.matches("rxpath: paths \\d+: .*DELIVERED=\\d+.*")), String.join("\n", err));
        assertTrue(err.stream().anyMatch(l -> l.startsWith("rxpath: recorded ")), String.join("\n", err));

        Process replay = AgentProcess.command("replay", recording.toString()).redirectErrorStream(true).start();
        List<String> replayed = new String(replay.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertTrue(replay.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, replay.exitValue(), String.join("\n", replayed));
        // a recording carries no cgroup tree: the replay cannot name the reader's container, as the live agent does where it ran in one
        String uncontained = delivered.replaceFirst("( pod=\\S+)? container=\\S+", "");
        assertTrue(replayed.contains(uncontained), "the replay finds the same path, to the nanosecond:\n" + String.join("\n", replayed));
        assertTrue(replayed.stream().anyMatch(l -> l.startsWith("replayed ") && l.contains("0 malformed")), String.join("\n", replayed));
    }

    @Test
    void probePrintsTheTableAndExits() throws Exception {
        Process p = AgentProcess.command("agent", "--probe").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), text);
        // with BTF, the per-segment DEV and SOCKET hooks skip the classic tracepoints' records
        assertTrue(text.lines().anyMatch(l -> l.matches("DEV\\s+net:netif_receive_skb\\s+attached\\s+raw_tracepoint\\s*")), text);
        assertTrue(text.lines().anyMatch(l -> l.matches("SOCKET\\s+tcp:tcp_probe\\s+attached\\s+raw_tracepoint\\s*")), text);
        assertTrue(text.lines().anyMatch(l -> l.matches("TCP\\s+tcp_v4_rcv\\s+.*")), text);
        assertTrue(text.contains("segment headers, handshakes and the raw DEV and SOCKET hooks: struct members read at the kernel's BTF offsets ("), text);
        if (!Files.isDirectory(Path.of("/sys/bus/event_source/devices/kprobe"))) {
            assertTrue(text.lines().anyMatch(l -> l.contains(" tcp_v4_rcv ") && l.contains("unavailable") && l.contains("kprobe: ")
                    && l.contains("no kprobes")), text);
        }
    }

    @Test
    void aMalformedFilterIsAUsageErrorNamingTheOption() throws Exception {
        for (List<String> args : List.of(List.of("--remote-ip", "10.0.0.0/33"), List.of("--port", "0"),
                List.of("--paths", "all", "--path-rate", "5"), List.of("--path-ratio", "2"), List.of("--traces-exporter", "jaeger"),
                List.of("--traces-endpoint", "localhost:4317", "--traces-exporter", "otlp"), List.of("--metrics-listen", "9464"),
                List.of("--metrics-labels", "container", "--metrics-listen", "127.0.0.1:9464"), List.of("--metrics-labels", "comm"),
                List.of("--cgroup-root", "/tmp"))) {
            Process p = AgentProcess.command("agent", args.toArray(String[]::new)).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(2, p.exitValue(), args + ": " + text);
            assertTrue(text.contains(args.get(0)) || text.contains("port 0"), args + ": " + text);
        }
    }

    /** Its headers found, the agent says which; on a node without any (here: /lib/modules hidden by an empty mount), it names the package. */
    @Test
    void theAgentSaysWhichKernelHeadersItUsedAndNamesThePackageWhenThereAreNone() throws Exception {
        try (AgentProcess agent = AgentProcess.agent("--socket", "none", "--stats-interval", "0")) {
            agent.awaitAttached();
            String release = System.getProperty("os.version");
            assertTrue(agent.err.contains("rxpath: compiled against kernel headers: the host's, /lib/modules/" + release + "/build"),
                    String.join("\n", agent.err));
            agent.interrupt();
        }
        List<String> cmd = new java.util.ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs none /lib/modules && exec \"$@\"", "sh"));
        cmd.addAll(AgentProcess.command("agent", "--socket", "none", "--stats-interval", "0").command());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), text);
        String release = System.getProperty("os.version");
        assertTrue(text.contains("no kernel headers for " + release + ": neither /lib/modules/" + release + "/build (install linux-headers-"
                + release), text);
    }

    /**
     * CAP_BPF and CAP_PERFMON are all it takes on this kernel (CAP_SYSLOG names drop sites:
     * /proc/kallsyms hides addresses without it); without either of the two it names the one
     * it lacks, and why.
     */
    @Test
    void bpfAndPerfmonAreEnoughAndAMissingCapabilityIsNamed() throws Exception {
        String hidden = "rxpath: drop sites stay addresses: /proc/kallsyms hides them without CAP_SYSLOG";
        try (AgentProcess agent = AgentProcess.withCapabilities("bpf,perfmon", "--socket", "none", "--stats-interval", "0")) {
            agent.awaitAttached();
            String status = Files.readString(Path.of("/proc/" + agent.process.pid() + "/status"));
            assertTrue(status.contains("CapEff:\t000000c000000000"), status);
            agent.interrupt();
            assertTrue(agent.err.contains(hidden), String.join("\n", agent.err));
        }
        try (AgentProcess agent = AgentProcess.withCapabilities("bpf,perfmon,syslog", "--socket", "none", "--stats-interval", "0")) {
            agent.awaitAttached();
            agent.interrupt();
            assertTrue(agent.err.stream().noneMatch(l -> l.startsWith("rxpath: drop sites stay")), String.join("\n", agent.err));
        }
        for (String[] held : new String[][] {{"bpf", "CAP_PERFMON"}, {"perfmon", "CAP_BPF"}}) {
            try (AgentProcess agent = AgentProcess.withCapabilities(held[0], "--socket", "none")) {
                assertTrue(agent.process.waitFor(60, TimeUnit.SECONDS));
                agent.interrupt();
                assertEquals(1, agent.process.exitValue(), String.join("\n", agent.err));
                assertTrue(agent.err.stream().anyMatch(l -> l.startsWith("rxpath: missing capability " + held[1] + ": ")), String.join("\n", agent.err));
            }
        }
    }

    @Test
    void plaintextTcpOffLoopbackIsRefusedBeforeAnythingAttaches() throws Exception {
        Process p = AgentProcess.command("agent", "--listen", "192.0.2.1:4245").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), text);
        assertTrue(text.contains("192.0.2.1") && text.contains("--tls-cert"), text);
    }

    @Test
    void mechanismsTurnedOffAreNamedAndAnUnknownOneIsAUsageError() throws Exception {
        Process p = AgentProcess.command("agent", "--probe", "--mechanisms", "kprobe").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.lines().anyMatch(l -> l.contains(" ip_rcv ") && l.contains("fentry: fentry is turned off (--mechanisms)")), text);

        Process bad = AgentProcess.command("agent", "--probe", "--mechanisms", "uprobe").redirectErrorStream(true).start();
        String error = new String(bad.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(bad.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, bad.exitValue(), error);
        assertTrue(error.contains("--mechanisms") && error.contains("uprobe"), error);
    }

    /** Waits for the agent to say it attached, then sends 4,321 bytes over a new loopback connection; returns its port. */
    private static int attachedThenSend4321(AgentProcess agent) throws Exception {
        agent.awaitAttached();
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 1, lo)) {
            try (Socket c = new Socket(lo, server.getLocalPort()); Socket s = server.accept()) {
                c.getOutputStream().write(new byte[4321]);
                s.getInputStream().readNBytes(4321);
            }
            return server.getLocalPort();
        }
    }
}
