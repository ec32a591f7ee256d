package dev.rxpath.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The agent's one start-up line on the stages it cannot observe, from the refusals' kinds. */
class HookStatusTest {
    private static final Refusal NO_KPROBES = new Refusal("no kprobes", "kernel 6.18 has no kprobes (no kprobe PMU …)");

    @Test
    void theStagesNoHookServesAreOneLineOfTheirRefusalsKinds() {
        List<HookStatus> statuses = new ArrayList<>();
        for (Hook h : Hook.values()) {
            List<Refusal> refusals = switch (h.stage()) {
                case IP, TCP -> List.of(new Refusal("fentry refused", "loading ip_rcv was refused: errno 1").of("fentry"), NO_KPROBES.of("kprobe"));
                case LOOKUP -> List.of(new Refusal("fexit refused", "attaching failed: errno 524").of("fexit"), NO_KPROBES.of("kprobe+kretprobe"));
                default -> null;
            };
            statuses.add(refusals == null ? HookStatus.attached(h, h.mechanisms().get(0), List.of()) : HookStatus.unavailable(h, refusals));
        }
        assertEquals(Optional.of("IP, TCP, LOOKUP unavailable: fentry refused, no kprobes, fexit refused"), HookStatus.missingStages(statuses));
        HookStatus ip = statuses.get(Hook.IP_RCV.ordinal());
        assertEquals("fentry: loading ip_rcv was refused: errno 1; kprobe: kernel 6.18 has no kprobes (no kprobe PMU …)", ip.reason(),
                "the probe table keeps every mechanism's whole reason");
    }

    @Test
    void everyStageObservableIsNoLine() {
        List<HookStatus> statuses = new ArrayList<>();
        for (Hook h : Hook.values()) statuses.add(HookStatus.attached(h, h.mechanisms().get(0), List.of()));
        assertEquals(Optional.empty(), HookStatus.missingStages(statuses));
    }
}
