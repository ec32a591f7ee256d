package dev.rxpath.agent.probe;

import dev.rxpath.api.flags.CgroupV2;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private static long idOrNone(Path dir) {
        try {
            return CgroupV2.id(dir);
        } catch (IOException removedWhileWalked) {
            return -1;
        }
    }
}
