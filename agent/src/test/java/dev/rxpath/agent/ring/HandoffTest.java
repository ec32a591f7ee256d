package dev.rxpath.agent.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The handoff between the ring reader and the pipeline thread, without a kernel: order, bounds, counted loss. */
class HandoffTest {
    private static final int RECORD = 100, FRAME = Frames.RECORD_HEADER + RECORD;

    /** What the pipeline thread saw, one string per frame: "r CPU SEQ", "lost CPU COUNT", "drained NS". */
    private static final class Seen implements RecordSink {
        final List<String> frames = new CopyOnWriteArrayList<>();

        @Override
        public void record(int cpu, ByteBuffer buffer, int offset, int length) {
            assertEquals(ByteOrder.LITTLE_ENDIAN, buffer.order(), "records are read little-endian, as the kernel wrote them");
            frames.add("r " + cpu + " " + buffer.getLong(offset));
        }

        @Override
        public void lost(int cpu, long count) {
            frames.add("lost " + cpu + " " + count);
        }

        @Override
        public void drained(long monotonicNs) {
            frames.add("drained " + monotonicNs);
        }
    }

    private final ByteBuffer record = ByteBuffer.allocateDirect(RECORD + 8).order(ByteOrder.LITTLE_ENDIAN);

    /** A record at offset 8 of a ring-like buffer, carrying {@code seq}. */
    private void put(Handoff h, int cpu, long seq) {
        record.putLong(8, seq);
        h.record(cpu, record, 8, RECORD);
    }

    private static Thread pipeline(Handoff h, Seen seen) {
        Thread t = new Thread(() -> {
            try {
                h.replayAll(seen);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, "test-pipeline");
        t.start();
        return t;
    }

    @Test
    void framesArriveInTheReadersOrderAndADrainedMarkAfterWhatWasDrainedBeforeIt() throws Exception {
        Handoff h = new Handoff(4, 10 * FRAME);
        Seen seen = new Seen();
        Thread pipeline = pipeline(h, seen);
        for (int i = 0; i < 25; i++) put(h, i % 2, i); // two full chunks handed over, five records in the third
        await(seen, 20);
        h.lost(1, 3);
        h.drained(1000);
        // the pipeline is waiting: the mark hands over the chunk at once, without waiting for it to fill
        await(seen, 27);
        assertEquals("drained 1000", seen.frames.get(26));
        put(h, 0, 25);
        h.drained(2000);
        h.close();
        pipeline.join(5000);
        for (int i = 0; i < 25; i++) assertEquals("r " + i % 2 + " " + i, seen.frames.get(i));
        assertEquals(List.of("lost 1 3", "drained 1000", "r 0 25", "drained 2000"), seen.frames.subList(25, 29));
        assertEquals(29, seen.frames.size());
        assertEquals(0, h.lost());
    }

    @Test
    void aFullHandoffNeverBlocksTheReaderCountsWhatItDropsAndReportsItInBandFirst() throws Exception {
        Handoff h = new Handoff(2, 10 * FRAME);
        // no pipeline thread yet: twenty records fill both chunks, the rest find no room
        for (int i = 0; i < 50; i++) put(h, 0, i);
        h.lost(3, 7); // a ring's LOST count while full is held, not dropped
        h.drained(1000); // skipped: a later mark says more
        assertEquals(30, h.lost(), "records not handed over");
        assertTrue(!h.hasRoom(FRAME), "no chunk free");

        Seen seen = new Seen();
        Thread pipeline = pipeline(h, seen);
        long deadline = System.currentTimeMillis() + 5000;
        while (!h.hasRoom(FRAME) && System.currentTimeMillis() < deadline) Thread.sleep(5);
        put(h, 1, 50);
        h.drained(2000);
        h.close();
        pipeline.join(5000);

        for (int i = 0; i < 20; i++) assertEquals("r 0 " + i, seen.frames.get(i));
        assertEquals(List.of("lost " + Handoff.CPU + " 30", "lost 3 7", "r 1 50", "drained 2000"), seen.frames.subList(20, seen.frames.size()),
                "the losses arrive before anything drained after them");
        assertEquals(30, h.lost());
    }

    @Test
    void atCloseTheReaderWaitsForRoomRatherThanLose() throws Exception {
        Handoff h = new Handoff(2, 10 * FRAME);
        for (int i = 0; i < 20; i++) put(h, 0, i); // both chunks full
        h.closing();
        Seen seen = new Seen();
        Thread late = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            pipeline(h, seen);
        });
        late.start();
        for (int i = 20; i < 40; i++) put(h, 0, i);
        h.close();
        late.join();
        await(seen, 40);
        for (int i = 0; i < 40; i++) assertEquals("r 0 " + i, seen.frames.get(i));
        assertEquals(0, h.lost());
    }

    private static void await(Seen seen, int frames) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (seen.frames.size() < frames && System.currentTimeMillis() < deadline) Thread.sleep(5);
        assertEquals(frames, seen.frames.size());
    }

    @Test
    void theCodecIsTheRecordingsOwn() {
        ByteBuffer b = ByteBuffer.allocate(64);
        record.putLong(8, 42);
        Frames.putRecord(b, 7, record, 8, 8);
        Frames.putLost(b, 2, 5);
        Frames.putDrained(b, 99);
        assertEquals(Frames.RECORD_HEADER + 8 + Frames.LOST_BYTES + Frames.DRAINED_BYTES, b.position());
        b.flip();
        Seen seen = new Seen();
        assertEquals(3, Frames.replay(b, b.duplicate().order(ByteOrder.LITTLE_ENDIAN), seen));
        assertEquals(List.of("r 7 42", "lost 2 5", "drained 99"), seen.frames);
    }
}
