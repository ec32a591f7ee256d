package dev.rxpath.agent.traces;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The OpenTelemetry SDK, configured the OpenTelemetry way: the standard {@code OTEL_*}
 * variables (exporter otlp or zipkin, endpoint, protocol, headers, certificates, resource
 * attributes, the batch processor's queue) over the agent's own defaults, and the agent's
 * flags over both. Spans leave through the SDK's batch processor, whose queue is bounded: a
 * dead or slow backend costs dropped spans, never a waiting pipeline. What the exporter sent
 * and what it failed to send are counted here.
 */
public final class TraceExport implements AutoCloseable {
    private static final AttributeKey<String> HOST_NAME = AttributeKey.stringKey("host.name");

    private final OpenTelemetrySdk sdk;
    private final String exporter;
    private final AtomicLong ended = new AtomicLong(), exported = new AtomicLong(), failed = new AtomicLong();

    private TraceExport(Map<String, String> flags, String node) {
        this.exporter = flags.get("otel.traces.exporter");
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.service.name", "rxpath");
        defaults.put("otel.metrics.exporter", "none"); // metrics go to Prometheus; logs stay on stderr
        defaults.put("otel.logs.exporter", "none");
        this.sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> defaults)
                .addPropertiesCustomizer(config -> flags)
                .addResourceCustomizer((resource, config) -> resource.merge(Resource.create(Attributes.of(HOST_NAME, node))))
                .addSpanExporterCustomizer((exporter, config) -> new Counting(exporter))
                .disableShutdownHook()
                .build().getOpenTelemetrySdk();
    }

    /**
     * @param flags OpenTelemetry configuration properties ("otel.traces.exporter", …) the agent's flags set; they
     *              override the environment
     * @param node  the node's name, the resource's host.name
     */
    public static TraceExport start(Map<String, String> flags, String node) {
        return new TraceExport(flags, node);
    }

    Tracer tracer() {
        return sdk.getTracer("dev.rxpath.agent");
    }

    void ended(int spans) {
        ended.addAndGet(spans);
    }

    /** With the sampler's counts, which the export does not see. */
    TraceCounts counts(long traced, long sampledOut) {
        return new TraceCounts(exporter, traced, sampledOut, ended.get(), exported.get(), failed.get());
    }

    /** Sends what the queue holds (waiting at most 10 s for the backend), then stops. */
    @Override
    public void close() {
        sdk.shutdown().join(10, TimeUnit.SECONDS);
    }

    /** The configured exporter, counting each batch's spans by how the export ended. */
    private final class Counting implements SpanExporter {
        private final SpanExporter delegate;

        Counting(SpanExporter delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            int n = spans.size();
            CompletableResultCode result = delegate.export(spans);
            result.whenComplete(() -> (result.isSuccess() ? exported : failed).addAndGet(n));
            return result;
        }

        @Override
        public CompletableResultCode flush() {
            return delegate.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return delegate.shutdown();
        }
    }
}
