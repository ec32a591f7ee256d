package dev.rxpath.agent.export;

import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.api.v1.GetPathsResponse;
import dev.rxpath.api.v1.LostEvent;
import dev.rxpath.api.v1.LostSource;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One GetPaths stream. The pipeline thread offers it paths and ring losses without ever
 * waiting: its queue is bounded, and what does not fit is counted and sent in band as a
 * subscriber-queue LostEvent once there is room. The stream has no thread of its own: a
 * drain runs on the service's sender whenever something was offered or the client's
 * transport became ready again, and sends only while the transport is ready, so a reader
 * that stops costs the agent one full queue and no thread.
 *
 * <p>Invariant: at most one drain runs at a time ({@code pending} counts the requests for
 * one; whoever raises it from zero schedules the drain, which loops until it has answered
 * them all), so the response observer is only ever called from one thread at a time.
 */
final class PathStream {
    private record Lost(LostSource source, int cpu, long count) {}

    private final ServerCallStreamObserver<GetPathsResponse> out;
    private final Predicate<ReceivePath> filter;
    private final Function<Object, GetPathsResponse> messages;
    private final boolean follow;
    private final ArrayBlockingQueue<Object> queue;
    private final AtomicLong missed = new AtomicLong();
    private final AtomicLong missedTotal;
    private final Consumer<PathStream> onDone;
    private final Executor sender;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean ended = new AtomicBoolean();
    private Iterator<PathHistory.Entry> history = List.<PathHistory.Entry>of().iterator();
    private long lastHistorySeq = -1;
    private volatile boolean cancelled;

    /**
     * @param messages    turns a {@link PathHistory.Entry} or a lost count into a response
     * @param missedTotal the agent's count of records dropped from every subscriber's queue
     * @param sender      where drains run: shared by every stream, never the pipeline thread
     */
    PathStream(ServerCallStreamObserver<GetPathsResponse> out, Predicate<ReceivePath> filter, boolean follow, int queueSize,
               Function<Object, GetPathsResponse> messages, AtomicLong missedTotal, Consumer<PathStream> onDone, Executor sender) {
        this.out = out;
        this.filter = filter;
        this.follow = follow;
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.messages = messages;
        this.missedTotal = missedTotal;
        this.onDone = onDone;
        this.sender = sender;
        out.setOnReadyHandler(this::schedule);
        out.setOnCancelHandler(() -> {
            cancelled = true;
            schedule();
        });
    }

    /** The paths from the history to send first, oldest first; then the stream starts. */
    void start(List<PathHistory.Entry> entries) {
        history = entries.iterator();
        schedule();
    }

    /** Pipeline thread. */
    void offer(PathHistory.Entry e) {
        if (!filter.test(e.path())) return;
        if (queue.offer(e)) {
            schedule();
        } else {
            missed.incrementAndGet();
            missedTotal.incrementAndGet();
        }
    }

    /** Pipeline thread: records the kernel's ring, or the agent's handoff, could not hold. */
    void offerLost(int cpu, long count) {
        if (queue.offer(new Lost(ApiMessages.lostSource(cpu), ApiMessages.lostCpu(cpu), count))) {
            schedule();
        } else {
            missed.addAndGet(count);
            missedTotal.addAndGet(count);
        }
    }

    private void schedule() {
        if (pending.getAndIncrement() == 0) sender.execute(this::drain);
    }

    private void drain() {
        int requests = pending.get();
        do {
            try {
                sendWhileReady();
            } catch (RuntimeException e) {
                end(); // the call ended under us (client gone); nothing to tell it
            }
            requests = pending.addAndGet(-requests);
        } while (requests != 0);
    }

    private void sendWhileReady() {
        if (ended.get()) return;
        if (cancelled) {
            end();
            return;
        }
        while (out.isReady()) {
            Object item = next();
            if (item == null) {
                if (!follow) {
                    out.onCompleted();
                    end();
                }
                return;
            }
            out.onNext(messages.apply(item instanceof Lost l
                    ? LostEvent.newBuilder().setSource(l.source()).setCpu(l.cpu()).setCount(l.count()).build() : item));
        }
    }

    /** The history first, then what this stream lost, then the queue; null when there is nothing to send. */
    private Object next() {
        if (history.hasNext()) {
            PathHistory.Entry e = history.next();
            lastHistorySeq = e.seq();
            return e;
        }
        long m = missed.getAndSet(0);
        if (m > 0) return new Lost(LostSource.LOST_SOURCE_SUBSCRIBER_QUEUE, -1, m);
        Object item;
        while ((item = queue.poll()) instanceof PathHistory.Entry e && e.seq() <= lastHistorySeq) {
            // registered before the history was read: sent from the history already
        }
        return item;
    }

    private void end() {
        if (ended.compareAndSet(false, true)) onDone.accept(this);
    }
}
