package dev.rxpath.agent.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the running kernel offers each {@link Hook}: whether the tracepoint exists (and its
 * format); for a kernel function, whether it exists and whether fentry (BTF) and kprobes
 * can be tried at all. Read once from tracefs, sysfs and /proc/kallsyms, before anything
 * is compiled, so that the BPF source is built for this kernel and every missing hook
 * comes with a reason.
 */
public final class KernelProbe {
    private static final List<Path> TRACEFS_MOUNTS = List.of(Path.of("/sys/kernel/tracing"), Path.of("/sys/kernel/debug/tracing"));

    private final String release;
    private final Optional<Path> tracefs;
    private final Map<Hook, TracepointFormat> formats = new EnumMap<>(Hook.class);
    /** Why a hook cannot be had by any mechanism: no tracepoint, no such function. */
    private final Map<Hook, Refusal> unavailable = new EnumMap<>(Hook.class);
    /** Why a mechanism cannot be tried on this kernel at all. */
    private final Map<Mechanism, Refusal> mechanismMissing = new EnumMap<>(Mechanism.class);
    private Path kallsyms;
    private KernelSymbols symbols;
    private StructOffsets structOffsets;
    private String structOffsetsMissing;

    private KernelProbe(String release, Optional<Path> tracefs) {
        this.release = release;
        this.tracefs = tracefs;
    }

    public static KernelProbe scan() {
        return scan(EnumSet.allOf(Mechanism.class));
    }

    /** What the kernel offers by the {@code allowed} mechanisms; the others are reported as turned off. */
    public static KernelProbe scan(Set<Mechanism> allowed) {
        return scan(TRACEFS_MOUNTS, Path.of("/sys/bus/event_source/devices/kprobe"), Path.of("/sys/kernel/btf/vmlinux"),
                Path.of("/proc/kallsyms"), allowed);
    }

    static KernelProbe scan(List<Path> tracefsCandidates, Path kprobePmu, Path vmlinuxBtf, Path kallsyms, Set<Mechanism> allowed) {
        String release = System.getProperty("os.version");
        Optional<Path> tracefs = tracefsCandidates.stream().filter(p -> Files.isDirectory(p.resolve("events"))).findFirst();
        KernelProbe probe = new KernelProbe(release, tracefs);
        for (Mechanism m : Mechanism.values()) {
            if (!allowed.contains(m)) probe.mechanismMissing.put(m, new Refusal(m.label() + " turned off", m.label() + " is turned off (--mechanisms)"));
        }
        probe.kallsyms = kallsyms;
        probe.scanTracepoints();
        probe.scanFunctions(kprobePmu, vmlinuxBtf, kallsyms);
        try {
            probe.structOffsets = StructOffsets.read(vmlinuxBtf, release);
        } catch (IOException e) {
            probe.structOffsetsMissing = e.getMessage();
        }
        if (probe.format(Hook.TCP_PROBE).map(f -> f.hasField("skbaddr")).orElse(true) || probe.rawTcpProbe()) {
            // tcp_probe names its skb itself (or is absent): the do_rcv hooks would only cost time per segment
            String why = "not needed: tcp:tcp_probe has skbaddr on " + release;
            if (probe.format(Hook.TCP_PROBE).isEmpty()) why = "not needed: the kernel has no tcp:tcp_probe";
            else if (probe.rawTcpProbe()) why = "not needed: tcp:tcp_probe's raw tracepoint names the socket and skb";
            for (Hook h : List.of(Hook.TCP_V4_DO_RCV, Hook.TCP_V6_DO_RCV)) probe.unavailable.putIfAbsent(h, new Refusal("not needed", why));
        }
        return probe;
    }

    private void scanTracepoints() {
        for (Hook hook : Hook.values()) {
            if (!hook.isTracepoint()) continue;
            if (tracefs.isEmpty()) {
                unavailable.put(hook, new Refusal("no tracefs", "tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)"));
                continue;
            }
            Path dir = tracefs.get().resolve("events").resolve(hook.category()).resolve(hook.event());
            if (!Files.isRegularFile(dir.resolve("format"))) {
                unavailable.put(hook, new Refusal("no tracepoint", "kernel " + release + " has no tracepoint " + hook.target()));
                continue;
            }
            try {
                formats.put(hook, TracepointFormat.read(tracefs.get(), hook.category(), hook.event()));
            } catch (IOException e) {
                unavailable.put(hook, new Refusal("unreadable tracepoint format", "cannot read " + dir.resolve("format") + ": " + e.getMessage()));
            }
        }
    }

    private void scanFunctions(Path kprobePmu, Path vmlinuxBtf, Path kallsyms) {
        if (!Files.isRegularFile(vmlinuxBtf)) {
            mechanismMissing.putIfAbsent(Mechanism.FENTRY, new Refusal("no BTF", "kernel " + release + " has no BTF (" + vmlinuxBtf + "): CONFIG_DEBUG_INFO_BTF is off"));
        }
        boolean viaTracefs = tracefs.map(t -> Files.exists(t.resolve("kprobe_events"))).orElse(false);
        if (!Files.isDirectory(kprobePmu) && !viaTracefs) {
            mechanismMissing.putIfAbsent(Mechanism.KPROBE, new Refusal("no kprobes", "kernel " + release + " has no kprobes (no kprobe PMU in "
                    + kprobePmu.getParent() + ", no kprobe_events in tracefs: CONFIG_KPROBES is off)"));
        }
        if (mechanismMissing.containsKey(Mechanism.FENTRY) && mechanismMissing.containsKey(Mechanism.KPROBE)) {
            return; // nothing could attach to a function: no need to look for them
        }
        Set<String> wanted = new HashSet<>();
        for (Hook hook : Hook.values()) if (!hook.isTracepoint()) wanted.add(hook.target());
        Set<String> found = symbolsIn(kallsyms, wanted);
        for (Hook hook : Hook.values()) {
            if (!hook.isTracepoint() && !found.contains(hook.target())) {
                unavailable.put(hook, new Refusal("function not in the kernel",
                        "function " + hook.target() + " is not in " + kallsyms + " (inlined or renamed on " + release + ")"));
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

    /** Why the kernel cannot offer this hook by any mechanism: no such tracepoint or function, or not needed here. */
    public Optional<Refusal> unavailableReason(Hook hook) {
        return Optional.ofNullable(unavailable.get(hook));
    }

    /** Why the kernel cannot offer this hook by this mechanism; empty when it can be tried. */
    public Optional<Refusal> unavailableReason(Hook hook, Mechanism mechanism) {
        Refusal hookMissing = unavailable.get(hook);
        if (hookMissing == null && mechanism == Mechanism.RAW_TRACEPOINT && hook.readsStructs() && structOffsets == null) {
            hookMissing = new Refusal("no struct offsets", "its program reads struct members at the kernel's BTF offsets: " + structOffsetsMissing);
        }
        return Optional.ofNullable(hookMissing != null ? hookMissing : mechanismMissing.get(mechanism));
    }

    /** Whether tcp_probe will be served by its raw tracepoint, which names the socket and skb on every kernel. */
    private boolean rawTcpProbe() {
        return format(Hook.TCP_PROBE).isPresent() && unavailableReason(Hook.TCP_PROBE, Mechanism.RAW_TRACEPOINT).isEmpty();
    }

    /** Where this kernel keeps the struct members the programs read, from its BTF; empty when it cannot be known. */
    public Optional<StructOffsets> structOffsets() {
        return Optional.ofNullable(structOffsets);
    }

    /** Why there is no {@link #structOffsets()}, or null. */
    public String structOffsetsMissing() {
        return structOffsetsMissing;
    }

    public Optional<TracepointFormat> format(Hook hook) {
        return Optional.ofNullable(formats.get(hook));
    }

    /**
     * The defines that build bpf/receive.c for this kernel: one per present tracepoint, one
     * per field of each, RX_KFUNCS when fentry/fexit hooks can be tried and RX_KPROBES when
     * kprobe hooks can (both, usually: which one attaches is only known when it is tried),
     * the struct offsets that let programs read segments' headers and handshakes, and
     * RX_RAW_TCP_PROBE when tcp_probe's raw tracepoint can be tried (it names the socket and skb).
     */
    public List<String> cflags() {
        List<String> flags = new ArrayList<>();
        for (TracepointFormat f : formats.values()) {
            String prefix = f.category() + "__" + f.event();
            flags.add("-DRX_HOOK_" + prefix);
            for (String field : f.fields()) flags.add("-DRX_FIELD_" + prefix + "__" + field);
        }
        if (triable(Mechanism.FENTRY)) flags.add("-DRX_KFUNCS");
        if (triable(Mechanism.KPROBE)) flags.add("-DRX_KPROBES");
        if (structOffsets != null) flags.addAll(structOffsets.cflags());
        if (rawTcpProbe()) flags.add("-DRX_RAW_TCP_PROBE");
        return flags;
    }

    private boolean triable(Mechanism mechanism) {
        for (Hook hook : Hook.values()) {
            if (hook.mechanisms().contains(mechanism) && unavailableReason(hook, mechanism).isEmpty()) return true;
        }
        return false;
    }

    /** The kernel's names for the enums its records carry, from the print formats, and for its code addresses. */
    public synchronized KernelNames names() {
        if (symbols == null) symbols = KernelSymbols.load(kallsyms); // once: a kernel has over 100,000
        return new KernelNames(
                format(Hook.KFREE_SKB).map(f -> f.symbols("reason")).orElse(Map.of()),
                format(Hook.TCP_SEND_RESET).map(f -> f.symbols("reason")).orElse(Map.of()),
                format(Hook.INET_SOCK_SET_STATE).map(f -> f.symbols("newstate")).orElse(Map.of()), symbols);
    }
}
