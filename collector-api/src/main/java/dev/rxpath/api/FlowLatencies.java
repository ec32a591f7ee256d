package dev.rxpath.api;

import dev.rxpath.api.v1.Flow;
import dev.rxpath.api.v1.FlowsLatency;
import dev.rxpath.api.v1.GetLatencyResponse;
import dev.rxpath.api.v1.LatencySummary;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Flows' latencies added up, stage by stage and to the application: an agent adds its
 * matching flows', a relay its nodes' sums, and GetLatency answers with the result. Each
 * keeps how many flows had a time there, which a node's sum cannot tell from its summary.
 */
public final class FlowLatencies {
    /** One latency: its sum, and the flows that had a time in it. */
    private static final class Part {
        final LatencySum sum = new LatencySum();
        long flows;

        void add(LatencySummary summary, long flows) {
            sum.add(summary);
            this.flows += flows;
        }

        FlowsLatency message() {
            return FlowsLatency.newBuilder().setSummary(sum.summary()).setFlows(flows).build();
        }
    }

    private final Map<String, Part> stages = new LinkedHashMap<>();
    private final Part toApplication = new Part();
    private long flows;

    /** One flow's latencies. */
    public FlowLatencies add(Flow flow) {
        flows++;
        flow.getStageLatencyMap().forEach((stage, s) -> stage(stage).add(s, s.getCount() > 0 ? 1 : 0));
        toApplication.add(flow.getToApplication(), flow.getToApplication().getCount() > 0 ? 1 : 0);
        return this;
    }

    /** A sum made elsewhere: a node's answer. */
    public FlowLatencies add(GetLatencyResponse sum) {
        flows += sum.getFlows();
        sum.getStageLatencyMap().forEach((stage, l) -> stage(stage).add(l.getSummary(), l.getFlows()));
        toApplication.add(sum.getToApplication().getSummary(), sum.getToApplication().getFlows());
        return this;
    }

    public GetLatencyResponse response(String node) {
        var b = GetLatencyResponse.newBuilder().setNodeName(node).setFlows(flows).setToApplication(toApplication.message());
        stages.forEach((stage, part) -> b.putStageLatency(stage, part.message()));
        return b.build();
    }

    private Part stage(String name) {
        return stages.computeIfAbsent(name, n -> new Part());
    }
}
