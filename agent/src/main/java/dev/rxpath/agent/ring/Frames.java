package dev.rxpath.agent.ring;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The raw record stream as bytes: one encoding for a recording file and for the agent's
 * handoff from its ring reader to its pipeline thread. A frame is a record (kind, u16 CPU,
 * u16 length, then the record's bytes exactly as the kernel wrote them), a LOST count (kind,
 * u16 CPU, i64 count) or a DRAINED mark (kind, i64 monotonic ns). Frame fields are
 * big-endian; record bytes stay little-endian.
 */
public final class Frames {
    static final byte RECORD = 1, LOST = 2, DRAINED = 3;
    /** Bytes a record's frame adds to the record; the size of a LOST frame, of a DRAINED frame. */
    public static final int RECORD_HEADER = 5, LOST_BYTES = 11, DRAINED_BYTES = 9;
    /** The largest frame: a record's length is a u16. */
    public static final int MAX_BYTES = RECORD_HEADER + 0xffff;

    private Frames() {}

    /** Bytes that are not frames: an unknown frame kind. */
    public static final class CorruptException extends IllegalArgumentException {
        CorruptException(String message) {
            super(message);
        }
    }

    /** Appends a record's frame at {@code out}'s position (big-endian), which must have room for it. */
    public static void putRecord(ByteBuffer out, int cpu, ByteBuffer src, int offset, int length) {
        out.put(RECORD).putShort((short) cpu).putShort((short) length);
        out.put(out.position(), src, offset, length);
        out.position(out.position() + length);
    }

    public static void putLost(ByteBuffer out, int cpu, long count) {
        out.put(LOST).putShort((short) cpu).putLong(count);
    }

    public static void putDrained(ByteBuffer out, long monotonicNs) {
        out.put(DRAINED).putLong(monotonicNs);
    }

    /**
     * Hands every frame from {@code frames}' position to its limit to {@code sink}, as the rings
     * did; a frame cut short (a recording whose writer was killed) ends the replay there.
     * {@code records} views the same bytes little-endian: the sink reads records from it.
     * Returns the frames replayed; an unknown frame kind throws {@link CorruptException}.
     */
    public static long replay(ByteBuffer frames, ByteBuffer records, RecordSink sink) {
        long n = 0;
        while (frames.hasRemaining()) {
            int start = frames.position();
            try {
                byte kind = frames.get();
                if (kind == RECORD) {
                    int cpu = frames.getShort() & 0xffff, len = frames.getShort() & 0xffff;
                    if (frames.remaining() < len) break;
                    sink.record(cpu, records, frames.position(), len);
                    frames.position(frames.position() + len);
                } else if (kind == LOST) {
                    sink.lost(frames.getShort() & 0xffff, frames.getLong());
                } else if (kind == DRAINED) {
                    sink.drained(frames.getLong());
                } else {
                    throw new CorruptException("corrupt frame kind " + kind + " at byte " + start + " of the frames");
                }
            } catch (BufferUnderflowException cut) {
                break;
            }
            n++;
        }
        return n;
    }
}
