package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.flow.Flow;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.path.Verdict;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two network namespaces joined by a veth pair, created here and removed after: a sender
 * process in one, a receiver process in the other, the agent watching from the host.
 */
class VethKernelTest {
    private static final String SENDER_IP = "10.231.0.1", RECEIVER_IP = "10.231.0.2";
    private final String tag = Long.toString(ProcessHandle.current().pid() % 100_000);
    private final String nsA = "rxpA" + tag, nsB = "rxpB" + tag, vethA = "rxa" + tag, vethB = "rxb" + tag;
    private RunningAgent running;

    @BeforeAll
    static void root() throws Exception {
        KernelTests.requireRoot();
    }

    @BeforeEach
    void namespaces() throws Exception {
        ip("netns", "add", nsA);
        ip("netns", "add", nsB);
        ip("link", "add", vethA, "netns", nsA, "type", "veth", "peer", "name", vethB, "netns", nsB);
        ip("-n", nsA, "addr", "add", SENDER_IP + "/24", "dev", vethA);
        ip("-n", nsB, "addr", "add", RECEIVER_IP + "/24", "dev", vethB);
        for (String ns : List.of(nsA, nsB)) {
            ip("-n", ns, "link", "set", "lo", "up");
        }
        ip("-n", nsA, "link", "set", vethA, "up");
        ip("-n", nsB, "link", "set", vethB, "up");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (running != null) running.close();
        ip("netns", "del", nsA); // takes the veth pair with it
        ip("netns", "del", nsB);
    }

    @Test
    void aTransferBetweenNamespacesIsFollowedOnTheVethAndDeliveredExactly() throws Exception {
        running = RunningAgent.start(Pipeline.Limits.DEFAULT);
        PathCollector out = running.out;

        int port = 5001, total = 2_000_000;
        Process receiver = inNamespace(nsB, "receive", String.valueOf(port));
        BufferedReader said = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("listening", said.readLine());
        Process sender = inNamespace(nsA, "send", RECEIVER_IP, String.valueOf(port), String.valueOf(total));
        assertTrue(sender.waitFor(60, TimeUnit.SECONDS) && sender.exitValue() == 0, "sender: " + errors(sender));
        String[] result = said.readLine().split(" ");
        assertTrue(receiver.waitFor(30, TimeUnit.SECONDS) && receiver.exitValue() == 0, "receiver: " + errors(receiver));
        long readerPid = Long.parseLong(result[0]);
        assertEquals(receiver.pid(), readerPid, "ip netns exec runs the receiver itself");
        assertEquals(total, Long.parseLong(result[1]));

        running.settleAndClose();

        InetAddress receiverIp = InetAddress.getByName(RECEIVER_IP), senderIp = InetAddress.getByName(SENDER_IP);
        List<Flow> flows = running.pipeline.flows().flows().stream().filter(f -> f.endpoints() != null
                && f.endpoints().localPort() == port && f.endpoints().local().equals(receiverIp)
                && f.endpoints().remote().equals(senderIp)).toList();
        assertEquals(1, flows.size(), "the receiver's socket, 10.231.0.1 -> 10.231.0.2:" + port);
        Flow flow = flows.get(0);
        assertEquals(total, flow.bytesDelivered());
        assertEquals(readerPid, flow.reader().tgid());
        assertEquals("java", flow.reader().comm());

        List<ReceivePath> payload = out.where(p -> p.sk() == flow.sk() && PathCollector.carriedPayload(p));
        assertFalse(payload.isEmpty());
        for (ReceivePath p : payload) {
            assertEquals(vethB, p.device(), "entered on the receiver's veth: " + p);
            assertTrue(p.verdict() == Verdict.DELIVERED || p.verdict() == Verdict.MERGED, p.toString());
            assertEquals(readerPid, p.reader().tgid());
            for (int i = 1; i < p.stages().size(); i++) assertTrue(p.stages().get(i - 1).tsNs() <= p.stages().get(i).tsNs());
        }
        assertEquals(0, out.lost.get());
    }

    private Process inNamespace(String ns, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns,
                ProcessHandle.current().info().command().orElse("java"), "-cp", Path.of("target/test-classes").toAbsolutePath().toString(),
                Traffic.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).start();
    }

    private static String errors(Process p) throws IOException {
        return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void ip(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + output);
    }
}
