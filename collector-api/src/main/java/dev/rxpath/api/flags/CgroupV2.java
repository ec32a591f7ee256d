package dev.rxpath.api.flags;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * This machine's cgroup v2 hierarchy, as the CLI's --cgroup and the agent both read it: where it
 * is mounted, and a cgroup's id.
 */
public final class CgroupV2 {
    /** Why a cgroup cannot be named here when {@link #mount()} is empty. */
    public static final String NOT_MOUNTED = "this machine has no cgroup v2 hierarchy mounted (/proc/self/mountinfo lists no cgroup2)";

    private CgroupV2() {}

    /** Where the hierarchy is mounted, from /proc/self/mountinfo; empty on a v1-only machine. */
    public static Optional<Path> mount() {
        try {
            return mount(Files.readAllLines(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "36 25 0:30 / /sys/fs/cgroup/unified rw,nosuid shared:9 - cgroup2 cgroup2 rw": the mount point is the fifth field, octal-escaped. */
    static Optional<Path> mount(List<String> mountinfo) {
        for (String line : mountinfo) {
            int dash = line.indexOf(" - ");
            if (dash < 0 || !line.startsWith("cgroup2 ", dash + 3)) continue;
            String[] f = line.substring(0, dash).split(" ");
            if (f.length > 4) return Optional.of(Path.of(unescape(f[4])));
        }
        return Optional.empty();
    }

    /** A cgroup's id, as bpf_get_current_cgroup_id() gives it: its directory's inode number. */
    public static long id(Path dir) throws IOException {
        return ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
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
