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

    /**
     * Every ring has been read through {@code monotonicNs} (CLOCK_MONOTONIC, the clock of
     * the records' timestamps): records stamped earlier than that have all been handed over,
     * give or take the few microseconds between a program's timestamp and its submit.
     */
    void drained(long monotonicNs);
}
