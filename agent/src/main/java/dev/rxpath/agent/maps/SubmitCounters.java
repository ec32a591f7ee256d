package dev.rxpath.agent.maps;

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

    private final PerCpuSums stats;

    public SubmitCounters(BpfModule module) {
        this.stats = new PerCpuSums(module, TABLE);
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

    public synchronized Totals read() {
        return new Totals(stats.sum(SUBMITTED), stats.sum(FAILED), stats.sum(SAMPLED), stats.sum(PROMOTED), stats.sum(SOCKS_FULL),
                stats.sum(GONE_FULL), stats.sum(UNTRACKED), stats.sum(UNREAD), stats.sum(FILTERED));
    }
}
