package dev.rxpath.agent.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the running kernel offers each {@link Hook}: whether the tracepoint exists (and its
 * format), whether kprobes can attach at all, whether the function exists. Read once from
 * tracefs, sysfs and /proc/kallsyms, before anything is compiled, so that the BPF source
 * is built for this kernel and every missing hook comes with a reason.
 */
public final class KernelProbe {
    private static final List<Path> TRACEFS_MOUNTS = List.of(Path.of("/sys/kernel/tracing"), Path.of("/sys/kernel/debug/tracing"));

    private final String release;
    private final Optional<Path> tracefs;
    private final Map<Hook, TracepointFormat> formats = new EnumMap<>(Hook.class);
    private final Map<Hook, String> unavailable = new EnumMap<>(Hook.class);

    private KernelProbe(String release, Optional<Path> tracefs) {
        this.release = release;
        this.tracefs = tracefs;
    }

    public static KernelProbe scan() {
        return scan(TRACEFS_MOUNTS, Path.of("/sys/bus/event_source/devices/kprobe"), Path.of("/proc/kallsyms"));
    }

    static KernelProbe scan(List<Path> tracefsCandidates, Path kprobePmu, Path kallsyms) {
        String release = System.getProperty("os.version");
        Optional<Path> tracefs = tracefsCandidates.stream().filter(p -> Files.isDirectory(p.resolve("events"))).findFirst();
        KernelProbe probe = new KernelProbe(release, tracefs);
        probe.scanTracepoints();
        probe.scanKprobes(kprobePmu, kallsyms);
        return probe;
    }

    private void scanTracepoints() {
        for (Hook hook : Hook.values()) {
            if (hook.mechanism() != Mechanism.TRACEPOINT) continue;
            if (tracefs.isEmpty()) {
                unavailable.put(hook, "tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)");
                continue;
            }
            Path dir = tracefs.get().resolve("events").resolve(hook.category()).resolve(hook.event());
            if (!Files.isRegularFile(dir.resolve("format"))) {
                unavailable.put(hook, "kernel " + release + " has no tracepoint " + hook.target());
                continue;
            }
            try {
                formats.put(hook, TracepointFormat.read(tracefs.get(), hook.category(), hook.event()));
            } catch (IOException e) {
                unavailable.put(hook, "cannot read " + dir.resolve("format") + ": " + e.getMessage());
            }
        }
    }

    private void scanKprobes(Path kprobePmu, Path kallsyms) {
        boolean viaTracefs = tracefs.map(t -> Files.exists(t.resolve("kprobe_events"))).orElse(false);
        String missing = null;
        if (!Files.isDirectory(kprobePmu) && !viaTracefs) {
            missing = "kernel " + release + " has no kprobes (no kprobe PMU in " + kprobePmu.getParent()
                    + ", no kprobe_events in tracefs: CONFIG_KPROBES is off)";
        }
        Set<String> wanted = new HashSet<>();
        for (Hook hook : Hook.values()) if (hook.mechanism() == Mechanism.KPROBE) wanted.add(hook.target());
        Set<String> found = missing == null ? symbolsIn(kallsyms, wanted) : Set.of();
        for (Hook hook : Hook.values()) {
            if (hook.mechanism() != Mechanism.KPROBE) continue;
            if (missing != null) unavailable.put(hook, missing);
            else if (!found.contains(hook.target())) {
                unavailable.put(hook, "function " + hook.target() + " is not in " + kallsyms + " (inlined or renamed on " + release + ")");
            }
        }
    }

    private static Set<String> symbolsIn(Path kallsyms, Set<String> wanted) {
        Set<String> found = new HashSet<>();
        try (Stream<String> lines = Files.lines(kallsyms)) {
            lines.forEach(l -> {
                int sp = l.lastIndexOf(' ');
                String name = l.substring(sp + 1);
                int tab = name.indexOf('\t');
                if (tab >= 0) name = name.substring(0, tab);
                if (wanted.contains(name)) found.add(name);
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + kallsyms, e);
        }
        return found;
    }

    public String kernelRelease() {
        return release;
    }

    /** Why the kernel cannot offer this hook; empty when it can be tried. */
    public Optional<String> unavailableReason(Hook hook) {
        return Optional.ofNullable(unavailable.get(hook));
    }

    public Optional<TracepointFormat> format(Hook hook) {
        return Optional.ofNullable(formats.get(hook));
    }

    /**
     * The defines that build bpf/receive.c for this kernel: one per present tracepoint, one
     * per field of each, and RX_KPROBES when kprobe hooks can be tried.
     */
    public List<String> cflags() {
        List<String> flags = new ArrayList<>();
        for (TracepointFormat f : formats.values()) {
            String prefix = f.category() + "__" + f.event();
            flags.add("-DRX_HOOK_" + prefix);
            for (String field : f.fields()) flags.add("-DRX_FIELD_" + prefix + "__" + field);
        }
        boolean anyKprobe = false;
        for (Hook hook : Hook.values()) anyKprobe |= hook.mechanism() == Mechanism.KPROBE && !unavailable.containsKey(hook);
        if (anyKprobe) flags.add("-DRX_KPROBES");
        return flags;
    }

    /** The kernel's names for the enums its records carry, from the print formats. */
    public KernelNames names() {
        return new KernelNames(
                format(Hook.KFREE_SKB).map(f -> f.symbols("reason")).orElse(Map.of()),
                format(Hook.TCP_SEND_RESET).map(f -> f.symbols("reason")).orElse(Map.of()),
                format(Hook.INET_SOCK_SET_STATE).map(f -> f.symbols("newstate")).orElse(Map.of()));
    }
}
