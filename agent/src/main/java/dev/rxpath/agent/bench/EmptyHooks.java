package dev.rxpath.agent.bench;

import dev.rxpath.agent.bcc.BpfModule;
import dev.rxpath.agent.bcc.BpfProgram;
import dev.rxpath.agent.probe.HookStatus;
import dev.rxpath.agent.probe.Mechanism;
import java.util.ArrayList;
import java.util.List;

/**
 * The hook points an agent attached, by the same mechanisms, with programs that return at
 * once: what having the hooks attached at all costs, before the programs do any work, write a
 * record or wake the agent. (fentry/fexit hooks are left out: their programs need the
 * function's BTF prototype; the development machine has none of them.)
 */
final class EmptyHooks implements AutoCloseable {
    private final BpfModule module;
    private final int attached;

    private EmptyHooks(BpfModule module, int attached) {
        this.module = module;
        this.attached = attached;
    }

    static EmptyHooks like(List<HookStatus> agentHooks) {
        List<String> functions = new ArrayList<>();
        StringBuilder source = new StringBuilder();
        int hooks = 0;
        for (HookStatus s : agentHooks) {
            if (!s.attached() || s.mechanism() == Mechanism.FENTRY) continue;
            hooks++;
            for (String fn0 : s.hook().functions(s.mechanism())) {
                String fn = System.getenv("RXPATH_EMPTY_RAW") != null && fn0.equals(System.getenv("RXPATH_EMPTY_RAW"))
                        ? "raw_tracepoint__" + fn0.substring(fn0.lastIndexOf("__") + 2) : fn0;
                functions.add(fn);
                source.append("int ").append(fn).append("(void *ctx) { return 0; }\n");
            }
        }
        BpfModule module = BpfModule.compile(source.toString(), List.of());
        try {
            for (String fn : functions) module.load(fn).attach();
        } catch (RuntimeException e) {
            module.close();
            throw e;
        }
        return new EmptyHooks(module, hooks);
    }

    int attached() {
        return attached;
    }

    List<BpfProgram> programs() {
        return module.programs();
    }

    @Override
    public void close() {
        module.close();
    }
}
