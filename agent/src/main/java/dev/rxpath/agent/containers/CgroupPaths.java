package dev.rxpath.agent.containers;

import dev.rxpath.api.flags.CgroupV2;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * cgroup v2 ids, as bpf_get_current_cgroup_id() gives them, to the containers the cgroups'
 * paths name (or none): a v2 cgroup's id is its directory's inode number, so the hierarchy
 * is walked, each path read once per walk, and walked again when an id is not found, at most
 * once a second (a container's cgroup is made before its first task runs, so a task's id is
 * there by the next walk). Each cgroup's parent is kept too, so that a filter on a cgroup can
 * take in its subtree, as the kernel's --cgroup watch does.
 */
final class CgroupPaths {
    private static final long WALK_INTERVAL_NS = 1_000_000_000L;

    private final Path mount;
    /** A cgroup found by the last walk: its parent's id (0 for the hierarchy's root), and its container. */
    private record Known(long parent, Optional<Container> container) {}

    private Map<Long, Known> byId = Map.of();
    private long walkedNs = Long.MIN_VALUE / 2;

    CgroupPaths(Path mount) {
        this.mount = mount;
    }

    /** The container the cgroup's path names; empty if it names none, or no walk has found the cgroup. */
    synchronized Optional<Container> container(long id) {
        Known k = known(id);
        return k == null ? Optional.empty() : k.container();
    }

    /** Whether the cgroup is one of {@code roots} or lies under one; a cgroup no walk has found is only itself. */
    synchronized boolean within(long id, Collection<Long> roots) {
        for (long at = id; at != 0; ) {
            if (roots.contains(at)) return true;
            Known k = at == id ? known(at) : byId.get(at);
            if (k == null) return false;
            at = k.parent();
        }
        return false;
    }

    private Known known(long id) {
        Known k = byId.get(id);
        if (k == null && System.nanoTime() - walkedNs >= WALK_INTERVAL_NS) {
            walk();
            k = byId.get(id);
        }
        return k;
    }

    private void walk() {
        walkedNs = System.nanoTime();
        Map<Long, Known> found = new HashMap<>();
        Map<Path, Long> ids = new HashMap<>();
        try {
            Files.walkFileTree(mount, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    long id = CgroupV2.id(dir);
                    ids.put(dir, id);
                    found.put(id, new Known(dir.equals(mount) ? 0 : ids.getOrDefault(dir.getParent(), 0L), Container.of("/" + mount.relativize(dir))));
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
