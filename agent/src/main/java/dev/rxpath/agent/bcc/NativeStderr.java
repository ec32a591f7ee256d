package dev.rxpath.agent.bcc;

import dev.rxpath.agent.sys.Libc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntSupplier;

/**
 * Captures what native code writes to file descriptor 2 while one call runs. libbcc_bpf
 * reports the verifier log and its attach failures only there, and an error that does
 * not quote them leaves the user guessing. The redirection is process-wide, so it is only
 * used at set-up (load, attach), before the agent prints anything. (The compiler's
 * diagnostics come from its own process: {@link CompileChild}.)
 */
final class NativeStderr {
    record Result<T>(T value, String text) {}

    private NativeStderr() {}

    static synchronized Result<Integer> capture(IntSupplier call) {
        Path file;
        try {
            file = Files.createTempFile("rxpath-bcc-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int fd = Libc.open(file.toString(), Libc.O_WRONLY | Libc.O_TRUNC | Libc.O_CLOEXEC, 0600);
        if (fd < 0) {
            return new Result<>(call.getAsInt(), "");
        }
        Libc.fflush(null);
        int saved = Libc.dup(2);
        Libc.dup2(fd, 2);
        Libc.close(fd);
        int value;
        try {
            value = call.getAsInt();
        } finally {
            Libc.fflush(null);
            Libc.dup2(saved, 2);
            Libc.close(saved);
        }
        try {
            return new Result<>(value, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            file.toFile().delete();
        }
    }
}
