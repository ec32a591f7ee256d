package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.flow.Flow;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.path.Verdict;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two network namespaces joined by a veth pair: a sender process in one, a receiver in the other, the agent on the host. */
@KernelTest
class VethKernelTest {
    private VethPair veth;
    private RunningAgent running;

    @BeforeEach
    void namespaces() throws Exception {
        veth = VethPair.create();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (running != null) running.close();
        veth.close();
    }

    @Test
    void aTransferBetweenNamespacesIsFollowedOnTheVethAndDeliveredExactly() throws Exception {
        running = RunningAgent.start(Pipeline.Limits.DEFAULT);
        PathCollector out = running.out;

        int port = 5001, total = 2_000_000;
        Process receiver = VethPair.traffic(veth.receiverNs, "receive", String.valueOf(port));
        BufferedReader said = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("listening", said.readLine());
        Process sender = VethPair.traffic(veth.senderNs, "send", VethPair.RECEIVER_IP, String.valueOf(port), String.valueOf(total));
        assertTrue(sender.waitFor(60, TimeUnit.SECONDS) && sender.exitValue() == 0, "sender: " + VethPair.errors(sender));
        String[] result = said.readLine().split(" ");
        assertTrue(receiver.waitFor(30, TimeUnit.SECONDS) && receiver.exitValue() == 0, "receiver: " + VethPair.errors(receiver));
        long readerPid = Long.parseLong(result[0]);
        assertEquals(receiver.pid(), readerPid, "ip netns exec runs the receiver itself");
        assertEquals(total, Long.parseLong(result[1]));

        running.settleAndClose();

        InetAddress receiverIp = InetAddress.getByName(VethPair.RECEIVER_IP), senderIp = InetAddress.getByName(VethPair.SENDER_IP);
        List<Flow> flows = running.pipeline.flows().flows().stream().filter(f -> f.endpoints() != null
                && f.endpoints().localPort() == port && f.endpoints().local().equals(receiverIp)
                && f.endpoints().remote().equals(senderIp)).toList();
        assertEquals(1, flows.size(), "the receiver's socket, 10.231.0.1 -> 10.231.0.2:" + port);
        Flow flow = flows.get(0);
        assertEquals(total, flow.bytesDelivered());
        assertEquals(readerPid, flow.reader().tgid());
        assertEquals("java", flow.reader().comm());
        // the veths' MTU 1500: each end offered 1500 - 20 (IP) - 20 (TCP); the receiver accepted
        assertNotNull(flow.handshake(), "the handshake, read from the socket as it was established");
        assertEquals(1460, flow.handshake().peerMss(), flow.handshake().toString());
        assertEquals(1460, flow.handshake().mss(), flow.handshake().toString());
        assertFalse(flow.handshake().active(), flow.handshake().toString());

        List<ReceivePath> payload = out.where(p -> p.sk() == flow.sk() && PathCollector.carriedPayload(p));
        assertFalse(payload.isEmpty());
        int entered = 0;
        for (ReceivePath p : payload) {
            // a path can begin at SOCKET: where the kernel copies an skb between the device and the socket
            // (a clone it must write to), the socket's skb is not the one DEV saw
            if (p.stage(Stage.DEV) != null) {
                assertEquals(veth.receiverDev, p.device(), "entered on the receiver's veth: " + p);
                entered++;
            }
            assertTrue(p.verdict() == Verdict.DELIVERED || p.verdict() == Verdict.MERGED, p.toString());
            assertEquals(readerPid, p.reader().tgid());
            for (int i = 1; i < p.stages().size(); i++) assertTrue(p.stages().get(i - 1).tsNs() <= p.stages().get(i).tsNs());
        }
        assertTrue(entered * 2 > payload.size(), entered + " of " + payload.size() + " payload paths seen at DEV");
        assertEquals(0, out.lost.get());
    }
}
