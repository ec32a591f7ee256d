package dev.rxpath.agent.export;

import dev.rxpath.api.v1.Flow;
import dev.rxpath.api.v1.GetFlowsRequest;
import dev.rxpath.api.v1.GetFlowsResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One GetFlows call: a snapshot of the flow table, or one per interval while following. It
 * has no thread of its own: the ticks and the sends run on the service's shared thread, and
 * the question goes to the pipeline without anyone waiting for the answer. A client still
 * reading the last snapshot skips the next one, which would be older than the one after.
 */
final class FlowSnapshots {
    private final ServerCallStreamObserver<GetFlowsResponse> out;
    private final GetFlowsRequest request;
    private final long intervalNs;
    private final Supplier<CompletableFuture<List<Flow>>> flows;
    private final String node;
    private final ScheduledExecutorService sender;
    // both on the sender only
    private ScheduledFuture<?> ticks;
    private boolean ended;

    /** @param flows asks the pipeline for the matching flows, each naming the node */
    FlowSnapshots(ServerCallStreamObserver<GetFlowsResponse> out, GetFlowsRequest request, long intervalNs,
                  Supplier<CompletableFuture<List<Flow>>> flows, String node, ScheduledExecutorService sender) {
        this.out = out;
        this.request = request;
        this.intervalNs = intervalNs;
        this.flows = flows;
        this.node = node;
        this.sender = sender;
    }

    void start() {
        if (!request.getFollow()) {
            ask();
            return;
        }
        out.setOnCancelHandler(() -> sender.execute(this::end));
        sender.execute(() -> {
            if (!ended) ticks = sender.scheduleWithFixedDelay(this::ask, 0, intervalNs, TimeUnit.NANOSECONDS);
        });
    }

    private void ask() {
        flows.get().orTimeout(10, TimeUnit.SECONDS).whenCompleteAsync(this::answer, sender);
    }

    private void answer(List<Flow> matching, Throwable failure) {
        if (ended || out.isCancelled()) return;
        if (failure != null) {
            end();
            out.onError(Status.UNAVAILABLE.withDescription("the pipeline did not answer: " + failure).asRuntimeException());
            return;
        }
        if (request.getFollow() && !out.isReady()) return;
        List<Flow> sorted = matching.stream().sorted(FlowOrder.of(request))
                .limit(request.getLimit() == 0 ? Long.MAX_VALUE : request.getLimit()).toList();
        out.onNext(GetFlowsResponse.newBuilder().setNodeName(node).setTime(ApiMessages.timestamp(Instant.now()))
                .addAllFlows(sorted).setTotal(matching.size()).build());
        if (!request.getFollow()) {
            end();
            out.onCompleted();
        }
    }

    private void end() {
        ended = true;
        if (ticks != null) ticks.cancel(false);
    }
}
