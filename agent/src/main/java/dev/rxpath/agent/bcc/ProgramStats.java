package dev.rxpath.agent.bcc;

import com.sun.jna.Memory;
import dev.rxpath.agent.sys.Libc;
import java.util.List;

/**
 * The time a loaded program ran and how often, as the kernel counts it while
 * {@code kernel.bpf_stats_enabled} is on ({@link BpfStatsEnabled}); both only grow, so a
 * measurement is the difference of two reads.
 */
public record ProgramStats(String function, long runNs, long runs) {
    /*
     * struct bpf_prog_info in the kernel's uapi <linux/bpf.h> (/usr/include/linux/bpf.h):
     * __u64 run_time_ns at byte 192 and __u64 run_cnt at 200, checked with offsetof()
     * against that header; both have been there since Linux 5.1. Asking for the struct only
     * up to run_cnt's end is allowed: the kernel fills what fits and leaves the rest.
     */
    private static final int RUN_TIME_NS = 192, RUN_CNT = 200, INFO_LEN = RUN_CNT + 8;

    /** The program's counts now. */
    public static ProgramStats read(BpfProgram program) {
        // zeroed, so the pointer fields ask the kernel for none of the arrays they could fetch
        Memory info = new Memory(INFO_LEN);
        info.clear();
        int[] len = {INFO_LEN};
        if (BpfModule.lib().bpf_obj_get_info_by_fd(program.fd(), info, len) != 0) {
            throw new IllegalStateException("BPF_OBJ_GET_INFO_BY_FD on " + program.function() + ": " + Libc.lastError());
        }
        return new ProgramStats(program.function(), info.getLong(RUN_TIME_NS), info.getLong(RUN_CNT));
    }

    public static List<ProgramStats> read(List<BpfProgram> programs) {
        return programs.stream().map(ProgramStats::read).toList();
    }

    /** What happened since {@code earlier}, a read of the same program. */
    public ProgramStats since(ProgramStats earlier) {
        return new ProgramStats(function, runNs - earlier.runNs, runs - earlier.runs);
    }

    public ProgramStats plus(ProgramStats other) {
        return new ProgramStats(function, runNs + other.runNs, runs + other.runs);
    }

    public double nsPerRun() {
        return runs == 0 ? 0 : (double) runNs / runs;
    }
}
