package dev.rxpath.agent.bcc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The BPF C sources: from a directory during development ({@code --bpf-dir bpf}), else
 * from the {@code bpf/} resources in the agent jar, unpacked once so that clang can
 * resolve {@code #include "rxpath.h"} and name real files in its diagnostics.
 */
public final class BpfSource {
    private static final List<String> PACKAGED = List.of("rxpath.h", "receive.c");

    private final Path dir;

    private BpfSource(Path dir) {
        this.dir = dir;
    }

    public static BpfSource fromDirectory(Path dir) {
        if (!Files.isRegularFile(dir.resolve("rxpath.h"))) {
            throw new IllegalArgumentException(dir + " is not a BPF source directory: it has no rxpath.h");
        }
        return new BpfSource(dir.toAbsolutePath());
    }

    /** The sources packaged in the jar, plus any of {@code extra} on the classpath (tests add their own). */
    public static BpfSource packaged(String... extra) {
        try {
            Path dir = Files.createTempDirectory("rxpath-bpf-");
            dir.toFile().deleteOnExit();
            for (String name : PACKAGED) copy(name, dir);
            for (String name : extra) copy(name, dir);
            return new BpfSource(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the BPF sources", e);
        }
    }

    private static void copy(String name, Path dir) throws IOException {
        try (InputStream in = BpfSource.class.getResourceAsStream("/bpf/" + name)) {
            if (in == null) throw new IOException("bpf/" + name + " is not on the classpath");
            Path target = dir.resolve(name);
            Files.copy(in, target);
            target.toFile().deleteOnExit();
        }
    }

    public Path directory() {
        return dir;
    }

    /** Compiles one of the sources with {@code defines}; its includes resolve in this directory. */
    public BpfModule compile(String file, List<String> defines) {
        String text;
        try {
            text = Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read BPF source " + dir.resolve(file), e);
        }
        List<String> flags = new java.util.ArrayList<>(defines);
        flags.add("-I" + dir);
        return BpfModule.compile(text, flags);
    }
}
