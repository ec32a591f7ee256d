package dev.rxpath.agent.path;

import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.EventSink;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Puts the per-CPU rings' events into one kernel-timestamp order. Each ring is in order
 * (nearly: a nested program on the same CPU can submit between another's timestamp and
 * its submit), but rings are read one after another, so the reader often has a CPU's
 * later events before another CPU's earlier ones (the application reads on another CPU
 * than the softirq queued). Events are held until every ring has been drained past their
 * timestamp, less a slack for the timestamp-to-submit gap, then released sorted. The
 * window is therefore bounded by the reader's poll interval, and needs no guess of its own.
 * An event stamped before something already released is counted as late (and still passed on).
 */
public final class ReorderWindow implements EventSink {
    /** Time between a program's bpf_ktime_get_ns() and its record landing in the ring. */
    public static final long SUBMIT_SLACK_NS = 1_000_000;
    private static final Comparator<Event> BY_TIME = Comparator.comparingLong(e -> e.header().tsNs());

    private final EventSink next;
    private Event[] held = new Event[4096];
    private int size;
    private long releasedThrough = Long.MIN_VALUE;
    private long late;

    public ReorderWindow(EventSink next) {
        this.next = next;
    }

    @Override
    public void event(Event e) {
        if (e.header().tsNs() < releasedThrough) late++;
        if (size == held.length) held = Arrays.copyOf(held, size * 2);
        held[size++] = e;
    }

    @Override
    public void lost(int cpu, long count) {
        next.lost(cpu, count);
    }

    @Override
    public void drained(long monotonicNs) {
        release(monotonicNs - SUBMIT_SLACK_NS);
    }

    /** Releases everything held: the rings are closed and nothing earlier can come. */
    public void flush() {
        long last = size == 0 ? releasedThrough : Long.MIN_VALUE;
        for (int i = 0; i < size; i++) last = Math.max(last, held[i].header().tsNs());
        release(last + 1);
    }

    private void release(long bound) {
        // TimSort: the held events are a few already-sorted runs (one per ring), merged in near-linear time.
        Arrays.sort(held, 0, size, BY_TIME);
        int n = 0;
        while (n < size && held[n].header().tsNs() < bound) next.event(held[n++]);
        System.arraycopy(held, n, held, 0, size - n);
        Arrays.fill(held, size - n, size, null);
        size -= n;
        if (bound > releasedThrough) {
            releasedThrough = bound;
            next.drained(bound);
        }
    }

    /** Events that arrived after later-stamped ones had already been released. */
    public long late() {
        return late;
    }
}
