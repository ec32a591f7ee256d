package dev.rxpath.agent.path;

import dev.rxpath.agent.event.Event;

/** A step in the chain of sinks: passes everything on to the next; a sink overrides what it looks at (and passes that on too). */
public abstract class ForwardingPathListener implements PathListener {
    protected final PathListener next;

    protected ForwardingPathListener(PathListener next) {
        this.next = next;
    }

    @Override
    public void path(ReceivePath path) {
        next.path(path);
    }

    @Override
    public void socketEvent(Event event) {
        next.socketEvent(event);
    }

    @Override
    public void lost(int cpu, long count) {
        next.lost(cpu, count);
    }

    @Override
    public void advanced(long monotonicNs) {
        next.advanced(monotonicNs);
    }
}
