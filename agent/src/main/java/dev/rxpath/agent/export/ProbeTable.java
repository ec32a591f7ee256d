package dev.rxpath.agent.export;

import dev.rxpath.agent.probe.HookStatus;
import dev.rxpath.agent.probe.KernelProbe;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * {@code rxpath agent --probe}: every hook point, the mechanism that attached it or
 * "unavailable", and why a better mechanism (or every one) was not used; then whether the
 * programs can read segments' headers and handshakes (they need the kernel's struct offsets from its BTF).
 */
public final class ProbeTable {
    private ProbeTable() {}

    public static void print(PrintStream out, KernelProbe kernel, List<HookStatus> statuses) {
        long attached = statuses.stream().filter(HookStatus::attached).count();
        out.printf(Locale.ROOT, "kernel %s: %d of %d hook points attached%n", kernel.kernelRelease(), attached, statuses.size());
        out.printf("%-13s %-30s %-12s %-17s %s%n", "STAGE", "HOOK", "STATUS", "MECHANISM", "REASON");
        for (HookStatus s : statuses) {
            out.printf("%-13s %-30s %-12s %-17s %s%n", s.hook().stage(), s.hook().target(),
                    s.attached() ? "attached" : "unavailable", s.attachment(), s.reason());
        }
        out.println(kernel.structOffsets().map(o -> "segment headers, handshakes and the raw DEV and SOCKET hooks: struct members read at the kernel's BTF offsets (" + o + ")")
                .orElse("segment headers, handshakes and the raw DEV and SOCKET hooks: unavailable: " + kernel.structOffsetsMissing()));
    }
}
