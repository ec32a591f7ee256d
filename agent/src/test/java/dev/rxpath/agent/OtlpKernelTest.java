package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.api.v1.ObserverGrpc;
import dev.rxpath.api.v1.ServerStatusRequest;
import dev.rxpath.api.v1.TraceExport;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * OTLP on the wire: a receiver built from the published OTLP TraceService gets the agent's
 * spans over gRPC, checked as protobuf; and a backend that refuses, then one that accepts
 * connections and never answers, cost the agent only the spans, counted (in the metrics, the
 * status API and the summary: failed, or dropped by the full queue), never its counts.
 */
@KernelTest
class OtlpKernelTest {
    /** Collects every request it is sent. */
    private static final class Receiver extends TraceServiceGrpc.TraceServiceImplBase {
        final ConcurrentLinkedQueue<ExportTraceServiceRequest> requests = new ConcurrentLinkedQueue<>();

        @Override
        public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> out) {
            requests.add(request);
            out.onNext(ExportTraceServiceResponse.getDefaultInstance());
            out.onCompleted();
        }

        /** The spans sent so far with their resource, for a span whose attributes hold key=value. */
        List<Map.Entry<ResourceSpans, Span>> spans(String key, String value) {
            List<Map.Entry<ResourceSpans, Span>> out = new java.util.ArrayList<>();
            for (ExportTraceServiceRequest r : requests) {
                for (ResourceSpans rs : r.getResourceSpansList()) {
                    for (ScopeSpans ss : rs.getScopeSpansList()) {
                        for (Span s : ss.getSpansList()) if (value.equals(attribute(s.getAttributesList(), key))) out.add(Map.entry(rs, s));
                    }
                }
            }
            return out;
        }
    }

    private static String attribute(List<KeyValue> attributes, String key) {
        for (KeyValue kv : attributes) {
            if (!kv.getKey().equals(key)) continue;
            var v = kv.getValue();
            return v.hasIntValue() ? String.valueOf(v.getIntValue()) : v.getStringValue();
        }
        return null;
    }

    @Test
    void aKnownConnectionsSpansReachAnOtlpReceiverAsProtobuf() throws Exception {
        Receiver receiver = new Receiver();
        Server grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(receiver).build().start();
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket server = new ServerSocket(0, 1, loopback);
             AgentProcess agent = AgentProcess.agent(Map.of("OTEL_BSP_SCHEDULE_DELAY", "200", "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test"),
                     "--traces-exporter", "otlp", "--traces-protocol", "grpc", "--traces-endpoint", "http://127.0.0.1:" + grpc.getPort(),
                     "--traces-rate", "1000", "--paths", "all", "--port", String.valueOf(server.getLocalPort()), "--node-name", "node-a",
                     "--socket", "none", "--stats-interval", "0")) {
            agent.awaitAttached();
            int clientPort;
            long before = System.currentTimeMillis() * 1_000_000;
            try (Socket client = new Socket(loopback, server.getLocalPort()); Socket accepted = server.accept()) {
                clientPort = client.getLocalPort();
                client.getOutputStream().write(new byte[1234]);
                accepted.getInputStream().readNBytes(1234);
            }
            long after = System.currentTimeMillis() * 1_000_000;
            KernelTests.await("the connection's spans at the receiver", 30_000, () -> !receiver.spans("network.peer.port", String.valueOf(clientPort)).isEmpty());
            Map.Entry<ResourceSpans, Span> found = receiver.spans("network.peer.port", String.valueOf(clientPort)).stream()
                    .filter(e -> "DELIVERED".equals(attribute(e.getValue().getAttributesList(), "rxpath.verdict"))).findFirst().orElseThrow();
            List<KeyValue> resource = found.getKey().getResource().getAttributesList();
            assertEquals("rxpath", attribute(resource, "service.name"), resource.toString());
            assertEquals("node-a", attribute(resource, "host.name"), resource.toString());
            assertEquals("test", attribute(resource, "deployment.environment"), "OTEL_RESOURCE_ATTRIBUTES applies: " + resource);
            Span root = found.getValue();
            assertEquals("tcp receive", root.getName());
            assertTrue(root.getParentSpanId().isEmpty(), root.toString());
            assertEquals(String.valueOf(server.getLocalPort()), attribute(root.getAttributesList(), "network.local.port"));
            assertEquals("tcp", attribute(root.getAttributesList(), "network.transport"));
            assertEquals("node-a", attribute(root.getAttributesList(), "rxpath.node"));
            assertTrue(before - 1_000_000_000L <= root.getStartTimeUnixNano() && root.getStartTimeUnixNano() <= root.getEndTimeUnixNano()
                    && root.getEndTimeUnixNano() <= after + 1_000_000_000L, "wall time, within the test's: " + root);
            assertTrue(root.getStatus().getCode() != Status.StatusCode.STATUS_CODE_ERROR, root.getStatus().toString());
            // its children, in the same request or a later one, under it
            KernelTests.await("the children of the root", 10_000, () -> receiver.requests.stream().flatMap(r -> r.getResourceSpansList().stream())
                    .flatMap(rs -> rs.getScopeSpansList().stream()).flatMap(ss -> ss.getSpansList().stream())
                    .anyMatch(s -> s.getParentSpanId().equals(root.getSpanId()) && s.getTraceId().equals(root.getTraceId())));
            agent.interrupt();
        } finally {
            grpc.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /**
     * An endpoint that refuses connections, then one that accepts and never answers: the
     * agent keeps running, the delivered bytes it counts stay exact, and the spans it could
     * not send are counted as failed.
     */
    @Test
    void aDeadOrHangingBackendCostsSpansNotCounts() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        for (boolean hangs : List.of(false, true)) {
            try (ServerSocket backend = hangs ? new ServerSocket(0, 50, loopback) : null; ServerSocket server = new ServerSocket(0, 1, loopback)) {
                int backendPort = hangs ? backend.getLocalPort() : PrometheusServer.freePort(); // nothing listens on a freed port
                String metrics = "127.0.0.1:" + PrometheusServer.freePort();
                int api = PrometheusServer.freePort();
                try (AgentProcess agent = AgentProcess.agent(Map.of("OTEL_BSP_SCHEDULE_DELAY", "100", "OTEL_EXPORTER_OTLP_TIMEOUT", "500",
                        "OTEL_BSP_MAX_QUEUE_SIZE", "64", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "16"), // a small queue: a hanging backend fills it
                        "--traces-exporter", "otlp", "--traces-protocol", "http/protobuf", "--traces-endpoint", "http://127.0.0.1:" + backendPort,
                        "--traces-rate", "1000", "--paths", "all", "--port", String.valueOf(server.getLocalPort()), "--metrics-listen", metrics,
                        "--counters-interval", "200", "--socket", "none", "--listen", "127.0.0.1:" + api, "--stats-interval", "0")) {
                    agent.awaitAttached();
                    int total = 0;
                    for (int i = 0; i < 20; i++) {
                        try (Socket client = new Socket(loopback, server.getLocalPort()); Socket accepted = server.accept()) {
                            try (OutputStream out = client.getOutputStream()) {
                                out.write(new byte[10_000]);
                            }
                            total += accepted.getInputStream().readAllBytes().length;
                        }
                    }
                    int sent = total;
                    KernelTests.await("the agent's exact delivered bytes and failed spans", 30_000,
                            () -> scrape(metrics, "rxpath_delivered_bytes_total") == sent && scrape(metrics, "rxpath_trace_spans_total{outcome=\"failed\"}") > 0);
                    assertTrue(agent.process.isAlive(), (hangs ? "a hanging" : "a refusing") + " backend: " + String.join("\n", agent.err));
                    // the status API shows them too
                    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", api).usePlaintext().build();
                    try {
                        TraceExport status = ObserverGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                                .serverStatus(ServerStatusRequest.getDefaultInstance()).getTraces();
                        assertEquals("otlp", status.getExporter(), status.toString());
                        assertTrue(status.getSpansFailed() > 0 && status.getSpansExported() == 0 && status.getPathsTraced() > 0, status.toString());
                        // a batch being sent is neither queued nor failed yet
                        assertTrue(status.getSpansFailed() + status.getSpansDropped() + status.getSpansQueued() <= status.getSpansEnded(),
                                status.toString());
                    } finally {
                        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
                    }
                    agent.interrupt();
                    String summary = agent.err.stream().filter(l -> l.startsWith("rxpath: traces to otlp: ")).findFirst().orElse(String.join("\n", agent.err));
                    Matcher m = Pattern.compile("spans: (\\d+) ended, 0 exported, (\\d+) failed, (\\d+) dropped \\(queue full\\), 0 queued").matcher(summary);
                    // stopped, every span is accounted for: sent and failed, or dropped
                    assertTrue(m.find() && Long.parseLong(m.group(2)) > 0
                            && Long.parseLong(m.group(1)) == Long.parseLong(m.group(2)) + Long.parseLong(m.group(3)), summary);
                    if (hangs) assertTrue(Long.parseLong(m.group(3)) > 0, "the full queue dropped spans: " + summary);
                }
            }
        }
    }

    /** One sample's value from the agent's own /metrics, by its name and labels as printed; -1 when absent. */
    private static double scrape(String address, String series) {
        try {
            String text = Http.metrics(address, Http.TEXT);
            for (String line : text.lines().toList()) if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1));
            return -1;
        } catch (Exception e) {
            return -1;
        }
    }
}
