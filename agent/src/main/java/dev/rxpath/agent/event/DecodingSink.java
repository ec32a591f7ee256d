package dev.rxpath.agent.event;

import dev.rxpath.agent.ring.RecordSink;
import java.nio.ByteBuffer;

/** The ring → decoder step: raw records in, typed events out. */
public final class DecodingSink implements RecordSink {
    private final EventDecoder decoder = new EventDecoder();
    private final EventSink next;

    public DecodingSink(EventSink next) {
        this.next = next;
    }

    @Override
    public void record(int cpu, ByteBuffer buffer, int offset, int length) {
        Event e = decoder.decode(buffer, offset, length);
        if (e != null) next.event(e);
    }

    @Override
    public void lost(int cpu, long count) {
        next.lost(cpu, count);
    }

    @Override
    public void drained(long monotonicNs) {
        next.drained(monotonicNs);
    }

    public long malformed() {
        return decoder.malformed();
    }
}
