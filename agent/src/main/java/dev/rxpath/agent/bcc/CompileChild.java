package dev.rxpath.agent.bcc;

import com.sun.jna.Pointer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Compiles BPF C text with libbcc in a short-lived child JVM. libbcc links clang and LLVM
 * (100+ MiB mapped for as long as the process lives), and the agent runs on every node:
 * so the child compiles, describes the result (license, kernel version, each function's
 * instructions, each table's attributes and the fd it had) and exits, and the agent
 * builds the tables and loads the programs itself ({@link BpfModule}).
 * <p>
 * The parent writes the C text and cflags to the child's stdin; the child writes its
 * answer to the file named by its argument (not stdout, where native code may print).
 * Its stdout and stderr go to a log: that is where clang's diagnostics land, and LLVM's
 * last words when it ends the process (report_fatal_error, e.g. a stack over 512 bytes).
 */
public final class CompileChild {
    /** Generous: under QEMU without KVM, clang takes minutes. A hung compile must not hang the agent for good. */
    private static final long TIMEOUT_SECONDS = 600;

    record Table(String name, int type, int keySize, int valueSize, int maxEntries, int flags, int childFd) {}

    record Compiled(String license, int kernVersion, Map<String, byte[]> functions, List<Table> tables) {}

    private CompileChild() {}

    /** The parent's side: runs the child and reads its answer, or throws what it reported or why it failed. */
    static Compiled compile(String text, List<String> cflags, KernelHeaders headers) {
        Path answer = null, log = null;
        try {
            answer = Files.createTempFile("rxpath-compile-", ".out");
            log = Files.createTempFile("rxpath-compile-", ".log");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
            // where the agent was told to find libraries and write temporary files
            for (String k : List.of("jna.library.path", "jna.boot.library.path", "jna.tmpdir", "java.io.tmpdir")) {
                if (System.getProperty(k) != null) command.add("-D" + k + "=" + System.getProperty(k));
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), CompileChild.class.getName(), answer.toString()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            if (!headers.bccDefault()) builder.environment().put("BCC_KERNEL_SOURCE", headers.dir().toString());
            Process child = builder.start();
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(child.getOutputStream()))) {
                writeString(out, text);
                out.writeInt(cflags.size());
                for (String f : cflags) writeString(out, f);
            } catch (IOException e) {
                // it died before reading everything: its log says why
            }
            if (!child.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor();
                throw failed("the compiler process did not finish in " + TIMEOUT_SECONDS + " s", log);
            }
            if (child.exitValue() != 0 || Files.size(answer) == 0) {
                throw failed("the compiler process exited with status " + child.exitValue() + " without an answer", log);
            }
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(answer)))) {
                return read(in, Files.readString(log, StandardCharsets.UTF_8), headers);
            }
        } catch (IOException e) {
            throw new BccException(BccException.Kind.COMPILER_FAILED, "cannot run the compiler process: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BccException(BccException.Kind.COMPILER_FAILED, "interrupted while the compiler process ran", e);
        } finally {
            for (Path p : new Path[] {answer, log}) {
                if (p != null) p.toFile().delete();
            }
        }
    }

    private static BccException failed(String what, Path log) throws IOException {
        return new BccException(BccException.Kind.COMPILER_FAILED, what, Files.readString(log, StandardCharsets.UTF_8));
    }

    /** The child's answer; a failure quotes what the child printed (clang's diagnostics) after its own detail. */
    private static Compiled read(DataInputStream in, String printed, KernelHeaders headers) throws IOException {
        if (in.readBoolean()) {
            BccException.Kind kind = BccException.Kind.valueOf(in.readUTF());
            String summary = readString(in), detail = readString(in) + printed;
            if (kind == BccException.Kind.COMPILE_ERROR && detail.contains("Unable to find kernel headers")) {
                throw new BccException(BccException.Kind.HEADERS_MISSING, "bcc found no kernel headers in " + headers.origin(), detail);
            }
            throw new BccException(kind, summary, detail);
        }
        String license = readString(in);
        int kernVersion = in.readInt();
        Map<String, byte[]> functions = new LinkedHashMap<>();
        for (int i = in.readInt(); i > 0; i--) functions.put(readString(in), readBytes(in));
        List<Table> tables = new ArrayList<>();
        for (int i = in.readInt(); i > 0; i--) {
            tables.add(new Table(readString(in), in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readInt()));
        }
        return new Compiled(license, kernVersion, functions, tables);
    }

    /** The child's side: args[0] is the answer file; the C text and cflags come on stdin. */
    public static void main(String[] args) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in));
        String text = readString(in);
        List<String> cflags = new ArrayList<>();
        for (int i = in.readInt(); i > 0; i--) cflags.add(readString(in));
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(answer);
        try {
            LibBcc bcc = LibBcc.load();
            describe(bcc, compileHere(bcc, text, cflags), out);
        } catch (BccException e) {
            answer.reset();
            out.writeBoolean(true);
            out.writeUTF(e.kind().name());
            writeString(out, e.summary());
            writeString(out, e.getCause() == null ? e.detail() : e.getCause() + "\n");
        }
        System.err.flush();
        out.flush();
        Files.write(Path.of(args[0]), answer.toByteArray());
        // No bpf_module_destroy: exiting frees the module and its tables at once.
        System.exit(0);
    }

    /** Compiles C text with clang through libbcc, which also creates the tables (here, in the child). */
    private static Pointer compileHere(LibBcc bcc, String text, List<String> cflags) {
        String[] flags = cflags.toArray(String[]::new);
        Pointer module = bcc.bpf_module_create_c_from_string(text, 0, flags, flags.length, true, null);
        if (module == null) throw new BccException(BccException.Kind.COMPILE_ERROR, "BPF program did not compile");
        return module;
    }

    private static void describe(LibBcc bcc, Pointer module, DataOutputStream out) throws IOException {
        out.writeBoolean(false);
        writeString(out, bcc.bpf_module_license(module));
        out.writeInt(bcc.bpf_module_kern_version(module));
        long functions = bcc.bpf_num_functions(module);
        out.writeInt((int) functions);
        for (long i = 0; i < functions; i++) {
            writeString(out, bcc.bpf_function_name(module, i));
            writeBytes(out, bcc.bpf_function_start_id(module, i).getByteArray(0, (int) bcc.bpf_function_size_id(module, i)));
        }
        long tables = bcc.bpf_num_tables(module);
        out.writeInt((int) tables);
        for (long i = 0; i < tables; i++) {
            writeString(out, bcc.bpf_table_name(module, i));
            out.writeInt(bcc.bpf_table_type_id(module, i));
            out.writeInt((int) bcc.bpf_table_key_size_id(module, i));
            out.writeInt((int) bcc.bpf_table_leaf_size_id(module, i));
            out.writeInt((int) bcc.bpf_table_max_entries_id(module, i));
            out.writeInt(bcc.bpf_table_flags_id(module, i));
            out.writeInt(bcc.bpf_table_fd_id(module, i));
        }
    }

    // Length-prefixed, since writeUTF stops at 64 KiB and both C text and compiler output can be longer.
    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        return in.readNBytes(in.readInt());
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        writeBytes(out, (s == null ? "" : s).getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(DataInputStream in) throws IOException {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }
}
