package dev.rxpath.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.util.JsonFormat;
import dev.rxpath.api.v1.Flow;
import dev.rxpath.api.v1.GetPathsResponse;
import dev.rxpath.api.v1.ServerStatusResponse;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a process against the real agent (the jar the reactor built before this
 * module), over its Unix socket and over TLS on TCP, while real loopback traffic flows.
 * Needs root: the agent loads its BPF programs.
 */
@Tag("kernel")
class CliAgainstAgentKernelTest {
    private static final Path AGENT = Processes.AGENT;
    @TempDir
    static Path dir;
    private static Process agent;
    private static final List<String> agentErr = new CopyOnWriteArrayList<>();
    private static String unix;
    private static String tcp;
    private static Path ca;

    private record Run(int exit, String out, String err) {}

    @BeforeAll
    static void startAgent() throws Exception {
        assumeTrue(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).strip().equals("0"),
                "the agent needs root");
        assertTrue(Files.isRegularFile(AGENT.resolve("rxpath-agent.jar")), "the agent module is built before this one: " + AGENT);
        Path cert = dir.resolve("cert.pem"), key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
        String sslOut = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, openssl.waitFor(), sslOut);
        ca = cert;
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        unix = "unix:" + dir.resolve("rxpath.sock");
        tcp = "127.0.0.1:" + port;
        agent = Processes.agentJar("agent", "--socket", dir.resolve("rxpath.sock").toString(), "--listen", tcp,
                "--tls-cert", cert.toString(), "--tls-key", key.toString(), "--paths", "all", "--stats-interval", "0");
        drainInto(agent, agentErr);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (agentErr.stream().noneMatch(l -> l.contains("hook points attached"))) {
            assertTrue(agent.isAlive() && System.nanoTime() < deadline, "the agent started: " + agentErr);
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (agent != null) {
            agent.destroy();
            agent.waitFor(20, TimeUnit.SECONDS);
            // every CLI call above connected to it: none made it log a library's warning
            Thread.sleep(200);
            List<String> warned = agentErr.stream().filter(l -> l.startsWith("WARNING") || l.startsWith("SEVERE")).toList();
            assertEquals(List.of(), warned, String.join("\n", agentErr));
        }
    }

    /** Collects a process's stderr lines as they come, until it is stopped. */
    private static void drainInto(Process p, List<String> lines) {
        Thread drain = new Thread(() -> {
            try {
                new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8)).lines().forEach(lines::add);
            } catch (java.io.UncheckedIOException stopped) {
                // the process was stopped
            }
        });
        drain.setDaemon(true);
        drain.start();
    }

    private static ProcessBuilder cli(String... args) {
        return new ProcessBuilder(Processes.cli(args));
    }

    private static Run run(String... args) throws Exception {
        Process p = cli(args).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out, err);
    }

    /** A loopback connection carrying {@code bytes}; returns the server's port. */
    private static int transfer(int bytes) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket accepted = server.accept()) {
            OutputStream o = client.getOutputStream();
            o.write(new byte[bytes]);
            client.shutdownOutput();
            accepted.getInputStream().readAllBytes();
            return server.getLocalPort();
        }
    }

    private static List<GetPathsResponse> paths(String json) throws Exception {
        List<GetPathsResponse> out = new ArrayList<>();
        for (String line : json.lines().toList()) {
            GetPathsResponse.Builder b = GetPathsResponse.newBuilder();
            JsonFormat.parser().merge(line, b);
            out.add(b.build());
        }
        return out;
    }

    @Test
    void observeLastWithAPortFilterOverTheUnixSocket() throws Exception {
        int port = transfer(20_000);
        Thread.sleep(2500); // the paths finish at their END or the 1 s path timeout
        // a 20,000-byte transfer gives this port at least two paths: the data, and the FIN
        Run json = run("observe", "--server", unix, "--last", "2", "--local-port", String.valueOf(port), "-o", "json");
        assertEquals(0, json.exit(), json.err());
        List<GetPathsResponse> got = paths(json.out());
        assertEquals(2, got.size(), json.out());
        for (GetPathsResponse r : got) assertEquals(port, r.getPath().getEndpoints().getLocalPort(), r.toString());

        Run compact = run("observe", "--server", unix, "--last", "2", "--local-port", String.valueOf(port));
        assertEquals(0, compact.exit(), compact.err());
        assertEquals(2, compact.out().lines().count(), compact.out());
        assertTrue(compact.out().lines().allMatch(l -> l.contains(":" + port + " ") && l.contains("DEV")), compact.out());

        Run table = run("observe", "--server", unix, "--last", "2", "--local-port", String.valueOf(port), "-o", "table");
        assertEquals(0, table.exit(), table.err());
        assertEquals(3, table.out().lines().count(), "a header and two rows: " + table.out());
    }

    @Test
    void observeFollowsNewPathsOfOnePort() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process follow = cli("observe", "--server", unix, "-f", "--port", String.valueOf(port), "-o", "json").start();
        try {
            Thread.sleep(1500); // the stream is open
            try (ServerSocket server = new ServerSocket()) {
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port); Socket a = server.accept()) {
                    c.getOutputStream().write(new byte[5000]);
                    a.getInputStream().readNBytes(5000);
                }
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8));
            GetPathsResponse first = paths(r.readLine()).get(0);
            var e = first.getPath().getEndpoints();
            assertTrue(e.getLocalPort() == port || e.getRemotePort() == port, first.toString());
        } finally {
            follow.destroy();
        }
    }

    @Test
    void flowsStatusAndDropsOverTlsTcp() throws Exception {
        int port = transfer(30_000);
        try (Socket refused = new Socket()) {
            int closed;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closed = s.getLocalPort();
            }
            refused.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), closed), 2000);
        } catch (java.net.ConnectException expected) {
            // the reset the drops command groups
        }
        Thread.sleep(2500);
        String[] tls = {"--server", tcp, "--tls-ca", ca.toString()};

        Run flows = run(concat(new String[] {"flows", "--local-port", String.valueOf(port), "--closed", "-o", "json"}, tls));
        assertEquals(0, flows.exit(), flows.err());
        List<Flow> fl = new ArrayList<>();
        for (String line : flows.out().lines().toList()) {
            Flow.Builder b = Flow.newBuilder();
            JsonFormat.parser().merge(line, b);
            fl.add(b.build());
        }
        assertTrue(fl.stream().anyMatch(f -> f.getBytesDelivered() == 30_000), flows.out());

        Run status = run(concat(new String[] {"status", "-o", "json"}, tls));
        assertEquals(0, status.exit(), status.err());
        ServerStatusResponse.Builder s = ServerStatusResponse.newBuilder();
        JsonFormat.parser().merge(status.out(), s);
        assertEquals(System.getProperty("os.version"), s.getKernelRelease());
        assertTrue(s.getHooksList().stream().anyMatch(h -> h.getAttached() && h.getHook().equals("tcp:tcp_probe")), status.out());

        Run drops = run(concat(new String[] {"drops"}, tls));
        assertEquals(0, drops.exit(), drops.err());
        assertTrue(drops.out().contains("NO_SOCKET"), drops.out());

        // without the CA the TLS handshake fails: the agent is not reachable that way
        Run untrusted = run("status", "--server", tcp);
        assertEquals(1, untrusted.exit(), untrusted.out() + untrusted.err());
    }

    @Test
    void topPrintsRefreshedFlowTables() throws Exception {
        int port = transfer(10_000);
        Process top = cli("top", "--server", unix, "--interval", "300ms", "--local-port", String.valueOf(port), "--closed").start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(top.getInputStream(), StandardCharsets.UTF_8));
            int headers = 0;
            List<String> seen = new ArrayList<>();
            for (String line; headers < 2 && (line = r.readLine()) != null; ) {
                seen.add(line);
                if (line.contains("REMOTE") && line.contains("LOCAL")) headers++;
            }
            assertEquals(2, headers, "two snapshots (not a terminal: printed one after the other): " + seen);
            assertTrue(seen.stream().anyMatch(l -> l.contains("127.0.0.1:" + port)), seen.toString());
        } finally {
            top.destroy();
        }
    }

    @Test
    void badFiltersAreUsageErrorsAndAMissingAgentIsUnreachable() throws Exception {
        Run bad = run("observe", "--server", unix, "--remote-ip", "10.0.0.0/33");
        assertEquals(2, bad.exit(), bad.err());
        assertTrue(bad.err().contains("--remote-ip"), bad.err());
        // a filter only the agent can refuse: INVALID_ARGUMENT, exit 2, the field named
        Run netns = run("observe", "--server", unix, "--netns", "4026531840");
        assertEquals(2, netns.exit(), netns.err());
        assertTrue(netns.err().contains("netns"), netns.err());
        Run gone = run("status", "--server", "unix:" + dir.resolve("nothing.sock"));
        assertEquals(1, gone.exit(), gone.err());
        assertTrue(gone.err().contains("cannot reach the agent"), gone.err());
    }

    /** {@code rxpath relay ARGS...} from the agent's jar, and its stderr lines. */
    private record Relay(Process process, List<String> err) implements AutoCloseable {
        static Relay start(String... args) throws Exception {
            List<String> all = new ArrayList<>(List.of("relay"));
            all.addAll(List.of(args));
            Process p = Processes.agentJar(all.toArray(String[]::new));
            List<String> err = new CopyOnWriteArrayList<>();
            drainInto(p, err);
            return new Relay(p, err);
        }

        void await(String line) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (err.stream().noneMatch(l -> l.contains(line))) {
                assertTrue(process.isAlive() && System.nanoTime() < deadline, "the relay said \"" + line + "\": " + err);
                Thread.sleep(100);
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * The CLI, unchanged, through a relay that reaches the agent over TLS: its paths and flows
     * name the node, --node selects it, and status lists it. A relay that does not trust the
     * agent's certificate names the node unavailable and says why.
     */
    @Test
    void theCliThroughARelayOverTls() throws Exception {
        String relayAt = "127.0.0.1:" + freePort();
        try (Relay relay = Relay.start("--peer", tcp, "--tls-ca", ca.toString(), "--listen", relayAt, "--poll-interval", "200")) {
            relay.await("connected");
            String node = new String(new ProcessBuilder("hostname").start().getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int port = transfer(20_000);
            Thread.sleep(2500);
            Run json = run("observe", "--server", relayAt, "--last", "2", "--local-port", String.valueOf(port), "-o", "json");
            assertEquals(0, json.exit(), json.err());
            List<GetPathsResponse> got = paths(json.out()).stream().filter(GetPathsResponse::hasPath).toList();
            assertEquals(2, got.size(), json.out());
            for (GetPathsResponse r : got) assertEquals(node, r.getNodeName(), r.toString());

            Run compact = run("observe", "--server", relayAt, "--last", "2", "--local-port", String.valueOf(port));
            assertEquals(0, compact.exit(), compact.err());
            assertTrue(compact.out().lines().anyMatch(l -> l.equals("NODE " + node + " connected")), compact.out());
            assertEquals(2, compact.out().lines().filter(l -> l.startsWith(node + "  ")).count(), compact.out());

            Run flows = run("flows", "--server", relayAt, "--local-port", String.valueOf(port), "--closed", "--node", node);
            assertEquals(0, flows.exit(), flows.err());
            assertTrue(flows.out().lines().anyMatch(l -> l.startsWith(node + "  ")), flows.out());
            Run none = run("flows", "--server", relayAt, "--local-port", String.valueOf(port), "--closed", "--node", "no-such-node", "-o", "json");
            assertEquals(0, none.exit(), none.err());
            assertEquals("", none.out().strip(), "a node filter no node matches");

            Run status = run("status", "--server", relayAt);
            assertEquals(0, status.exit(), status.err());
            assertTrue(status.out().lines().anyMatch(l -> l.startsWith(node) && l.contains(tcp) && l.contains("CONNECTED")), status.out());
        }

        // a relay trusting another CA: the agent's certificate is refused, and said so
        Path otherCert = dir.resolve("other-cert.pem"), otherKey = dir.resolve("other-key.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=other",
                "-keyout", otherKey.toString(), "-out", otherCert.toString()).redirectErrorStream(true).start();
        openssl.getInputStream().readAllBytes();
        assertEquals(0, openssl.waitFor());
        String wrongAt = "127.0.0.1:" + freePort();
        try (Relay relay = Relay.start("--peer", tcp, "--tls-ca", otherCert.toString(), "--listen", wrongAt, "--poll-interval", "200")) {
            relay.await("rxpath: relay: serving on");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            Run status;
            do {
                Thread.sleep(300);
                status = run("status", "--server", wrongAt);
            } while (!status.out().contains("UNAVAILABLE") && System.nanoTime() < deadline);
            String out = status.out();
            assertTrue(out.lines().anyMatch(l -> l.startsWith(tcp) && l.contains("UNAVAILABLE") && l.toLowerCase(java.util.Locale.ROOT).contains("certif")), out);
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
