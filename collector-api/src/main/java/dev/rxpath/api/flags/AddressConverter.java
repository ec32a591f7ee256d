package dev.rxpath.api.flags;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * An IP address or CIDR (10.0.0.0/8, ::1, fe80::/10), checked here so that a typo is a
 * usage error naming the flag rather than the agent's refusal; sent as typed. Never a
 * host name: nothing here resolves.
 */
public final class AddressConverter implements ITypeConverter<String> {
    private static final String OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
    // only these characters, so that InetAddress parses a literal and never asks DNS
    private static final Pattern IPV6_CHARACTERS = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern PREFIX_LENGTH = Pattern.compile("\\d{1,3}");

    @Override
    public String convert(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        int bits = address.contains(":") ? 128 : 32;
        if (!(bits == 32 ? IPV4.matcher(address).matches() : isIpv6(address))) {
            throw new TypeConversionException("'" + text + "' is not an IP address or CIDR (10.0.0.1, 10.0.0.0/8, ::1, fe80::/10)");
        }
        if (slash >= 0) {
            String length = text.substring(slash + 1);
            if (!PREFIX_LENGTH.matcher(length).matches() || Integer.parseInt(length) > bits) {
                throw new TypeConversionException("'" + text + "': the prefix length must be 0 to " + bits);
            }
        }
        return text;
    }

    private static boolean isIpv6(String address) {
        if (!IPV6_CHARACTERS.matcher(address).matches()) return false;
        try {
            InetAddress.getByName(address);
            return true;
        } catch (UnknownHostException invalid) {
            return false;
        }
    }
}
