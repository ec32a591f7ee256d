package dev.rxpath.agent.bcc;

/** The BPF program types the agent loads, named by bcc's function-name conventions. */
public enum ProgramType {
    KPROBE(2, "kprobe__"),
    KRETPROBE(2, "kretprobe__"),
    TRACEPOINT(5, "tracepoint__"),
    RAW_TRACEPOINT(17, "raw_tracepoint__"),
    /** BPF_PROG_TYPE_TRACING at a function's entry (bcc's KFUNC_PROBE); libbcc finds its BTF id by name. */
    FENTRY(26, "kfunc__"),
    /** BPF_PROG_TYPE_TRACING at a function's return, with its arguments (bcc's KRETFUNC_PROBE). */
    FEXIT(26, "kretfunc__");

    /** enum bpf_prog_type value. */
    final int kernelValue;
    private final String prefix;

    ProgramType(int kernelValue, String prefix) {
        this.kernelValue = kernelValue;
        this.prefix = prefix;
    }

    /** The type a function's name implies, as bcc's TRACEPOINT_PROBE / kprobe__ conventions write it. */
    public static ProgramType of(String function) {
        for (ProgramType t : values()) {
            if (function.startsWith(t.prefix)) return t;
        }
        throw new IllegalArgumentException("function " + function
                + " has no program-type prefix (kprobe__, kretprobe__, tracepoint__, raw_tracepoint__)");
    }

    /** What the function attaches to: "net:netif_receive_skb" for tracepoints, the kernel function for kprobes. */
    public String target(String function) {
        String rest = function.substring(prefix.length());
        if (this != TRACEPOINT) return rest;
        int sep = rest.indexOf("__");
        return rest.substring(0, sep) + ":" + rest.substring(sep + 2);
    }

    public String functionName(String target) {
        return prefix + (this == TRACEPOINT ? target.replace(":", "__") : target);
    }
}
