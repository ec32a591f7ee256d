package dev.rxpath.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The predicate the programs are compiled with: the words and masks an address block becomes. */
class KernelFilterTest {
    @Test
    void noFilterCompilesToNothing() {
        assertEquals(List.of(), KernelFilter.NONE.cflags());
        assertEquals("every socket", KernelFilter.NONE.describe());
    }

    @Test
    void portsAndOneIpv4BlockAndTheirDescription() {
        KernelFilter f = new KernelFilter(Set.of(443), Set.of(), Set.of(), List.of(), List.of(Cidr.parse("10.1.0.0/16")));
        String define = f.cflags().get(0);
        assertTrue(define.startsWith("-DRX_WATCH(family,laddr,lport,raddr,rport)=("), define);
        assertTrue(define.contains("(lport) == 443 || (rport) == 443"), define);
        // 10.1.x.x: the first two bytes of a little-endian load of the address are the low two of the word
        assertTrue(define.contains("((family) == 2 && (RX_W(raddr, 0) & 0xffffU) == 0x10aU)"), define);
        // or the same in the last word of a v4-mapped IPv6 address
        assertTrue(define.contains("RX_W(raddr, 2) == 0xffff0000U && (RX_W(raddr, 3) & 0xffffU) == 0x10aU"), define);
        assertEquals("port 443, remote 10.1.0.0/16", f.describe());
    }

    @Test
    void anIpv6BlockComparesOnlyTheWordsItsPrefixCovers() {
        String define = new KernelFilter(Set.of(), Set.of(), Set.of(), List.of(Cidr.parse("fd00::/8")), List.of()).cflags().get(0);
        assertTrue(define.contains("(family) == 10 && (RX_W(laddr, 0) & 0xffU) == 0xfdU"), define);
        assertTrue(!define.contains("RX_W(laddr, 1)"), define);
    }

    @Test
    void cgroupsAloneStillDefineTheWatchSoFirstStagesWaitForTheSocket() {
        KernelFilter f = new KernelFilter(Set.of(), Set.of(), Set.of(), List.of(), List.of(),
                List.of(new Cgroup("/a", Path.of("/sys/fs/cgroup/a")), new Cgroup("/b/c", Path.of("/sys/fs/cgroup/b/c"))));
        assertEquals(List.of("-DRX_WATCH(family,laddr,lport,raddr,rport)=(1)", "-DRX_CGROUPS=2"), f.cflags());
        assertEquals("cgroup /a,/b/c", f.describe());
    }

    @Test
    void aPortOutOfRangeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new KernelFilter(Set.of(70000), Set.of(), Set.of(), List.of(), List.of()));
        assertEquals("port 70000 is not within 1..65535", e.getMessage());
    }
}
