package dev.rxpath.agent.probe;

/**
 * How a hook reaches the kernel. Tracepoints are a stable ABI. A kernel function without
 * one is reached by fentry/fexit where the kernel has BTF and allows BPF trampolines
 * (cheapest, and fexit sees the arguments and the return value in one program), else by
 * kprobes; the order of {@link Hook#mechanisms()} is the order they are tried in.
 */
public enum Mechanism {
    TRACEPOINT("tracepoint"), FENTRY("fentry"), KPROBE("kprobe");

    private final String label;

    Mechanism(String label) {
        this.label = label;
    }

    /** How the probe table names it. */
    public String label() {
        return label;
    }
}
