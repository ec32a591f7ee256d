package dev.rxpath.agent.path;

import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.Stage;
import java.util.HashMap;

/**
 * The live paths: each followed by its skb's address from the first stage seen until its END,
 * its address's reuse, quiet or eviction closes it, and, if its payload waits in a socket,
 * kept until a read takes the payload or the wait is given up.
 */
final class SkbPaths {
    /**
     * A received skb is freed within microseconds of its last stage (or is waiting in a socket,
     * which this does not apply to). A free this long after means the skb went unseen and its
     * address now belongs to another, often a transmitted one: its END is not this path's.
     */
    private static final long END_GAP_NS = 200_000_000L;

    private final int maxPaths;
    private final long pathTimeoutNs, queueTimeoutNs;
    private final PathCounters counters;
    private final FinishedPaths finished;

    private final HashMap<Long, OpenPath> bySkb = new HashMap<>();
    /** Paths whose skb is followed and whose payload, if any, has been read: least recently active first. */
    private final PathQueue following = new PathQueue();
    /** Paths whose payload waits in a socket: longest waiting first. */
    private final PathQueue waiting = new PathQueue();

    /** The limits are the correlator's, as its Limits describe them. */
    SkbPaths(int maxPaths, long pathTimeoutNs, long queueTimeoutNs, PathCounters counters, FinishedPaths finished) {
        this.maxPaths = maxPaths;
        this.pathTimeoutNs = pathTimeoutNs;
        this.queueTimeoutNs = queueTimeoutNs;
        this.counters = counters;
        this.finished = finished;
    }

    /** The path followed at the skb's address, or null. */
    OpenPath get(long skb) {
        return bySkb.get(skb);
    }

    /**
     * The path a receive stage or a socket's queueing belongs to, marked with it: the one at
     * its skb's address, or a new one when there is none or the address now holds another skb.
     */
    OpenPath stage(Event e) {
        Event.Header h = e.header();
        OpenPath p = bySkb.get(h.skb());
        if (p != null && startsAnother(p, e)) {
            closeSkb(p, CloseReason.REUSED, h.tsNs());
            p = null;
        }
        if (p == null) p = open(h.skb(), h.tsNs());
        p.mark(h.type().stage, h.tsNs(), h.cpu());
        touch(p, h.tsNs());
        return p;
    }

    /**
     * The address now belongs to a new skb when a stage arrives that this one has already
     * passed, or a socket queues it a second time: skbs are freed without a tracepoint and
     * their memory reused at once.
     */
    private static boolean startsAnother(OpenPath p, Event e) {
        Stage stage = e.type().stage;
        if (e instanceof Event.DevMeta) return p.last != null;
        if (e instanceof Event.Dev) return p.devRecord || p.last.ordinal() > Stage.DEV.ordinal();
        if (e instanceof Event.SockQueue) return p.socketSeen || stage.ordinal() < p.last.ordinal();
        return stage.ordinal() < p.last.ordinal();
    }

    /** Closes the path whose skb a CONSUME or DROP frees; false when no path at its address is that skb's. */
    boolean end(Event e) {
        Event.Header h = e.header();
        OpenPath p = bySkb.get(h.skb());
        if (p != null && !p.waiting() && h.tsNs() - p.lastNs > END_GAP_NS) {
            closeSkb(p, CloseReason.REUSED, h.tsNs());
            p = null;
        }
        if (p == null) return false;
        p.mark(Stage.END, h.tsNs(), h.cpu());
        if (e instanceof Event.Drop d) {
            p.drop = d;
            if (p.waiting()) leaveStream(p, true);
        }
        closeSkb(p, CloseReason.END, h.tsNs());
        return true;
    }

    /**
     * A segment's headers, for the path at its skb's address. A drop's or reset's headers that
     * are not the segment the path already has (another tuple or sequence number) mean the
     * skb was freed unseen and its address reused: the path closes as REUSED, so the END that
     * follows is not taken for it.
     */
    void segment(Event.Segment s) {
        Event.Header h = s.header();
        OpenPath p = bySkb.get(h.skb());
        if (p == null) return;
        if (p.segment != null && !(p.segment.tuple().equals(s.tuple()) && p.segment.tcp().seq() == s.tcp().seq())) {
            closeSkb(p, CloseReason.REUSED, h.tsNs());
        } else {
            p.segment = s;
        }
    }

    void touch(OpenPath p, long tsNs) {
        p.lastNs = tsNs;
        following.moveToBack(p);
    }

    /** Its payload now waits in its socket for a read. */
    void startWaiting(OpenPath p, long tsNs) {
        following.remove(p);
        waiting.add(p);
        p.queuedAtNs = tsNs;
    }

    /** Its payload reached the application: the path is finished unless its skb is still followed. */
    void deliver(OpenPath p, Event.Header h, Event.Task task, boolean throughStream) {
        leaveStream(p, false);
        p.delivered = true;
        p.mark(Stage.USER, h.tsNs(), h.cpu());
        p.userInferred = throughStream && p.copied == 0;
        if (p.reader == null || p.userInferred) p.reader = task;
        if (p.skbOpen) {
            p.lastNs = h.tsNs();
            following.add(p); // to be closed by its END, its address's reuse, or quiet
        } else {
            finished.finish(p, h.tsNs());
        }
    }

    /** A waiting payload's wait ends unread. */
    void giveUp(OpenPath p, CloseReason why, long tsNs) {
        leaveStream(p, false);
        if (p.skbOpen) closeSkb(p, why, tsNs); // which emits it, now that it no longer waits
        else finished.finish(p, tsNs);
    }

    /** Closes what has been quiet too long. */
    void expire(long monotonicNs) {
        OpenPath p;
        while ((p = following.head()) != null && p.lastNs < monotonicNs - pathTimeoutNs) {
            closeSkb(p, CloseReason.EXPIRED, monotonicNs);
        }
        while ((p = waiting.head()) != null && p.queuedAtNs < monotonicNs - queueTimeoutNs) {
            giveUp(p, CloseReason.EXPIRED, monotonicNs);
        }
    }

    /** The paths whose payload waits for a read, longest waiting first. */
    Iterable<OpenPath> waiting() {
        return waiting.paths();
    }

    int waitingCount() {
        return waiting.size();
    }

    int live() {
        return following.size() + waiting.size();
    }

    private OpenPath open(long skb, long tsNs) {
        OpenPath p = new OpenPath(skb);
        p.lastNs = tsNs;
        bySkb.put(skb, p);
        following.add(p);
        while (live() > maxPaths) evictOne(tsNs);
        return p;
    }

    private void evictOne(long tsNs) {
        OpenPath f = following.head(), w = waiting.head();
        if (w == null || (f != null && f.lastNs <= w.queuedAtNs)) closeSkb(f, CloseReason.EVICTED, tsNs);
        else giveUp(w, CloseReason.EVICTED, tsNs);
    }

    /** Its payload leaves its socket's byte stream and stops waiting; if {@code dropped}, its range closes up. */
    private void leaveStream(OpenPath p, boolean dropped) {
        p.stream.leave(p, dropped);
        waiting.remove(p);
    }

    /** The correlator stops following the skb's address; the path is finished unless its payload still waits. */
    private void closeSkb(OpenPath p, CloseReason why, long tsNs) {
        bySkb.remove(p.skb, p);
        p.skbOpen = false;
        p.closedBy = why;
        counters.closed(why);
        if (!p.waiting()) {
            following.remove(p);
            finished.finish(p, tsNs);
        }
    }
}
