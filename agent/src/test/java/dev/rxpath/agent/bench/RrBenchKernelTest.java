package dev.rxpath.agent.bench;

import dev.rxpath.agent.KernelTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.KernelTests;
import dev.rxpath.agent.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code rxpath bench rr} as a process, as a user runs it: one short round each way with the real agent and load processes. */
@KernelTest
class RrBenchKernelTest {
    private static final Path BPF_STATS = Path.of("/proc/sys/kernel/bpf_stats_enabled");
    private static final String N = "[0-9][0-9,]*", PERCENT = "-?[0-9]+\\.[0-9]%";

    private static KernelTests.Run bench(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "bench", "rr"));
        cmd.addAll(List.of(args));
        return KernelTests.run(cmd, 60);
    }

    @Test
    void measuresBothWaysAndTheFlowTableCountsEveryByteTheServerRead() throws Exception {
        String statsBefore = Files.readString(BPF_STATS);
        // The agent's defaults: sampled paths, and the counts from the kernel's map, exact whatever the rings do.
        KernelTests.Run run = bench("--seconds", "1", "--rounds", "1", "--connections", "4", "--export");
        String out = run.output();
        assertEquals(0, run.exit(), out);
        assertLine(out, "bench rr: 4 connections, 256-byte requests and responses over 127\\.0\\.0\\.1, 1 s x 1 rounds, paths: up to 100 paths/s");
        assertLine(out, "  without agent +" + N + " requests/s \\(rounds: " + N + "\\)");
        assertLine(out, "  with agent +" + N + " requests/s \\(rounds: " + N + "\\), [1-9][0-9]* hook points attached");
        assertLine(out, "  slowdown +" + PERCENT + " \\(of the means\\); median of the pairs " + PERCENT + " \\(" + PERCENT + " to " + PERCENT + "\\)");
        assertLine(out, "  agent process CPU +" + PERCENT + " of one core \\(ring reader thread " + PERCENT + "\\)");
        assertLine(out, "  BPF programs CPU +" + PERCENT + " of one core: " + N + " runs, " + N + " ns per run \\(bpf_stats; [1-9][0-9]* of [1-9][0-9]* programs ran\\)");
        assertLine(out, "    tracepoint__\\S+ +" + N + " runs +" + N + " ns/run");
        // what bpf_stats counts for the same hooks' empty programs, and the per-segment programs' own cost net of it
        assertLine(out, "  bpf_stats' own cost " + N + " ns per run: the same hooks with empty programs, timed the same way; the per-segment");
        assertLine(out, " +programs' median " + N + " ns per run, -?" + N + " ns of their own");
        assertLine(out, "  records +" + N + "/s received, 0 lost \\(256 ring pages per CPU\\)");
        assertLine(out, "  delivered bytes +exact on all 4 server connections \\(flow table = bytes the server read\\)");
        // the same hook points with programs that return at once: the share of the slowdown the hooks cost by being there
        assertLine(out, "  hooks alone +" + N + " requests/s \\(rounds: " + N + "\\): the agent's [1-9][0-9]* hook points with programs that return at once");
        assertLine(out, "  the rest +" + PERCENT + " \\(median of the pairs\\): the programs' work, the records and the agent");
        // --export: the agent feeding its backends, against the agent alone; every span reached the receiver
        assertLine(out, "  with export +" + N + " requests/s \\(rounds: " + N + "\\): metrics scraped every 1 s, traces over OTLP/HTTP at .*");
        assertLine(out, "  export's own +" + PERCENT + " \\(median of the pairs, with export against the agent alone; " + PERCENT + " of the means\\)");
        Matcher exported = Pattern.compile("  exported +[0-9.]+ paths/s traced \\([0-9]+/s sampled out\\); spans: (" + N + ") ended, (" + N
                + ") exported, 0 failed, 0 dropped; [0-9]+ scrapes, 0 failed").matcher(out);
        assertTrue(exported.find() && exported.group(1).equals(exported.group(2)) && !exported.group(1).equals("0"), out);
        assertLine(out, "  delivered bytes +exact on all 4 server connections \\(flow table = bytes the server read\\) \\(with export\\)");
        assertEquals(statsBefore, Files.readString(BPF_STATS), "bpf_stats_enabled is put back");
    }

    @Test
    void anOptionOutOfRangeIsAUsageError() throws Exception {
        KernelTests.Run run = bench("--connections", "0");
        assertEquals(2, run.exit(), run.output());
        assertTrue(run.output().contains("--connections must be 1 to 10000, not 0"), run.output());
    }

    private static void assertLine(String output, String regex) {
        assertTrue(output.lines().anyMatch(l -> l.matches(regex)), "no line matching /" + regex + "/ in:\n" + output);
    }
}
