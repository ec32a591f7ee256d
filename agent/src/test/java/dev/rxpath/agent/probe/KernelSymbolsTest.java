package dev.rxpath.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Code addresses named as dropwatch and pwru name them, from kallsyms lines. */
class KernelSymbolsTest {
    private static final List<String> KALLSYMS = List.of(
            "ffffffff81000000 T _stext",
            "ffffffff81c3e0a0 T tcp_v4_rcv",
            "ffffffff81c3f100 t tcp_v4_fill_cb",
            "ffffffff82a00000 D some_data",
            "ffffffffc0a01000 t nft_do_chain\t[nf_tables]");

    @Test
    void anAddressIsTheTextSymbolAtOrBelowItPlusTheOffset() {
        KernelSymbols s = KernelSymbols.parse(KALLSYMS);
        assertEquals("tcp_v4_rcv+0x4a2", s.site(0xffffffff81c3e0a0L + 0x4a2));
        assertEquals("tcp_v4_rcv+0x0", s.site(0xffffffff81c3e0a0L));
        assertEquals("tcp_v4_fill_cb+0x10", s.site(0xffffffff81c3f110L));
        assertEquals("nft_do_chain+0x1c [nf_tables]", s.site(0xffffffffc0a0101cL));
    }

    @Test
    void whatNoSymbolCoversStaysANumber() {
        KernelSymbols s = KernelSymbols.parse(KALLSYMS);
        assertEquals("0x1000", s.site(0x1000)); // below every symbol
        assertEquals("0xffffffffc0c01000", s.site(0xffffffffc0c01000L)); // far past the last one
        assertNull(s.site(0));
    }

    @Test
    void hiddenAddressesLeaveNoSymbols() {
        KernelSymbols s = KernelSymbols.parse(List.of("0000000000000000 T _stext", "0000000000000000 T tcp_v4_rcv"));
        assertTrue(s.isEmpty());
        assertEquals("0xffffffff81c3e542", s.site(0xffffffff81c3e542L));
    }
}
