package dev.rxpath.agent.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CapabilitiesTest {
    private static Capabilities effective(String mask) {
        return Capabilities.parse("Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t" + mask + "\nCapBnd:\t000001ffffffffff\n");
    }

    @Test
    void bpfAndPerfmonAreEnoughSince58AndSysAdminStandsInForBoth() {
        assertEquals(List.of(), effective("000000c000000000").missing(6, 1, true));
        assertEquals(List.of(), effective("0000000000200000").missing(6, 1, true));
        assertEquals(List.of(), effective("000001ffffffffff").missing(5, 4, false));
    }

    @Test
    void eachMissingOneIsNamedWithWhy() {
        List<String> onlyBpf = effective("0000008000000000").missing(6, 12, true);
        assertEquals(1, onlyBpf.size(), onlyBpf.toString());
        assertTrue(onlyBpf.get(0).startsWith("CAP_PERFMON: attaching to tracepoints"), onlyBpf.get(0));
        List<String> onlyPerfmon = effective("0000004000000000").missing(6, 12, true);
        assertEquals(1, onlyPerfmon.size(), onlyPerfmon.toString());
        assertTrue(onlyPerfmon.get(0).startsWith("CAP_BPF: "), onlyPerfmon.get(0));
        assertEquals(2, effective("0000000000000000").missing(5, 8, true).size());
    }

    @Test
    void before58OnlySysAdminLoadsAndBefore511TheMemlockLimitNeedsSysResource() {
        assertTrue(effective("000000c000000000").missing(5, 4, true).get(0).startsWith("CAP_SYS_ADMIN: before 5.8"));
        List<String> bullseye = effective("000000c000000000").missing(5, 10, false);
        assertEquals(1, bullseye.size(), bullseye.toString());
        assertTrue(bullseye.get(0).startsWith("CAP_SYS_RESOURCE: before 5.11"), bullseye.get(0));
        assertEquals(List.of(), effective("000000c001000000").missing(5, 10, false));
        assertEquals(List.of(), effective("000000c000000000").missing(5, 10, true), "an unlimited memlock limit needs no raising");
        assertEquals(List.of(), effective("000000c000000000").missing(5, 11, false));
    }
}
