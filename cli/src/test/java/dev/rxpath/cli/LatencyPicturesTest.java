package dev.rxpath.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import dev.rxpath.api.v1.LatencyBucket;
import dev.rxpath.api.v1.LatencySummary;
import dev.rxpath.api.v1.ReceivePath;
import dev.rxpath.api.v1.Stage;
import dev.rxpath.api.v1.StageTime;
import dev.rxpath.api.v1.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Latency as pictures: the histogram and the waterfall drawn from hand-built messages, then
 * `rxpath latency` and `observe -o waterfall` against a node replayed from a recording, as
 * text and on a real terminal (tmux, its screen read back with capture-pane).
 */
class LatencyPicturesTest {
    private static LatencySummary summary(long... boundAndCount) {
        LatencySummary.Builder b = LatencySummary.newBuilder();
        for (int i = 0; i < boundAndCount.length; i += 2) {
            b.addBuckets(LatencyBucket.newBuilder().setUpperBound(Durations.fromNanos(boundAndCount[i])).setCount(boundAndCount[i + 1]));
        }
        return b.build();
    }

    @Test
    void flowsAddUpBoundByBoundAndTheMedianAndP99RowsAreMarked() {
        LatencyHistogram h = new LatencyHistogram();
        h.add(summary(1024, 10, 4096, 50));
        h.add(summary(4096, 30, 65536, 2));
        assertEquals(92, h.count());
        assertEquals(4096, h.quantile(0.5));
        assertEquals(65536, h.quantile(0.99));
        List<String> rows = h.rows(80);
        // every bucket from the first to the last, empty ones too, so the shape is true
        assertEquals(7, rows.size(), String.join("\n", rows));
        assertTrue(rows.get(0).startsWith("  <=1.0us |##") && rows.get(0).endsWith(" 10"), rows.get(0));
        assertTrue(rows.get(1).matches("\\s+<=2.0us \\|\\s+0"), rows.get(1));
        assertTrue(rows.get(2).endsWith(" 80 p50") && rows.get(2).contains("#".repeat(50)), rows.get(2));
        assertTrue(rows.get(6).startsWith(" <=65.5us |#") && rows.get(6).endsWith(" 2 p99"), rows.get(6));
        assertTrue(rows.stream().allMatch(r -> r.length() <= 80), String.join("\n", rows));
    }

    @Test
    void aGermanLocaleStillWritesAPoint() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            LatencyHistogram h = new LatencyHistogram();
            h.add(summary(16384, 3));
            assertTrue(h.rows(80).get(0).startsWith(" <=16.4us"), h.rows(80).get(0));
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void aWaterfallPlacesEachStageWhereTheOneBeforeEnded() {
        ReceivePath p = ReceivePath.newBuilder().setVerdict(Verdict.VERDICT_DELIVERED).setTotal(Durations.fromNanos(50_000))
                .addStages(StageTime.newBuilder().setStage(Stage.STAGE_DEV))
                .addStages(StageTime.newBuilder().setStage(Stage.STAGE_SOCKET).setSincePrevious(Durations.fromNanos(10_000)))
                .addStages(StageTime.newBuilder().setStage(Stage.STAGE_USER).setSincePrevious(Durations.fromNanos(40_000))).build();
        List<String> rows = new Waterfall(ZoneId.of("UTC")).path(p);
        assertTrue(rows.get(0).contains("DELIVERED  50.0us"), rows.get(0));
        assertEquals("  DEV     |#" + " ".repeat(49) + "| 0", rows.get(1));
        assertEquals("  SOCKET  |" + "#".repeat(10) + " ".repeat(40) + "| +10.0us", rows.get(2));
        assertEquals("  USER    |" + " ".repeat(10) + "#".repeat(40) + "| +40.0us", rows.get(3));
    }

    @Test
    void theCommandsDrawFromAReplayedNodeAsTextAndOnATerminal() throws Exception {
        try (Processes.ReplayedNode node = Processes.ReplayedNode.start()) {
            String latency = output(Processes.cli("latency", "--closed", node.server()));
            assertTrue(latency.contains("SOCKET, from the stage before: sampled paths (") && latency.contains("first stage -> the application's read"),
                    latency);
            assertTrue(latency.lines().anyMatch(l -> l.matches("\\s*<=\\S+ \\|#+\\s+\\d+ p50.*")), latency);
            assertTrue(latency.lines().anyMatch(l -> l.matches("\\s*<=\\S+ \\|#+\\s+\\d+( p50)? p99")), latency);

            String waterfall = output(Processes.cli("observe", "--last", "3", "--verdict", "delivered", "-o", "waterfall", node.server()));
            assertTrue(waterfall.lines().anyMatch(l -> l.matches("  USER\\s+\\|\\s*#+\\s*\\| \\+\\S+")), waterfall);

            String session = "rxpath-latency-" + ProcessHandle.current().pid();
            String cmd = String.join(" ", Processes.cli("latency", "--closed", node.server()).stream()
                    .map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
            run("tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "60", cmd + "; sleep 60");
            try {
                String screen = "";
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (!screen.contains("first stage -> the application's read") && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    screen = output(List.of("tmux", "capture-pane", "-p", "-t", session));
                }
                assertTrue(screen.contains("SOCKET, from the stage before"), screen);
                assertTrue(screen.lines().anyMatch(l -> l.matches("\\s*<=\\S+ \\|#+\\s+\\d+ p50.*")), screen);
            } finally {
                run("tmux", "kill-session", "-t", session);
            }
        }
    }

    private static String output(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + out);
        return out;
    }

    private static void run(String... cmd) throws Exception {
        output(List.of(cmd));
    }
}
