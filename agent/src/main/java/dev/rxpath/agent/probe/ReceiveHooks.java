package dev.rxpath.agent.probe;

import dev.rxpath.agent.bcc.Attachment;
import dev.rxpath.agent.bcc.BccException;
import dev.rxpath.agent.bcc.BpfModule;
import dev.rxpath.agent.bcc.BpfProgram;
import dev.rxpath.agent.bcc.BpfSource;
import dev.rxpath.agent.ring.CpuList;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * bpf/receive.c compiled for the running kernel, with every hook it offers loaded and
 * attached. A hook that fails stays in the table with the kernel's reason and the rest
 * keep running: a kernel without kprobes still gets every tracepoint stage.
 */
public final class ReceiveHooks implements AutoCloseable {
    public static final String SOURCE = "receive.c";
    public static final String EVENTS_TABLE = "events";
    static final String CGROUPS_TABLE = "rx_cgroups";

    /**
     * What the programs are built to record: which segments get a path, how many sockets the
     * kernel counts at once (rx_socks; each entry takes about 300 bytes of kernel memory while
     * its socket lives), and which sockets are watched at all.
     */
    public record Options(Sampling sampling, int maxSockets, KernelFilter watch) {
        public static final Options DEFAULT = new Options(Sampling.DEFAULT, 131_072);
        /** Every segment's path: what tests of path reconstruction and debugging sessions want. */
        public static final Options ALL_PATHS = new Options(Sampling.all(), DEFAULT.maxSockets);

        /** Every socket watched. */
        public Options(Sampling sampling, int maxSockets) {
            this(sampling, maxSockets, KernelFilter.NONE);
        }

        List<String> cflags() {
            List<String> flags = new ArrayList<>(sampling.cflags(CpuList.possible().length));
            flags.add("-DRX_MAX_SOCKETS=" + maxSockets);
            flags.addAll(watch.cflags());
            return flags;
        }
    }

    private final KernelProbe kernel;
    private final BpfModule module;
    private final List<HookStatus> statuses;
    private final Options options;

    private ReceiveHooks(KernelProbe kernel, BpfModule module, List<HookStatus> statuses, Options options) {
        this.kernel = kernel;
        this.module = module;
        this.statuses = List.copyOf(statuses);
        this.options = options;
    }

    public static ReceiveHooks attach(KernelProbe kernel, BpfSource source, Options options) {
        List<String> cflags = new ArrayList<>(kernel.cflags());
        cflags.addAll(options.cflags());
        BpfModule module = source.compile(SOURCE, cflags);
        try {
            // before any program runs: a socket decided with the table empty would be ignored for good
            List<Cgroup> cgroups = options.watch().cgroups();
            for (int i = 0; i < cgroups.size(); i++) module.putCgroup(CGROUPS_TABLE, i, cgroups.get(i).dir());
            Set<String> compiled = new HashSet<>(module.functionNames());
            List<HookStatus> statuses = new ArrayList<>();
            for (Hook hook : Hook.values()) {
                statuses.add(hook.onlyForAllPaths() && options.sampling().mode() != Sampling.Mode.ALL
                        ? HookStatus.unavailable(hook, List.of(new Refusal("left off", "left off: it runs for every segment and serves --paths all only")))
                        : attach(hook, kernel, module, compiled));
            }
            return new ReceiveHooks(kernel, module, statuses, options);
        } catch (RuntimeException e) {
            module.close();
            throw e;
        }
    }

    /**
     * Tries the hook's mechanisms best first and keeps the first that attaches, with why
     * the better ones did not; a hook none of them serves is unavailable with every reason.
     */
    private static HookStatus attach(Hook hook, KernelProbe kernel, BpfModule module, Set<String> compiled) {
        var missing = kernel.unavailableReason(hook);
        if (missing.isPresent()) return HookStatus.unavailable(hook, List.of(missing.get()));
        List<Refusal> refusals = new ArrayList<>();
        for (Mechanism m : hook.mechanisms()) {
            Refusal refusal = attach(hook, m, kernel, module, compiled);
            if (refusal == null) return HookStatus.attached(hook, m, refusals);
            refusals.add(hook.mechanisms().size() > 1 ? refusal.of(hook.attachment(m)) : refusal);
        }
        return HookStatus.unavailable(hook, refusals);
    }

    /** Attaches every function of the hook for one mechanism, or none of them; null when done, else why not. */
    private static Refusal attach(Hook hook, Mechanism mechanism, KernelProbe kernel, BpfModule module, Set<String> compiled) {
        var reason = kernel.unavailableReason(hook, mechanism);
        if (reason.isPresent()) return reason.get();
        for (String fn : hook.functions(mechanism)) {
            if (!compiled.contains(fn)) return new Refusal("no program", "bpf/" + SOURCE + " has no function " + fn);
        }
        List<Attachment> done = new ArrayList<>();
        try {
            for (String fn : hook.functions(mechanism)) {
                BpfProgram program = module.load(fn);
                done.add(program.attach());
            }
            return null;
        } catch (BccException e) {
            // A lookup's entry probe without its return probe would only fill its pending map.
            done.forEach(Attachment::close);
            return new Refusal(hook.attachment(mechanism) + " refused", e.summary());
        }
    }

    public KernelProbe kernel() {
        return kernel;
    }

    public BpfModule module() {
        return module;
    }

    public Options options() {
        return options;
    }

    public List<HookStatus> statuses() {
        return statuses;
    }

    public boolean attached(Hook hook) {
        return statuses.stream().anyMatch(s -> s.hook() == hook && s.attached());
    }

    /** Stops every program from running; tables stay readable until {@link #close()}. */
    public void detach() {
        module.detach();
    }

    @Override
    public void close() {
        module.close();
    }
}
