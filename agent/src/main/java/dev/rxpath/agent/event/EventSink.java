package dev.rxpath.agent.event;

/** Where decoded events go, with the ring's losses in band so no consumer can miss them. */
public interface EventSink {
    void event(Event event);

    void lost(int cpu, long count);

    /** See {@link dev.rxpath.agent.ring.RecordSink#drained}: time has moved on to {@code monotonicNs}. */
    void drained(long monotonicNs);
}
