package dev.rxpath.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A --cgroup value to its directory, and the v2 mount from mountinfo. */
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
    void aNameAsProcPidCgroupPrintsItOrADirectoryUnderTheMount() throws Exception {
        Path pod = Files.createDirectories(mount.resolve("kubepods.slice/pod1"));
        Files.createFile(pod.resolve("cgroup.procs"));
        Cgroup byName = Cgroup.resolve("/kubepods.slice/pod1", mount);
        assertEquals(new Cgroup("/kubepods.slice/pod1", pod), byName);
        assertEquals(byName, Cgroup.resolve(pod.toString(), mount));
        assertEquals(byName, Cgroup.resolve("kubepods.slice/pod1/", mount));
    }

    @Test
    void whatIsNoCgroupIsRefusedSayingWhy() throws Exception {
        Files.createDirectories(mount.resolve("plain"));
        assertEquals("\"/plain\" names no cgroup: " + mount.resolve("plain") + " is not a cgroup v2 directory",
                assertThrows(IllegalArgumentException.class, () -> Cgroup.resolve("/plain", mount)).getMessage());
        assertEquals("\"/../etc\" leaves the cgroup v2 hierarchy at " + mount,
                assertThrows(IllegalArgumentException.class, () -> Cgroup.resolve("/../etc", mount)).getMessage());
    }
}
