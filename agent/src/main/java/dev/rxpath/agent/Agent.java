package dev.rxpath.agent;

import dev.rxpath.agent.bcc.BpfSource;
import dev.rxpath.agent.event.DecodingSink;
import dev.rxpath.agent.event.EventSink;
import dev.rxpath.agent.probe.KernelProbe;
import dev.rxpath.agent.maps.DevToSocket;
import dev.rxpath.agent.maps.SocketMap;
import dev.rxpath.agent.probe.ReceiveHooks;
import dev.rxpath.agent.ring.PerfRings;
import dev.rxpath.agent.ring.RecordSink;
import dev.rxpath.agent.ring.SubmitCounters;
import java.util.function.UnaryOperator;

/**
 * The running pipeline: kernel hooks → per-CPU perf rings and the per-socket counter map →
 * decoder → sink, on one reader thread. Nothing stays attached after close, nor after
 * SIGINT/SIGTERM, whose shutdown hook closes it.
 */
public final class Agent implements AutoCloseable {
    /**
     * Ring geometry: pages per CPU (a power of two), wakeup watermark, and the longest a quiet
     * ring waits; how often the per-socket counters are read.
     */
    public record Options(int pagesPerCpu, int watermarkBytes, int pollMillis, int countersMillis) {
        public static final Options DEFAULT = new Options(256, 64 * 1024, 100, 1000);

        public Options withPages(int pages) {
            return new Options(pages, watermarkBytes, pollMillis, countersMillis);
        }

        public Options withCountersMillis(int millis) {
            return new Options(pagesPerCpu, watermarkBytes, pollMillis, millis);
        }
    }

    /**
     * Counts from both ends. {@code submitFailed} is the programs' own count of records the
     * ring had no room for; {@code lostReported} is the same loss as the rings' LOST records
     * announce it (they trail the kernel's count until the ring has room to say so).
     * {@code programs} has the programs' other counts: sampling, sockets not counted.
     */
    public record Stats(long submitted, long submitFailed, long received, long lostReported, long malformed,
                        SubmitCounters.Totals programs) {
        /** Records that never reached the agent: the kernel's count, the authoritative one. */
        public long lost() {
            return Math.max(submitFailed, lostReported);
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
    private final int pollMillis;
    private final Thread reader;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile Stats finalStats;

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
        this.pollMillis = options.pollMillis();
        this.reader = new Thread(this::readLoop, "rxpath-ring-reader");
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
        agent.reader.start();
        return agent;
    }

    private void readLoop() {
        try {
            long countersAt = System.nanoTime();
            while (running) {
                rings.poll(pollMillis, input);
                long now = System.nanoTime(); // CLOCK_MONOTONIC, the programs' clock
                if (now - countersAt >= countersNs) {
                    sockets.read(input, now);
                    countersAt = now;
                }
            }
            rings.drain(input);
            sockets.read(input, System.nanoTime());
        } catch (Throwable t) {
            failure = t;
        }
    }

    public ReceiveHooks hooks() {
        return hooks;
    }

    /** The kernel's DEV → socket histogram of every segment; any thread, until close. */
    public DevToSocket devToSocket() {
        return devToSocket;
    }

    /** The per-socket counter map's reader. Read it on the reader thread, or after close. */
    public SocketMap sockets() {
        return sockets;
    }

    /** The reader thread, for measuring its CPU time. */
    public Thread readerThread() {
        return reader;
    }

    /** Live while running; after close, the counts at the moment the reader stopped. */
    public Stats stats() {
        if (finalStats != null) return finalStats;
        SubmitCounters.Totals t = counters.read();
        return new Stats(t.submitted(), t.failed(), rings.received(), rings.lost(), decoding.malformed(), t);
    }

    /** Blocks until the reader stops (after close, or on failure, which is rethrown). */
    public void awaitTermination() throws InterruptedException {
        reader.join();
        if (failure != null) throw new IllegalStateException("ring reader failed", failure);
    }

    /**
     * Detaches every hook first, so nothing is submitted after the reader's final drain and
     * the closing counts compare exactly; then stops the reader, unmaps the rings and unloads.
     */
    @Override
    public synchronized void close() {
        if (!running) return;
        hooks.detach();
        running = false;
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        finalStats = stats();
        rings.close();
        hooks.close();
    }
}
