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
 */
public record TcpHeader(int flags, long seq, long ack, int window, int payload, int mss, int wscale, boolean sackOk,
                        boolean timestamps) {

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** As tcpdump shows it: "[S.] seq=… ack=… win=… mss=…". */
    @Override
    public String toString() {
        return TcpText.header(flags, seq, ack, window, mss, wscale, sackOk, timestamps);
    }
}
