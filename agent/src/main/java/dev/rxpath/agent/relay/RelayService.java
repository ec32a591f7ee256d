package dev.rxpath.agent.relay;

import com.google.protobuf.Timestamp;
import dev.rxpath.agent.export.FlowOrder;
import dev.rxpath.api.FlowLatencies;
import dev.rxpath.api.v1.Flow;
import dev.rxpath.api.v1.GetFlowsRequest;
import dev.rxpath.api.v1.GetFlowsResponse;
import dev.rxpath.api.v1.GetLatencyRequest;
import dev.rxpath.api.v1.GetLatencyResponse;
import dev.rxpath.api.v1.GetPathsRequest;
import dev.rxpath.api.v1.GetPathsResponse;
import dev.rxpath.api.v1.NodeStatus;
import dev.rxpath.api.v1.ObserverGrpc;
import dev.rxpath.api.v1.ServerStatusRequest;
import dev.rxpath.api.v1.ServerStatusResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The Observer service over many agents: the CLI talks to a relay as to one node. Paths are
 * merged by time ({@link MergedPaths}), flows into one sorted snapshot whose flows name their
 * nodes, latencies and status into sums over the connected nodes (status with every node's state).
 */
final class RelayService extends ObserverGrpc.ObserverImplBase {
    private static final long MIN_INTERVAL_NS = 100_000_000L;

    private final Peers peers;
    private final String name;
    private final long drainNs;
    private final int bufferSize;

    RelayService(Peers peers, String name, long drainNs, int bufferSize) {
        this.peers = peers;
        this.name = name;
        this.drainNs = drainNs;
        this.bufferSize = bufferSize;
    }

    @Override
    public void getPaths(GetPathsRequest request, StreamObserver<GetPathsResponse> observer) {
        if (request.hasSince() && request.hasUntil() && timestampNanos(request.getUntil()) < timestampNanos(request.getSince())) {
            observer.onError(Status.INVALID_ARGUMENT.withDescription("until: is before since").asRuntimeException());
            return;
        }
        new MergedPaths((ServerCallStreamObserver<GetPathsResponse>) observer, request, peers, name, drainNs, bufferSize).start();
    }

    @Override
    public void getFlows(GetFlowsRequest request, StreamObserver<GetFlowsResponse> observer) {
        long intervalNs = request.hasInterval() ? request.getInterval().getSeconds() * 1_000_000_000L + request.getInterval().getNanos()
                : 1_000_000_000L;
        if (request.getFollow() && intervalNs < MIN_INTERVAL_NS) {
            observer.onError(Status.INVALID_ARGUMENT.withDescription("interval: at least 100ms").asRuntimeException());
            return;
        }
        var out = (ServerCallStreamObserver<GetFlowsResponse>) observer;
        GetFlowsRequest once = request.toBuilder().setFollow(false).build();
        Runnable snapshot = new Runnable() {
            @Override
            public void run() {
                RelayService.this.<GetFlowsResponse>fanOut((stub, o) -> stub.getFlows(once, o)).whenComplete((answers, failure) -> {
                    if (out.isCancelled()) return;
                    Status refused = refusal(answers);
                    if (refused != null) {
                        out.onError(refused.asRuntimeException());
                        return;
                    }
                    List<Flow> flows = new ArrayList<>();
                    long total = 0;
                    for (Answer<GetFlowsResponse> a : answers) {
                        if (a.value() == null) continue;
                        flows.addAll(a.value().getFlowsList());
                        total += a.value().getTotal();
                    }
                    List<Flow> sorted = flows.stream().sorted(FlowOrder.of(request))
                            .limit(request.getLimit() == 0 ? Long.MAX_VALUE : request.getLimit()).toList();
                    synchronized (out) {
                        out.onNext(GetFlowsResponse.newBuilder().setNodeName(name).setTime(now()).addAllFlows(sorted).setTotal(total).build());
                        if (!request.getFollow()) out.onCompleted();
                    }
                    if (request.getFollow()) peers.scheduler().schedule(this, intervalNs, TimeUnit.NANOSECONDS);
                });
            }
        };
        snapshot.run();
    }

    @Override
    public void getLatency(GetLatencyRequest request, StreamObserver<GetLatencyResponse> observer) {
        this.<GetLatencyResponse>fanOut((stub, o) -> stub.getLatency(request, o)).whenComplete((answers, failure) -> {
            Status refused = refusal(answers);
            if (refused != null) {
                observer.onError(refused.asRuntimeException());
                return;
            }
            FlowLatencies sum = new FlowLatencies();
            List<NodeStatus> nodes = new ArrayList<>();
            for (Answer<GetLatencyResponse> a : answers) {
                if (a.value() != null) sum.add(a.value());
                nodes.add(a.peer().view().node(a.value() != null ? a.value().getNodeName() : null).build());
            }
            observer.onNext(sum.response(name).toBuilder().addAllNodes(nodes).build());
            observer.onCompleted();
        });
    }

    @Override
    public void serverStatus(ServerStatusRequest request, StreamObserver<ServerStatusResponse> observer) {
        this.<ServerStatusResponse>fanOut((stub, o) -> stub.serverStatus(request, o)).whenComplete((answers, failure) -> {
            List<StatusSum.Node> nodes = new ArrayList<>();
            for (Answer<ServerStatusResponse> a : answers) nodes.add(new StatusSum.Node(a.peer().view(), a.value()));
            observer.onNext(StatusSum.of(name, nodes));
            observer.onCompleted();
        });
    }

    /** One peer's answer to a fanned-out call: its last message, or null and why. */
    record Answer<T>(Peer peer, T value, Status failure) {}

    /** The same call to every peer at once, each within the dial timeout; completes when all have answered or failed. */
    private <T> CompletableFuture<List<Answer<T>>> fanOut(BiConsumer<ObserverGrpc.ObserverStub, StreamObserver<T>> call) {
        List<CompletableFuture<Answer<T>>> all = new ArrayList<>();
        for (Peer p : peers.all()) {
            CompletableFuture<Answer<T>> f = new CompletableFuture<>();
            all.add(f);
            call.accept(p.stub(), new StreamObserver<T>() {
                private T last;

                @Override
                public void onNext(T value) {
                    last = value;
                }

                @Override
                public void onError(Throwable t) {
                    Status s = Status.fromThrowable(t);
                    p.failed(s);
                    f.complete(new Answer<>(p, null, s));
                }

                @Override
                public void onCompleted() {
                    f.complete(new Answer<>(p, last, null));
                }
            });
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v -> all.stream().map(CompletableFuture::join).toList());
    }

    /** A request every agent that answered refused as malformed is the client's mistake: it gets that answer. */
    private static <T> Status refusal(List<Answer<T>> answers) {
        Status refused = null;
        for (Answer<T> a : answers) {
            if (a.failure() == null) return null;
            if (a.failure().getCode() == Status.Code.INVALID_ARGUMENT) refused = a.failure();
        }
        return refused;
    }

    private static long timestampNanos(Timestamp t) {
        return t.getSeconds() * 1_000_000_000L + t.getNanos();
    }

    private static Timestamp now() {
        Instant n = Instant.now();
        return Timestamp.newBuilder().setSeconds(n.getEpochSecond()).setNanos(n.getNano()).build();
    }
}
