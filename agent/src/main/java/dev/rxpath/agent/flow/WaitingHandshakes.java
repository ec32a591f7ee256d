package dev.rxpath.agent.flow;

import dev.rxpath.agent.event.Event;
import io.netty.util.collection.LongObjectHashMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Handshakes whose socket has no flow yet. Without every segment's path a flow begins at its
 * socket's first counter read or sampled path, up to a read interval after the handshake, and
 * short connections at one address follow each other faster than that: several lives of an
 * address may wait at once. Bounded in number; the oldest beyond it is given up.
 */
final class WaitingHandshakes {
    private final int max;
    /** By socket address, oldest first: usually one. */
    private final LongObjectHashMap<List<Event.Handshake>> bySk = new LongObjectHashMap<>();
    /** All that ever waited, oldest first; a claimed one leaves when it reaches the head. */
    private final ArrayDeque<Event.Handshake> inOrder = new ArrayDeque<>();
    private int waiting;

    WaitingHandshakes(int max) {
        this.max = max;
    }

    /** Keeps it; returns how many older ones were given up to stay within the bound. */
    int add(Event.Handshake h) {
        bySk.computeIfAbsent(h.header().sk(), sk -> new ArrayList<>(1)).add(h);
        inOrder.addLast(h);
        waiting++;
        int given = 0;
        while (waiting > max) given += removeHead() ? 1 : 0;
        return given;
    }

    /** Whether any waits at this address. */
    boolean has(long sk) {
        return waiting != 0 && bySk.containsKey(sk);
    }

    /** The oldest waiting handshake at this address that {@code hers} accepts, taken out; null if none. */
    Event.Handshake claim(long sk, Predicate<Event.Handshake> hers) {
        List<Event.Handshake> at = bySk.get(sk);
        if (at == null) return null;
        for (int i = 0; i < at.size(); i++) {
            Event.Handshake h = at.get(i);
            if (hers.test(h)) {
                remove(at, i, sk);
                return h;
            }
        }
        return null;
    }

    /** Gives up those older than {@code beforeNs}; returns how many were still waiting. */
    int expire(long beforeNs) {
        int given = 0;
        while (!inOrder.isEmpty() && (inOrder.peekFirst().header().tsNs() < beforeNs || !isWaiting(inOrder.peekFirst()))) {
            given += removeHead() ? 1 : 0;
        }
        return given;
    }

    /** Takes the oldest off the order; whether it was still waiting (not claimed). */
    private boolean removeHead() {
        Event.Handshake h = inOrder.pollFirst();
        long sk = h.header().sk();
        List<Event.Handshake> at = bySk.get(sk);
        int i = at == null ? -1 : indexOf(at, h);
        if (i < 0) return false;
        remove(at, i, sk);
        return true;
    }

    private boolean isWaiting(Event.Handshake h) {
        List<Event.Handshake> at = bySk.get(h.header().sk());
        return at != null && indexOf(at, h) >= 0;
    }

    private void remove(List<Event.Handshake> at, int i, long sk) {
        at.remove(i);
        if (at.isEmpty()) bySk.remove(sk);
        waiting--;
    }

    private static int indexOf(List<Event.Handshake> at, Event.Handshake h) {
        for (int i = 0; i < at.size(); i++) if (at.get(i) == h) return i;
        return -1;
    }
}
