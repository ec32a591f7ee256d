package dev.rxpath.agent.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A cgroup v2 subtree a filter watches: {@code name} as /proc/PID/cgroup prints it
 * ("/system.slice/nginx.service"), {@code dir} its directory under the v2 mount. The
 * programs test a task against it with bpf_current_task_under_cgroup, descendants included.
 */
public record Cgroup(String name, Path dir) {
    /**
     * The cgroup whose id ({@code bpf_get_current_cgroup_id()}'s, its directory's inode number) is
     * {@code id}, found by walking the hierarchy.
     *
     * @throws IllegalArgumentException when no cgroup under the mount has that id
     */
    public static Cgroup withId(long id, Path v2Mount) {
        try (Stream<Path> dirs = Files.walk(v2Mount)) {
            Path dir = dirs.filter(d -> Files.isDirectory(d) && idOrNone(d) == id).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(id + " is no cgroup's id under " + v2Mount));
            return new Cgroup("/" + v2Mount.relativize(dir), dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot walk the cgroup hierarchy at " + v2Mount, e);
        }
    }

    /** A v2 cgroup's id, as bpf_get_current_cgroup_id() gives it: its directory's inode number. */
    public static long id(Path dir) throws IOException {
        return ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
    }

    private static long idOrNone(Path dir) {
        try {
            return id(dir);
        } catch (IOException removedWhileWalked) {
            return -1;
        }
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
