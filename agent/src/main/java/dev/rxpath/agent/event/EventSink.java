package dev.rxpath.agent.event;

/** Where decoded events go, with the ring's losses in band so no consumer can miss them. */
public interface EventSink {
    void event(Event event);

    void lost(int cpu, long count);
}
