package dev.rxpath.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces joined by a veth pair, created for a test and removed after it:
 * a sender at 10.231.0.1 in one, a receiver at 10.231.0.2 in the other. Traffic stays
 * inside namespaces the test made.
 */
final class VethPair implements AutoCloseable {
    static final String SENDER_IP = "10.231.0.1", RECEIVER_IP = "10.231.0.2";

    final String senderNs, receiverNs, senderDev, receiverDev;

    private VethPair(String tag) {
        senderNs = "rxpA" + tag;
        receiverNs = "rxpB" + tag;
        senderDev = "rxa" + tag;
        receiverDev = "rxb" + tag;
    }

    static VethPair create() throws Exception {
        VethPair v = new VethPair(Long.toString(ProcessHandle.current().pid() % 100_000));
        ip("netns", "add", v.senderNs);
        ip("netns", "add", v.receiverNs);
        ip("link", "add", v.senderDev, "netns", v.senderNs, "type", "veth", "peer", "name", v.receiverDev, "netns", v.receiverNs);
        ip("-n", v.senderNs, "addr", "add", SENDER_IP + "/24", "dev", v.senderDev);
        ip("-n", v.receiverNs, "addr", "add", RECEIVER_IP + "/24", "dev", v.receiverDev);
        for (String ns : List.of(v.senderNs, v.receiverNs)) ip("-n", ns, "link", "set", "lo", "up");
        ip("-n", v.senderNs, "link", "set", v.senderDev, "up");
        ip("-n", v.receiverNs, "link", "set", v.receiverDev, "up");
        return v;
    }

    /** Takes the receiver's end down or up: while it is down the sender's segments are lost and retransmitted. */
    void receiverLink(boolean up) throws Exception {
        ip("-n", receiverNs, "link", "set", receiverDev, up ? "up" : "down");
    }

    /** {@code java … Traffic ARGS} inside a namespace, with this test run's classes. */
    static Process traffic(String ns, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns,
                ProcessHandle.current().info().command().orElse("java"), "-cp", Path.of("target/test-classes").toAbsolutePath().toString(),
                Traffic.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).start();
    }

    static String errors(Process p) throws IOException {
        return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void ip(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + output);
    }

    /** Runs a command inside one of the namespaces; fails with its output if it fails. */
    static void exec(String ns, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("netns", "exec", ns));
        cmd.addAll(List.of(command));
        ip(cmd.toArray(String[]::new));
    }

    /** Deleting the namespaces takes the veth pair (and their netfilter rules) with them. */
    @Override
    public void close() throws Exception {
        ip("netns", "del", senderNs);
        ip("netns", "del", receiverNs);
    }
}
