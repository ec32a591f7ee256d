package dev.rxpath.agent.probe;

import dev.rxpath.agent.event.Stage;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** One row of the probe table: a hook attached, or unavailable and why. */
public record HookStatus(Hook hook, boolean attached, String reason) {
    public static HookStatus attached(Hook hook) {
        return new HookStatus(hook, true, "");
    }

    public static HookStatus unavailable(Hook hook, String reason) {
        return new HookStatus(hook, false, reason);
    }

    /** The receive-path stages these hooks let a node observe: those of the hooks that attached. */
    public static Set<Stage> observable(List<HookStatus> statuses) {
        Set<Stage> stages = EnumSet.noneOf(Stage.class);
        for (HookStatus s : statuses) if (s.attached() && s.hook().stage() != Stage.SOCKET_EVENT) stages.add(s.hook().stage());
        return stages;
    }
}
