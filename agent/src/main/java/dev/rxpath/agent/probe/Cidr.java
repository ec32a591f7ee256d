package dev.rxpath.agent.probe;

import com.google.common.net.InetAddresses;
import dev.rxpath.api.IpText;
import java.net.InetAddress;

/** An address block from a filter ("10.0.0.0/8", "::1", "192.168.1.7"): parsed as a literal, never resolved. */
public record Cidr(byte[] network, int bits) {
    /** @throws IllegalArgumentException naming what is wrong with {@code text} */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        if (!InetAddresses.isInetAddress(address)) throw new IllegalArgumentException("\"" + text + "\" is not an IP address or CIDR");
        byte[] bytes = InetAddresses.forString(address).getAddress();
        int bits = bytes.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + text + "\" has no prefix length after /");
            }
            if (bits < 0 || bits > bytes.length * 8) {
                throw new IllegalArgumentException("\"" + text + "\": prefix length " + bits + " is not within 0.." + bytes.length * 8);
            }
        }
        return new Cidr(bytes, bits);
    }

    /** "10.0.0.0/8". */
    @Override
    public String toString() {
        try {
            return IpText.of(InetAddress.getByAddress(network)) + "/" + bits;
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }

    public boolean contains(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length != network.length) return false;
        int full = bits / 8, rest = bits % 8;
        for (int i = 0; i < full; i++) if (b[i] != network[i]) return false;
        if (rest == 0) return true;
        int mask = 0xFF << (8 - rest) & 0xFF;
        return (b[full] & mask) == (network[full] & mask);
    }
}
