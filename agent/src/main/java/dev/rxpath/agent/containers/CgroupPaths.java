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
 * cgroup v2 ids, as bpf_get_current_cgroup_id() gives them, to the containers the cgroups'
 * paths name (or none): a v2 cgroup's id is its directory's inode number, so the hierarchy
 * is walked, each path read once per walk, and walked again when an id is not found, at most
 * once a second (a container's cgroup is made before its first task runs, so a task's id is
 * there by the next walk).
 */
final class CgroupPaths {
    private static final long WALK_INTERVAL_NS = 1_000_000_000L;

    private final Path mount;
    private Map<Long, Optional<Container>> byId = Map.of();
    private long walkedNs = Long.MIN_VALUE / 2;

    CgroupPaths(Path mount) {
        this.mount = mount;
    }

    /** The container the cgroup's path names; empty if it names none, or no walk has found the cgroup. */
    synchronized Optional<Container> container(long id) {
        Optional<Container> c = byId.get(id);
        if (c == null && System.nanoTime() - walkedNs >= WALK_INTERVAL_NS) {
            walk();
            c = byId.get(id);
        }
        return c == null ? Optional.empty() : c;
    }

    private void walk() {
        walkedNs = System.nanoTime();
        Map<Long, Optional<Container>> found = new HashMap<>();
        try {
            Files.walkFileTree(mount, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Object ino = Files.getAttribute(dir, "unix:ino");
                    found.put(((Number) ino).longValue(), Container.of("/" + mount.relativize(dir)));
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
