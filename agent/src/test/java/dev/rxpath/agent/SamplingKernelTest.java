package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.flow.Flow;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.path.Verdict;
import dev.rxpath.agent.probe.ReceiveHooks;
import dev.rxpath.agent.probe.Sampling;
import dev.rxpath.agent.ring.CpuList;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Paths sampled in the kernel at their first stage: the count respects the rate, every
 * reset still has its path, and the counters stay exact whatever was sampled.
 */
@KernelTest
class SamplingKernelTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int RATE = 10;

    @Test
    void aLowRateSamplesFewSegmentsButKeepsEveryResetAndExactCounts() throws Exception {
        long started = System.nanoTime();
        RunningAgent running = RunningAgent.start(new ReceiveHooks.Options(Sampling.rate(RATE), 131_072),
                Agent.Options.DEFAULT.withCountersMillis(200));
        Traffic.Transfer transfer;
        List<Traffic.Refused> refused = new ArrayList<>();
        try (running) {
            transfer = Traffic.loopback(LOOPBACK, 3_000_000);
            for (int i = 0; i < 20; i++) refused.add(Traffic.refused(LOOPBACK));
            running.settleAndClose();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Agent.Stats stats = running.agent.stats();
        assertEquals(0, stats.lost());

        long sampled = stats.programs().sampled();
        long bound = (long) (RATE * seconds) + CpuList.possible().length; // each CPU's bucket starts with one path's credit
        assertTrue(sampled > 0 && sampled <= bound, sampled + " segments sampled in " + seconds + " s at " + RATE + "/s");
        List<ReceivePath> paths = List.copyOf(running.out.paths);
        long ordinary = paths.stream().filter(p -> p.verdict() != Verdict.RESET && p.verdict() != Verdict.DROPPED).count();
        assertTrue(ordinary <= sampled, ordinary + " paths of segments neither dropped nor reset, " + sampled + " sampled");

        for (Traffic.Refused r : refused) {
            // 6.1's tcp_send_reset does not fire for a reset without a socket: there the drop's reason tells
            List<ReceivePath> resets = running.out.where(p -> (p.verdict() == Verdict.RESET || p.verdict() == Verdict.DROPPED)
                    && p.endpoints() != null && p.endpoints().localPort() == r.port() && p.endpoints().remotePort() == r.clientPort());
            assertEquals(1, resets.size(), "the SYN to closed port " + r.port() + " has its path: " + resets);
            ReceivePath p = resets.get(0);
            assertNotNull(p.stage(Stage.DEV), "its DEV stage, kept for an unsampled segment: " + p);
            assertEquals(KernelTests.noSocketReason(), p.reason());
        }
        // each refused SYN was sampled, or kept unsampled for its reset
        assertTrue(stats.programs().promoted() + stats.programs().sampled() >= refused.size(), "unsampled resets kept: " + stats.programs());

        // the flow that received the transfer (rarely, an empty closed flow with the same ports sits beside it: under investigation)
        List<Flow> server = running.pipeline.flows().flows().stream().filter(f -> f.endpoints() != null && f.segments() > 0
                && f.endpoints().localPort() == transfer.serverPort() && f.endpoints().remotePort() == transfer.clientPort()).toList();
        assertEquals(1, server.size(), () -> "one flow for the server's socket: " + KernelTests.describe(server));
        assertEquals(transfer.bytesRead(), server.get(0).bytesDelivered(), "exact, whatever was sampled");
        assertFalse(paths.isEmpty());
    }
}
