package dev.rxpath.agent.probe;

import dev.rxpath.agent.event.Stage;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

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
}
