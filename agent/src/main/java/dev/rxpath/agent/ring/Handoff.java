package dev.rxpath.agent.ring;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The bounded handoff from the ring reader to the pipeline thread, so that draining the rings
 * never waits on the pipeline (a GC pause, a slow sink, a burst) and the kernel does not drop
 * records because the rings filled meanwhile.
 *
 * <p>A fixed pool of chunks circulates between the two threads: the reader (a
 * {@link RecordSink}) copies what it drains into a chunk as {@link Frames}, and hands the chunk
 * over whole; the pipeline thread ({@link #replayAll}) replays it and returns it. Chunks are
 * reused, so neither side allocates per record. The reader publishes its chunk when it is full,
 * and at a DRAINED mark when the pipeline thread has nothing else queued (it waits for this
 * chunk: the mark lets the reorder window release). While the pipeline is behind, chunks fill up
 * instead of being handed over one small drain at a time, and a mark waits for the next drain
 * (one poll interval at most) that finds the pipeline idle.
 *
 * <p>When no chunk is free the reader does not wait: it counts the records it could not hand over
 * (and holds the rings' LOST counts), then reports both in band, as LOST frames (its own under
 * {@link #CPU}), at the head of the next chunk it gets, before anything drained after them. A
 * DRAINED mark that finds no room is skipped: the next one says more. Frames keep the reader's
 * order, so a DRAINED mark reaches the pipeline after every record drained before it.
 */
public final class Handoff implements RecordSink {
    /** The CPU of a LOST frame that counts the handoff's own losses: records drained but not handed over. */
    public static final int CPU = 0xfffe;
    /** A chunk's size: room for the largest record several times over, a few ring watermarks. */
    public static final int CHUNK_BYTES = 256 * 1024;

    /** Frames as written (big-endian fields) and the same bytes as the sink reads records (little-endian). */
    private record Chunk(ByteBuffer frames, ByteBuffer records) {
        static Chunk allocate(int bytes) {
            ByteBuffer b = ByteBuffer.allocateDirect(bytes);
            return new Chunk(b, b.duplicate().order(ByteOrder.LITTLE_ENDIAN));
        }
    }

    /** Follows the last chunk: the reader has closed. */
    private static final Chunk END = Chunk.allocate(0);

    private final int chunkBytes, capacityBytes;
    private final ArrayBlockingQueue<Chunk> free, full;
    // The reader's side, touched by the reader only (but lost, which others read).
    // Losses wait unreported only while no chunk is free: taking one reports them.
    private Chunk filling;
    private long unreported;
    private long[] ringLost = new long[0]; // by CPU; grown at a CPU's first loss without room
    private boolean ringLostPending;
    private volatile long lost;
    private volatile boolean closing, abandoned;

    /** {@code chunks} chunks of {@code chunkBytes}, each room for the largest frame plus a LOST frame per CPU. */
    public Handoff(int chunks, int chunkBytes) {
        if (chunks < 2) throw new IllegalArgumentException("the handoff needs at least two chunks: " + chunks);
        this.chunkBytes = chunkBytes;
        this.capacityBytes = chunks * chunkBytes;
        this.free = new ArrayBlockingQueue<>(chunks);
        this.full = new ArrayBlockingQueue<>(chunks + 1); // and END
        for (int i = 0; i < chunks; i++) free.add(Chunk.allocate(chunkBytes));
    }

    /** {@code mib} MiB in chunks of {@link #CHUNK_BYTES}. */
    public static Handoff ofMiB(int mib) {
        return new Handoff((int) Math.max(2, ((long) mib << 20) / CHUNK_BYTES), CHUNK_BYTES);
    }

    // ---- the reader's side

    @Override
    public void record(int cpu, ByteBuffer buffer, int offset, int length) {
        if (room(Frames.RECORD_HEADER + length)) {
            Frames.putRecord(filling.frames, cpu, buffer, offset, length);
        } else {
            unreported++;
            lost++; // the only writer
        }
    }

    @Override
    public void lost(int cpu, long count) {
        if (room(Frames.LOST_BYTES)) {
            Frames.putLost(filling.frames, cpu, count);
        } else {
            if (cpu >= ringLost.length) ringLost = Arrays.copyOf(ringLost, cpu + 1);
            ringLost[cpu] += count;
            ringLostPending = true;
        }
    }

    @Override
    public void drained(long monotonicNs) {
        if (!room(Frames.DRAINED_BYTES)) return;
        Frames.putDrained(filling.frames, monotonicNs);
        if (full.isEmpty()) publish();
    }

    /** Bytes the reader could hand over now without a loss: the free chunks and what the one it fills has left. */
    public long roomBytes() {
        long room = (long) free.size() * chunkBytes;
        if (filling != null) room += filling.frames.remaining();
        return room;
    }

    /** Whether {@code bytes} would fit now. */
    public boolean hasRoom(long bytes) {
        return roomBytes() >= bytes;
    }

    /**
     * The reader is stopping (its rings detached: nothing more can come but what they hold): from
     * now on it waits for room rather than count a loss, unless the pipeline thread is gone.
     */
    public void closing() {
        closing = true;
    }

    /** The reader's last call: reports what is still unreported, hands over the last chunk, then the end. */
    public void close() {
        closing = true;
        if (unreported > 0 || ringLostPending) room(0); // a chunk, headed by the pending losses
        if (filling != null) publish();
        full.add(END); // never full: it holds at most every chunk, and END
    }

    /** Records the reader drained but found no room for, all told. */
    public long lost() {
        return lost;
    }

    /** True once {@code bytes} fit in the chunk being filled, which may be a new one; false when no chunk is free. */
    private boolean room(int bytes) {
        if (filling != null && filling.frames.remaining() >= bytes) return true;
        if (filling != null) publish();
        filling = take();
        if (filling == null) return false;
        // losses first: they happened before whatever comes next
        if (unreported > 0) Frames.putLost(filling.frames, CPU, unreported);
        unreported = 0;
        if (ringLostPending) {
            for (int cpu = 0; cpu < ringLost.length; cpu++) {
                if (ringLost[cpu] > 0) Frames.putLost(filling.frames, cpu, ringLost[cpu]);
            }
            Arrays.fill(ringLost, 0);
            ringLostPending = false;
        }
        return true;
    }

    /** A free chunk, or null; once closing, waits for one while the pipeline thread runs. */
    private Chunk take() {
        Chunk c = free.poll();
        try {
            while (c == null && closing && !abandoned) c = free.poll(10, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return c;
    }

    private void publish() {
        filling.frames.flip();
        full.add(filling); // never full: there are only so many chunks
        filling = null;
    }

    // ---- the pipeline thread's side

    /** Replays every chunk, in the reader's order, into {@code sink}, until the reader has closed. */
    public void replayAll(RecordSink sink) throws InterruptedException {
        for (Chunk c; (c = full.take()) != END; ) {
            Frames.replay(c.frames, c.records, sink);
            c.frames.clear();
            free.add(c);
        }
    }

    /** The pipeline thread has failed: the reader must no longer wait for room at close. */
    public void abandon() {
        abandoned = true;
    }
}
