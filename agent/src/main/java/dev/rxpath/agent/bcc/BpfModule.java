package dev.rxpath.agent.bcc;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.rxpath.agent.sys.Libc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One C source compiled by bcc: its functions, the programs loaded from them, their
 * attachments and its tables. Closing it detaches and unloads everything it made.
 * A small façade in the spirit of bcc's Python {@code BPF} class.
 */
public final class BpfModule implements AutoCloseable {
    private static final int VERIFIER_LOG_SIZE = 4 << 20;
    private static LibBcc lib;

    private final Pointer module;
    private final List<BpfProgram> programs = new ArrayList<>();
    private final List<Attachment> attachments = new ArrayList<>();
    private boolean closed;

    private BpfModule(Pointer module) {
        this.module = module;
    }

    static synchronized LibBcc lib() {
        if (lib == null) lib = LibBcc.load();
        return lib;
    }

    /**
     * Compiles C text with clang through libbcc. Errors quote the compiler; missing kernel
     * headers are told apart because their remedy is different (bin/setup links them).
     */
    public static BpfModule compile(String text, List<String> cflags) {
        LibBcc bcc = lib();
        Pointer[] out = new Pointer[1];
        String[] flags = cflags.toArray(String[]::new);
        NativeStderr.Result<Integer> r = NativeStderr.capture(() -> {
            out[0] = bcc.bpf_module_create_c_from_string(text, 0, flags, flags.length, true, null);
            return out[0] == null ? -1 : 0;
        });
        if (out[0] == null) {
            String release = System.getProperty("os.version");
            if (r.text().contains("Unable to find kernel headers") || !Files.exists(Path.of("/lib/modules", release, "build"))) {
                throw new BccException(BccException.Kind.HEADERS_MISSING,
                        "bcc found no kernel headers for " + release + " at /lib/modules/" + release
                                + "/build: install linux-headers (bin/setup links the distribution's headers)",
                        r.text());
            }
            throw new BccException(BccException.Kind.COMPILE_ERROR, "BPF program did not compile", r.text());
        }
        return new BpfModule(out[0]);
    }

    public List<String> functionNames() {
        checkOpen();
        LibBcc bcc = lib();
        long n = bcc.bpf_num_functions(module);
        List<String> names = new ArrayList<>();
        for (long i = 0; i < n; i++) names.add(bcc.bpf_function_name(module, i));
        return names;
    }

    /** Loads a function with the program type its name implies; a rejection quotes the verifier. */
    public BpfProgram load(String function) {
        checkOpen();
        LibBcc bcc = lib();
        ProgramType type = ProgramType.of(function);
        Pointer start = bcc.bpf_function_start(module, function);
        if (start == null) {
            throw new BccException(BccException.Kind.LOAD_REJECTED, "no function " + function + " in the compiled module");
        }
        int size = (int) bcc.bpf_function_size(module, function);
        String license = bcc.bpf_module_license(module);
        int kernVersion = bcc.bpf_module_kern_version(module);
        int[] errno = new int[1];
        NativeStderr.Result<Integer> r = NativeStderr.capture(() -> {
            int fd = bcc.bcc_func_load(module, type.kernelValue, function, start, size, license, kernVersion,
                    0, null, 0, null, -1);
            errno[0] = com.sun.jna.Native.getLastError();
            return fd;
        });
        if (r.value() >= 0) {
            BpfProgram p = new BpfProgram(this, function, type, r.value());
            programs.add(p);
            return p;
        }
        int err = r.value() < -1 ? -r.value() : errno[0];
        // EPERM is a privilege or lockdown refusal; the verifier itself answers EACCES or EINVAL.
        if (err == Libc.EPERM) {
            throw new BccException(BccException.Kind.PERMISSION, "loading " + function + " was refused: "
                    + Libc.describe(err) + "; " + permissionHint(type), r.text());
        }
        throw new BccException(BccException.Kind.LOAD_REJECTED, "the kernel rejected " + function + " ("
                + Libc.describe(err) + "); verifier log", verifierLog(function, type, start, size, license, kernVersion, r.text()));
    }

    /** libbcc prints the verifier log itself on most failures; ask the kernel for it when it did not. */
    private String verifierLog(String function, ProgramType type, Pointer start, int size, String license,
                               int kernVersion, String printed) {
        if (printed.contains("processed") || printed.contains("R0") || printed.contains("R1")) return printed;
        Memory log = new Memory(VERIFIER_LOG_SIZE);
        log.setByte(0, (byte) 0);
        int fd = lib().bcc_func_load(module, type.kernelValue, function, start, size, license, kernVersion,
                1, log, VERIFIER_LOG_SIZE, null, -1);
        if (fd >= 0) Libc.close(fd);
        return printed + log.getString(0);
    }

    private static String permissionHint(ProgramType type) {
        String what = type.name().toLowerCase() + " programs";
        String lockdown;
        try {
            lockdown = "kernel lockdown is " + Files.readString(Path.of("/sys/kernel/security/lockdown")).strip();
        } catch (Exception e) {
            lockdown = "the lockdown mode is unknown (securityfs is not mounted at /sys/kernel/security)";
        }
        if (Libc.geteuid() != 0) return "it needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN); " + lockdown;
        return "the kernel refuses " + what + " even to root (lockdown or a security module); " + lockdown;
    }

    /** The programs loaded so far, attached or not, in load order; their fds close with the module. */
    public List<BpfProgram> programs() {
        return List.copyOf(programs);
    }

    /** The fd of a table (map) the C source declared. */
    public int tableFd(String table) {
        checkOpen();
        int fd = lib().bpf_table_fd(module, table);
        if (fd < 0) throw new BccException(BccException.Kind.TABLE_MISSING, "no table named " + table + " in the module");
        return fd;
    }

    public void updateElement(int tableFd, Pointer key, Pointer value) {
        if (lib().bpf_update_elem(tableFd, key, value, 0) != 0) {
            throw new BccException(BccException.Kind.TABLE_MISSING, "bpf_update_elem on fd " + tableFd + ": " + Libc.lastError());
        }
    }

    public boolean lookupElement(int tableFd, Pointer key, Pointer value) {
        return lib().bpf_lookup_elem(tableFd, key, value) == 0;
    }

    /** Inserts {@code value} only if {@code key} is absent (BPF_NOEXIST); false if it is there or the map is full. */
    public boolean insertElement(int tableFd, Pointer key, Pointer value) {
        return lib().bpf_update_elem(tableFd, key, value, 1) == 0;
    }

    /** Removes {@code key} and hands back its last value in one step, so no update in between is lost. */
    public boolean lookupAndDeleteElement(int tableFd, Pointer key, Pointer value) {
        LibBcc bcc = lib();
        int rc = bcc.bpf_lookup_and_delete(tableFd, key, value); // libbpf: -errno
        if (rc == 0) return true;
        if (-rc != Libc.EINVAL) return false;
        // hash maps answer it since 5.14; before, read then delete (an update in between is lost)
        return bcc.bpf_lookup_elem(tableFd, key, value) == 0 && bcc.bpf_delete_elem(tableFd, key) == 0;
    }

    /**
     * Reads up to {@code count} entries of a hash map after the position {@code inBatch}
     * holds (null: from the start) into {@code keys} and {@code values}, leaving the next
     * position in {@code outBatch}. Returns how many were read; -1 once the map has no more.
     */
    public int lookupBatch(int tableFd, Pointer inBatch, Pointer outBatch, Pointer keys, Pointer values, int count) {
        Memory n = new Memory(4);
        n.setInt(0, count);
        int rc = lib().bpf_lookup_batch(tableFd, inBatch, outBatch, keys, values, n); // libbpf: -errno
        if (rc != 0 && -rc != Libc.ENOENT) {
            throw new BccException(BccException.Kind.TABLE_MISSING, "BPF_MAP_LOOKUP_BATCH on fd " + tableFd + ": " + Libc.describe(-rc));
        }
        int read = n.getInt(0);
        return rc != 0 && read == 0 ? -1 : read;
    }

    void attached(Attachment a) {
        attachments.add(a);
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("module is closed");
    }

    /** Detaches every attachment, keeping programs and tables; safe to call again. */
    public synchronized void detach() {
        for (int i = attachments.size() - 1; i >= 0; i--) attachments.get(i).close();
    }

    /** Detaches every attachment, closes every program and frees the module; safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        detach();
        for (BpfProgram p : programs) Libc.close(p.fd());
        lib().bpf_module_destroy(module);
    }
}
