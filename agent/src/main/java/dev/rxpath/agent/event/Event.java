package dev.rxpath.agent.event;

import java.net.InetAddress;

/**
 * The typed records the BPF programs emit, one per struct in bpf/rxpath.h. Field names
 * follow the C structs; kernel pointers (skb, sk, location) stay opaque numbers.
 */
public sealed interface Event {
    Header header();

    default RecordType type() {
        return header().type();
    }

    /** struct rx_header. */
    record Header(RecordType type, long tsNs, long skb, long sk, int cpu) {}

    /** struct rx_tuple; ports in host order. */
    record Tuple(int family, InetAddress saddr, int sport, InetAddress daddr, int dport) {}

    /** struct rx_task: the task that read, at the copy-to-user stage. */
    record Task(int tgid, int pid, long cgroupId, String comm) {}

    record Dev(Header header, String ifname, int len) implements Event {}

    record DevMeta(Header header, String ifname, int napiId, int hash, int len, int dataLen, int truesize,
                   int queueMapping, int protocol, int gsoSize, int gsoType, boolean l4Hash, int nrFrags,
                   boolean viaGro) implements Event {}

    /** RX_IP and RX_TCP. */
    record StageEntry(Header header, int family) implements Event {}

    record Lookup(Header header, Tuple tuple, boolean listener, boolean found) implements Event {}

    /**
     * tcp_probe: {@code tuple} has the socket's local end as source; {@code streamEnd} is the
     * socket's stream offset after this payload, in the units of {@link SockCounters#delivered}
     * (0 for a socket the kernel does not count).
     */
    record SockQueue(Header header, Tuple tuple, long cookie, int mark, int dataLen, int sndNxt, int sndUna,
                     int sndCwnd, int ssthresh, int sndWnd, int srtt, int rcvWnd, long streamEnd) implements Event {}

    record DataReady(Header header, long caller, int family, int protocol) implements Event {}

    /** {@code delivered}: the socket's delivered bytes after this copy where the program knew the socket (header sk), else 0. */
    record Copy(Header header, Task task, int len, long delivered) implements Event {}

    /** {@code delivered}: the socket's delivered bytes after this read (0 for a socket the kernel does not count). */
    record Recv(Header header, Task task, int ret, int flags, int family, int protocol, long delivered) implements Event {
        private static final int MSG_PEEK = 2; // uapi: a read that leaves the bytes queued

        /** Bytes this read took from the socket: none if it failed or only peeked. */
        public int consumed() {
            return ret > 0 && (flags & MSG_PEEK) == 0 ? ret : 0;
        }
    }

    record Consume(Header header, long location) implements Event {}

    record Drop(Header header, long location, int reason, int protocol) implements Event {}

    record ResetSent(Header header, Tuple tuple, int state, int reason) implements Event {}

    record ResetReceived(Header header, Tuple tuple, long cookie) implements Event {}

    record Retransmit(Header header, Tuple tuple, int state, int err) implements Event {}

    record StateChange(Header header, Tuple tuple, int oldState, int newState) implements Event {}

    /**
     * A segment's IP and TCP headers (struct rx_segment), read where {@code at} says: just after
     * a sampled segment's first stage, or just before its drop or reset.
     *
     * @param tuple the segment's source and destination
     */
    record Segment(Header header, Tuple tuple, TcpHeader tcp, int at) implements Event {
        public static final int AT_FIRST = 1, AT_DROP = 2, AT_RESET = 3;
    }

    /** A connection's handshake as it became established (struct rx_handshake); tuple: local end as source. */
    record Handshake(Header header, Tuple tuple, TcpHandshake handshake) implements Event {}

    /** The listener found for a segment had a full accept queue (struct rx_listen_full); header.sk: the listener. */
    record ListenFull(Header header, long backlog, long maxBacklog) implements Event {}

    /**
     * One socket's exact counters (struct rx_sock), read by the agent from the kernel's map.
     *
     * @param tuple  local end as source; null until a record with addresses was seen
     * @param counts the counts, which a flow keeps (without the record's header and addresses)
     */
    record SockCounters(Header header, Tuple tuple, SocketCounts counts) implements Event {}

    /**
     * A socket's counts, cumulative since {@code firstNs}, when the kernel began counting it.
     *
     * @param closedNs  when the socket changed to TCP_CLOSE, 0 while open
     * @param drops     drop reason number → count, for the first reasons seen
     * @param dropsOther drops with further reasons
     * @param state     the last TCP state, -1 if no change was seen
     * @param reader    the task that last read, or null
     */
    record SocketCounts(long cookie, long firstNs, long closedNs, long segments, long bytesIn, long delivered, long reads,
                        long sampleEnd, java.util.Map<Long, Long> drops, long dropsOther, long resetsSent, long resetsReceived,
                        long retransmits, long wakeups, long states, int state, int rcvWnd, int srtt, int sndWnd, int sndCwnd,
                        Task reader) {
        public boolean closed() {
            return closedNs != 0;
        }

        /**
         * Bytes that reached the socket. tcp_probe's length is a u16 that wraps on skbs merged in
         * the backlog, and the kernel cannot deliver bytes it did not receive: at least those delivered.
         */
        public long bytesReceived() {
            return Math.max(bytesIn, delivered);
        }

        public long dropsTotal() {
            long n = dropsOther;
            for (long c : drops.values()) n += c;
            return n;
        }
    }
}
