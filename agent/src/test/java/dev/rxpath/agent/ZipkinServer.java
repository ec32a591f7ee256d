package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Zipkin's own server (its executable jar from Maven Central, copied by the build into
 * target/test-servers), in-memory storage, on a port of its own; asked through its HTTP API.
 */
final class ZipkinServer implements AutoCloseable {
    static final Path JAR = Path.of("target", "test-servers", "zipkin-server.jar");

    private final Process process;
    final int port;

    private ZipkinServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static ZipkinServer start(Path dir) throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR.toAbsolutePath() + ": the build copies it (mvn process-test-classes)");
        int port = PrometheusServer.freePort();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", JAR.toString(),
                "--server.port=" + port, "--server.address=127.0.0.1").redirectErrorStream(true)
                .redirectOutput(dir.resolve("zipkin.log").toFile()).start();
        ZipkinServer server = new ZipkinServer(p, port);
        KernelTests.await("Zipkin to be ready", 90_000, server::ready);
        return server;
    }

    /** Where the agent posts spans (Zipkin's v2 JSON). */
    String spansEndpoint() {
        return "http://127.0.0.1:" + port + "/api/v2/spans";
    }

    private boolean ready() {
        try {
            return get("/health").statusCode() == 200;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** The traces of a service whose spans carry the tag key=value, each an array of spans (Zipkin's v2 JSON). */
    JsonArray traces(String service, String tag) throws Exception {
        HttpResponse<String> r = get("/api/v2/traces?limit=100&lookback=3600000&serviceName=" + URLEncoder.encode(service, StandardCharsets.UTF_8)
                + "&annotationQuery=" + URLEncoder.encode(tag, StandardCharsets.UTF_8));
        assertTrue(r.statusCode() == 200, r.statusCode() + ": " + r.body());
        return JsonParser.parseString(r.body()).getAsJsonArray();
    }

    /** One trace by its id (32 hex digits), an array of spans. */
    JsonArray trace(String traceId) throws Exception {
        HttpResponse<String> r = get("/api/v2/trace/" + traceId);
        assertTrue(r.statusCode() == 200, traceId + ": " + r.statusCode() + ": " + r.body());
        return JsonParser.parseString(r.body()).getAsJsonArray();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return Http.get("http://127.0.0.1:" + port + path);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
