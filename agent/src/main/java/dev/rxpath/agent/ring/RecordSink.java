package dev.rxpath.agent.ring;

import java.nio.ByteBuffer;

/**
 * Where a ring reader hands each raw record. The buffer views the ring's native memory
 * (or a scratch copy for a record that wraps the ring's end) and is only valid during
 * the call: copy out what you keep.
 */
public interface RecordSink {
    /** One record the BPF program submitted: {@code length} bytes at {@code offset}, little-endian. */
    void record(int cpu, ByteBuffer buffer, int offset, int length);

    /** The kernel overwrote nothing but could not write {@code count} records: the ring was full. */
    void lost(int cpu, long count);
}
