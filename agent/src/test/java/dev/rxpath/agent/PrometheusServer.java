package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Prometheus server (Debian's, installed by bin/setup) scraping one target every
 * second, on a port of its own, its data in a directory the test owns; asked through its HTTP
 * query API.
 */
final class PrometheusServer implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/prometheus");

    private final Process process;
    private final int port;

    private PrometheusServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static PrometheusServer scraping(String target, Path dir) throws Exception {
        assertTrue(Files.isExecutable(BINARY), BINARY + ": run bin/setup, which installs Debian's prometheus");
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: rxpath
                    static_configs:
                      - targets: ['%s']
                """.formatted(target));
        int port = freePort();
        Process p = new ProcessBuilder(BINARY.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port).redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        PrometheusServer server = new PrometheusServer(p, port);
        KernelTests.await("Prometheus to be ready", 30_000, server::ready);
        return server;
    }

    /** A port free now on loopback. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private boolean ready() {
        try {
            return get("/-/ready").statusCode() == 200;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** One sample of an instant query's result: its labels as Prometheus printed them, and its value. */
    record Sample(String metric, double value) {}

    /** The instant query's samples (a vector result); empty while it has none. */
    List<Sample> query(String promql) throws Exception {
        HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertTrue(r.statusCode() == 200 && r.body().contains("\"status\":\"success\""), promql + ": " + r.body());
        // {"metric":{...},"value":[1700000000.123,"42"]}: labels hold no braces
        Matcher m = Pattern.compile("\\{\"metric\":(\\{[^}]*\\}),\"value\":\\[[0-9.]+,\"([^\"]+)\"\\]\\}").matcher(r.body());
        List<Sample> out = new ArrayList<>();
        while (m.find()) out.add(new Sample(m.group(1), Double.parseDouble(m.group(2))));
        return out;
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return Http.get("http://127.0.0.1:" + port + path);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
