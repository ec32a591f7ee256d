package dev.rxpath.agent.probe;

/** One row of the probe table: a hook attached, or unavailable and why. */
public record HookStatus(Hook hook, boolean attached, String reason) {
    public static HookStatus attached(Hook hook) {
        return new HookStatus(hook, true, "");
    }

    public static HookStatus unavailable(Hook hook, String reason) {
        return new HookStatus(hook, false, reason);
    }
}
