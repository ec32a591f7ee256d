package dev.rxpath.agent.ring;

import com.sun.jna.Memory;
import dev.rxpath.agent.bcc.BpfModule;

/**
 * The programs' own counts (the rx_stats per-CPU array in bpf/receive.c, indexed by enum
 * rx_stat in bpf/rxpath.h): what they submitted and what the ring refused, which, read
 * beside the ring's LOST records, proves nothing vanished between the kernel and the agent;
 * the segments they sampled; and the sockets they could not count.
 */
public final class SubmitCounters {
    public static final String TABLE = "rx_stats";
    private static final int SUBMITTED = 0, FAILED = 1, SAMPLED = 2, PROMOTED = 3, SOCKS_FULL = 4, GONE_FULL = 5, UNTRACKED = 6, UNREAD = 7, FILTERED = 8;

    private final BpfModule module;
    private final int fd;
    private final Memory key = new Memory(4);
    private final Memory values;

    public SubmitCounters(BpfModule module) {
        this.module = module;
        this.fd = module.tableFd(TABLE);
        this.values = new Memory(8L * CpuList.possible().length);
    }

    /**
     * @param sampled    segments sampled at their first stage for a full path
     * @param promoted   segments not sampled whose path was kept because they were dropped or reset
     * @param socketsFull sockets left uncounted because rx_socks was full (--max-sockets)
     * @param goneFull   closed sockets whose final counts were lost: rx_socks_gone was full
     * @param untracked  reads, copies and drops on sockets the kernel does not count (older than the agent)
     * @param unread     records submitted while the agent was still opening the rings, between attach and read
     * @param filtered   hook hits the programs skipped because their socket is outside the agent's filter
     */
    public record Totals(long submitted, long failed, long sampled, long promoted, long socketsFull, long goneFull,
                         long untracked, long unread, long filtered) {}

    public Totals read() {
        return new Totals(sum(SUBMITTED), sum(FAILED), sum(SAMPLED), sum(PROMOTED), sum(SOCKS_FULL), sum(GONE_FULL), sum(UNTRACKED), sum(UNREAD), sum(FILTERED));
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
