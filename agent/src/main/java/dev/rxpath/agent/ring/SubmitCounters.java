package dev.rxpath.agent.ring;

import com.sun.jna.Memory;
import dev.rxpath.agent.bcc.BpfModule;

/**
 * The programs' own count of what they submitted and what the ring refused (the
 * rx_stats per-CPU array in bpf/receive.c, indexed by enum rx_stat). Read beside the
 * ring's LOST records, it proves nothing vanished between the kernel and the agent.
 */
public final class SubmitCounters {
    public static final String TABLE = "rx_stats";
    private static final int SUBMITTED = 0, FAILED = 1;

    private final BpfModule module;
    private final int fd;
    private final Memory key = new Memory(4);
    private final Memory values;

    public SubmitCounters(BpfModule module) {
        this.module = module;
        this.fd = module.tableFd(TABLE);
        this.values = new Memory(8L * CpuList.possible().length);
    }

    public record Totals(long submitted, long failed) {}

    public Totals read() {
        return new Totals(sum(SUBMITTED), sum(FAILED));
    }

    private long sum(int stat) {
        key.setInt(0, stat);
        values.clear();
        if (!module.lookupElement(fd, key, values)) return 0;
        long total = 0;
        for (long off = 0; off < values.size(); off += 8) total += values.getLong(off);
        return total;
    }
}
