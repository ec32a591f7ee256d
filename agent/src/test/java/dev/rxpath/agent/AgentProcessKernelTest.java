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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code rxpath agent} as its own process, as a user runs it: --print, --probe, and SIGINT. */
class AgentProcessKernelTest {
    @BeforeAll
    static void root() throws Exception {
        KernelTests.requireRoot();
    }

    private static ProcessBuilder agent(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "agent"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    @Test
    void printShowsEachStageOfRealTrafficAndSigintDetaches() throws Exception {
        Process p = agent("--print", "--stats-interval", "0").start();
        List<String> out = new CopyOnWriteArrayList<>(), err = new CopyOnWriteArrayList<>();
        Thread o = drain(p.getInputStream(), out), e = drain(p.getErrorStream(), err);
        KernelTests.await("the agent to attach", 30_000, () -> err.stream().anyMatch(l -> l.contains("hook points attached")));

        InetAddress lo = InetAddress.getLoopbackAddress();
        int port;
        try (ServerSocket server = new ServerSocket(0, 1, lo)) {
            port = server.getLocalPort();
            try (Socket c = new Socket(lo, port); Socket s = server.accept()) {
                c.getOutputStream().write(new byte[4321]);
                s.getInputStream().readNBytes(4321);
            }
        }
        String flow = ":" + port;
        KernelTests.await("the copy to the application", 5000, () -> out.stream().anyMatch(l -> l.contains("USER") && l.contains("len=4321")));
        assertTrue(out.stream().anyMatch(l -> l.contains(" DEV ") && l.contains("dev=lo")), "DEV lines");
        assertTrue(out.stream().anyMatch(l -> l.contains("SOCKET") && l.contains("sock_queue") && l.contains(flow) && l.contains("len=4321")),
                "the segment queued to the socket, with its port and length");
        assertTrue(out.stream().anyMatch(l -> l.contains("TCP_SYN_RECV -> TCP_ESTABLISHED") && l.contains(flow)), "state names");

        new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "agent exits on SIGINT");
        o.join();
        e.join();
        String summary = err.stream().filter(l -> l.contains("detached")).findFirst().orElse("");
        assertTrue(summary.matches(".*detached; \\d+ records submitted, \\d+ received, 0 lost, 0 malformed"), String.join("\n", err));
    }

    @Test
    void probePrintsTheTableAndExits() throws Exception {
        Process p = agent("--probe").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("net:netif_receive_skb") && text.contains("attached"), text);
        assertTrue(text.contains("kprobe:tcp_v4_rcv"), text);
        if (!Files.isDirectory(Path.of("/sys/bus/event_source/devices/kprobe"))) {
            assertTrue(text.lines().anyMatch(l -> l.contains("kprobe:tcp_v4_rcv") && l.contains("unavailable") && l.contains("no kprobes")), text);
        }
    }

    private static Thread drain(java.io.InputStream in, List<String> lines) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        t.start();
        return t;
    }
}
