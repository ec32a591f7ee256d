package dev.rxpath.api.flags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class AddressAndPortTest {
    private final AddressConverter addresses = new AddressConverter();

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "0.0.0.0/0", "10.0.0.0/8", "192.168.1.255/32", "::1", "::/0", "fe80::/10",
            "2001:db8::1/128", "::ffff:10.0.0.1", "FE80::1"})
    void addressesAndCidrsAreSentAsTyped(String text) {
        assertEquals(text, addresses.convert(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.256", "10.0.0", "10.0.0.1.2", "010.0.0.1", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1",
            "/8", "::1/129", "1:2:3:4:5:6:7:8:9", "::g", "localhost", "example.com", "zz::1", "10.0.0.0/8/8"})
    void anythingElseIsRefused(String text) {
        assertThrows(TypeConversionException.class, () -> addresses.convert(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "443", "65535"})
    void ports(String text) {
        assertEquals(Integer.parseInt(text), PortConverter.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "65536", "-1", "http", "", "4 43"})
    void notPorts(String text) {
        assertThrows(TypeConversionException.class, () -> PortConverter.parse(text));
    }
}
