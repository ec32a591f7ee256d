package dev.rxpath.agent.bcc;

import dev.rxpath.agent.KernelTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.Agent;
import dev.rxpath.agent.KernelTests;
import dev.rxpath.agent.probe.KernelProbe;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad input through the real compiler, verifier and kernel: clear errors, nothing left behind. */
@KernelTest
class BpfModuleKernelTest {
    @Test
    void aCompileErrorQuotesTheCompiler() {
        BccException e = assertThrows(BccException.class, () -> BpfModule.compile(
                "int tracepoint__net__netif_receive_skb(void *ctx) { return undeclared_thing; }", List.of()));
        assertEquals(BccException.Kind.COMPILE_ERROR, e.kind());
        assertTrue(e.detail().contains("use of undeclared identifier 'undeclared_thing'"), e.detail());
        assertTrue(e.getMessage().contains("undeclared_thing"), "the message itself carries the compiler's words");
    }

    @Test
    void aVerifierRejectionQuotesTheVerifierLog() {
        String text = "BPF_HASH(counts, int, u64, 1);\n"
                + "int tracepoint__net__netif_receive_skb(void *ctx) {\n"
                + "  int k = 0; u64 *v = counts.lookup(&k);\n"
                + "  return *v; /* no null check: the verifier must refuse */\n}\n";
        try (BpfModule module = BpfModule.compile(text, List.of())) {
            BccException e = assertThrows(BccException.class, () -> module.load("tracepoint__net__netif_receive_skb"));
            assertEquals(BccException.Kind.LOAD_REJECTED, e.kind());
            assertTrue(e.detail().contains("map_value_or_null"), "verifier log expected, got: " + e.detail());
        }
    }

    @Test
    void attachingToATracepointThatDoesNotExistIsAnErrorNotACrash() {
        try (BpfModule module = BpfModule.compile("int tracepoint__rxpath__no_such_event(void *ctx) { return 0; }", List.of())) {
            BpfProgram p = module.load("tracepoint__rxpath__no_such_event");
            BccException e = assertThrows(BccException.class, p::attach);
            assertEquals(BccException.Kind.ATTACH_FAILED, e.kind());
            assertTrue(e.getMessage().contains("tracepoint rxpath:no_such_event"), e.getMessage());
        }
    }

    @Test
    void aRawTracepointAttachesAndDetaches() throws Exception {
        List<String> before = KernelTests.bpfFds();
        try (BpfModule module = BpfModule.compile("int raw_tracepoint__netif_receive_skb(void *ctx) { return 0; }", List.of())) {
            Attachment a = module.load("raw_tracepoint__netif_receive_skb").attach();
            assertEquals(ProgramType.RAW_TRACEPOINT, a.type());
            assertEquals("netif_receive_skb", a.target());
            assertEquals(before.size() + 2, KernelTests.bpfFds().size(), "the program fd and its raw tracepoint link");
        }
        assertEquals(before, KernelTests.bpfFds());
    }

    @Test
    void closingTheAgentLeavesNoProgramMapOrPerfEventBehind() throws Exception {
        List<String> before = KernelTests.bpfFds();
        KernelTests.Collector sink = new KernelTests.Collector();
        try (Agent agent = Agent.start(KernelProbe.scan(), BpfSource.packaged(), Agent.Options.DEFAULT, sink)) {
            assertTrue(KernelTests.bpfFds().size() > before.size() + 10, "while running, programs and perf events are held");
        }
        assertEquals(before, KernelTests.bpfFds(), "fds still held after close");
    }
}
