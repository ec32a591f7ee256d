package dev.rxpath.agent.export;

import dev.rxpath.agent.Pipeline;
import dev.rxpath.agent.containers.Containers;
import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.flow.FlowTable;
import dev.rxpath.agent.flow.PathLatency;
import dev.rxpath.agent.path.PathStats;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.probe.HookStatus;
import dev.rxpath.agent.traces.TraceCounts;
import dev.rxpath.api.FlowLatencies;
import dev.rxpath.api.v1.Flow;
import dev.rxpath.api.v1.FlowFilter;
import dev.rxpath.api.v1.FlowSort;
import dev.rxpath.api.v1.GetFlowsRequest;
import dev.rxpath.api.v1.GetFlowsResponse;
import dev.rxpath.api.v1.GetLatencyRequest;
import dev.rxpath.api.v1.GetLatencyResponse;
import dev.rxpath.api.v1.GetPathsRequest;
import dev.rxpath.api.v1.GetPathsResponse;
import dev.rxpath.api.v1.LatencySource;
import dev.rxpath.api.v1.LostEvent;
import dev.rxpath.api.v1.NodeLatency;
import dev.rxpath.api.v1.ObserverGrpc;
import dev.rxpath.api.v1.ServerStatusRequest;
import dev.rxpath.api.v1.ServerStatusResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/** The Observer service over a node (a running agent, or a replayed recording): paths from the hub, flows and counters from the pipeline. */
public final class ObserverService extends ObserverGrpc.ObserverImplBase implements AutoCloseable {
    private static final long MIN_INTERVAL_NS = 100_000_000L;

    private final ObservedNode agent;
    private final Pipeline pipeline;
    private final ObserverHub hub;
    private final ApiMessages messages;
    private final Containers containers;
    private final String node;
    private final int queueSize;
    private final Supplier<TraceCounts> traces;
    /** Where every stream's sends and every question's answer run: one thread for all of them, never the pipeline's. */
    private final ScheduledExecutorService streams = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "rxpath-streams");
        t.setDaemon(true);
        return t;
    }, new ThreadPoolExecutor.DiscardPolicy()); // after close: the pipeline's late offers are dropped, not thrown at it
    private final long startNs = System.nanoTime();
    private long rateAtNs = startNs, rateReceived;
    private double rate;

    /** @param traces what the trace export has done; null when there is none */
    public ObserverService(ObservedNode agent, Pipeline pipeline, ObserverHub hub, KernelClock clock, Containers containers, String node,
                           int queueSize, Supplier<TraceCounts> traces) {
        this.agent = agent;
        this.pipeline = pipeline;
        this.hub = hub;
        this.messages = new ApiMessages(clock, containers);
        this.containers = containers;
        this.node = node;
        this.queueSize = queueSize;
        this.traces = traces;
    }

    /** Ends the streams' thread: what is still queued for a client is not sent (its call has ended with the server). */
    @Override
    public void close() {
        streams.shutdownNow();
    }

    @Override
    public void getPaths(GetPathsRequest request, StreamObserver<GetPathsResponse> observer) {
        Predicate<ReceivePath> filter;
        try {
            filter = PathFilters.paths(request.getWhitelistList(), request.getBlacklistList(), containers, node).and(window(request));
        } catch (PathFilters.Invalid e) {
            invalid(observer, e.getMessage());
            return;
        }
        PathStream stream = new PathStream((ServerCallStreamObserver<GetPathsResponse>) observer, filter, request.getFollow(),
                queueSize, this::pathResponse, hub.subscriberLost(), hub::closed, streams);
        // registered before the history is read: a path finishing in between is in both, and sent once
        if (request.getFollow()) hub.open(stream);
        stream.start(hub.history().last(request.getNumber(), filter));
    }

    private static void invalid(StreamObserver<?> observer, String fieldAndProblem) {
        observer.onError(Status.INVALID_ARGUMENT.withDescription(fieldAndProblem).asRuntimeException());
    }

    /** Paths that entered (first stage, wall-clock time) in [since, until). */
    private Predicate<ReceivePath> window(GetPathsRequest r) {
        long since = r.hasSince() ? ApiMessages.nanos(r.getSince()) : Long.MIN_VALUE;
        long until = r.hasUntil() ? ApiMessages.nanos(r.getUntil()) : Long.MAX_VALUE;
        if (until < since) throw new PathFilters.Invalid("until", "is before since");
        return p -> {
            long wall = messages.wallNs(p.firstNs());
            return wall >= since && wall < until;
        };
    }

    private GetPathsResponse pathResponse(Object item) {
        var b = GetPathsResponse.newBuilder().setNodeName(node).setTime(ApiMessages.timestamp(Instant.now()));
        if (item instanceof LostEvent l) return b.setLost(l).build();
        ReceivePath p = ((PathHistory.Entry) item).path();
        return b.setPath(messages.path(p)).build();
    }

    @Override
    public void getFlows(GetFlowsRequest request, StreamObserver<GetFlowsResponse> observer) {
        Predicate<dev.rxpath.agent.flow.Flow> filter = flows(request.getWhitelistList(), request.getBlacklistList(), observer);
        if (filter == null) return;
        if (request.getSort() == FlowSort.UNRECOGNIZED) {
            invalid(observer, "sort: unknown");
            return;
        }
        long intervalNs = request.hasInterval() ? ApiMessages.nanos(request.getInterval()) : 1_000_000_000L;
        if (request.getFollow() && intervalNs < MIN_INTERVAL_NS) {
            invalid(observer, "interval: at least 100ms");
            return;
        }
        new FlowSnapshots((ServerCallStreamObserver<GetFlowsResponse>) observer, request, intervalNs, () -> pipeline.inspect(
                p -> p.flows().flows().stream().filter(filter).map(f -> messages.flow(f).toBuilder().setNodeName(node).build()).toList()),
                node, streams).start();
    }

    /** The flows the filters select; null when one is malformed, the call then answered with INVALID_ARGUMENT naming it. */
    private Predicate<dev.rxpath.agent.flow.Flow> flows(List<FlowFilter> whitelist, List<FlowFilter> blacklist, StreamObserver<?> observer) {
        try {
            return PathFilters.flows(whitelist, blacklist, containers, node);
        } catch (PathFilters.Invalid e) {
            invalid(observer, e.getMessage());
            return null;
        }
    }

    @Override
    public void getLatency(GetLatencyRequest request, StreamObserver<GetLatencyResponse> observer) {
        Predicate<dev.rxpath.agent.flow.Flow> filter = flows(request.getWhitelistList(), request.getBlacklistList(), observer);
        if (filter == null) return;
        // the histograms are the pipeline's: copied there, added up here
        answer(observer, p -> p.flows().flows().stream().filter(filter).map(messages::latencies).toList(), flows -> {
            FlowLatencies sum = new FlowLatencies();
            flows.forEach(sum::add);
            return sum.response(node);
        });
    }

    @Override
    public void serverStatus(ServerStatusRequest request, StreamObserver<ServerStatusResponse> observer) {
        record Counts(PathStats paths, FlowTable.Stats flows, long sockets, List<NodeLatency> latency) {}
        answer(observer, p -> new Counts(p.paths().stats(), p.flows().stats(), agent.socketsCounted(), sampledLatency(p.flows().nodeLatency())),
                c -> status(c.paths(), c.flows(), c.sockets(), c.latency()));
    }

    /**
     * A unary call's answer: {@code question} runs on the pipeline thread, between two drains,
     * and {@code response} makes the message on the streams thread, so no gRPC thread waits.
     */
    private <T, R> void answer(StreamObserver<R> observer, Function<Pipeline, T> question, Function<T, R> response) {
        pipeline.inspect(question)
                .orTimeout(10, TimeUnit.SECONDS)
                .whenCompleteAsync((found, failure) -> {
                    if (failure != null) {
                        observer.onError(Status.UNAVAILABLE.withDescription("the pipeline did not answer: " + failure).asRuntimeException());
                        return;
                    }
                    try {
                        observer.onNext(response.apply(found));
                        observer.onCompleted();
                    } catch (RuntimeException e) {
                        observer.onError(Status.INTERNAL.withDescription(e.toString()).withCause(e).asRuntimeException());
                    }
                }, streams);
    }

    private ServerStatusResponse status(PathStats paths, FlowTable.Stats flows, long sockets, List<NodeLatency> latency) {
        var b = ServerStatusResponse.newBuilder()
                .setNodeName(node)
                .setKernelRelease(agent.kernelRelease())
                .setUptime(ApiMessages.duration(System.nanoTime() - startNs))
                .setRecordsSubmitted(agent.submitted())
                .setRecordsReceived(agent.received())
                .setEventsPerSecond(rate(agent.received()))
                .setLivePaths(paths.live() + paths.waiting())
                .setLiveFlows(flows.live())
                .setClosedFlows(flows.closed())
                .setPathsEvicted(paths.closed(dev.rxpath.agent.path.CloseReason.EVICTED))
                .setFlowsEvicted(flows.evicted())
                .setSubscribers(hub.subscribers())
                .setSubscriberLost(hub.subscriberLost().get())
                .setHistorySize(hub.history().size())
                .setPathSampling(agent.pathSampling())
                .setSegmentsSampled(agent.segmentsSampled())
                .setPathsKeptUnsampled(agent.pathsKeptUnsampled())
                .setSocketsCounted(sockets)
                .setSocketsNotCounted(agent.socketsNotCounted());
        Histogram everySegment = agent.everySegment();
        if (everySegment != null && everySegment.getTotalCount() > 0) {
            b.addLatency(NodeLatency.newBuilder().setStage(ApiEnums.stage(dev.rxpath.agent.event.Stage.SOCKET))
                    .setSource(LatencySource.LATENCY_SOURCE_EVERY_SEGMENT).setSummary(ApiMessages.latency(everySegment)));
        }
        b.addAllLatency(latency);
        for (HookStatus h : agent.hooks()) b.addHooks(ApiMessages.hook(h));
        if (traces != null) b.setTraces(ApiMessages.traces(traces.get()));
        for (Map.Entry<Integer, Long> e : hub.ringLost().entrySet()) {
            b.addLost(LostEvent.newBuilder().setSource(ApiMessages.lostSource(e.getKey())).setCpu(ApiMessages.lostCpu(e.getKey()))
                    .setCount(e.getValue()));
        }
        return b.build();
    }

    /** The node's latencies from its paths: per stage, then first stage to the application's read (stage unspecified). */
    private static List<NodeLatency> sampledLatency(PathLatency node) {
        List<NodeLatency> out = new java.util.ArrayList<>();
        for (dev.rxpath.agent.event.Stage s : dev.rxpath.agent.event.Stage.values()) {
            Histogram h = s == dev.rxpath.agent.event.Stage.SOCKET_EVENT ? null : node.stage(s);
            if (h != null) out.add(sampled(ApiEnums.stage(s), h));
        }
        Histogram app = node.toApplication();
        if (app != null) out.add(sampled(dev.rxpath.api.v1.Stage.STAGE_UNSPECIFIED, app));
        return out;
    }

    private static NodeLatency sampled(dev.rxpath.api.v1.Stage stage, Histogram h) {
        return NodeLatency.newBuilder().setStage(stage).setSource(LatencySource.LATENCY_SOURCE_SAMPLED_PATHS)
                .setSummary(ApiMessages.latency(h)).build();
    }

    /** Records received per second since the previous status request (at least a second apart), or since start. */
    private synchronized double rate(long received) {
        long now = System.nanoTime();
        if (now - rateAtNs >= 1_000_000_000L) {
            rate = (received - rateReceived) * 1e9 / (now - rateAtNs);
            rateAtNs = now;
            rateReceived = received;
        }
        return rate;
    }
}
