package dev.rxpath.agent.export;

import dev.rxpath.api.v1.Flow;
import dev.rxpath.api.v1.GetFlowsRequest;
import java.util.Comparator;
import java.util.function.ToLongFunction;

/** The order a GetFlows request asks for, over the API's flows: an agent's and a relay's merge alike. */
public final class FlowOrder {
    private FlowOrder() {}

    public static Comparator<Flow> of(GetFlowsRequest r) {
        ToLongFunction<Flow> key = switch (r.getSort()) {
            case FLOW_SORT_BYTES_DELIVERED -> Flow::getBytesDelivered;
            case FLOW_SORT_BYTES_QUEUED -> Flow::getBytesQueued;
            case FLOW_SORT_SEGMENTS -> Flow::getSegments;
            case FLOW_SORT_DROPS -> f -> f.getDropsMap().values().stream().mapToLong(Long::longValue).sum();
            case FLOW_SORT_LAST_ACTIVE -> f -> ApiMessages.nanos(f.getLastActive());
            case FLOW_SORT_LATENCY_P99 -> f -> ApiMessages.nanos(f.getToApplication().getP99());
            default -> Flow::getBytesReceived;
        };
        Comparator<Flow> c = Comparator.comparingLong(key);
        return r.getAscending() ? c : c.reversed();
    }
}
