package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent --metrics-listen}, scraped by a real Prometheus server every second: after a
 * known transfer on a port the agent watches, Prometheus holds the kernel's exact byte counts
 * for it, and the scrape passes {@code promtool check metrics}.
 */
@KernelTest
class MetricsKernelTest {
    private static final int TOTAL = 1_000_000;

    @Test
    void prometheusScrapesTheExactBytesOfAKnownTransfer(@TempDir Path dir) throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket server = new ServerSocket(0, 1, loopback)) {
            String metrics = "127.0.0.1:" + PrometheusServer.freePort();
            // the default sampled mode; only the test's connection (both its sockets) is counted
            try (AgentProcess agent = AgentProcess.agent("--metrics-listen", metrics, "--metrics-labels", "local_port,comm",
                    "--port", String.valueOf(server.getLocalPort()),
                    "--counters-interval", "200", "--socket", "none", "--stats-interval", "0");
                 PrometheusServer prometheus = PrometheusServer.scraping(metrics, dir)) {
                agent.awaitAttached();
                try (Socket client = new Socket(loopback, server.getLocalPort()); Socket accepted = server.accept()) {
                    Thread writer = new Thread(() -> {
                        try (OutputStream out = client.getOutputStream()) {
                            out.write(new byte[TOTAL]);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                    writer.start();
                    assertEquals(TOTAL, accepted.getInputStream().readAllBytes().length);
                    writer.join();
                }
                KernelTests.await("Prometheus to hold the transfer's delivered bytes", 20_000,
                        () -> delivered(prometheus) == TOTAL);
                // the client's socket received no payload: every byte is the server's, accepted and read
                assertEquals(TOTAL, value(prometheus, "rxpath_received_bytes_total"));
                assertTrue(value(prometheus, "rxpath_received_segments_total") > 0, "skbs with payload (loopback's carry up to 64 KiB)");
                assertEquals(1, value(prometheus, "up{job=\"rxpath\"}"));
                assertTrue(value(prometheus, "sum(rxpath_flows_created_total)") >= 2, "the two sockets' flows");
                assertTrue(value(prometheus, "sum(rxpath_paths_total)") > 0, "sampled paths");
                assertTrue(value(prometheus, "sum(rxpath_stage_latency_seconds_count)") > 0, "their stages' latencies");
                // per workload (opt-in): the server's port, read by this process's reading thread
                List<PrometheusServer.Sample> workload = prometheus.query("rxpath_workload_delivered_bytes_total{local_port=\""
                        + server.getLocalPort() + "\"}");
                assertEquals(1, workload.size(), workload.toString());
                assertEquals(TOTAL, workload.get(0).value(), workload.toString());
                String comm = readerComm();
                assertTrue(workload.get(0).metric().contains("\"comm\":\"" + comm + "\""), comm + ": " + workload);
                assertEquals(0, value(prometheus, "rxpath_workloads_refused_total"));
                List<PrometheusServer.Sample> dev = prometheus.query("rxpath_hook_attached{stage=\"DEV\"} == 1");
                assertTrue(!dev.isEmpty(), "an attached DEV hook, with its mechanism: " + dev);

                String scrape = Http.metrics(metrics, Http.TEXT);
                Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
                try (OutputStream in = promtool.getOutputStream()) {
                    in.write(scrape.getBytes(StandardCharsets.UTF_8));
                }
                String verdict = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(promtool.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, promtool.exitValue(), "promtool check metrics: " + verdict);
                agent.interrupt();
            }
        }
    }

    /** The kernel's name of the thread that read (comm is a thread's): this one. */
    private static String readerComm() throws java.io.IOException {
        long tid = Long.parseLong(java.nio.file.Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        return java.nio.file.Files.readString(Path.of("/proc/self/task/" + tid + "/comm")).strip();
    }

    private static double delivered(PrometheusServer prometheus) {
        try {
            return value(prometheus, "rxpath_delivered_bytes_total");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The one sample an instant query returns, or -1 while it returns none. */
    private static double value(PrometheusServer prometheus, String promql) throws Exception {
        List<PrometheusServer.Sample> samples = prometheus.query(promql);
        assertTrue(samples.size() <= 1, promql + ": " + samples);
        return samples.isEmpty() ? -1 : samples.get(0).value();
    }
}
