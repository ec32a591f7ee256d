package dev.rxpath.agent.probe;

/**
 * How a hook reaches the kernel. Tracepoints are a stable ABI; a raw tracepoint is the same
 * point without the record the classic one assembles before the program runs (cheaper per hit),
 * for the programs that need only the tracepoint's arguments. A kernel function without
 * one is reached by fentry/fexit where the kernel has BTF and allows BPF trampolines
 * (cheapest, and fexit sees the arguments and the return value in one program), else by
 * kprobes; the order of {@link Hook#mechanisms()} is the order they are tried in.
 */
public enum Mechanism {
    RAW_TRACEPOINT("raw_tracepoint"), TRACEPOINT("tracepoint"), FENTRY("fentry"), KPROBE("kprobe");

    private final String label;

    Mechanism(String label) {
        this.label = label;
    }

    /** How the probe table names it. */
    public String label() {
        return label;
    }
}
