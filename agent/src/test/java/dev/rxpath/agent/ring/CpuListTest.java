package dev.rxpath.agent.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class CpuListTest {
    @Test
    void rangesAndSinglesAsSysfsWritesThem() {
        assertArrayEquals(new int[] {0, 1, 2, 3, 8, 10, 11}, CpuList.parse("0-3,8,10-11\n"));
        assertArrayEquals(new int[] {0}, CpuList.parse("0\n"));
    }

    @Test
    void theRunningMachinesOnlineCpusAreAmongItsPossibleOnes() {
        int[] online = CpuList.online();
        int[] possible = CpuList.possible();
        for (int cpu : online) {
            org.junit.jupiter.api.Assertions.assertTrue(java.util.Arrays.stream(possible).anyMatch(p -> p == cpu), "cpu " + cpu);
        }
    }
}
