package dev.rxpath.agent.containers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * cgroup v2 ids, as bpf_get_current_cgroup_id() gives them, to the cgroups' paths: a v2
 * cgroup's id is its directory's inode number, so the hierarchy is walked once and again
 * when an id is not found, at most once a second (a container's cgroup is made before its
 * first task runs, so a task's id is there by the next walk).
 */
final class CgroupPaths {
    private static final long WALK_INTERVAL_NS = 1_000_000_000L;

    private final Path mount;
    private Map<Long, String> byId = Map.of();
    private long walkedNs = Long.MIN_VALUE / 2;

    CgroupPaths(Path mount) {
        this.mount = mount;
    }

    /** The cgroup's path under the mount ("/kubepods.slice/…"), or empty if no walk has found it. */
    synchronized Optional<String> path(long id) {
        String p = byId.get(id);
        if (p == null && System.nanoTime() - walkedNs >= WALK_INTERVAL_NS) {
            walk();
            p = byId.get(id);
        }
        return Optional.ofNullable(p);
    }

    private void walk() {
        walkedNs = System.nanoTime();
        Map<Long, String> found = new HashMap<>();
        try {
            Files.walkFileTree(mount, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Object ino = Files.getAttribute(dir, "unix:ino");
                    found.put(((Number) ino).longValue(), "/" + mount.relativize(dir));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // a cgroup removed while we walked
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot walk the cgroup hierarchy at " + mount, e);
        }
        byId = found;
    }
}
