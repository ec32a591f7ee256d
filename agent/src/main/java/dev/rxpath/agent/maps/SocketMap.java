package dev.rxpath.agent.maps;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.rxpath.agent.bcc.BpfModule;
import dev.rxpath.agent.event.RecordType;
import dev.rxpath.agent.ring.Frames;
import dev.rxpath.agent.ring.RecordSink;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import io.netty.util.collection.LongObjectHashMap;

/**
 * The exact channel out of the kernel: the programs' per-socket counters (rx_socks, struct
 * rx_sock in bpf/rxpath.h). Each pass hands every entry that changed since the last one to
 * the sink as an RX_SOCK record, as a ring hands its records, so decoding, recording and
 * replay treat both alike; a lost ring record never costs a count.
 *
 * <p>An entry whose socket closed is deleted once its close is {@code graceNs} old (a queue
 * purge or a late read may still count), and handed over one last time. Deleting reads the
 * value in the same step, so an update racing the delete is not lost; should a new socket have
 * taken the address in between (the programs then move the old entry to rx_socks_gone first),
 * the new one's entry is put back. Entries in rx_socks_gone are final and handed over and
 * deleted at every pass. An entry outside the agent's filter (the programs mark it ignored
 * and count nothing in it) is only deleted when its socket has closed, never handed over.
 */
public final class SocketMap {
    public static final String TABLE = "rx_socks", GONE_TABLE = "rx_socks_gone";
    /** The CPU a map record is handed over with: it comes from no ring. */
    public static final int CPU = 0xffff;
    private static final int KEY = 8, GONE_KEY = 16, VALUE = 216, HEADER = 32, BATCH = 512;
    // struct rx_sock offsets the pass reads itself; the decoder reads the rest
    private static final int FIRST_NS = 8, CLOSED_NS = 16, SEGS = 64, READS = 88, DROP_COUNT = 120, DROPS_OTHER = 136,
            RESETS_SENT = 140, RESETS_RECV = 144, RETRANSMITS = 148, WAKEUPS = 152, STATES = 156, IGNORED = 180;
    /** The u32 counts that only grow, beside segments and reads, in a version. */
    private static final int[] GROWING = {DROP_COUNT, DROP_COUNT + 4, DROP_COUNT + 8, DROP_COUNT + 12, DROPS_OTHER, RESETS_SENT,
            RESETS_RECV, RETRANSMITS, WAKEUPS, STATES};

    /** Passes made, entries handed over, closed entries deleted, and entries a racing socket made us put back. */
    public record Stats(long passes, long handed, long deleted, long putBack) {}

    private record Seen(long firstNs, long version) {}

    private final BpfModule module;
    private final int fd, goneFd;
    private final long graceNs;
    private final Memory keys = new Memory((long) BATCH * GONE_KEY), values = new Memory((long) BATCH * VALUE);
    private final Memory inBatch = new Memory(8), outBatch = new Memory(8), key = new Memory(GONE_KEY), value = new Memory(VALUE);
    private final ByteBuffer record = ByteBuffer.allocateDirect(HEADER + VALUE).order(ByteOrder.LITTLE_ENDIAN);
    private final byte[] scratch = new byte[VALUE];
    /** What each live entry looked like when last handed over. */
    private final LongObjectHashMap<Seen> seen = new LongObjectHashMap<>();
    private long passes, handed, deleted, putBack;
    private volatile int entries; // read by other threads (status answers)

    public SocketMap(BpfModule module, long graceNs) {
        this.module = module;
        this.fd = module.tableFd(TABLE);
        this.goneFd = module.tableFd(GONE_TABLE);
        this.graceNs = graceNs;
    }

    /**
     * One pass at {@code nowNs} (CLOCK_MONOTONIC, the records' clock), handing over at most
     * {@code budget} records; returns how many it did. A pass cut short by its budget leaves the
     * rest for the next one: what was not handed over still differs from what was seen.
     */
    public int read(RecordSink sink, long nowNs, int budget) {
        passes++;
        int n = drainGone(sink, nowNs);
        int live = 0;
        Pointer in = null;
        int got;
        boolean whole = true;
        scan:
        while ((got = module.lookupBatch(fd, in, outBatch, keys, values, BATCH)) >= 0) {
            for (int i = 0; i < got; i++) {
                if (n >= budget) {
                    whole = false;
                    break scan;
                }
                long sk = keys.getLong((long) i * KEY);
                long at = (long) i * VALUE;
                live++;
                long firstNs = values.getLong(at + FIRST_NS), version = version(values, at);
                long closedNs = values.getLong(at + CLOSED_NS);
                if (closedNs != 0 && nowNs - closedNs >= graceNs) {
                    n += delete(sk, firstNs, sink, nowNs);
                    live--;
                } else if (values.getInt(at + IGNORED) == 0 && !same(seen.get(sk), firstNs, version)) {
                    // most entries are as they were: a Seen is made only for one that changed
                    seen.put(sk, new Seen(firstNs, version));
                    hand(sink, sk, values, at, nowNs);
                    n++;
                }
            }
            // a hash map's batch ends at a bucket's edge: fewer than asked is not the end, ENOENT is
            in = inBatch;
            in.setLong(0, outBatch.getLong(0));
        }
        if (whole) entries = live;
        return n;
    }

    private static boolean same(Seen seen, long firstNs, long version) {
        return seen != null && seen.firstNs() == firstNs && seen.version() == version;
    }

    /** Deletes a closed socket's entry, handing over its last value if it changed; 1 if a record was handed over. */
    private int delete(long sk, long readFirstNs, RecordSink sink, long nowNs) {
        key.setLong(0, sk);
        if (!module.lookupAndDeleteElement(fd, key, value)) return 0; // gone already
        Seen last = new Seen(value.getLong(FIRST_NS), version(value, 0));
        if (last.firstNs() != readFirstNs) {
            // a new socket took the address after our read; the closed one's entry is in rx_socks_gone
            if (!module.insertElement(fd, key, value)) putBack++;
            return 0;
        }
        deleted++;
        boolean changed = !last.equals(seen.remove(sk)) && value.getInt(IGNORED) == 0;
        if (changed) hand(sink, sk, value, 0, nowNs);
        return changed ? 1 : 0;
    }

    private int drainGone(RecordSink sink, long nowNs) {
        int n = 0;
        int got;
        boolean progress = true;
        while (progress && (got = module.lookupBatch(goneFd, null, outBatch, keys, values, BATCH)) > 0) {
            progress = false;
            for (int i = 0; i < got; i++) {
                Pointer k = keys.share((long) i * GONE_KEY);
                if (module.lookupAndDeleteElement(goneFd, k, value)) {
                    progress = true;
                    deleted++;
                    if (value.getInt(IGNORED) != 0) continue;
                    hand(sink, k.getLong(0), value, 0, nowNs);
                    n++;
                }
            }
        }
        return n;
    }

    /** Counts that only grow while the socket lives: equal versions, nothing worth handing over. */
    private static long version(Pointer v, long at) {
        long n = v.getLong(at + SEGS) + v.getLong(at + READS) + (v.getLong(at + CLOSED_NS) != 0 ? 1 : 0);
        for (int off : GROWING) n += v.getInt(at + off) & 0xffffffffL;
        return n;
    }

    /** struct rx_sock_record: a header like the programs' own, then the entry. */
    private void hand(RecordSink sink, long sk, Pointer v, long at, long nowNs) {
        v.read(at, scratch, 0, VALUE);
        record.clear();
        record.putLong(0, nowNs).putLong(8, 0).putLong(16, sk).putShort(24, (short) RecordType.SOCK.id)
                .putShort(26, (short) CPU).putInt(28, RecordType.SOCK.size);
        record.put(HEADER, scratch, 0, VALUE);
        handed++;
        sink.record(CPU, record, 0, HEADER + VALUE);
    }

    /** One handed-over entry as a handoff frame, in bytes. */
    public static final int FRAME_BYTES = Frames.RECORD_HEADER + HEADER + VALUE;

    /** Live entries at the last pass (sockets the kernel counts now). */
    public int entries() {
        return entries;
    }

    public Stats stats() {
        return new Stats(passes, handed, deleted, putBack);
    }
}
