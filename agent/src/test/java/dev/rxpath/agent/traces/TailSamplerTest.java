package dev.rxpath.agent.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.path.CloseReason;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.path.Verdict;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tail sampler's rules, on paths built by hand. */
class TailSamplerTest {
    private static final long S = 1_000_000_000L;

    /** A path that entered at {@code atNs} and took {@code tookNs} to its last stage. */
    private static ReceivePath path(Verdict verdict, long atNs, long tookNs) {
        List<ReceivePath.StageTime> stages = List.of(new ReceivePath.StageTime(Stage.DEV, atNs, 0, false),
                new ReceivePath.StageTime(Stage.END, atNs + tookNs, 0, false));
        return new ReceivePath(1, verdict, CloseReason.END, stages, EnumSet.allOf(Stage.class), "lo", 0, 0, 0, 0, null, 0, 0, null,
                verdict == Verdict.DROPPED ? "NO_SOCKET" : null, null, null, null, atNs + tookNs);
    }

    @Test
    void everyDropAndResetIsKeptWhateverTheRate() {
        TailSampler none = new TailSampler(new TailSampler.Options(0, 0));
        for (int i = 0; i < 100; i++) {
            assertTrue(none.keep(path(Verdict.DROPPED, i, 10)));
            assertTrue(none.keep(path(Verdict.RESET, i, 10)));
            assertFalse(none.keep(path(Verdict.DELIVERED, i, 10)));
        }
        assertEquals(200, none.kept());
        assertEquals(100, none.sampledOut());
    }

    @Test
    void aSlowPathIsKeptAndTheRestAtTheRate() {
        TailSampler sampler = new TailSampler(new TailSampler.Options(5_000_000, 2));
        assertTrue(sampler.keep(path(Verdict.DELIVERED, S, 5_000_000)), "as slow as the bound");
        // a second's worth (2) in a burst, then nothing until the kernel's clock moves on
        int kept = 0;
        for (int i = 0; i < 10; i++) if (sampler.keep(path(Verdict.DELIVERED, S + i, 1_000))) kept++;
        assertEquals(2, kept);
        kept = 0;
        for (int i = 0; i < 10; i++) if (sampler.keep(path(Verdict.DELIVERED, S + S / 2 + i, 1_000))) kept++;
        assertEquals(1, kept, "half a second later, one more");
    }
}
