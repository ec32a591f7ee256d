package dev.rxpath.agent.probe;

import dev.rxpath.agent.event.Stage;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One row of the probe table: a hook attached by a mechanism, or unavailable. The reason
 * says why each better mechanism was not used (all of them, when none attached).
 *
 * @param mechanism the mechanism that attached it; null when none did
 * @param kinds     the refusals' kinds, in short ({@link Refusal#kind()}); none in a recording, which keeps the reason only
 */
public record HookStatus(Hook hook, Mechanism mechanism, String reason, List<String> kinds) {
    /** As a recording keeps it. */
    public HookStatus(Hook hook, Mechanism mechanism, String reason) {
        this(hook, mechanism, reason, List.of());
    }

    public HookStatus {
        kinds = List.copyOf(kinds);
    }

    /** @param notBetter why each better mechanism was not used */
    public static HookStatus attached(Hook hook, Mechanism mechanism, List<Refusal> notBetter) {
        return of(hook, mechanism, notBetter);
    }

    public static HookStatus unavailable(Hook hook, List<Refusal> refusals) {
        return of(hook, null, refusals);
    }

    private static HookStatus of(Hook hook, Mechanism mechanism, List<Refusal> refusals) {
        return new HookStatus(hook, mechanism, refusals.stream().map(Refusal::why).collect(Collectors.joining("; ")),
                refusals.stream().map(Refusal::kind).toList());
    }

    public boolean attached() {
        return mechanism != null;
    }

    /** "fentry", "kprobe+kretprobe", "tracepoint"; "-" when unavailable. */
    public String attachment() {
        return attached() ? hook.attachment(mechanism) : "-";
    }

    /** The receive-path stages these hooks let a node observe: those of the hooks that attached. */
    public static Set<Stage> observable(List<HookStatus> statuses) {
        Set<Stage> stages = EnumSet.noneOf(Stage.class);
        for (HookStatus s : statuses) if (s.attached() && s.hook().stage() != Stage.SOCKET_EVENT) stages.add(s.hook().stage());
        return stages;
    }

    /**
     * The stages no hook of which attached, and why in short, for the agent's start-up line:
     * "IP, TCP, LOOKUP unavailable: fentry refused, no kprobes"; empty when every stage is
     * observable. The probe table keeps each hook's whole reason.
     */
    public static Optional<String> missingStages(List<HookStatus> statuses) {
        Set<Stage> missing = EnumSet.noneOf(Stage.class);
        for (HookStatus s : statuses) if (s.hook().stage() != Stage.SOCKET_EVENT) missing.add(s.hook().stage());
        missing.removeAll(observable(statuses));
        if (missing.isEmpty()) return Optional.empty();
        Set<String> why = new LinkedHashSet<>();
        for (HookStatus s : statuses) if (!s.attached() && missing.contains(s.hook().stage())) why.addAll(s.kinds());
        return Optional.of(missing.stream().map(Stage::name).collect(Collectors.joining(", ")) + " unavailable: " + String.join(", ", why));
    }
}
