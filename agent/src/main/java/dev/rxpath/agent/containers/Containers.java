package dev.rxpath.agent.containers;

import dev.rxpath.agent.probe.Cgroup;
import java.nio.file.Path;
import java.util.Optional;

/** The container a task ran in, by its cgroup id; nothing on a machine without a cgroup v2 hierarchy. */
public final class Containers {
    public static final Containers NONE = new Containers(null);

    private final CgroupPaths paths;

    private Containers(CgroupPaths paths) {
        this.paths = paths;
    }

    /** Under the host's cgroup v2 mount, as /proc/self/mountinfo shows it. */
    public static Containers ofHost() {
        return Cgroup.v2Mount().map(Containers::under).orElse(NONE);
    }

    static Containers under(Path mount) {
        return new Containers(new CgroupPaths(mount));
    }

    public Optional<Container> of(long cgroupId) {
        if (paths == null || cgroupId == 0) return Optional.empty();
        return paths.path(cgroupId).flatMap(Container::of);
    }
}
