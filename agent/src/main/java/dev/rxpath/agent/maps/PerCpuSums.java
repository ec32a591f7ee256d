package dev.rxpath.agent.maps;

import com.sun.jna.Memory;
import dev.rxpath.agent.bcc.BpfModule;
import dev.rxpath.agent.ring.CpuList;

/** A BPF_PERCPU_ARRAY of u64 counts, read as each slot's sum over the CPUs. */
final class PerCpuSums {
    private final BpfModule module;
    private final int fd;
    private final Memory key = new Memory(4);
    private final Memory values = new Memory(8L * CpuList.possible().length); // the kernel writes a value per possible CPU

    PerCpuSums(BpfModule module, String table) {
        this.module = module;
        this.fd = module.tableFd(table);
    }

    /** Slot {@code index} summed over the CPUs; 0 if the table has no such slot. Not thread-safe. */
    long sum(int index) {
        key.setInt(0, index);
        values.clear();
        if (!module.lookupElement(fd, key, values)) return 0;
        long total = 0;
        for (long off = 0; off < values.size(); off += 8) total += values.getLong(off);
        return total;
    }
}
