package dev.rxpath.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.KernelTests;
import dev.rxpath.agent.bcc.BpfSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe table against what this kernel really offers. */
class ReceiveHooksKernelTest {
    private static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    private static final Path KPROBE_PMU = Path.of("/sys/bus/event_source/devices/kprobe");

    @BeforeAll
    static void root() throws Exception {
        KernelTests.requireRoot();
    }

    @Test
    void everyTracepointTheKernelHasAttachesAndKprobeStagesSayWhyNot() {
        KernelProbe kernel = KernelProbe.scan();
        try (ReceiveHooks hooks = ReceiveHooks.attach(kernel, BpfSource.packaged())) {
            assertEquals(Hook.values().length, hooks.statuses().size());
            for (HookStatus s : hooks.statuses()) {
                Hook h = s.hook();
                if (h.mechanism() == Mechanism.TRACEPOINT) {
                    boolean present = Files.exists(TRACEFS.resolve("events").resolve(h.category()).resolve(h.event()).resolve("format"));
                    assertEquals(present, s.attached(), h.label() + ": " + s.reason());
                    if (!present) assertTrue(s.reason().contains("no tracepoint " + h.target()), s.reason());
                } else if (!Files.isDirectory(KPROBE_PMU) && !Files.exists(TRACEFS.resolve("kprobe_events"))) {
                    assertFalse(s.attached(), h.label());
                    assertTrue(s.reason().contains("has no kprobes"), h.label() + ": " + s.reason());
                }
            }
            // The receive path this kernel offers through tracepoints, stage by stage.
            for (Hook h : List.of(Hook.NETIF_RECEIVE_SKB, Hook.TCP_PROBE, Hook.SKB_COPY_DATAGRAM_IOVEC, Hook.KFREE_SKB)) {
                assertTrue(hooks.attached(h), h.label());
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
            if (h.mechanism() != Mechanism.TRACEPOINT || h == Hook.TCP_PROBE) continue;
            Path src = TRACEFS.resolve("events").resolve(h.category()).resolve(h.event()).resolve("format");
            if (!Files.exists(src)) continue;
            Path dst = fakeTracefs.resolve("events").resolve(h.category()).resolve(h.event()).resolve("format");
            Files.createDirectories(dst.getParent());
            Files.writeString(dst, Files.readString(src));
        }
        KernelProbe kernel = KernelProbe.scan(List.of(fakeTracefs), KPROBE_PMU, Path.of("/proc/kallsyms"));
        try (ReceiveHooks hooks = ReceiveHooks.attach(kernel, BpfSource.packaged())) {
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
        KernelProbe kernel = KernelProbe.scan(List.of(empty), KPROBE_PMU, Path.of("/proc/kallsyms"));
        assertTrue(kernel.unavailableReason(Hook.KFREE_SKB).orElseThrow().contains("tracefs is not mounted"));
    }
}
