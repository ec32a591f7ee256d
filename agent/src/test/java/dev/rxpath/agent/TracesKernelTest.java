package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent --traces-exporter zipkin}, exporting through the OpenTelemetry SDK's Zipkin
 * exporter to Zipkin's own server: a known connection's delivered segment is one trace,
 * a root span over its path and a child per interval between stages, with the semantic
 * conventions' attributes; a reset SYN's trace is an error with the kernel's reason; the
 * latency histograms' exemplars name traces Zipkin holds.
 */
@KernelTest
class TracesKernelTest {
    @Test
    void aDeliveredSegmentAndAResetSynAreTracesInZipkin(@TempDir Path dir) throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        int port, clientPort, refusedClientPort;
        try (ZipkinServer zipkin = ZipkinServer.start(dir)) {
            ServerSocket server = new ServerSocket(0, 1, loopback);
            port = server.getLocalPort();
            String metrics = "127.0.0.1:" + PrometheusServer.freePort();
            // the batch processor's delay, the OpenTelemetry way: the OTEL_* variables apply
            try (AgentProcess agent = AgentProcess.agent(Map.of("OTEL_BSP_SCHEDULE_DELAY", "200"), "--traces-exporter", "zipkin",
                    "--traces-endpoint", zipkin.spansEndpoint(), "--traces-rate", "1000", "--paths", "all", "--port", String.valueOf(port),
                    "--metrics-listen", metrics, "--socket", "none", "--stats-interval", "0")) {
                agent.awaitAttached();
                try (server; Socket client = new Socket(loopback, port); Socket accepted = server.accept()) {
                    clientPort = client.getLocalPort();
                    client.getOutputStream().write(new byte[4321]);
                    accepted.getInputStream().readNBytes(4321);
                }
                // the listener is gone: a SYN to its port is answered with a reset
                Socket refused = new Socket();
                refused.bind(new java.net.InetSocketAddress(loopback, 0));
                refusedClientPort = refused.getLocalPort();
                try (refused) {
                    refused.connect(new java.net.InetSocketAddress(loopback, port));
                } catch (ConnectException expected) {
                    // refused, as it should be
                }
                KernelTests.await("Zipkin to hold the delivered segment's trace", 30_000,
                        () -> !traces(zipkin, "network.peer.port=" + clientPort + " and rxpath.verdict=DELIVERED").isEmpty());
                KernelTests.await("Zipkin to hold the reset SYN's trace", 30_000,
                        () -> !traces(zipkin, "network.peer.port=" + refusedClientPort + " and rxpath.verdict=RESET").isEmpty());

                JsonArray delivered = traces(zipkin, "network.peer.port=" + clientPort + " and rxpath.verdict=DELIVERED").get(0).getAsJsonArray();
                JsonObject root = root(delivered);
                JsonObject tags = root.getAsJsonObject("tags");
                assertEquals("tcp receive", root.get("name").getAsString());
                assertEquals("rxpath", root.getAsJsonObject("localEndpoint").get("serviceName").getAsString());
                assertEquals(String.valueOf(port), tags.get("network.local.port").getAsString(), tags.toString());
                assertEquals("127.0.0.1", tags.get("network.peer.address").getAsString(), tags.toString());
                assertEquals("tcp", tags.get("network.transport").getAsString(), tags.toString());
                assertEquals("ipv4", tags.get("network.type").getAsString(), tags.toString());
                assertEquals("lo", tags.get("network.interface.name").getAsString(), tags.toString());
                assertEquals(String.valueOf(ProcessHandle.current().pid()), tags.get("process.pid").getAsString(), tags.toString());
                assertEquals("4321", tags.get("rxpath.payload.bytes").getAsString(), tags.toString());
                assertTrue(!tags.has("error"), tags.toString());

                // the children tile the root's interval, stage to stage, in order, from DEV to the application's read
                List<JsonObject> children = new ArrayList<>();
                for (JsonElement s : delivered) if (s.getAsJsonObject().has("parentId")) children.add(s.getAsJsonObject());
                children.sort(Comparator.comparingLong(s -> s.get("timestamp").getAsLong()));
                assertTrue(children.size() >= 2, delivered.toString());
                long start = root.get("timestamp").getAsLong(), end = start + root.get("duration").getAsLong(), at = start;
                for (JsonObject c : children) {
                    assertEquals(root.get("id").getAsString(), c.get("parentId").getAsString(), c.toString());
                    assertTrue(c.get("name").getAsString().matches("[a-z_]+ to [a-z_]+"), c.toString());
                    long from = c.get("timestamp").getAsLong(), to = from + (c.has("duration") ? c.get("duration").getAsLong() : 0);
                    assertTrue(Math.abs(from - at) <= 1 && to <= end + 1, "from " + at + ": " + c + " within " + root);
                    at = to;
                }
                assertTrue(children.get(0).get("name").getAsString().startsWith("dev to "), children.toString());
                assertTrue(children.stream().anyMatch(c -> c.get("name").getAsString().endsWith(" to user")), children.toString());

                JsonObject reset = root(traces(zipkin, "network.peer.port=" + refusedClientPort + " and rxpath.verdict=RESET").get(0).getAsJsonArray());
                JsonObject resetTags = reset.getAsJsonObject("tags");
                String reason = KernelTests.noSocketReason();
                assertEquals(reason, resetTags.get("error.type").getAsString(), resetTags.toString());
                assertEquals(reason, resetTags.get("error").getAsString(), "the span's status, as Zipkin shows it: " + resetTags);

                // the delivery histogram's exemplars (OpenMetrics only) carry the trace ids of exported paths
                String exposition = Http.metrics(metrics, Http.OPENMETRICS);
                List<String> exemplars = exposition.lines().filter(l -> l.startsWith("rxpath_delivery_latency_seconds_bucket") && l.contains(" # {"))
                        .toList();
                assertTrue(!exemplars.isEmpty(), exposition);
                for (String exemplar : exemplars) {
                    Matcher traceId = Pattern.compile("trace_id=\"([0-9a-f]{32})\"").matcher(exemplar);
                    assertTrue(traceId.find(), exemplar);
                    JsonArray trace = zipkin.trace(traceId.group(1));
                    assertEquals("tcp receive", root(trace).get("name").getAsString(), exemplar + ": " + trace);
                }

                agent.interrupt();
                String summary = agent.err.stream().filter(l -> l.startsWith("rxpath: traces to zipkin: ")).findFirst().orElse(String.join("\n", agent.err));
                assertTrue(summary.matches("rxpath: traces to zipkin: \\d+ kept, \\d+ paths sampled out; spans: (\\d+) ended, \\1 exported, 0 failed, 0 dropped \\(queue full\\), 0 queued"),
                        summary);
            }
        }
    }

    private static JsonArray traces(ZipkinServer zipkin, String query) {
        try {
            return zipkin.traces("rxpath", query);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonObject root(JsonArray trace) {
        for (JsonElement s : trace) if (!s.getAsJsonObject().has("parentId")) return s.getAsJsonObject();
        throw new AssertionError("no root span in " + trace);
    }
}
