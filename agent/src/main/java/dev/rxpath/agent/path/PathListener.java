package dev.rxpath.agent.path;

import dev.rxpath.agent.event.Event;

/**
 * What the correlator hands downstream, in kernel-timestamp order: finished paths, and
 * beside them the socket history that belongs to no single segment.
 */
public interface PathListener {
    /** The end of a pipeline that only counts. */
    PathListener NONE = new PathListener() {
        @Override
        public void path(ReceivePath path) {}

        @Override
        public void socketEvent(Event event) {}

        @Override
        public void lost(int cpu, long count) {}

        @Override
        public void advanced(long monotonicNs) {}
    };

    void path(ReceivePath path);

    /**
     * tcp_probe snapshots, recvmsg returns, reader wakeups, resets, retransmits and state
     * changes, for the per-socket view.
     */
    void socketEvent(Event event);

    /** Records the rings could not hold: paths around them may be missing stages. */
    void lost(int cpu, long count);

    /** Everything stamped before {@code monotonicNs} has been handed over: expire what waits. */
    void advanced(long monotonicNs);
}
