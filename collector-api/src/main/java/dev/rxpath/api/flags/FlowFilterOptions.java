package dev.rxpath.api.flags;

import dev.rxpath.api.v1.FlowFilter;
import dev.rxpath.api.v1.GetFlowsRequest;
import java.util.List;
import picocli.CommandLine.Option;

/** Which flows: the FlowFilter fields as flags, and whether closed flows count. */
public final class FlowFilterOptions extends FilterOptions {
    @Option(names = "--closed", description = "Include closed flows the agent still keeps.")
    boolean closed;

    public FlowFilterOptions() {
        super(FlowFilter.getDescriptor());
    }

    /** The request's filters; the command adds order, limit and whether to follow. */
    public GetFlowsRequest.Builder request() {
        List<FlowFilter.Builder> whitelist = whitelist(FlowFilter::newBuilder);
        List<FlowFilter.Builder> blacklist = blacklist(FlowFilter::newBuilder);
        if (closed) {
            // closed is a filter field: with no other whitelist filter, a filter of its own asks for them
            if (whitelist.isEmpty()) whitelist = List.of(FlowFilter.newBuilder());
            // and a blacklist filter reaches closed flows only when it includes them too
            whitelist.forEach(filter -> filter.setClosed(true));
            blacklist.forEach(filter -> filter.setClosed(true));
        }
        GetFlowsRequest.Builder request = GetFlowsRequest.newBuilder();
        whitelist.forEach(request::addWhitelist);
        blacklist.forEach(request::addBlacklist);
        return request;
    }
}
