package dev.rxpath.agent.probe;

import dev.rxpath.agent.event.Stage;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One row of the probe table: a hook attached by a mechanism, or unavailable. The reason
 * says why each better mechanism was not used (all of them, when none attached).
 *
 * @param mechanism the mechanism that attached it; null when none did
 */
public record HookStatus(Hook hook, Mechanism mechanism, String reason) {
    public static HookStatus attached(Hook hook, Mechanism mechanism, String notBetter) {
        return new HookStatus(hook, mechanism, notBetter);
    }

    public static HookStatus unavailable(Hook hook, String reason) {
        return new HookStatus(hook, null, reason);
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
        for (HookStatus s : statuses) {
            if (!s.attached() && missing.contains(s.hook().stage())) {
                // "fentry: … refused: …; the kernel refuses …; kprobe: kernel … has no kprobes (…)": a part per mechanism
                for (String part : MECHANISM.split(s.reason())) if (!part.isBlank()) why.add(inShort(part));
            }
        }
        return Optional.of(missing.stream().map(Stage::name).collect(Collectors.joining(", ")) + " unavailable: " + String.join(", ", why));
    }

    /** Where a hook's reason moves on to its next mechanism ("; kprobe: …"), the name kept with its part. */
    private static final Pattern MECHANISM = Pattern.compile("; (?=[a-z_+]+: )");

    /** One mechanism's refusal ("fentry: loading … was refused: errno 1 …") as its kind ("fentry refused"). */
    private static String inShort(String refusal) {
        int colon = refusal.indexOf(": ");
        String mechanism = colon > 0 && !refusal.substring(0, colon).contains(" ") ? refusal.substring(0, colon) : "";
        String why = mechanism.isEmpty() ? refusal : refusal.substring(colon + 2);
        if (why.contains(" was refused")) return (mechanism.isEmpty() ? "loading" : mechanism) + " refused";
        if (why.contains("has no kprobes")) return "no kprobes";
        if (why.contains("has no BTF")) return "no BTF";
        int end = why.indexOf(" (");
        return (mechanism.isEmpty() ? "" : mechanism + ": ") + (end > 0 ? why.substring(0, end) : why);
    }
}
