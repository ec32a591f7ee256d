package dev.rxpath.agent.containers;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A filter's cgroup takes in its subtree: a pod's cgroup holds its containers'. */
class CgroupSubtreeTest {
    @TempDir
    Path mount;

    @Test
    void aCgroupIsWithinItselfAndEveryCgroupAboveIt() throws Exception {
        Path pod = Files.createDirectories(mount.resolve("kubepods.slice/kubepods-pod1.slice"));
        Path container = Files.createDirectories(pod.resolve("cri-containerd-0123456789ab.scope"));
        Path other = Files.createDirectories(mount.resolve("system.slice/nginx.service"));
        Containers containers = Containers.under(mount, null);
        assertTrue(containers.within(id(container), List.of(id(pod))), "a container's cgroup is in its pod's");
        assertTrue(containers.within(id(container), List.of(id(mount.resolve("kubepods.slice")))), "and in the slice above");
        assertTrue(containers.within(id(container), List.of(id(container))), "and in itself");
        assertFalse(containers.within(id(pod), List.of(id(container))), "not the other way");
        assertFalse(containers.within(id(other), List.of(id(pod))), "nor a sibling's");
        assertFalse(containers.within(123_456_789L, List.of(id(pod))), "a cgroup no walk finds is only itself");
    }

    private static long id(Path dir) throws Exception {
        return ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
    }
}
