package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.path.Verdict;
import dev.rxpath.api.TcpText;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A netfilter rule drops a port in a namespace the test makes: the SYNs that reach it die in
 * IP's input hook, and their paths say so: NETFILTER_DROP, at IP (not at DEV, the last stage a
 * hook of ours saw without kprobes), dropped in netfilter's hook code by name.
 */
@KernelTest
class NetfilterDropKernelTest {
    private static final int PORT = 9999;

    @Test
    void aSynDroppedByNetfilterIsNamedWithItsReasonStageAndSite() throws Exception {
        try (VethPair veth = VethPair.create()) {
            VethPair.exec(veth.receiverNs, "nft", "add", "table", "inet", "rxpath_test");
            VethPair.exec(veth.receiverNs, "nft", "add chain inet rxpath_test input { type filter hook input priority 0 ; }");
            VethPair.exec(veth.receiverNs, "nft", "add", "rule", "inet", "rxpath_test", "input", "tcp", "dport", String.valueOf(PORT), "drop");
            List<ReceivePath> dropped;
            try (RunningAgent running = RunningAgent.start(Pipeline.Limits.DEFAULT)) {
                // the SYN and its retransmit a second later are dropped; the connect gives up at the timeout
                Process connect = new ProcessBuilder("ip", "netns", "exec", veth.senderNs, "timeout", "2", "bash", "-c",
                        "exec 3<>/dev/tcp/" + VethPair.RECEIVER_IP + "/" + PORT).redirectErrorStream(true).start();
                assertTrue(connect.waitFor(10, TimeUnit.SECONDS));
                KernelTests.await("the dropped SYNs' paths", 5000,
                        () -> !running.out.where(p -> "NETFILTER_DROP".equals(p.reason())).isEmpty());
                running.settleAndClose();
                dropped = running.out.where(p -> "NETFILTER_DROP".equals(p.reason()));
            }
            assertFalse(dropped.isEmpty());
            for (ReceivePath p : dropped) {
                assertEquals(Verdict.DROPPED, p.verdict(), p.toString());
                assertEquals(veth.receiverDev, p.device(), p.toString());
                assertEquals(Stage.IP, p.diedAt(), "netfilter's input hook is in IP's local delivery: " + p);
                // nf_hook_slow, or nf_tables' own nft_do_chain (6.18), maybe in a module
                assertTrue(p.dropSite() != null && p.dropSite().matches("nft?_\\w+\\+0x[0-9a-f]+( \\[\\w+\\])?"), "dropped in netfilter's hook code: " + p.dropSite());
                // no socket was reached: the tuple and flags come from the dropped segment's own headers
                assertNotNull(p.endpoints(), "the dropped segment's tuple: " + p);
                assertEquals(VethPair.SENDER_IP, p.endpoints().remote().getHostAddress(), p.toString());
                assertEquals(VethPair.RECEIVER_IP, p.endpoints().local().getHostAddress(), p.toString());
                assertEquals(PORT, p.endpoints().localPort(), p.toString());
                assertNotNull(p.tcp(), "the dropped segment's TCP header: " + p);
                assertEquals("[S]", TcpText.flags(p.tcp().flags()), p.toString());
                assertEquals(0, p.tcp().payload(), p.toString());
                // veth's MTU 1500: the SYN offers 1500 - 20 (IP) - 20 (TCP)
                assertEquals(1460, p.tcp().mss(), p.toString());
            }
        }
    }
}
