package dev.rxpath.agent.record;

import dev.rxpath.agent.ring.Frames;
import dev.rxpath.agent.ring.RecordSink;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** A tap on the record stream: writes every frame to a recording, then passes it on unchanged. */
public final class Recorder implements RecordSink, AutoCloseable {
    private final Path file;
    private final DataOutputStream out;
    private final RecordSink next;
    /** One frame, encoded by {@link Frames} then written whole. */
    private final ByteBuffer frame = ByteBuffer.allocate(Frames.MAX_BYTES);
    private long frames;

    Recorder(Path file, DataOutputStream out, RecordSink next) {
        this.file = file;
        this.out = out;
        this.next = next;
    }

    @Override
    public void record(int cpu, ByteBuffer buffer, int offset, int length) {
        Frames.putRecord(frame.clear(), cpu, buffer, offset, length);
        write();
        next.record(cpu, buffer, offset, length);
    }

    @Override
    public void lost(int cpu, long count) {
        Frames.putLost(frame.clear(), cpu, count);
        write();
        next.lost(cpu, count);
    }

    @Override
    public void drained(long monotonicNs) {
        Frames.putDrained(frame.clear(), monotonicNs);
        write();
        next.drained(monotonicNs);
    }

    private void write() {
        try {
            out.write(frame.array(), 0, frame.position());
        } catch (IOException e) {
            throw failed(e);
        }
        frames++;
    }

    public long frames() {
        return frames;
    }

    private UncheckedIOException failed(IOException e) {
        return new UncheckedIOException("writing the recording " + file + " failed: " + e.getMessage(), e);
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw failed(e);
        }
    }
}
