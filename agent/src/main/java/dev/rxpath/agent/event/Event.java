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

    /** tcp_probe: {@code tuple} has the socket's local end as source. */
    record SockQueue(Header header, Tuple tuple, long cookie, int mark, int dataLen, int sndNxt, int sndUna,
                     int sndCwnd, int ssthresh, int sndWnd, int srtt, int rcvWnd) implements Event {}

    record DataReady(Header header, long caller, int family, int protocol) implements Event {}

    record Copy(Header header, Task task, int len) implements Event {}

    record Recv(Header header, Task task, int ret, int flags, int family, int protocol) implements Event {
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
}
