package dev.rxpath.agent.event;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Decodes raw records into {@link Event}s. The offsets below mirror bpf/rxpath.h byte for
 * byte (RecordLayoutKernelTest proves it against records the kernel emits). A record
 * whose type is unknown or whose size disagrees with its type is not guessed at: it is
 * counted as malformed and dropped.
 */
public final class EventDecoder {
    // struct rx_header
    private static final int TS = 0, SKB = 8, SK = 16, TYPE = 24, CPU = 26, SIZE = 28, HDR = 32;
    // struct rx_tuple, relative to its start
    private static final int T_SADDR = 0, T_DADDR = 16, T_SPORT = 32, T_DPORT = 34, T_FAMILY = 36;
    // struct rx_task, relative to its start
    private static final int K_TGID = 0, K_PID = 4, K_CGROUP = 8, K_COMM = 16;
    private static final int AF_INET6 = 10;
    private static final int DROP_SLOTS = 4; // RX_DROP_SLOTS
    private static final int OPT_MSS = 1, OPT_WSCALE = 2, OPT_SACK_OK = 4, OPT_TIMESTAMP = 8; // RX_OPT_*

    private long malformed;
    private final ByteKeyCache<InetAddress> addresses = new ByteKeyCache<>(EventDecoder::address);
    private final ByteKeyCache<String> names = new ByteKeyCache<>(raw -> new String(raw, StandardCharsets.UTF_8));
    /**
     * The same few threads read most sockets: the last task seen in each of these slots (by thread
     * id) is handed out again when the record names it, so a flow table of many sockets does not
     * hold a task per socket.
     */
    private final Event.Task[] tasks = new Event.Task[1024];

    /** Records dropped because their type was unknown or their size did not match it. */
    public long malformed() {
        return malformed;
    }

    /** The type of the record at {@code offset}, or null if it is not one this agent knows. */
    public static RecordType peekType(ByteBuffer b, int offset) {
        return RecordType.byId(b.getShort(offset + TYPE) & 0xffff);
    }

    /** Decodes one record; null (and counted) when it is malformed. {@code b} must be little-endian. */
    public Event decode(ByteBuffer b, int o, int length) {
        RecordType type = length >= HDR ? peekType(b, o) : null;
        if (type == null || b.getInt(o + SIZE) != type.size || length < type.size) {
            malformed++;
            return null;
        }
        Event.Header h = new Event.Header(type, b.getLong(o + TS), b.getLong(o + SKB), b.getLong(o + SK), b.getShort(o + CPU) & 0xffff);
        int p = o + HDR; // the body, after struct rx_header
        return switch (type) {
            case DEV -> new Event.Dev(h, cstring(b, p, 16), b.getInt(p + 16));
            case DEV_META -> new Event.DevMeta(h, cstring(b, p, 16), b.getInt(p + 16), b.getInt(p + 20),
                    b.getInt(p + 24), b.getInt(p + 28), b.getInt(p + 32), u16(b, p + 36), u16(b, p + 38),
                    u16(b, p + 40), u16(b, p + 42), b.get(p + 44) != 0, b.get(p + 45) & 0xff, b.get(p + 46) != 0);
            case IP, TCP -> new Event.StageEntry(h, u16(b, p));
            case LOOKUP -> new Event.Lookup(h, tuple(b, p), b.get(p + 40) != 0, b.get(p + 41) != 0);
            case SOCK_QUEUE -> new Event.SockQueue(h, tuple(b, p), b.getLong(p + 40), b.getInt(p + 48),
                    b.getInt(p + 52), b.getInt(p + 56), b.getInt(p + 60), b.getInt(p + 64), b.getInt(p + 68),
                    b.getInt(p + 72), b.getInt(p + 76), b.getInt(p + 80), b.getLong(p + 88));
            case DATA_READY -> new Event.DataReady(h, b.getLong(p), u16(b, p + 8), u16(b, p + 10));
            case COPY -> new Event.Copy(h, task(b, p), b.getInt(p + 32), b.getLong(p + 40));
            case RECV -> new Event.Recv(h, task(b, p), b.getInt(p + 32), b.getInt(p + 36), u16(b, p + 40), u16(b, p + 42),
                    b.getLong(p + 48));
            case CONSUME -> new Event.Consume(h, b.getLong(p));
            case DROP -> new Event.Drop(h, b.getLong(p), b.getInt(p + 8), u16(b, p + 12));
            case RESET_SENT -> new Event.ResetSent(h, tuple(b, p), b.getInt(p + 40), b.getInt(p + 44));
            case RESET_RECV -> new Event.ResetReceived(h, tuple(b, p), b.getLong(p + 40));
            case RETRANSMIT -> new Event.Retransmit(h, tuple(b, p), b.getInt(p + 40), b.getInt(p + 44));
            case STATE -> new Event.StateChange(h, tuple(b, p), b.getInt(p + 40), b.getInt(p + 44));
            case SOCK -> sock(h, b, p);
            case SEGMENT -> new Event.Segment(h, tuple(b, p), new TcpHeader(b.get(p + 52) & 0xff, b.getInt(p + 40) & 0xffffffffL,
                    b.getInt(p + 44) & 0xffffffffL, u16(b, p + 48), u16(b, p + 50),
                    (b.get(p + 54) & OPT_MSS) != 0 ? u16(b, p + 56) : 0, (b.get(p + 54) & OPT_WSCALE) != 0 ? b.get(p + 55) & 0xff : -1,
                    (b.get(p + 54) & OPT_SACK_OK) != 0, (b.get(p + 54) & OPT_TIMESTAMP) != 0), b.get(p + 53));
            case HANDSHAKE -> handshake(h, b, p);
            case LISTEN_FULL -> new Event.ListenFull(h, b.getInt(p) & 0xffffffffL, b.getInt(p + 4) & 0xffffffffL);
        };
    }

    /** struct rx_sock, after its header. */
    private Event.SockCounters sock(Event.Header h, ByteBuffer b, int p) {
        Map<Long, Long> drops = new HashMap<>(4);
        for (int i = 0; i < DROP_SLOTS; i++) {
            long count = b.getInt(p + 120 + 4 * i) & 0xffffffffL;
            if (count > 0) drops.merge(b.getInt(p + 104 + 4 * i) & 0xffffffffL, count, Long::sum);
        }
        Event.Tuple tuple = u16(b, p + 24 + T_FAMILY) == 0 ? null : tuple(b, p + 24);
        Event.Task reader = b.getInt(p + 184 + K_TGID) == 0 ? null : task(b, p + 184);
        return new Event.SockCounters(h, tuple, new Event.SocketCounts(b.getLong(p), b.getLong(p + 8), b.getLong(p + 16), b.getLong(p + 64),
                b.getLong(p + 72), b.getLong(p + 80), b.getLong(p + 88), b.getLong(p + 96), Map.copyOf(drops),
                u32(b, p + 136), u32(b, p + 140), u32(b, p + 144), u32(b, p + 148), u32(b, p + 152), u32(b, p + 156),
                b.getInt(p + 160), b.getInt(p + 164), b.getInt(p + 168), b.getInt(p + 172), b.getInt(p + 176), reader));
    }

    private static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & 0xffffffffL;
    }

    private static int u16(ByteBuffer b, int at) {
        return b.getShort(at) & 0xffff;
    }

    private Event.Tuple tuple(ByteBuffer b, int at) {
        int family = u16(b, at + T_FAMILY), length = family == AF_INET6 ? 16 : 4; // network order; IPv4 in the first four
        return new Event.Tuple(family, addresses.get(b, at + T_SADDR, length), u16(b, at + T_SPORT),
                addresses.get(b, at + T_DADDR, length), u16(b, at + T_DPORT));
    }

    private Event.Handshake handshake(Event.Header h, ByteBuffer b, int p) {
        int options = b.get(p + 50);
        boolean wscale = (options & OPT_WSCALE) != 0;
        return new Event.Handshake(h, tuple(b, p), new TcpHandshake(b.getInt(p + 40) & 0xffffffffL, u16(b, p + 44), u16(b, p + 46),
                wscale ? b.get(p + 48) & 0xff : -1, wscale ? b.get(p + 49) & 0xff : -1, (options & OPT_SACK_OK) != 0,
                (options & OPT_TIMESTAMP) != 0, b.get(p + 51) != 0, b.getInt(p + 52) & 0xffffffffL, b.getInt(p + 56) & 0xffffffffL));
    }

    private Event.Task task(ByteBuffer b, int at) {
        int tgid = b.getInt(at + K_TGID), pid = b.getInt(at + K_PID);
        long cgroup = b.getLong(at + K_CGROUP);
        String comm = cstring(b, at + K_COMM, 16); // interned: equal names are the same string
        int slot = (pid * 0x9E3779B1) >>> 22;
        Event.Task t = tasks[slot];
        if (t != null && t.pid() == pid && t.tgid() == tgid && t.cgroupId() == cgroup && t.comm() == comm) return t;
        return tasks[slot] = new Event.Task(tgid, pid, cgroup, comm);
    }

    private static InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }

    private String cstring(ByteBuffer b, int at, int max) {
        int n = 0;
        while (n < max && b.get(at + n) != 0) n++;
        return names.get(b, at, n);
    }
}
