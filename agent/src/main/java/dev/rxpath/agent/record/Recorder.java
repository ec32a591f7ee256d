package dev.rxpath.agent.record;

import dev.rxpath.agent.ring.RecordSink;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** A tap on the ring reader: writes every frame to a recording, then passes it on unchanged. */
public final class Recorder implements RecordSink, AutoCloseable {
    private final Path file;
    private final DataOutputStream out;
    private final RecordSink next;
    private final byte[] scratch = new byte[1 << 16];
    private long frames;

    Recorder(Path file, DataOutputStream out, RecordSink next) {
        this.file = file;
        this.out = out;
        this.next = next;
    }

    @Override
    public void record(int cpu, ByteBuffer buffer, int offset, int length) {
        buffer.get(offset, scratch, 0, length);
        try {
            out.writeByte(Recording.RECORD);
            out.writeShort(cpu);
            out.writeShort(length);
            out.write(scratch, 0, length);
        } catch (IOException e) {
            throw failed(e);
        }
        frames++;
        next.record(cpu, buffer, offset, length);
    }

    @Override
    public void lost(int cpu, long count) {
        try {
            out.writeByte(Recording.LOST);
            out.writeShort(cpu);
            out.writeLong(count);
        } catch (IOException e) {
            throw failed(e);
        }
        frames++;
        next.lost(cpu, count);
    }

    @Override
    public void drained(long monotonicNs) {
        try {
            out.writeByte(Recording.DRAINED);
            out.writeLong(monotonicNs);
        } catch (IOException e) {
            throw failed(e);
        }
        frames++;
        next.drained(monotonicNs);
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
