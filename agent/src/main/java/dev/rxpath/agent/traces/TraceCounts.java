package dev.rxpath.agent.traces;

import java.util.Locale;

/**
 * What the trace export has done, for the status API, the metrics and the summary: finished
 * paths the tail sampler kept or sampled out, and their spans by how they left.
 *
 * @param exporter       the configured exporter: otlp, zipkin
 * @param traced         paths kept, one trace each
 * @param sampledOut     paths the tail sampler left out
 * @param spansEnded     spans the agent ended
 * @param spansExported  spans the backend took
 * @param spansFailed    spans the exporter could not send (refused, timed out, rejected)
 * @param spansDropped   spans the export queue dropped: it was full (a slow or dead backend, or more spans than it sends)
 * @param spansQueued    spans in the export queue now
 */
public record TraceCounts(String exporter, long traced, long sampledOut, long spansEnded, long spansExported, long spansFailed,
                          long spansDropped, long spansQueued) {
    /** One line for stderr. */
    public String describe() {
        return String.format(Locale.ROOT, "traces to %s: %d kept, %d paths sampled out; spans: %d ended, %d exported, %d failed, %d dropped (queue full), %d queued",
                exporter, traced, sampledOut, spansEnded, spansExported, spansFailed, spansDropped, spansQueued);
    }
}
