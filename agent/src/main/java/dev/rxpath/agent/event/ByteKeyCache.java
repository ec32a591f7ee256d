package dev.rxpath.agent.event;

import java.nio.ByteBuffer;
import java.util.function.Function;

/**
 * A direct-mapped cache from short byte strings (addresses, interface and task names) to
 * the objects decoded from them, so the same few values are not allocated again for every
 * record. A miss replaces the slot; nothing is ever wrong, at worst allocated again.
 */
final class ByteKeyCache<T> {
    private static final int SLOTS = 1024, MAX_KEY = 16;

    private final byte[] keys = new byte[SLOTS * MAX_KEY];
    private final byte[] lengths = new byte[SLOTS];
    private final Object[] values = new Object[SLOTS];
    private final Function<byte[], T> decode;

    ByteKeyCache(Function<byte[], T> decode) {
        this.decode = decode;
    }

    /** The value for the {@code length} bytes at {@code at} (at most 16). */
    @SuppressWarnings("unchecked")
    T get(ByteBuffer b, int at, int length) {
        int h = 0x811c9dc5;
        for (int i = 0; i < length; i++) h = (h ^ b.get(at + i)) * 0x01000193;
        int slot = (h ^ (h >>> 16)) & (SLOTS - 1), base = slot * MAX_KEY;
        if (values[slot] != null && lengths[slot] == length) {
            int i = 0;
            while (i < length && keys[base + i] == b.get(at + i)) i++;
            if (i == length) return (T) values[slot];
        }
        byte[] key = new byte[length];
        b.get(at, key);
        T value = decode.apply(key);
        System.arraycopy(key, 0, keys, base, length);
        lengths[slot] = (byte) length;
        values[slot] = value;
        return value;
    }
}
