package dev.rxpath.agent.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A cgroup v2 subtree a filter watches: {@code name} as /proc/PID/cgroup prints it
 * ("/system.slice/nginx.service"), {@code dir} its directory under the v2 mount. The
 * programs test a task against it with bpf_current_task_under_cgroup, descendants included.
 */
public record Cgroup(String name, Path dir) {
    /**
     * {@code given} as /proc/PID/cgroup names it, or as a directory under the v2 mount.
     *
     * @throws IllegalArgumentException saying why it names no cgroup here
     */
    public static Cgroup resolve(String given, Path v2Mount) {
        Path asGiven = Path.of(given).normalize();
        Path dir = asGiven.startsWith(v2Mount) ? asGiven : v2Mount.resolve(stripRoot(given)).normalize();
        if (!dir.startsWith(v2Mount)) throw new IllegalArgumentException("\"" + given + "\" leaves the cgroup v2 hierarchy at " + v2Mount);
        if (!Files.isRegularFile(dir.resolve("cgroup.procs"))) {
            throw new IllegalArgumentException("\"" + given + "\" names no cgroup: " + dir + " is not a cgroup v2 directory");
        }
        return new Cgroup("/" + v2Mount.relativize(dir), dir);
    }

    private static String stripRoot(String given) {
        int i = 0;
        while (i < given.length() && given.charAt(i) == '/') i++;
        return given.substring(i);
    }

    /** Where the cgroup v2 hierarchy is mounted, from /proc/self/mountinfo; empty on a v1-only machine. */
    public static Optional<Path> v2Mount() {
        try {
            return v2Mount(Files.readAllLines(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "36 25 0:30 / /sys/fs/cgroup/unified rw,nosuid shared:9 - cgroup2 cgroup2 rw": the mount point is the fifth field, octal-escaped. */
    static Optional<Path> v2Mount(List<String> mountinfo) {
        for (String line : mountinfo) {
            int dash = line.indexOf(" - ");
            if (dash < 0 || !line.startsWith("cgroup2 ", dash + 3)) continue;
            String[] f = line.substring(0, dash).split(" ");
            if (f.length > 4) return Optional.of(Path.of(unescape(f[4])));
        }
        return Optional.empty();
    }

    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
