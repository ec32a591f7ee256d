package dev.rxpath.agent.bcc;

import dev.rxpath.agent.sys.Libc;

/** A loaded BPF program; its attachments belong to the module and end when it closes. */
public final class BpfProgram {
    private final BpfModule module;
    private final String function;
    private final ProgramType type;
    private final int fd;

    BpfProgram(BpfModule module, String function, ProgramType type, int fd) {
        this.module = module;
        this.function = function;
        this.type = type;
        this.fd = fd;
    }

    public String function() {
        return function;
    }

    public ProgramType type() {
        return type;
    }

    public int fd() {
        return fd;
    }

    /**
     * Attaches the program where its name says: a tracepoint, raw tracepoint, kprobe,
     * kretprobe, fentry or fexit. A failure says what the kernel answered, in libbcc's words and errno.
     */
    public Attachment attach() {
        String target = type.target(function);
        LibBccBpf bcc = BpfModule.lib();
        String evName = "rxpath_" + Libc.getpid() + "_" + (type == ProgramType.KRETPROBE ? "r_" : "p_") + target;
        int[] errno = new int[1];
        NativeStderr.Result<Integer> r = NativeStderr.capture(() -> {
            int pfd = switch (type) {
                case TRACEPOINT -> {
                    int sep = target.indexOf(':');
                    yield bcc.bpf_attach_tracepoint(fd, target.substring(0, sep), target.substring(sep + 1));
                }
                case RAW_TRACEPOINT -> bcc.bpf_attach_raw_tracepoint(fd, target);
                case FENTRY, FEXIT -> bcc.bpf_attach_kfunc(fd);
                case KPROBE -> bcc.bpf_attach_kprobe(fd, 0, evName, target, 0, 0);
                case KRETPROBE -> bcc.bpf_attach_kprobe(fd, 1, evName, target, 0, 0);
            };
            errno[0] = com.sun.jna.Native.getLastError();
            return pfd;
        });
        if (r.value() < 0) {
            throw new BccException(BccException.Kind.ATTACH_FAILED, "attaching " + function + " to "
                    + type.name().toLowerCase() + " " + target + " failed: " + Libc.describe(errno[0]), r.text());
        }
        Attachment a = new Attachment(type, target, r.value(), type == ProgramType.KPROBE || type == ProgramType.KRETPROBE ? evName : null);
        module.attached(a);
        return a;
    }
}
