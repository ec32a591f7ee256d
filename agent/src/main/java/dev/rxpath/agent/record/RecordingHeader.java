package dev.rxpath.agent.record;

import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.event.RecordType;
import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.probe.HookStatus;
import dev.rxpath.agent.probe.KernelNames;
import dev.rxpath.agent.probe.KernelProbe;
import dev.rxpath.agent.probe.ReceiveHooks;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a recording says about where it was made, so a replay needs no kernel: the kernel
 * release, the record layout (ABI version and every record type's size), the kernel's
 * names for its enums, which hooks attached, and the clock offset that maps the records'
 * monotonic timestamps to wall-clock time.
 *
 * @param layout record type id → size, as the recording agent decoded them
 * @param hooks  which hooks attached on the recording node, and why others did not
 */
public record RecordingHeader(String kernelRelease, int abiVersion, Map<Integer, Integer> layout, long wallMinusMonoNs,
                              KernelNames names, List<HookStatus> hooks) {
    public RecordingHeader {
        layout = Map.copyOf(layout);
        hooks = List.copyOf(hooks);
    }

    /** The header for recording what {@code hooks} emit on this node now. */
    public static RecordingHeader of(ReceiveHooks hooks, KernelClock clock) {
        KernelProbe kernel = hooks.kernel();
        return new RecordingHeader(kernel.kernelRelease(), RecordType.ABI_VERSION, currentLayout(), clock.wallMinusMonoNs(),
                kernel.names(), hooks.statuses());
    }

    /** The stages the recording node could observe: those of the hooks that attached. */
    public Set<Stage> observable() {
        return HookStatus.observable(hooks);
    }

    /** This agent's own layout. */
    public static Map<Integer, Integer> currentLayout() {
        Map<Integer, Integer> layout = new HashMap<>();
        for (RecordType t : RecordType.values()) layout.put(t.id, t.size);
        return layout;
    }

    /**
     * Refuses a recording whose records this agent would decode differently. One made before
     * a record type was added (its layout is a part of this agent's) decodes the same.
     */
    public void requireCompatible() {
        if (abiVersion != RecordType.ABI_VERSION || !currentLayout().entrySet().containsAll(layout.entrySet())) {
            throw new RecordingException("the recording was made with record layout ABI " + abiVersion + " " + new TreeMap<>(layout)
                    + "; this agent decodes ABI " + RecordType.ABI_VERSION + " " + new TreeMap<>(currentLayout()));
        }
    }
}
