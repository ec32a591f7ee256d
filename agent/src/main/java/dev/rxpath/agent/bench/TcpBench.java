package dev.rxpath.agent.bench;

import dev.rxpath.agent.traces.TraceCounts;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Loopback TCP throughput (iperf3) without the agent, then with every hook attached and
 * every record read, decoded, correlated into paths and accounted to flows, alternating
 * so that drift in the machine hits both.
 */
@Command(name = "tcp", mixinStandardHelpOptions = true,
        description = "Loopback TCP throughput with and without the agent attached (needs iperf3).")
final class TcpBench implements Callable<Integer> {
    private static final Pattern RECEIVED_BPS = Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)");

    @Option(names = "--seconds", description = "Length of each iperf3 run (default: ${DEFAULT-VALUE}).")
    int seconds = 10;

    @Option(names = "--rounds", description = "Baseline/agent pairs to run (default: ${DEFAULT-VALUE}).")
    int rounds = 2;

    @Mixin
    PathsOption paths;

    @Mixin
    ExportOption export;

    @Override
    public Integer call() throws Exception {
        double base = 0, with = 0, exporting = 0, exportingCpu = 0;
        long traced = 0, spansEnded = 0, spansExported = 0, spansFailed = 0, spansDropped = 0;
        long events = 0, finished = 0, lost = 0;
        int attached = 0;
        double readerCpu = 0, agentCpu = 0;
        for (int i = 0; i < rounds; i++) {
            base += iperf();
            try (BenchAgent agent = BenchAgent.start(paths.programs(), BenchAgent.DEFAULT_PAGES)) {
                attached = agent.hooksAttached();
                ProcessCpu cpu = new ProcessCpu(agent.agent().readerThread());
                with += iperf();
                readerCpu += cpu.threadPercent();
                agentCpu += cpu.processPercent(); // with GC and the JIT, which the reader's own time leaves out
                Thread.sleep(200);
                agent.close();
                events += agent.pipeline().events();
                finished += agent.pipeline().paths().stats().paths();
                lost += agent.agent().stats().lost();
            }
            if (export.on) {
                try (BenchBackends backends = BenchBackends.start(export);
                     BenchAgent agent = BenchAgent.start(paths.programs(), BenchAgent.DEFAULT_PAGES, backends)) {
                    ProcessCpu cpu = new ProcessCpu(agent.agent().readerThread());
                    exporting += iperf();
                    exportingCpu += cpu.processPercent();
                    agent.close();
                    backends.close();
                    TraceCounts t = backends.traces();
                    traced += t.traced();
                    spansEnded += t.spansEnded();
                    spansExported += t.spansExported();
                    spansFailed += t.spansFailed();
                    spansDropped += t.spansDropped();
                }
            }
        }
        base /= rounds;
        with /= rounds;
        System.out.printf(Locale.ROOT, "bench tcp: iperf3 over 127.0.0.1, %d s x %d rounds, %s%n", seconds, rounds, paths.describe());
        System.out.printf(Locale.ROOT, "  without agent       %.2f Gbit/s%n", base / 1e9);
        System.out.printf(Locale.ROOT, "  with agent          %.2f Gbit/s (%d hook points attached)%n", with / 1e9, attached);
        System.out.printf(Locale.ROOT, "  slowdown            %.1f%%%n", 100.0 * (base - with) / base);
        System.out.printf(Locale.ROOT, "  events decoded      %,d (%,.0f/s), lost %,d%n", events, events / (double) (seconds * rounds), lost);
        System.out.printf(Locale.ROOT, "  paths correlated    %,d%n", finished);
        System.out.printf(Locale.ROOT, "  reader CPU          %.1f%% of one core (whole agent process %.1f%%)%n", readerCpu / rounds, agentCpu / rounds);
        if (export.on) {
            exporting /= rounds;
            System.out.printf(Locale.ROOT, "  with export         %.2f Gbit/s: %s%n", exporting / 1e9, export.describe());
            System.out.printf(Locale.ROOT, "  export's own        %.1f%% (against the agent alone); agent process CPU %.1f%% of one core (the receiver's and the scraper's included)%n",
                    100.0 * (with - exporting) / with, exportingCpu / rounds);
            System.out.printf(Locale.ROOT, "  exported            %,d paths traced; spans: %,d ended, %,d exported, %,d failed, %,d dropped%n", traced, spansEnded,
                    spansExported, spansFailed, spansDropped);
        }
        return 0;
    }

    /** One iperf3 run; returns the receiver's bits per second. */
    private double iperf() throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process server = new ProcessBuilder("iperf3", "-s", "-1", "-B", "127.0.0.1", "-p", String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Thread.sleep(300);
            Process client = new ProcessBuilder("iperf3", "-c", "127.0.0.1", "-p", String.valueOf(port),
                    "-t", String.valueOf(seconds), "-J").redirectErrorStream(true).start();
            String json = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!client.waitFor(seconds + 30L, TimeUnit.SECONDS) || client.exitValue() != 0) {
                throw new IOException("iperf3 client failed: " + json);
            }
            Matcher m = RECEIVED_BPS.matcher(json);
            if (!m.find()) throw new IOException("no sum_received in iperf3's output: " + json);
            return Double.parseDouble(m.group(1));
        } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
