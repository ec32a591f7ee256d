package dev.rxpath.agent.event;

import dev.rxpath.api.TcpText;

/**
 * A segment's TCP header as the kernel held it (struct rx_segment without its addresses).
 *
 * @param flags   the flag byte ({@link TcpText})
 * @param seq     sequence number, unsigned
 * @param ack     acknowledgement number, unsigned (meaningful with ACK set)
 * @param window  the window field as sent, before scaling
 * @param payload TCP payload bytes (IP's length less both headers)
 * @param mss     a SYN's MSS option, 0 when absent (options are read on SYNs only)
 * @param wscale  a SYN's window scale shift, -1 when absent
 * @param sackOk  a SYN offered SACK
 * @param timestamps a SYN offered timestamps
 * @param relativeSeq seq less the sender's initial sequence number, as Wireshark shows it (the
 *                    SYN is 0, the first byte 1), where the receiving socket's handshake was seen; else -1
 * @param relativeAck ack less the receiver's initial sequence number, likewise
 */
public record TcpHeader(int flags, long seq, long ack, int window, int payload, int mss, int wscale, boolean sackOk,
                        boolean timestamps, long relativeSeq, long relativeAck) {

    /** As read from a segment: its connection's initial numbers not known yet. */
    public TcpHeader(int flags, long seq, long ack, int window, int payload, int mss, int wscale, boolean sackOk, boolean timestamps) {
        this(flags, seq, ack, window, payload, mss, wscale, sackOk, timestamps, -1, -1);
    }

    /** The same header with its numbers relative to the handshake of the socket that received it. */
    public TcpHeader relativeTo(TcpHandshake receiver) {
        return new TcpHeader(flags, seq, ack, window, payload, mss, wscale, sackOk, timestamps, (seq - receiver.peerIsn()) & 0xffffffffL,
                has(TcpText.ACK) ? (ack - receiver.isn()) & 0xffffffffL : -1);
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** As tcpdump shows it: "[P.] seq=1 ack=1 win=512", relative numbers where known. */
    @Override
    public String toString() {
        return TcpText.header(flags, relativeSeq >= 0 ? relativeSeq : seq, relativeAck >= 0 ? relativeAck : ack, window, mss, wscale,
                sackOk, timestamps);
    }
}
