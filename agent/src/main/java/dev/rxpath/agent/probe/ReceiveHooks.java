package dev.rxpath.agent.probe;

import dev.rxpath.agent.bcc.Attachment;
import dev.rxpath.agent.bcc.BccException;
import dev.rxpath.agent.bcc.BpfModule;
import dev.rxpath.agent.bcc.BpfProgram;
import dev.rxpath.agent.bcc.BpfSource;
import dev.rxpath.agent.sys.Libc;
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

    private final KernelProbe kernel;
    private final BpfModule module;
    private final List<HookStatus> statuses;

    private ReceiveHooks(KernelProbe kernel, BpfModule module, List<HookStatus> statuses) {
        this.kernel = kernel;
        this.module = module;
        this.statuses = List.copyOf(statuses);
    }

    public static ReceiveHooks attach(KernelProbe kernel, BpfSource source) {
        BpfModule module = source.compile(SOURCE, kernel.cflags());
        try {
            Set<String> compiled = new HashSet<>(module.functionNames());
            List<HookStatus> statuses = new ArrayList<>();
            for (Hook hook : Hook.values()) statuses.add(attach(hook, kernel, module, compiled));
            // bcc's LLVM compile frees tens of MB that glibc would otherwise keep in the agent's RSS for good
            Libc.malloc_trim(0);
            return new ReceiveHooks(kernel, module, statuses);
        } catch (RuntimeException e) {
            module.close();
            throw e;
        }
    }

    private static HookStatus attach(Hook hook, KernelProbe kernel, BpfModule module, Set<String> compiled) {
        var reason = kernel.unavailableReason(hook);
        if (reason.isPresent()) return HookStatus.unavailable(hook, reason.get());
        for (String fn : hook.functions()) {
            if (!compiled.contains(fn)) return HookStatus.unavailable(hook, "bpf/" + SOURCE + " has no function " + fn);
        }
        List<Attachment> done = new ArrayList<>();
        try {
            for (String fn : hook.functions()) {
                BpfProgram program = module.load(fn);
                done.add(program.attach());
            }
            return HookStatus.attached(hook);
        } catch (BccException e) {
            // A lookup's entry probe without its return probe would only fill its pending map.
            done.forEach(Attachment::close);
            return HookStatus.unavailable(hook, e.getMessage().lines().findFirst().orElse(e.getMessage()));
        }
    }

    public KernelProbe kernel() {
        return kernel;
    }

    public BpfModule module() {
        return module;
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
