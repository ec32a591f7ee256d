package dev.rxpath.agent;

import dev.rxpath.agent.probe.ReceiveHooks;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Makes the recorded streams in src/test/resources/recordings from real traffic on this
 * machine (run as root; see that folder's README). Each recording has a .properties file
 * beside it with what the traffic was, for the replay tests to check against.
 */
public final class RecordFixtures {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources/recordings");
        Files.createDirectories(dir);
        if (args.length > 1 && args[1].equals("bench")) {
            bench(dir);
            return;
        }
        if (args.length > 1 && args[1].equals("churn")) {
            churn(dir);
            return;
        }
        loopback(dir);
        stalled(dir);
    }

    /** The replay benchmark's input: bulk transfers, and many short connections (a flow each). */
    private static void bench(Path dir) throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (RunningAgent agent = RunningAgent.recording(dir.resolve("bench.rxrec.gz"))) {
            Traffic.loopback(lo, 20_000_000);
            Traffic.loopback(InetAddress.getByName("::1"), 5_000_000);
            try (ServerSocket server = new ServerSocket(0, 64, lo)) {
                for (int i = 0; i < 2000; i++) {
                    try (Socket c = new Socket(lo, server.getLocalPort()); Socket s = server.accept()) {
                        c.getOutputStream().write(new byte[200]);
                        s.getInputStream().readNBytes(200);
                        s.getOutputStream().write(new byte[100]);
                        c.getInputStream().readNBytes(100);
                    }
                }
            }
            agent.settleAndClose();
        }
    }

    /**
     * A listener per connection, 1,000 bytes each, in the default sampled mode with counters
     * read every 200 ms: listeners and connections take each other's socket addresses between
     * two reads, which is what tells socket lives apart in the flow table. Made in the 5.10
     * guest (bin/vmtest; docs/tests.md), where that happens most.
     */
    private static void churn(Path dir) throws Exception {
        Properties p = new Properties();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        StringBuilder connections = new StringBuilder();
        try (RunningAgent agent = RunningAgent.recording(dir.resolve("churn.rxrec.gz"), ReceiveHooks.Options.DEFAULT,
                Agent.Options.DEFAULT.withCountersMillis(200))) {
            for (int i = 0; i < 400; i++) {
                Traffic.Transfer t = Traffic.loopback(lo, 1000);
                connections.append(i == 0 ? "" : ",").append(t.serverPort()).append(':').append(t.clientPort());
            }
            agent.settleAndClose();
        }
        p.setProperty("connections", connections.toString());
        p.setProperty("bytes", "1000");
        p.setProperty("kernel", System.getProperty("os.version"));
        write(p, dir.resolve("churn.properties"));
    }

    /** An IPv4 transfer with small and large writes and a sometimes-slow reader, an IPv6 one, and a refused connection. */
    private static void loopback(Path dir) throws Exception {
        Properties p = new Properties();
        try (RunningAgent agent = RunningAgent.recording(dir.resolve("loopback.rxrec.gz"))) {
            put(p, "v4", Traffic.loopback(InetAddress.getByName("127.0.0.1"), 2_000_000));
            put(p, "v6", Traffic.loopback(InetAddress.getByName("::1"), 300_000));
            Traffic.Refused r = Traffic.refused(InetAddress.getByName("127.0.0.1"));
            p.setProperty("refused.port", String.valueOf(r.port()));
            p.setProperty("refused.clientPort", String.valueOf(r.clientPort()));
            agent.settleAndClose();
        }
        write(p, dir.resolve("loopback.properties"));
    }

    /** 100 KB that the receiver leaves unread for 1.5 s, then reads. */
    private static void stalled(Path dir) throws Exception {
        Properties p = new Properties();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (RunningAgent agent = RunningAgent.recording(dir.resolve("stalled.rxrec.gz"));
             ServerSocket server = new ServerSocket(0, 1, lo);
             Socket client = new Socket(lo, server.getLocalPort());
             Socket accepted = server.accept()) {
            OutputStream o = client.getOutputStream();
            for (int i = 0; i < 100; i++) o.write(new byte[1000]);
            Thread.sleep(1500);
            p.setProperty("stall.ms", "1500");
            p.setProperty("stalled.bytes", String.valueOf(accepted.getInputStream().readNBytes(100_000).length));
            p.setProperty("stalled.port", String.valueOf(server.getLocalPort()));
            p.setProperty("stalled.clientPort", String.valueOf(client.getLocalPort()));
            p.setProperty("stalled.pid", String.valueOf(ProcessHandle.current().pid()));
            agent.settleAndClose();
        }
        write(p, dir.resolve("stalled.properties"));
    }

    private static void put(Properties p, String name, Traffic.Transfer t) {
        p.setProperty(name + ".port", String.valueOf(t.serverPort()));
        p.setProperty(name + ".clientPort", String.valueOf(t.clientPort()));
        p.setProperty(name + ".pid", String.valueOf(t.readerPid()));
        p.setProperty(name + ".bytes", String.valueOf(t.bytesRead()));
    }

    private static void write(Properties p, Path file) throws Exception {
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, "the traffic recorded beside this file, by RecordFixtures");
        }
    }
}
