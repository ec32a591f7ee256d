package dev.rxpath.agent.probe;

/**
 * Why a hook, or one of its mechanisms, is not had here.
 *
 * @param kind the reason in a few words ("no kprobes", "fentry refused"): the agent's start-up
 *             line sums up the stages it cannot observe by these
 * @param why  the whole reason, as the probe table shows it
 */
public record Refusal(String kind, String why) {
    /** The same, named as one mechanism's ("fentry: …"), among a hook's several. */
    Refusal of(String mechanism) {
        return new Refusal(kind, mechanism + ": " + why);
    }
}
