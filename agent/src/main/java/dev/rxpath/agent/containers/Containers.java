package dev.rxpath.agent.containers;

import dev.rxpath.api.flags.CgroupV2;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;

/**
 * The container a task ran in, by its cgroup id, and its pod where the node's pods are
 * watched; nothing on a machine without a cgroup v2 hierarchy.
 */
public final class Containers implements AutoCloseable {
    public static final Containers NONE = new Containers(null, null);

    private final CgroupPaths paths;
    private final Pods pods;

    private Containers(CgroupPaths paths, Pods pods) {
        this.paths = paths;
        this.pods = pods;
    }

    /** Under the host's cgroup v2 mount, as /proc/self/mountinfo shows it; {@code pods} may be null (not in Kubernetes). */
    public static Containers ofHost(Pods pods) {
        return CgroupV2.mount().map(m -> new Containers(new CgroupPaths(m), pods)).orElse(NONE);
    }

    /** Under {@code mount}: in a container, the host's hierarchy mounted there. */
    public static Containers under(Path mount, Pods pods) {
        return new Containers(new CgroupPaths(mount), pods);
    }

    public Optional<Container> of(long cgroupId) {
        if (paths == null || cgroupId == 0) return Optional.empty();
        return paths.container(cgroupId);
    }

    /** Whether the cgroup is one of {@code roots} or a descendant of one (without a hierarchy: one of them). */
    public boolean within(long cgroupId, Collection<Long> roots) {
        return paths == null ? roots.contains(cgroupId) : paths.within(cgroupId, roots);
    }

    /** The pod container of a container, when the node's pods are watched. */
    public Optional<Pods.PodContainer> pod(Container c) {
        return pods == null ? Optional.empty() : pods.of(c.id());
    }

    @Override
    public void close() {
        if (pods != null) pods.close();
    }
}
