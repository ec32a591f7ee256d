package dev.rxpath.agent.traces;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
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
 * and what it failed to send are counted here; what the full queue dropped, and what it holds,
 * the processor records itself as metrics (the SDK's own), which a reader here collects on
 * demand.
 */
public final class TraceExport implements AutoCloseable {
    private static final AttributeKey<String> HOST_NAME = AttributeKey.stringKey("host.name");

    private final OpenTelemetrySdk sdk;
    private final String exporter;
    private final AtomicLong ended = new AtomicLong(), exported = new AtomicLong(), failed = new AtomicLong();
    private final ProcessorCounts processor = new ProcessorCounts();

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
                .addMeterProviderCustomizer((meters, config) -> meters.registerMetricReader(processor))
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
        ProcessorCounts.Queue q = processor.read();
        return new TraceCounts(exporter, traced, sampledOut, ended.get(), exported.get(), failed.get(), q.dropped(), q.queued());
    }

    /** Sends what the queue holds (waiting at most 10 s for the backend), then stops. */
    @Override
    public void close() {
        sdk.shutdown().join(10, TimeUnit.SECONDS);
    }

    /**
     * The batch span processor's own counts, which it records as metrics: spans it dropped
     * because its queue was full ({@code processedSpans} with {@code dropped=true}), and its
     * queue's length ({@code queueSize}). Collected when asked, never exported.
     */
    private static final class ProcessorCounts implements MetricReader {
        record Queue(long dropped, long queued) {}

        private static final AttributeKey<Boolean> DROPPED = AttributeKey.booleanKey("dropped");
        private volatile CollectionRegistration registration = CollectionRegistration.noop();

        @Override
        public void register(CollectionRegistration registration) {
            this.registration = registration;
        }

        Queue read() {
            long dropped = 0, queued = 0;
            for (MetricData m : registration.collectAllMetrics()) {
                if (m.getName().equals("processedSpans")) {
                    for (LongPointData p : m.getLongSumData().getPoints()) if (Boolean.TRUE.equals(p.getAttributes().get(DROPPED))) dropped += p.getValue();
                } else if (m.getName().equals("queueSize")) {
                    for (LongPointData p : m.getLongGaugeData().getPoints()) queued += p.getValue();
                }
            }
            return new Queue(dropped, queued);
        }

        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType type) {
            return AggregationTemporality.CUMULATIVE;
        }

        @Override
        public CompletableResultCode forceFlush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
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
