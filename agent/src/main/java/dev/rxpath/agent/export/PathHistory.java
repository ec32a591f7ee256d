package dev.rxpath.agent.export;

import dev.rxpath.agent.path.ReceivePath;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * The most recent finished paths, for {@code GetPaths} with {@code number}: a fixed ring,
 * written by the pipeline thread and read by gRPC threads. Each path gets a sequence number
 * so a stream that reads the history and then follows new paths sends none twice.
 */
final class PathHistory {
    record Entry(long seq, ReceivePath path) {}

    private final Entry[] ring;
    private long next;

    PathHistory(int size) {
        if (size < 1) throw new IllegalArgumentException("history size must be at least 1, not " + size);
        ring = new Entry[size];
    }

    synchronized Entry add(ReceivePath p) {
        Entry e = new Entry(next, p);
        ring[(int) (next++ % ring.length)] = e;
        return e;
    }

    /** The last {@code n} entries that match, oldest first. */
    synchronized List<Entry> last(long n, Predicate<ReceivePath> matches) {
        List<Entry> out = new ArrayList<>();
        for (long seq = next - 1; seq >= Math.max(0, next - ring.length) && out.size() < n; seq--) {
            Entry e = ring[(int) (seq % ring.length)];
            if (matches.test(e.path())) out.add(e);
        }
        Collections.reverse(out);
        return out;
    }

    synchronized long size() {
        return Math.min(next, ring.length);
    }

    int capacity() {
        return ring.length;
    }
}
