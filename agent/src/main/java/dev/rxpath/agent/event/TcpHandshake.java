package dev.rxpath.agent.event;

/**
 * What a connection's handshake agreed, read from its socket as it became established
 * (struct rx_handshake without its header and addresses).
 *
 * @param rttUs      its round trip: SYN sent to SYN-ACK received where this end connected,
 *                   SYN-ACK sent to ACK received where it accepted (the socket's first RTT sample)
 * @param peerMss    the MSS the peer offered (lowered by this end's TCP_MAXSEG, if set)
 * @param mss        the MSS this end offered
 * @param peerWscale the peer's window scale shift, -1 when window scaling was not agreed
 * @param wscale     this end's, -1 likewise
 * @param sackOk     both ends offered SACK
 * @param timestamps both ends offered timestamps
 * @param active     this end connected (rather than accepted)
 * @param isn        this end's initial sequence number, unsigned
 * @param peerIsn    the peer's
 */
public record TcpHandshake(long rttUs, int peerMss, int mss, int peerWscale, int wscale, boolean sackOk, boolean timestamps,
                           boolean active, long isn, long peerIsn) {}
