package dev.rxpath.agent.bcc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code kernel.bpf_stats_enabled} turned on for as long as this is open, then put back as
 * it was. Off is the kernel's default because the accounting itself costs every program
 * run two clock reads, so it stays on only while a measurement needs it.
 */
public final class BpfStatsEnabled implements AutoCloseable {
    private static final Path SYSCTL = Path.of("/proc/sys/kernel/bpf_stats_enabled");

    private final String previous;

    private BpfStatsEnabled(String previous) {
        this.previous = previous;
    }

    public static BpfStatsEnabled turnOn() {
        try {
            String previous = Files.readString(SYSCTL).strip();
            Files.writeString(SYSCTL, "1");
            return new BpfStatsEnabled(previous);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot turn on " + SYSCTL + " (it needs root)", e);
        }
    }

    @Override
    public void close() {
        try {
            Files.writeString(SYSCTL, previous);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore " + SYSCTL + " to " + previous, e);
        }
    }
}
