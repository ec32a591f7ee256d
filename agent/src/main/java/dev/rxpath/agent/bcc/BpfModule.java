package dev.rxpath.agent.bcc;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.rxpath.agent.sys.Libc;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One C source compiled by bcc: its functions, the programs loaded from them, their
 * attachments and its tables. Closing it detaches and unloads everything it made.
 * A small façade in the spirit of bcc's Python {@code BPF} class.
 * <p>
 * clang runs in a child process ({@link CompileChild}) so that LLVM never maps into the
 * agent; here the tables are created again with the attributes the child reported, the
 * instructions are pointed at them, and programs load through libbcc_bpf as libbcc would.
 */
public final class BpfModule implements AutoCloseable {
    private static final int VERIFIER_LOG_SIZE = 4 << 20;
    private static final int BPF_LD_IMM64 = 0x18, BPF_PSEUDO_MAP_FD = 1, INSN_SIZE = 8;
    private static LibBccBpf lib;

    private final String license;
    private final int kernVersion;
    /** Each function's instructions, with this process's table fds. */
    private final Map<String, byte[]> functions;
    private final Map<String, Integer> tables;
    private final KernelHeaders headers;
    private final List<BpfProgram> programs = new ArrayList<>();
    private final List<Attachment> attachments = new ArrayList<>();
    private boolean closed;

    private BpfModule(String license, int kernVersion, Map<String, byte[]> functions, Map<String, Integer> tables, KernelHeaders headers) {
        this.headers = headers;
        this.license = license;
        this.kernVersion = kernVersion;
        this.functions = functions;
        this.tables = tables;
    }

    /** The kernel headers it was compiled against. */
    public KernelHeaders headers() {
        return headers;
    }

    static synchronized LibBccBpf lib() {
        if (lib == null) lib = LibBccBpf.load();
        return lib;
    }

    /**
     * Compiles C text with clang through libbcc, in a child process, against the running
     * kernel's headers ({@link KernelHeaders}). Errors quote the compiler; missing kernel
     * headers are told apart because their remedy is different.
     */
    public static BpfModule compile(String text, List<String> cflags) {
        KernelHeaders headers = KernelHeaders.find();
        CompileChild.Compiled compiled = CompileChild.compile(text, cflags, headers);
        Map<String, Integer> tables = new LinkedHashMap<>();
        Map<Integer, Integer> fds = new HashMap<>();
        try {
            for (CompileChild.Table t : compiled.tables()) {
                // The child's tables went with it: make each again, as bcc made it (map-in-map inner templates excepted).
                int fd = lib().bcc_create_map(t.type(), t.name(), t.keySize(), t.valueSize(), t.maxEntries(), t.flags());
                if (fd < 0) {
                    throw new BccException(BccException.Kind.LOAD_REJECTED, "the kernel refused table " + t.name() + " (map type "
                            + t.type() + ", flags 0x" + Integer.toHexString(t.flags()) + "): " + Libc.lastError());
                }
                tables.put(t.name(), fd);
                fds.put(t.childFd(), fd);
            }
            Map<String, byte[]> functions = new LinkedHashMap<>();
            compiled.functions().forEach((name, insns) -> functions.put(name, withTableFds(name, insns, fds)));
            return new BpfModule(compiled.license(), compiled.kernVersion(), functions, tables, headers);
        } catch (RuntimeException e) {
            tables.values().forEach(Libc::close);
            throw e;
        }
    }

    /**
     * What bcc's load_maps does to the instructions once it has the tables' fds: every table
     * reference is an ld_imm64 (two instruction slots) with src_reg BPF_PSEUDO_MAP_FD and the fd
     * in imm. A reference to an fd the child did not describe would name some other file here.
     */
    private static byte[] withTableFds(String function, byte[] insns, Map<Integer, Integer> fds) {
        byte[] out = insns.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 2 * INSN_SIZE <= out.length; i += INSN_SIZE) {
            if ((out[i] & 0xff) != BPF_LD_IMM64) continue;
            if (((out[i + 1] >> 4) & 0xf) == BPF_PSEUDO_MAP_FD) {
                Integer fd = fds.get(b.getInt(i + 4));
                if (fd == null) {
                    throw new BccException(BccException.Kind.TABLE_MISSING, function + " refers to table fd " + b.getInt(i + 4)
                            + ", which is none of the tables the compiler reported");
                }
                b.putInt(i + 4, fd);
            }
            i += INSN_SIZE;
        }
        return out;
    }

    public List<String> functionNames() {
        checkOpen();
        return List.copyOf(functions.keySet());
    }

    /** Loads a function with the program type its name implies; a rejection quotes the verifier. */
    public BpfProgram load(String function) {
        checkOpen();
        LibBccBpf bpf = lib();
        ProgramType type = ProgramType.of(function);
        byte[] code = functions.get(function);
        if (code == null) {
            throw new BccException(BccException.Kind.LOAD_REJECTED, "no function " + function + " in the compiled module");
        }
        Memory insns = new Memory(code.length);
        insns.write(0, code, 0, code.length);
        int[] errno = new int[1];
        NativeStderr.Result<Integer> r = NativeStderr.capture(() -> {
            int fd = bpf.bcc_prog_load(type.kernelValue, function, insns, code.length, license, kernVersion, 0, null, 0);
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
                + Libc.describe(err) + "); verifier log", verifierLog(function, type, insns, code.length, r.text()));
    }

    /** libbcc prints the verifier log itself on most failures; ask the kernel for it when it did not. */
    private String verifierLog(String function, ProgramType type, Memory insns, int size, String printed) {
        if (printed.contains("processed") || printed.contains("R0") || printed.contains("R1")) return printed;
        Memory log = new Memory(VERIFIER_LOG_SIZE);
        log.setByte(0, (byte) 0);
        int fd = lib().bcc_prog_load(type.kernelValue, function, insns, size, license, kernVersion, 1, log, VERIFIER_LOG_SIZE);
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
        Integer fd = tables.get(table);
        if (fd == null) throw new BccException(BccException.Kind.TABLE_MISSING, "no table named " + table + " in the module");
        return fd;
    }

    public void updateElement(int tableFd, Pointer key, Pointer value) {
        if (lib().bpf_update_elem(tableFd, key, value, 0) != 0) {
            throw new BccException(BccException.Kind.TABLE_ACCESS, "bpf_update_elem on fd " + tableFd + ": " + Libc.lastError());
        }
    }

    /** Puts the cgroup v2 directory {@code dir} at {@code index} of a cgroup array: the table keeps the cgroup, not the fd. */
    public void putCgroup(String table, int index, Path dir) {
        int fd = Libc.open(dir.toString(), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw new BccException(BccException.Kind.TABLE_ACCESS, "cannot open cgroup " + dir + ": " + Libc.lastError());
        try {
            Memory key = new Memory(4), value = new Memory(4);
            key.setInt(0, index);
            value.setInt(0, fd);
            updateElement(tableFd(table), key, value);
        } finally {
            Libc.close(fd);
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
        LibBccBpf bcc = lib();
        int rc = bcc.bpf_lookup_and_delete(tableFd, key, value); // libbpf: -errno
        if (rc == 0) return true;
        // hash maps answer it since 5.14; before, the kernel refuses it (5.10: ENOTSUPP) and we read
        // then delete (an update in between is lost)
        if (-rc != Libc.EINVAL && -rc != Libc.ENOTSUPP) return false;
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
            throw new BccException(BccException.Kind.TABLE_ACCESS, "BPF_MAP_LOOKUP_BATCH on fd " + tableFd + ": " + Libc.describe(-rc));
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

    /** Detaches every attachment, closes every program and table; safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        detach();
        for (BpfProgram p : programs) Libc.close(p.fd());
        for (int fd : tables.values()) Libc.close(fd);
    }
}
