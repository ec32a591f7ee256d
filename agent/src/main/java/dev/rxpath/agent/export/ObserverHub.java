package dev.rxpath.agent.export;

import dev.rxpath.agent.path.ForwardingPathListener;
import dev.rxpath.agent.path.PathListener;
import dev.rxpath.agent.path.ReceivePath;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The end of the pipeline the Observer service reads: every finished path goes into the
 * history ring and to each open GetPaths stream, ring losses too, and on to the next sink.
 * Runs on the pipeline thread and never waits.
 */
public final class ObserverHub extends ForwardingPathListener {
    private final PathHistory history;
    private final CopyOnWriteArrayList<PathStream> streams = new CopyOnWriteArrayList<>();
    private final AtomicLong subscriberLost = new AtomicLong();
    private final Map<Integer, Long> ringLost = new TreeMap<>();

    public ObserverHub(int historySize, PathListener next) {
        super(next);
        this.history = new PathHistory(historySize);
    }

    @Override
    public void path(ReceivePath path) {
        PathHistory.Entry e = history.add(path);
        for (PathStream s : streams) s.offer(e);
        next.path(path);
    }

    @Override
    public void lost(int cpu, long count) {
        synchronized (ringLost) {
            ringLost.merge(cpu, count, Long::sum);
        }
        for (PathStream s : streams) s.offerLost(cpu, count);
        next.lost(cpu, count);
    }

    PathHistory history() {
        return history;
    }

    void open(PathStream s) {
        streams.add(s);
    }

    void closed(PathStream s) {
        streams.remove(s);
    }

    int subscribers() {
        return streams.size();
    }

    AtomicLong subscriberLost() {
        return subscriberLost;
    }

    /** Records the rings lost, per CPU, since the agent started. */
    public Map<Integer, Long> ringLost() {
        synchronized (ringLost) {
            return new TreeMap<>(ringLost);
        }
    }
}
