package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.flow.Flow;
import dev.rxpath.agent.probe.ReceiveHooks;
import dev.rxpath.agent.probe.Sampling;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Retransmits are anomalies: each one is recorded whatever the path sampling, and counted
 * exactly. Between two network namespaces whose link the test takes down (the stock-kernel
 * guests have no veth module, so this runs on the host only).
 */
@KernelTest
class RetransmitKernelTest {
    private static final int RATE = 10;

    @Test
    void everyRetransmitIsRecordedWhilePathsAreSampled() throws Exception {
        int port = 5001, total = 1_000_000;
        RunningAgent running;
        try (VethPair veth = VethPair.create()) {
            running = RunningAgent.start(new ReceiveHooks.Options(Sampling.rate(RATE), 131_072), Agent.Options.DEFAULT.withCountersMillis(200));
            try (running) {
                Process receiver = VethPair.traffic(veth.receiverNs, "receive", String.valueOf(port));
                BufferedReader said = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("listening", said.readLine());
                // the receiver's end is down while the sender connects: its SYN is lost and retransmitted
                veth.receiverLink(false);
                Process sender = VethPair.traffic(veth.senderNs, "send", VethPair.RECEIVER_IP, String.valueOf(port), String.valueOf(total));
                Thread.sleep(1_500);
                veth.receiverLink(true);
                assertTrue(sender.waitFor(60, TimeUnit.SECONDS) && sender.exitValue() == 0, "sender: " + VethPair.errors(sender));
                assertEquals(String.valueOf(total), said.readLine().split(" ")[1]);
                assertTrue(receiver.waitFor(30, TimeUnit.SECONDS));
                running.settleAndClose();
            }
        }
        InetAddress senderIp = InetAddress.getByName(VethPair.SENDER_IP);
        Flow client = running.pipeline.flows().flows().stream().filter(f -> f.endpoints() != null && f.endpoints().remotePort() == port
                && f.endpoints().local().equals(senderIp)).findFirst().orElseThrow();
        assertTrue(client.retransmits() > 0, "the kernel counted the SYN's retransmits");
        long recorded = running.out.retransmits.stream().filter(r -> r.header().sk() == client.sk()).count();
        assertEquals(client.retransmits(), recorded, "every retransmit has its record, whatever the sampling");
    }
}
