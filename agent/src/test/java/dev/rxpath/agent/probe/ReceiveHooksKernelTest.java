package dev.rxpath.agent.probe;

import dev.rxpath.agent.KernelTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.bcc.BpfSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe table against what this kernel really offers. */
@KernelTest
class ReceiveHooksKernelTest {
    private static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    private static final Path KPROBE_PMU = Path.of("/sys/bus/event_source/devices/kprobe");
    private static final Path BTF = Path.of("/sys/kernel/btf/vmlinux");
    private static final Path KALLSYMS = Path.of("/proc/kallsyms");
    private static final Set<Mechanism> ALL = EnumSet.allOf(Mechanism.class);

    @Test
    void everyTracepointTheKernelHasAttachesAndFunctionStagesSayWhyEachMechanismDidNot() {
        KernelProbe kernel = KernelProbe.scan();
        try (ReceiveHooks hooks = ReceiveHooks.attach(kernel, BpfSource.packaged(), ReceiveHooks.Options.ALL_PATHS)) {
            assertEquals(Hook.values().length, hooks.statuses().size());
            for (HookStatus s : hooks.statuses()) {
                Hook h = s.hook();
                if (h.isTracepoint()) {
                    boolean present = Files.exists(TRACEFS.resolve("events").resolve(h.category()).resolve(h.event()).resolve("format"));
                    assertEquals(present, s.attached(), h.target() + ": " + s.reason());
                    if (!present) assertTrue(s.reason().contains("no tracepoint " + h.target()), s.reason());
                    if (present) assertEquals(h.mechanisms().get(0), s.mechanism(), "the best mechanism: " + s.reason());
                    continue;
                }
                if (kernel.unavailableReason(h).isPresent()) {
                    assertEquals(kernel.unavailableReason(h).get().why(), s.reason(), "a hook no mechanism could serve says why once");
                    continue;
                }
                // Every mechanism better than the one used (all of them, when none was) says why not, in order.
                List<Mechanism> tried = s.attached() ? h.mechanisms().subList(0, h.mechanisms().indexOf(s.mechanism()))
                        : h.mechanisms();
                int at = -1;
                for (Mechanism m : tried) {
                    int next = s.reason().indexOf(h.attachment(m) + ": ");
                    assertTrue(next > at, h.target() + " names " + m + " after the mechanisms before it: " + s.reason());
                    at = next;
                }
                if (!Files.isDirectory(KPROBE_PMU) && !Files.exists(TRACEFS.resolve("kprobe_events"))) {
                    assertTrue(s.reason().contains(h.attachment(Mechanism.KPROBE) + ": kernel " + kernel.kernelRelease() + " has no kprobes"),
                            h.target() + ": " + s.reason());
                }
            }
            // The receive path this kernel offers through tracepoints, stage by stage.
            for (Hook h : List.of(Hook.NETIF_RECEIVE_SKB, Hook.TCP_PROBE, Hook.SKB_COPY_DATAGRAM_IOVEC, Hook.KFREE_SKB)) {
                assertTrue(hooks.attached(h), h.target());
            }
        }
    }

    /**
     * A kernel without one of the tracepoints: a tracefs copy missing tcp:tcp_probe. That hook
     * is reported unavailable with the reason, the program for it is not even compiled, and
     * every other hook still attaches.
     */
    @Test
    void aMissingTracepointIsUnavailableAndTheRestRun(@TempDir Path fakeTracefs) throws Exception {
        for (Hook h : Hook.values()) {
            if (!h.isTracepoint() || h == Hook.TCP_PROBE) continue;
            Path src = TRACEFS.resolve("events").resolve(h.category()).resolve(h.event()).resolve("format");
            if (!Files.exists(src)) continue;
            Path dst = fakeTracefs.resolve("events").resolve(h.category()).resolve(h.event()).resolve("format");
            Files.createDirectories(dst.getParent());
            Files.writeString(dst, Files.readString(src));
        }
        KernelProbe kernel = KernelProbe.scan(List.of(fakeTracefs), KPROBE_PMU, BTF, KALLSYMS, ALL);
        try (ReceiveHooks hooks = ReceiveHooks.attach(kernel, BpfSource.packaged(), ReceiveHooks.Options.ALL_PATHS)) {
            HookStatus probe = hooks.statuses().stream().filter(s -> s.hook() == Hook.TCP_PROBE).findFirst().orElseThrow();
            assertFalse(probe.attached());
            assertTrue(probe.reason().contains("has no tracepoint tcp:tcp_probe"), probe.reason());
            assertTrue(hooks.attached(Hook.NETIF_RECEIVE_SKB));
            assertTrue(hooks.attached(Hook.KFREE_SKB));
            assertFalse(hooks.module().functionNames().contains("tracepoint__tcp__tcp_probe"));
        }
    }

    @Test
    void withoutTracefsEveryTracepointSaysSo(@TempDir Path empty) {
        KernelProbe kernel = KernelProbe.scan(List.of(empty), KPROBE_PMU, BTF, KALLSYMS, ALL);
        Refusal refusal = kernel.unavailableReason(Hook.KFREE_SKB, Mechanism.TRACEPOINT).orElseThrow();
        assertTrue(refusal.why().contains("tracefs is not mounted"), refusal.why());
        assertEquals("no tracefs", refusal.kind());
    }

    /** Without BTF there is no fentry: that mechanism says so, and its programs are not compiled. */
    @Test
    void withoutBtfFentryIsNotTriedAndSaysWhy(@TempDir Path empty) {
        KernelProbe kernel = KernelProbe.scan(List.of(TRACEFS), KPROBE_PMU, empty.resolve("vmlinux"), KALLSYMS, ALL);
        Refusal refusal = kernel.unavailableReason(Hook.IP_RCV, Mechanism.FENTRY).orElseThrow();
        assertTrue(refusal.why().contains("has no BTF"), refusal.why());
        assertEquals("no BTF", refusal.kind());
        assertFalse(kernel.cflags().contains("-DRX_KFUNCS"), kernel.cflags().toString());
        KernelProbe withBtf = KernelProbe.scan(List.of(TRACEFS), KPROBE_PMU, BTF, KALLSYMS, ALL);
        assertEquals(Files.isRegularFile(BTF), withBtf.cflags().contains("-DRX_KFUNCS"));
    }

    /**
     * Where raw tracepoints are turned off (as on a kernel that refuses them), every hook the
     * kernel has attaches by its classic tracepoint instead, in every mode the programs are built
     * for: the fallback is loaded and verified here, not only in the guests.
     */
    @Test
    void everyTracepointAttachesClassicallyInEveryModeWhenRawOnesAreOff() {
        KernelProbe kernel = KernelProbe.scan(EnumSet.of(Mechanism.TRACEPOINT));
        KernelFilter port = new KernelFilter(Set.of(443), Set.of(), Set.of(), List.of(), List.of());
        for (ReceiveHooks.Options options : List.of(ReceiveHooks.Options.ALL_PATHS, ReceiveHooks.Options.DEFAULT,
                new ReceiveHooks.Options(Sampling.all(), 1024, port), new ReceiveHooks.Options(Sampling.DEFAULT, 1024, port))) {
            try (ReceiveHooks hooks = ReceiveHooks.attach(kernel, BpfSource.packaged(), options)) {
                for (HookStatus s : hooks.statuses()) {
                    Hook h = s.hook();
                    if (!h.isTracepoint() || kernel.unavailableReason(h).isPresent()) continue;
                    if (h.onlyForAllPaths() && options.sampling().mode() != Sampling.Mode.ALL) continue;
                    assertEquals(Mechanism.TRACEPOINT, s.mechanism(), h.target() + " with " + options + ": " + s.reason());
                }
            }
        }
    }

    /** A mechanism turned off (agent --mechanisms kprobe) is not tried, and the table says so. */
    @Test
    void aMechanismTurnedOffIsNotTried() {
        KernelProbe kernel = KernelProbe.scan(EnumSet.of(Mechanism.TRACEPOINT, Mechanism.KPROBE));
        assertEquals(new Refusal("fentry turned off", "fentry is turned off (--mechanisms)"), kernel.unavailableReason(Hook.TCP_V4_RCV, Mechanism.FENTRY).orElseThrow());
        assertFalse(kernel.cflags().contains("-DRX_KFUNCS"));
        assertTrue(kernel.unavailableReason(Hook.KFREE_SKB, Mechanism.TRACEPOINT).isEmpty());
    }
}
