package dev.rxpath.agent.bench;

import dev.rxpath.agent.KernelTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.KernelTests;
import dev.rxpath.agent.Main;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code rxpath bench sockets} as a process, small: live sockets, then a churn beside them, each phase's flows and RSS. */
@KernelTest
class SocketsBenchKernelTest {
    private static final Pattern FLOWS = Pattern.compile("  flows kept +([0-9,]+) live, ([0-9,]+) closed \\(cap [0-9,]+\\), ([0-9,]+) evicted");

    @Test
    void reportsFlowsAndMemoryWithLiveSocketsAndAfterAChurn() throws Exception {
        KernelTests.Run run = KernelTests.run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "bench", "sockets", "--count", "400", "--churn", "300"), 180);
        String out = run.output();
        assertEquals(0, run.exit(), out);
        assertTrue(out.contains("bench sockets: 400 live loopback sockets opened in "), out);
        assertTrue(out.contains("churn: 300 short connections opened and closed in "), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("  agent RSS +[0-9,]+ MiB before, [0-9,]+ MiB with the sockets \\(heap in use after GC [0-9,]+ MiB\\)")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("  agent RSS +[0-9,]+ MiB before the churn, [0-9,]+ MiB after it \\(heap in use after GC [0-9,]+ MiB\\)")), out);
        List<long[]> flows = out.lines().map(FLOWS::matcher).filter(Matcher::matches)
                .map(m -> new long[] {n(m.group(1)), n(m.group(2)), n(m.group(3))}).toList();
        assertEquals(2, flows.size(), out);
        assertTrue(flows.get(0)[0] >= 400, "every live socket has its flow: " + out);
        // the churn's 600 sockets closed: kept closed, or evicted once closed flows filled their share
        assertTrue(flows.get(1)[0] >= 400 && flows.get(1)[1] + flows.get(1)[2] >= 600, out);
        assertEquals(2, out.lines().filter(l -> l.equals("  records lost        0")).count(), out);
    }

    private static long n(String digits) {
        return Long.parseLong(digits.replace(",", ""));
    }
}
