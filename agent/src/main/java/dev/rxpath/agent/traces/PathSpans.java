package dev.rxpath.agent.traces;

import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.path.Endpoints;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.path.Verdict;
import dev.rxpath.api.IpText;
import dev.rxpath.api.TcpText;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.net.Inet6Address;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One receive path as one trace: a root span from its first stage to its last, and a child
 * span for each interval between consecutive stages, named by the two stages. Times are the
 * kernel's, mapped to wall time. Attributes follow OpenTelemetry's semantic conventions
 * (network.*, process.*), plus rxpath's own; a DROPPED or RESET path's status is ERROR with
 * the kernel's reason as error.type.
 */
final class PathSpans {
    static final String ROOT = "tcp receive";

    static final AttributeKey<String> PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
    static final AttributeKey<Long> PEER_PORT = AttributeKey.longKey("network.peer.port");
    static final AttributeKey<String> LOCAL_ADDRESS = AttributeKey.stringKey("network.local.address");
    static final AttributeKey<Long> LOCAL_PORT = AttributeKey.longKey("network.local.port");
    static final AttributeKey<String> TRANSPORT = AttributeKey.stringKey("network.transport");
    static final AttributeKey<String> TYPE = AttributeKey.stringKey("network.type");
    static final AttributeKey<String> INTERFACE = AttributeKey.stringKey("network.interface.name");
    static final AttributeKey<Long> PID = AttributeKey.longKey("process.pid");
    static final AttributeKey<String> EXECUTABLE = AttributeKey.stringKey("process.executable.name");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> VERDICT = AttributeKey.stringKey("rxpath.verdict");
    static final AttributeKey<String> DIED_AT = AttributeKey.stringKey("rxpath.stage.died");
    static final AttributeKey<String> DROP_SITE = AttributeKey.stringKey("rxpath.drop.site");
    static final AttributeKey<Long> COOKIE = AttributeKey.longKey("rxpath.socket.cookie");
    static final AttributeKey<Long> PAYLOAD = AttributeKey.longKey("rxpath.payload.bytes");
    static final AttributeKey<String> TCP_FLAGS = AttributeKey.stringKey("rxpath.tcp.flags");
    static final AttributeKey<String> NODE = AttributeKey.stringKey("rxpath.node");

    private final Tracer tracer;
    private final KernelClock clock;
    private final String node;

    PathSpans(Tracer tracer, KernelClock clock, String node) {
        this.tracer = tracer;
        this.clock = clock;
        this.node = node;
    }

    /**
     * Starts the path's root span and ends its children; {@link #end} ends the root. Ended
     * spans go to the SDK's span processor, which never blocks.
     */
    Span start(ReceivePath p) {
        List<ReceivePath.StageTime> stages = p.stages();
        SpanBuilder rootBuilder = tracer.spanBuilder(ROOT).setNoParent().setSpanKind(SpanKind.INTERNAL)
                .setStartTimestamp(wall(p.firstNs()), TimeUnit.NANOSECONDS).setAttribute(VERDICT, p.verdict().name())
                .setAttribute(TRANSPORT, "tcp").setAttribute(NODE, node).setAttribute(PAYLOAD, (long) p.payload());
        Endpoints e = p.endpoints();
        if (e != null) {
            rootBuilder.setAttribute(TYPE, e.local() instanceof Inet6Address ? "ipv6" : "ipv4")
                    .setAttribute(PEER_ADDRESS, IpText.of(e.remote())).setAttribute(PEER_PORT, (long) e.remotePort())
                    .setAttribute(LOCAL_ADDRESS, IpText.of(e.local())).setAttribute(LOCAL_PORT, (long) e.localPort());
        }
        if (p.device() != null) rootBuilder.setAttribute(INTERFACE, p.device());
        Event.Task reader = p.reader();
        if (reader != null) rootBuilder.setAttribute(PID, (long) reader.tgid()).setAttribute(EXECUTABLE, reader.comm());
        if (p.cookie() != 0) rootBuilder.setAttribute(COOKIE, p.cookie());
        if (p.tcp() != null) rootBuilder.setAttribute(TCP_FLAGS, TcpText.flags(p.tcp().flags()));
        if (p.diedAt() != null) rootBuilder.setAttribute(DIED_AT, p.diedAt().name());
        if (p.dropSite() != null) rootBuilder.setAttribute(DROP_SITE, p.dropSite());
        Span root = rootBuilder.startSpan();
        if (p.verdict() == Verdict.DROPPED || p.verdict() == Verdict.RESET) {
            String reason = p.reason() != null ? p.reason() : p.verdict().name();
            root.setStatus(StatusCode.ERROR, reason);
            root.setAttribute(ERROR_TYPE, reason);
        }
        Context parent = Context.root().with(root);
        for (int i = 1; i < stages.size(); i++) {
            ReceivePath.StageTime from = stages.get(i - 1), to = stages.get(i);
            tracer.spanBuilder(from.stage().name() + " to " + to.stage().name()).setParent(parent).setSpanKind(SpanKind.INTERNAL)
                    .setStartTimestamp(wall(from.tsNs()), TimeUnit.NANOSECONDS).startSpan().end(wall(to.tsNs()), TimeUnit.NANOSECONDS);
        }
        return root;
    }

    /** Ends a root span {@link #start} returned, at its path's last stage. */
    void end(Span root, ReceivePath p) {
        root.end(wall(p.firstNs() + p.totalNs()), TimeUnit.NANOSECONDS);
    }

    private long wall(long monotonicNs) {
        return monotonicNs + clock.wallMinusMonoNs();
    }
}
