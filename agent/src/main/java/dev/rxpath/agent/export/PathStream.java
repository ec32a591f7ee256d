package dev.rxpath.agent.export;

import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.api.v1.GetPathsResponse;
import dev.rxpath.api.v1.LostEvent;
import dev.rxpath.api.v1.LostSource;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One GetPaths stream. The pipeline thread offers it paths and ring losses without ever
 * waiting: its queue is bounded, and what does not fit is counted and sent in band as a
 * subscriber-queue LostEvent once there is room. Its own thread sends only when the
 * client's transport is ready, so a reader that stops costs the agent one full queue.
 */
final class PathStream implements Runnable {
    private record Lost(LostSource source, int cpu, long count) {}

    private final ServerCallStreamObserver<GetPathsResponse> out;
    private final Predicate<ReceivePath> filter;
    private final Function<Object, GetPathsResponse> messages;
    private List<PathHistory.Entry> history = List.of();
    private final boolean follow;
    private final ArrayBlockingQueue<Object> queue;
    private final AtomicLong missed = new AtomicLong();
    private final AtomicLong missedTotal;
    private final Consumer<PathStream> onDone;
    private final Object ready = new Object();
    private volatile boolean cancelled;

    /**
     * @param messages    turns a {@link PathHistory.Entry} or a lost count into a response
     * @param missedTotal the agent's count of records dropped from every subscriber's queue
     */
    PathStream(ServerCallStreamObserver<GetPathsResponse> out, Predicate<ReceivePath> filter, boolean follow, int queueSize,
               Function<Object, GetPathsResponse> messages, AtomicLong missedTotal, Consumer<PathStream> onDone) {
        this.out = out;
        this.filter = filter;
        this.follow = follow;
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.messages = messages;
        this.missedTotal = missedTotal;
        this.onDone = onDone;
        out.setOnReadyHandler(this::wake);
        out.setOnCancelHandler(() -> {
            cancelled = true;
            wake();
        });
    }

    /** The paths from the history to send first, oldest first; set before the stream's thread starts. */
    void history(List<PathHistory.Entry> entries) {
        history = entries;
    }

    /** Pipeline thread. */
    void offer(PathHistory.Entry e) {
        if (filter.test(e.path()) && !queue.offer(e)) {
            missed.incrementAndGet();
            missedTotal.incrementAndGet();
        }
    }

    /** Pipeline thread: records the kernel's ring, or the agent's handoff, could not hold. */
    void offerLost(int cpu, long count) {
        if (!queue.offer(new Lost(ApiMessages.lostSource(cpu), ApiMessages.lostCpu(cpu), count))) {
            missed.addAndGet(count);
            missedTotal.addAndGet(count);
        }
    }

    @Override
    public void run() {
        try {
            long lastSeq = -1;
            for (PathHistory.Entry e : history) {
                if (!send(e)) return;
                lastSeq = e.seq();
            }
            while (follow && !cancelled) {
                long m = missed.getAndSet(0);
                if (m > 0 && !send(new Lost(LostSource.LOST_SOURCE_SUBSCRIBER_QUEUE, -1, m))) return;
                Object item = queue.poll(100, TimeUnit.MILLISECONDS);
                if (item == null) continue;
                if (item instanceof PathHistory.Entry e && e.seq() <= lastSeq) continue; // sent from the history
                if (!send(item)) return;
            }
            if (!cancelled) out.onCompleted();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the call ended under us (client gone); nothing to tell it
        } finally {
            onDone.accept(this);
        }
    }

    /** Sends once the transport is ready; false when the call was cancelled first. */
    private boolean send(Object item) throws InterruptedException {
        synchronized (ready) {
            while (!out.isReady() && !cancelled) ready.wait(100);
        }
        if (cancelled) return false;
        out.onNext(messages.apply(item instanceof Lost l
                ? LostEvent.newBuilder().setSource(l.source()).setCpu(l.cpu()).setCount(l.count()).build() : item));
        return true;
    }

    private void wake() {
        synchronized (ready) {
            ready.notifyAll();
        }
    }
}
