package dev.rxpath.api;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;

/**
 * An IP address as people write it: IPv6 compressed as RFC 5952 says ("::1", "2001:db8::1":
 * the longest run of two or more zero groups becomes "::", the first of equal runs, hex in
 * lowercase), where {@link InetAddress#getHostAddress()} writes every group
 * ("0:0:0:0:0:0:0:1"); IPv4 as it is. An IPv4-mapped IPv6 address ("::ffff:10.0.0.1") is
 * the IPv4 address it maps, as Java reads one. One place for the agent's output, the API's
 * strings and the CLI's lines; the rules are Guava's (gRPC's dependency).
 */
public final class IpText {
    private IpText() {}

    public static String of(InetAddress a) {
        return InetAddresses.toAddrString(a);
    }

    /** An address the API carried as text, compressed the same way; text that is no address stays as it is. */
    public static String of(String ip) {
        return InetAddresses.isInetAddress(ip) ? of(InetAddresses.forString(ip)) : ip;
    }

    /** 10.0.0.1:443, [::1]:443. */
    public static String endpoint(InetAddress a, int port) {
        return bracketed(of(a)) + ":" + port;
    }

    /** The same for an address carried as text. */
    public static String endpoint(String ip, int port) {
        return bracketed(of(ip)) + ":" + port;
    }

    /** IPv6 in brackets, so that its colons are not the port's. */
    private static String bracketed(String ip) {
        return ip.contains(":") ? "[" + ip + "]" : ip;
    }
}
