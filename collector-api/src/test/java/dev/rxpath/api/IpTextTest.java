package dev.rxpath.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 5952's text of an address, where InetAddress.getHostAddress() writes every group. */
class IpTextTest {
    @ParameterizedTest
    @CsvSource({
            "0:0:0:0:0:0:0:1,         ::1",
            "0:0:0:0:0:0:0:0,         ::",
            "2001:db8:0:0:0:0:0:1,    2001:db8::1",
            // the longest run of zero groups, not the first
            "2001:db8:0:0:1:0:0:0,    2001:db8:0:0:1::",
            // of equal runs, the first
            "2001:db8:0:0:1:0:0:1,    2001:db8::1:0:0:1",
            // one zero group stays a 0
            "2001:db8:0:1:1:1:1:1,    2001:db8:0:1:1:1:1:1",
            "FE80:0:0:0:0:0:0:0,      fe80::",
            "2001:DB8:0:0:0:0:0:ABCD, 2001:db8::abcd",
            // IPv4-mapped: the IPv4 address it maps, as Java reads it
            "::ffff:10.0.0.1,         10.0.0.1",
            "10.0.0.1,                10.0.0.1",
            "127.0.0.1,               127.0.0.1",
    })
    void compressed(String written, String compressed) throws Exception {
        assertEquals(compressed, IpText.of(InetAddress.getByName(written)));
        assertEquals(compressed, IpText.of(written));
    }

    @Test
    void endpointsBracketIpv6() throws Exception {
        assertEquals("[::1]:443", IpText.endpoint(InetAddress.getByName("0:0:0:0:0:0:0:1"), 443));
        assertEquals("[2001:db8::1]:443", IpText.endpoint("2001:db8:0:0:0:0:0:1", 443));
        assertEquals("10.0.0.1:443", IpText.endpoint("10.0.0.1", 443));
    }

    /** Text the API carried that is no address is left as it came. */
    @Test
    void textThatIsNoAddressStays() {
        assertEquals("", IpText.of(""));
        assertEquals("not-an-address", IpText.of("not-an-address"));
    }
}
