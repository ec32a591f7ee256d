package dev.rxpath.agent.bcc;

import dev.rxpath.agent.sys.Libc;

/** A program attached to one hook: closing its perf or link fd detaches it. */
public final class Attachment implements AutoCloseable {
    private final ProgramType type;
    private final String target;
    private final int fd;
    private final String kprobeEvent;
    private boolean closed;

    Attachment(ProgramType type, String target, int fd, String kprobeEvent) {
        this.type = type;
        this.target = target;
        this.fd = fd;
        this.kprobeEvent = kprobeEvent;
    }

    public ProgramType type() {
        return type;
    }

    public String target() {
        return target;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        LibBccBpf bcc = BpfModule.lib();
        switch (type) {
            case TRACEPOINT -> bcc.bpf_close_perf_event_fd(fd);
            case RAW_TRACEPOINT, FENTRY, FEXIT -> Libc.close(fd);
            case KPROBE, KRETPROBE -> {
                bcc.bpf_close_perf_event_fd(fd);
                // Only kprobes made through tracefs' kprobe_events leave an entry to remove;
                // the perf-PMU kind is gone with its fd, and then this reports nothing to undo.
                NativeStderr.capture(() -> bcc.bpf_detach_kprobe(kprobeEvent));
            }
        }
    }
}
