package dev.rxpath.agent.bcc;

import dev.rxpath.agent.KernelTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import dev.rxpath.agent.KernelTests;
import dev.rxpath.agent.probe.KernelProbe;
import dev.rxpath.agent.probe.ReceiveHooks;
import dev.rxpath.agent.ring.CpuList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** clang runs in a child process: the agent maps no LLVM, and its own tables are what bcc would have made. */
@KernelTest
class CompileChildKernelTest {
    @Test
    void theAgentMapsNeitherLlvmNorClangNorLibbcc() throws Exception {
        try (ReceiveHooks hooks = ReceiveHooks.attach(KernelProbe.scan(), BpfSource.packaged(), ReceiveHooks.Options.DEFAULT)) {
            assertTrue(hooks.statuses().stream().anyMatch(s -> s.attached()), "some hook attached");
            List<String> maps = Files.readAllLines(Path.of("/proc/self/maps"));
            for (String library : List.of("libLLVM", "libclang-cpp", "libbcc.so")) {
                assertFalse(maps.stream().anyMatch(l -> l.contains(library)), library + " is mapped in the agent");
            }
            assertTrue(maps.stream().anyMatch(l -> l.contains("libbcc_bpf.so")), "the agent loads through libbcc_bpf");
            // bcc sizes the perf event array by the possible CPUs, in the child; the agent's copy must agree
            Map<String, String> events = fdinfo(hooks.module().tableFd(ReceiveHooks.EVENTS_TABLE));
            assertEquals("4", events.get("map_type"), "BPF_MAP_TYPE_PERF_EVENT_ARRAY");
            assertEquals(String.valueOf(CpuList.possible().length), events.get("max_entries"));
        }
    }

    @Test
    void tablesKeepTypeSizesAndFlagsAndTheProgramsWriteToTheAgentsOwn() throws Exception {
        String text = "BPF_F_TABLE(\"hash\", u32, u64, counts, 16, BPF_F_NO_PREALLOC);\n"
                + "BPF_TABLE(\"lru_hash\", u64, u32, recent, 8);\n"
                + "BPF_PERCPU_ARRAY(per_cpu, u64, 4);\n"
                + "int raw_tracepoint__sched_switch(void *ctx) {\n"
                + "  u32 k = 0; u64 one = 1, *v = counts.lookup_or_try_init(&k, &one);\n"
                + "  if (v) __sync_fetch_and_add(v, 1);\n"
                + "  u32 idx = 0; u64 *c = per_cpu.lookup(&idx); if (c) *c += 1;\n"
                + "  u64 rk = 7; u32 rv = 1; recent.update(&rk, &rv);\n"
                + "  return 0;\n}\n";
        List<String> before = KernelTests.bpfFds();
        try (BpfModule module = BpfModule.compile(text, List.of())) {
            assertEquals(List.of("raw_tracepoint__sched_switch"), module.functionNames());
            assertAttributes(module, "counts", 1, 4, 8, 16, 1);
            assertAttributes(module, "recent", 9, 8, 4, 8, 0);
            assertAttributes(module, "per_cpu", 6, 4, 8, 4, 0);
            module.load("raw_tracepoint__sched_switch").attach();
            Memory key = new Memory(4);
            key.setInt(0, 0);
            Memory value = new Memory(8);
            KernelTests.await("the program to count into the agent's table", 10_000,
                    () -> module.lookupElement(module.tableFd("counts"), key, value) && value.getLong(0) > 1);
        }
        assertEquals(before, KernelTests.bpfFds(), "the module's tables and program are closed with it");
    }

    @Test
    void whenLlvmEndsTheCompilerProcessTheAgentGetsItsWordsAndLivesOn() {
        // LLVM's BPF backend calls report_fatal_error on a stack over 512 bytes: before, that ended the agent.
        String text = "int raw_tracepoint__sched_switch(struct bpf_raw_tracepoint_args *ctx) {\n"
                + "  char buf[1024]; bpf_probe_read_kernel(buf, sizeof(buf), (void *)ctx->args[0]);\n"
                + "  u64 s = 0; for (int i = 0; i < 1024; i += 64) s += buf[i];\n  return s;\n}\n";
        BccException e = assertThrows(BccException.class, () -> BpfModule.compile(text, List.of()));
        assertEquals(BccException.Kind.COMPILER_FAILED, e.kind());
        assertTrue(e.getMessage().contains("the compiler process exited with status"), e.getMessage());
        assertTrue(e.detail().contains("BPF stack limit of 512 bytes is exceeded"), e.detail());
    }

    @Test
    void aMissingTableIsAnError() {
        try (BpfModule module = BpfModule.compile("int raw_tracepoint__sched_switch(void *ctx) { return 0; }", List.of())) {
            BccException e = assertThrows(BccException.class, () -> module.tableFd("nothing"));
            assertEquals(BccException.Kind.TABLE_MISSING, e.kind());
        }
    }

    private static void assertAttributes(BpfModule module, String table, int type, int key, int value, int max, int flags)
            throws IOException {
        Map<String, String> info = fdinfo(module.tableFd(table));
        assertEquals(String.valueOf(type), info.get("map_type"), table + " map_type");
        assertEquals(String.valueOf(key), info.get("key_size"), table + " key_size");
        assertEquals(String.valueOf(value), info.get("value_size"), table + " value_size");
        assertEquals(String.valueOf(max), info.get("max_entries"), table + " max_entries");
        assertEquals(flags, Integer.decode(info.get("map_flags")), table + " map_flags");
    }

    /** The kernel's own account of a map: type, sizes, entries and flags. */
    private static Map<String, String> fdinfo(int fd) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd)).stream().filter(l -> l.contains(":"))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')), l -> l.substring(l.indexOf(':') + 1).strip(), (a, b) -> a));
    }
}
