package dev.rxpath.agent.path;

import dev.rxpath.agent.event.Event;
import dev.rxpath.api.IpText;
import java.net.InetAddress;

/** A receiving socket's two ends: local is this node, remote the sender. */
public record Endpoints(int family, InetAddress local, int localPort, InetAddress remote, int remotePort) {
    /** Tuples whose source is the local end: tcp_probe, tcp_send_reset, and the socket-history hooks. */
    public static Endpoints localFirst(Event.Tuple t) {
        return new Endpoints(t.family(), t.saddr(), t.sport(), t.daddr(), t.dport());
    }

    /** Tuples taken from the packet, source first: the socket lookups. */
    public static Endpoints remoteFirst(Event.Tuple t) {
        return new Endpoints(t.family(), t.daddr(), t.dport(), t.saddr(), t.sport());
    }

    /** As the segment travelled: "remote:port -> local:port", IPv6 in brackets. */
    @Override
    public String toString() {
        return IpText.endpoint(remote, remotePort) + " -> " + IpText.endpoint(local, localPort);
    }
}
