package dev.rxpath.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import dev.rxpath.api.FlowLatencies;
import dev.rxpath.api.LatencySum;
import dev.rxpath.api.v1.Flow;
import dev.rxpath.api.v1.GetLatencyResponse;
import dev.rxpath.api.v1.LatencyBucket;
import dev.rxpath.api.v1.LatencySource;
import dev.rxpath.api.v1.LatencySummary;
import dev.rxpath.api.v1.NodeLatency;
import dev.rxpath.api.v1.NodeState;
import dev.rxpath.api.v1.NodeStatus;
import dev.rxpath.api.v1.ReceivePath;
import dev.rxpath.api.v1.ServerStatusResponse;
import dev.rxpath.api.v1.Stage;
import dev.rxpath.api.v1.StageTime;
import dev.rxpath.api.v1.Verdict;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Latency as pictures: the histogram and the waterfall drawn from hand-built messages, then
 * `rxpath latency` and `observe -o waterfall` against a node replayed from a recording, as
 * text and on a real terminal (tmux, its screen read back with capture-pane).
 */
class LatencyPicturesTest {
    /** A histogram row: bound, bar, count, and perhaps the marks. */
    private static final Pattern ROW = Pattern.compile(" *<\\S+ \\|#* +[\\d,]+( <- p50)?( p99| <- p99)?");

    /** Buckets as upper bound (ns) and count pairs. */
    private static LatencySummary summary(long... boundAndCount) {
        LatencySummary.Builder b = LatencySummary.newBuilder();
        for (int i = 0; i < boundAndCount.length; i += 2) {
            b.addBuckets(LatencyBucket.newBuilder().setUpperBound(Durations.fromNanos(boundAndCount[i])).setCount(boundAndCount[i + 1]));
            b.setCount(b.getCount() + boundAndCount[i + 1]);
        }
        return b.setMax(Durations.fromNanos(boundAndCount[boundAndCount.length - 2] - 1)).build();
    }

    @Test
    void aRowPerBucketWithTheMedianAndP99RowsMarked() {
        LatencySum sum = new LatencySum().add(summary(1024, 10, 4096, 50)).add(summary(4096, 30, 65536, 2));
        List<String> rows = LatencyHistogram.rows(sum, 80);
        // every bucket from the first to the last, empty ones too, so the shape is true
        assertEquals(7, rows.size(), String.join("\n", rows));
        int bar = 80 - 9 - 2 - 1 - 9 - " <- p50 p99".length();
        assertEquals("   <1.0us |" + "#".repeat(Math.round(10f * bar / 80)) + " ".repeat(bar - Math.round(10f * bar / 80)) + "        10", rows.get(0));
        assertEquals("   <2.0us |" + " ".repeat(bar) + "         0", rows.get(1));
        assertEquals("   <4.1us |" + "#".repeat(bar) + "        80 <- p50", rows.get(2));
        assertTrue(rows.get(3).startsWith("   <8.2us |  "), rows.get(3));
        assertEquals("  <65.5us |#" + " ".repeat(bar - 1) + "         2 <- p99", rows.get(6));
        assertTrue(rows.stream().allMatch(r -> r.length() <= 80), String.join("\n", rows));
        // one bucket holding both
        assertEquals("  <16.4us |" + "#".repeat(bar) + "         3 <- p50 p99", LatencyHistogram.rows(new LatencySum().add(summary(16384, 3)), 80).get(0));
        // narrower and wider: the bar takes what is left
        assertTrue(LatencyHistogram.rows(sum, 60).stream().allMatch(r -> r.length() <= 60));
        assertEquals(120 - 9 - 2 - 1 - 9 - 11, LatencyHistogram.rows(sum, 120).get(2).indexOf(" ", 11) - 11);
    }

    @Test
    void aGermanLocaleStillWritesAPointAndCommasBetweenThousands() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            LatencySum sum = new LatencySum().add(summary(16384, 12_345));
            assertTrue(LatencyHistogram.rows(sum, 80).get(0).matches("  <16\\.4us \\|#+ +12,345 <- p50 p99"), LatencyHistogram.rows(sum, 80).get(0));
            assertEquals("USER, time from the stage before: 12,345 paths, sampled (up to 100 paths/s); p50 <16.4us p99 <16.4us",
                    LatencyHistogram.header("USER, time from the stage before", sum, "paths", ", sampled (up to 100 paths/s)"));
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void flowsAddUpPerStageInPathOrderThenToTheApplicationThenTheNodesEverySegment() {
        Flow a = Flow.newBuilder().putStageLatency("USER", summary(8192, 4, 16384, 1)).putStageLatency("SOCKET", summary(2048, 5))
                .setToApplication(summary(16384, 5)).build();
        Flow b = Flow.newBuilder().putStageLatency("SOCKET", summary(2048, 3, 4096, 2)).setToApplication(LatencySummary.getDefaultInstance()).build();
        Flow quiet = Flow.getDefaultInstance(); // no path of its own yet
        ServerStatusResponse status = ServerStatusResponse.newBuilder().setPathSampling("up to 100 paths/s")
                .addLatency(NodeLatency.newBuilder().setSource(LatencySource.LATENCY_SOURCE_EVERY_SEGMENT).setStage(Stage.STAGE_SOCKET)
                        .setSummary(summary(1024, 900, 2048, 100)))
                .addLatency(NodeLatency.newBuilder().setSource(LatencySource.LATENCY_SOURCE_SAMPLED_PATHS).setStage(Stage.STAGE_SOCKET)
                        .setSummary(summary(1024, 9))) // the node's sampled figures: rxpath status shows them, not this
                .build();
        List<String> lines = draw(status, List.of(a, b, quiet));
        List<String> headers = lines.stream().filter(l -> !l.isEmpty() && !ROW.matcher(l).matches()).toList();
        assertEquals(List.of(
                "SOCKET, time from the stage before: 10 paths of 2 flows, sampled (up to 100 paths/s); p50 <2.0us p99 <4.1us",
                "USER, time from the stage before: 5 paths of 1 flow, sampled (up to 100 paths/s); p50 <8.2us p99 <16.4us",
                "First stage -> the application's read: 5 paths of 1 flow, sampled (up to 100 paths/s); p50 <16.4us p99 <16.4us",
                "DEV -> SOCKET of every segment on the node: 1,000 segments, exact counts (timed in the kernel); p50 <1.0us p99 <2.0us"),
                headers, String.join("\n", lines));
        // SOCKET: 8 below 2.0us (a's 5 and b's 3), then b's 2
        int socket = lines.indexOf(headers.get(0));
        assertTrue(lines.get(socket + 1).matches(" +<2\\.0us \\|#{48} +8 <- p50"), lines.get(socket + 1));
        assertTrue(lines.get(socket + 2).matches(" +<4\\.1us \\|#{12} +2 <- p99"), lines.get(socket + 2));
        assertEquals("", lines.get(socket + 3));
    }

    @Test
    void noMatchingFlowIsSaid() {
        List<String> lines = draw(ServerStatusResponse.getDefaultInstance(), List.of());
        assertEquals(List.of("No flow matches.", ""), lines);
        lines = draw(ServerStatusResponse.getDefaultInstance(), List.of(Flow.getDefaultInstance()));
        assertEquals(List.of("No path latency in the 1 matching flow.", ""), lines);
    }

    /** Through a relay, a node that did not answer is named above the sums it is missing from. */
    @Test
    void aNodeMissingFromTheSumsIsNamed() {
        GetLatencyResponse latency = GetLatencyResponse.newBuilder().setFlows(0)
                .addNodes(NodeStatus.newBuilder().setName("node-a").setState(NodeState.NODE_STATE_CONNECTED))
                .addNodes(NodeStatus.newBuilder().setName("node-b").setState(NodeState.NODE_STATE_UNAVAILABLE)
                        .setMessage("UNAVAILABLE: io exception"))
                .build();
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            LatencyCommand.draw(out, ServerStatusResponse.getDefaultInstance(), latency, 80);
        }
        assertEquals(List.of("NODE node-b unavailable: UNAVAILABLE: io exception (its flows are not in these sums)", "",
                "No flow matches.", ""), text.toString().lines().toList());
    }

    /** The pictures of these flows, summed as an agent answers GetLatency. */
    private static List<String> draw(ServerStatusResponse status, List<Flow> flows) {
        FlowLatencies sum = new FlowLatencies();
        flows.forEach(sum::add);
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            LatencyCommand.draw(out, status, sum.response("node-a"), 80);
        }
        return text.toString().lines().toList();
    }

    @Test
    void aWaterfallPlacesEachStageWhereTheOneBeforeEnded() {
        ReceivePath p = ReceivePath.newBuilder().setVerdict(Verdict.VERDICT_DELIVERED).setTotal(Durations.fromNanos(50_000))
                .addStages(StageTime.newBuilder().setStage(Stage.STAGE_DEV))
                .addStages(StageTime.newBuilder().setStage(Stage.STAGE_SOCKET).setSincePrevious(Durations.fromNanos(10_000)))
                .addStages(StageTime.newBuilder().setStage(Stage.STAGE_USER).setSincePrevious(Durations.fromNanos(39_000)).setInferred(true))
                .addStages(StageTime.newBuilder().setStage(Stage.STAGE_END).setSincePrevious(Durations.fromNanos(1_000))).build();
        List<String> rows = new Waterfall(ZoneId.of("UTC")).path(p);
        assertTrue(rows.get(0).endsWith("  DELIVERED  50.0us"), rows.get(0));
        assertEquals("  DEV     |#" + " ".repeat(49) + "| 0", rows.get(1));
        // 10us of 50us: columns 0 to 10
        assertEquals("  SOCKET  |" + "#".repeat(10) + " ".repeat(40) + "| +10.0us", rows.get(2));
        assertEquals("  USER*   |" + " ".repeat(10) + "#".repeat(39) + " " + "| +39.0us", rows.get(3));
        assertEquals("  END     |" + " ".repeat(49) + "#" + "| +1.0us", rows.get(4));
        assertEquals(5, rows.size());
    }

    @Test
    void aWaterfallOfStagesAtOneInstantDrawsThemAtTheStart() {
        ReceivePath p = ReceivePath.newBuilder().setVerdict(Verdict.VERDICT_UNTRACED)
                .addStages(StageTime.newBuilder().setStage(Stage.STAGE_DEV))
                .addStages(StageTime.newBuilder().setStage(Stage.STAGE_END)).build();
        List<String> rows = new Waterfall(ZoneId.of("UTC")).path(p);
        assertEquals("  END     |#" + " ".repeat(49) + "| +0ns", rows.get(2));
    }

    @Test
    void theCommandsDrawFromAReplayedNodeAsText() throws Exception {
        try (Processes.ReplayedNode node = Processes.ReplayedNode.start()) {
            String latency = output(Processes.cli("latency", "--closed", node.server()));
            List<String> headers = latency.lines().filter(l -> !l.isEmpty() && !ROW.matcher(l).matches()).toList();
            assertEquals(3, headers.size(), latency);
            assertTrue(headers.get(0).matches("SOCKET, time from the stage before: [\\d,]+ paths of [\\d,]+ flows, sampled \\(as recorded\\); p50 <\\S+ p99 <\\S+"),
                    latency);
            assertTrue(headers.get(1).startsWith("USER, time from the stage before: "), latency);
            assertTrue(headers.get(2).startsWith("First stage -> the application's read: "), latency);
            assertEquals(3, latency.lines().filter(l -> l.contains(" <- p50")).count(), latency);
            assertEquals(3, latency.lines().filter(l -> ROW.matcher(l).matches() && l.endsWith(" p99")).count(), latency);
            assertTrue(latency.lines().allMatch(l -> l.length() <= 80 || headers.contains(l)), latency);

            String narrow = output(Processes.cli("latency", "--closed", "--width", "60", node.server()));
            assertTrue(narrow.lines().filter(l -> ROW.matcher(l).matches()).allMatch(l -> l.length() <= 60), narrow);

            String waterfall = output(Processes.cli("observe", "--last", "5", "--verdict", "delivered", "-o", "waterfall", node.server()));
            List<String> lines = waterfall.lines().toList();
            assertEquals(5, lines.stream().filter(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{6} .+ -> .+  DELIVERED  \\S+")).count(), waterfall);
            assertTrue(lines.stream().filter(l -> l.startsWith("  ")).allMatch(l -> l.matches("  [A-Z]+\\*? +\\|[ #]{50}\\| (0|\\+\\S+)")), waterfall);
            assertTrue(lines.stream().anyMatch(l -> l.matches("  USER\\*? +\\| *#+ *\\| \\+\\S+")), waterfall);
        }
    }

    @Test
    void onARealTerminalTheHistogramsAreOnTheScreen() throws Exception {
        try (Processes.ReplayedNode node = Processes.ReplayedNode.start()) {
            String session = "rxpath-latency-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
            String cmd = String.join(" ", Processes.cli("latency", node.server()).stream().map(LatencyPicturesTest::quoted).toList());
            // the pane stays after the command ends, so that its screen can be read
            run("tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "60", cmd + "; echo rxpath-exited-$?; sleep 60");
            try {
                String screen = "";
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (!screen.contains("rxpath-exited-") && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    // -J: a header longer than the pane comes back as the one line it is
                    screen = output(List.of("tmux", "capture-pane", "-p", "-J", "-t", session));
                }
                assertTrue(screen.contains("rxpath-exited-0"), screen);
                List<String> lines = screen.lines().toList();
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("First stage -> the application's read: ")), screen);
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("USER, time from the stage before: ")), screen);
                // the rows as a person sees them: bars drawn, the marks where the percentiles fall
                assertTrue(lines.stream().filter(l -> ROW.matcher(l).matches()).count() >= 5, screen);
                assertEquals(3, lines.stream().filter(l -> ROW.matcher(l).matches() && l.contains(" <- p50")).count(), screen);
                assertEquals(3, lines.stream().filter(l -> ROW.matcher(l).matches() && l.endsWith(" p99")).count(), screen);
            } finally {
                run("tmux", "kill-session", "-t", session);
            }
        }
    }

    private static String quoted(String arg) {
        return "'" + arg.replace("'", "'\\''") + "'";
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
