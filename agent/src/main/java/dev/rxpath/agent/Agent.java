package dev.rxpath.agent;

import dev.rxpath.agent.bcc.BpfSource;
import dev.rxpath.agent.event.DecodingSink;
import dev.rxpath.agent.event.EventSink;
import dev.rxpath.agent.probe.KernelProbe;
import dev.rxpath.agent.maps.DevToSocket;
import dev.rxpath.agent.maps.SocketMap;
import dev.rxpath.agent.probe.ReceiveHooks;
import dev.rxpath.agent.ring.Handoff;
import dev.rxpath.agent.ring.PerfRings;
import dev.rxpath.agent.ring.RecordSink;
import dev.rxpath.agent.maps.SubmitCounters;
import java.util.function.UnaryOperator;

/**
 * The running pipeline: kernel hooks → per-CPU perf rings and the per-socket counter map →
 * decoder → sink, on two threads. The reader only drains the rings (and reads the map) into a
 * bounded {@link Handoff}, so it never waits on the pipeline and the kernel keeps its rings
 * empty; the pipeline thread replays the handoff into the tap, the decoder and the sink. When
 * the pipeline falls so far behind that the handoff is full, the reader counts what it cannot
 * hand over and the count reaches the sink in band, as the rings' own losses do. Nothing stays
 * attached after close, nor after SIGINT/SIGTERM, whose shutdown hook closes it.
 */
public final class Agent implements AutoCloseable {
    /**
     * Ring geometry: pages per CPU (a power of two), wakeup watermark, and the longest a quiet
     * ring waits; how often the per-socket counters are read; the handoff's size between the
     * reader and the pipeline thread.
     */
    public record Options(int pagesPerCpu, int watermarkBytes, int pollMillis, int countersMillis, int bufferMiB) {
        public static final Options DEFAULT = new Options(256, 64 * 1024, 100, 1000, 16);

        public Options {
            if (bufferMiB < 1) throw new IllegalArgumentException("the handoff buffer needs at least 1 MiB: " + bufferMiB);
        }

        public Options withPages(int pages) {
            return new Options(pages, watermarkBytes, pollMillis, countersMillis, bufferMiB);
        }

        public Options withCountersMillis(int millis) {
            return new Options(pagesPerCpu, watermarkBytes, pollMillis, millis, bufferMiB);
        }

        public Options withBufferMiB(int mib) {
            return new Options(pagesPerCpu, watermarkBytes, pollMillis, countersMillis, mib);
        }
    }

    /**
     * Counts from both ends. {@code submitFailed} is the programs' own count of records the
     * ring had no room for; {@code lostReported} is the same loss as the rings' LOST records
     * announce it (they trail the kernel's count until the ring has room to say so).
     * {@code received} counts the records read from the rings; {@code handoffLost} those of
     * them (and of the counter map) the reader found no room for in the handoff, which the
     * pipeline never saw. {@code programs} has the programs' other counts: sampling, sockets
     * not counted.
     */
    public record Stats(long submitted, long submitFailed, long received, long lostReported, long handoffLost, long malformed,
                        SubmitCounters.Totals programs) {
        /** Records that never reached the pipeline: the kernel's count (the authoritative one) and the handoff's. */
        public long lost() {
            return Math.max(submitFailed, lostReported) + handoffLost;
        }
    }

    private final ReceiveHooks hooks;
    private final PerfRings rings;
    private final SocketMap sockets;
    private final DevToSocket devToSocket;
    private final long countersNs;
    private final SubmitCounters counters;
    private final DecodingSink decoding;
    private final RecordSink input;
    private final Handoff handoff;
    private final int pollMillis;
    private final Thread reader, processor;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile String failedOn;
    private final Object failureLock = new Object();
    private volatile Stats finalStats;
    private boolean closed;

    private Agent(ReceiveHooks hooks, PerfRings rings, EventSink sink, UnaryOperator<RecordSink> tap, Options options) {
        this.hooks = hooks;
        this.rings = rings;
        // a closed socket's entry outlives its close by a read interval: queue purges and late reads still count
        this.countersNs = options.countersMillis() * 1_000_000L;
        this.sockets = new SocketMap(hooks.module(), countersNs);
        this.devToSocket = new DevToSocket(hooks.module());
        this.counters = new SubmitCounters(hooks.module());
        this.decoding = new DecodingSink(sink);
        this.input = tap.apply(decoding);
        this.handoff = Handoff.ofMiB(options.bufferMiB());
        this.pollMillis = options.pollMillis();
        this.reader = daemon(this::readLoop, "rxpath-ring-reader");
        this.processor = daemon(this::processLoop, "rxpath-pipeline");
    }

    private static Thread daemon(Runnable loop, String name) {
        Thread t = new Thread(loop, name);
        t.setDaemon(true);
        return t;
    }

    public static Agent start(KernelProbe kernel, BpfSource source, Options options, EventSink sink) {
        return start(ReceiveHooks.attach(kernel, source, ReceiveHooks.Options.ALL_PATHS), options, sink, UnaryOperator.identity());
    }

    /**
     * Starts reading the rings behind {@code hooks} (which the agent now owns and closes).
     * {@code tap} may wrap the raw record stream before it is decoded (to record it).
     */
    public static Agent start(ReceiveHooks hooks, Options options, EventSink sink, UnaryOperator<RecordSink> tap) {
        PerfRings rings;
        try {
            rings = PerfRings.open(hooks.module(), ReceiveHooks.EVENTS_TABLE, options.pagesPerCpu(), options.watermarkBytes());
        } catch (RuntimeException e) {
            hooks.close();
            throw e;
        }
        Agent agent = new Agent(hooks, rings, sink, tap, options);
        agent.processor.start();
        agent.reader.start();
        return agent;
    }

    private void readLoop() {
        try {
            long countersAt = System.nanoTime();
            while (running) {
                rings.poll(pollMillis, handoff);
                long now = System.nanoTime(); // CLOCK_MONOTONIC, the programs' clock
                // A pass hands over what half the handoff's room holds, the rest at the next: the map
                // keeps counting meanwhile, whereas a SOCK record cut would cost a socket counts.
                long budget = handoff.roomBytes() / 2 / SocketMap.FRAME_BYTES;
                if (now - countersAt >= countersNs && budget > 0) {
                    sockets.read(handoff, now, (int) Math.min(Integer.MAX_VALUE, budget));
                    countersAt = now;
                }
            }
            handoff.closing(); // detached: what the rings still hold is all there is, and worth waiting for
            rings.drain(handoff);
            sockets.read(handoff, System.nanoTime(), Integer.MAX_VALUE); // the handoff waits for room now
        } catch (Throwable t) {
            fail(t);
        } finally {
            handoff.close();
        }
    }

    private void processLoop() {
        try {
            handoff.replayAll(input);
        } catch (Throwable t) {
            fail(t);
            handoff.abandon();
        }
    }

    /**
     * The first failure on either thread stops both (the pipeline thread once the reader has
     * closed the handoff). Not under the agent's monitor: close() holds it while joining them.
     */
    private void fail(Throwable t) {
        synchronized (failureLock) {
            if (failure == null) {
                failure = t;
                failedOn = Thread.currentThread().getName();
            }
        }
        running = false;
    }

    public ReceiveHooks hooks() {
        return hooks;
    }

    /** The kernel's DEV → socket histogram of every segment; any thread, until close. */
    public DevToSocket devToSocket() {
        return devToSocket;
    }

    /** The per-socket counter map's reader, which the reader thread updates; its counts are plain reads. */
    public SocketMap sockets() {
        return sockets;
    }

    /** The reader thread, for measuring its CPU time. */
    public Thread readerThread() {
        return reader;
    }

    /** The pipeline thread (the tap, the decoder and the sink), for measuring its CPU time. */
    public Thread pipelineThread() {
        return processor;
    }

    /** Live while running; after close, the counts once both threads had stopped (the pipeline had seen all). */
    public Stats stats() {
        if (finalStats != null) return finalStats;
        SubmitCounters.Totals t = counters.read();
        return new Stats(t.submitted(), t.failed(), rings.received(), rings.lost(), handoff.lost(), decoding.malformed(), t);
    }

    /** Blocks until both threads stop (after close, or on a failure on either, which is rethrown). */
    public void awaitTermination() throws InterruptedException {
        reader.join();
        processor.join();
        if (failure != null) throw new IllegalStateException(failedOn + " failed", failure);
    }

    /**
     * Detaches every hook first, so nothing is submitted after the reader's final drain and
     * the closing counts compare exactly; then stops the reader, waits for the pipeline thread
     * to process everything it handed over, unmaps the rings and unloads.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        hooks.detach();
        running = false;
        try {
            reader.join();
            processor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        finalStats = stats();
        rings.close();
        hooks.close();
    }
}
