package dev.rxpath.agent.bcc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * The running kernel's headers, which bcc compiles against on the node, found in the order
 * a node offers them: the host's {@code /lib/modules/RELEASE/build} (a DaemonSet mounts it
 * with {@code /usr/src}, where its links point), else the kernel's own copy,
 * {@code /sys/kernel/kheaders.tar.xz} (CONFIG_IKHEADERS), unpacked once into a cache; else
 * an error that names what to install on the node.
 *
 * @param dir    the headers' directory
 * @param origin where they came from, for the agent to say
 */
public record KernelHeaders(Path dir, String origin) {
    static final Path MODULES = Path.of("/lib/modules");
    static final Path KHEADERS = Path.of("/sys/kernel/kheaders.tar.xz");
    /** The file that tells a complete unpacking from one a crash cut short. */
    private static final String UNPACKED = ".rxpath-unpacked";

    /** For the running kernel, unpacking its own headers under {@code java.io.tmpdir} when it must. */
    public static KernelHeaders find() {
        return find(System.getProperty("os.version"), MODULES, KHEADERS, Path.of(System.getProperty("java.io.tmpdir")));
    }

    static KernelHeaders find(String release, Path modules, Path kheaders, Path cache) {
        Path build = modules.resolve(release).resolve("build");
        if (Files.isDirectory(build.resolve("include"))) return new KernelHeaders(build, "the host's, " + build);
        if (Files.isRegularFile(kheaders)) {
            Path dir = cache.resolve("rxpath-kheaders-" + release);
            if (!Files.exists(dir.resolve(UNPACKED))) unpack(kheaders, dir);
            return new KernelHeaders(dir, "the kernel's own (CONFIG_IKHEADERS, " + kheaders + "), unpacked into " + dir);
        }
        throw new BccException(BccException.Kind.HEADERS_MISSING, missing(release, build, kheaders));
    }

    /** What a node without headers needs: bcc compiles against them. */
    static String missing(String release, Path build, Path kheaders) {
        return "no kernel headers for " + release + ": neither " + build + " (install linux-headers-" + release
                + " on the node: Debian and Ubuntu `apt install linux-headers-" + release + "`, Fedora and RHEL `dnf install kernel-devel-"
                + release + "`; in a container, mount the host's /lib/modules and /usr/src) nor " + kheaders
                + " (a kernel built with CONFIG_IKHEADERS: `modprobe kheaders`)";
    }

    /** Whether bcc finds these itself (its default place), or must be told ({@code BCC_KERNEL_SOURCE}). */
    boolean bccDefault() {
        return dir.startsWith(MODULES);
    }

    /** Unpacks the archive next to {@code dir}, then moves it into place: a cut-short unpacking is never taken for headers. */
    private static void unpack(Path archive, Path dir) {
        try {
            Path parent = dir.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path partial = Files.createTempDirectory(parent, dir.getFileName() + ".partial-");
            Process tar = new ProcessBuilder("tar", "-xJf", archive.toString(), "-C", partial.toString()).redirectErrorStream(true).start();
            String said = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!tar.waitFor(300, TimeUnit.SECONDS) || tar.exitValue() != 0) {
                tar.destroyForcibly();
                throw new BccException(BccException.Kind.HEADERS_MISSING, "cannot unpack " + archive + " into " + partial + " (tar -xJf)", said);
            }
            Files.writeString(partial.resolve(UNPACKED), archive + "\n");
            if (Files.exists(dir)) deleteTree(dir); // an earlier unpacking cut short
            Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new BccException(BccException.Kind.HEADERS_MISSING, "cannot unpack " + archive + " into " + dir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BccException(BccException.Kind.HEADERS_MISSING, "interrupted while unpacking " + archive, e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
