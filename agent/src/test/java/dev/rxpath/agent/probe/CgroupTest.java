package dev.rxpath.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A --cgroup id to its directory, and the v2 mount from mountinfo. */
class CgroupTest {
    @TempDir
    Path mount;

    @Test
    void theV2MountIsTheCgroup2LineOfMountinfoUnescaped() {
        List<String> lines = List.of(
                "35 24 0:30 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755",
                "36 35 0:31 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate",
                "37 35 0:32 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup rw,xattr,name=systemd");
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/unified")), Cgroup.v2Mount(lines));
        assertEquals(Optional.of(Path.of("/mnt/a b")), Cgroup.v2Mount(List.of("40 1 0:40 / /mnt/a\\040b rw - cgroup2 none rw")));
        assertEquals(Optional.empty(), Cgroup.v2Mount(lines.subList(2, 3)));
    }

    @Test
    void anIdIsTheDirectoryWhoseInodeItIs() throws Exception {
        Path pod = Files.createDirectories(mount.resolve("kubepods.slice/pod1"));
        long id = ((Number) Files.getAttribute(pod, "unix:ino")).longValue();
        assertEquals(new Cgroup("/kubepods.slice/pod1", pod), Cgroup.withId(id, mount));
    }

    @Test
    void anIdNoCgroupHasIsRefusedSayingWhere() {
        assertEquals("1 is no cgroup's id under " + mount,
                assertThrows(IllegalArgumentException.class, () -> Cgroup.withId(1, mount)).getMessage());
    }
}
