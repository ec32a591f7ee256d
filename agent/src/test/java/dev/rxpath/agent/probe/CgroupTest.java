package dev.rxpath.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A --cgroup id to its directory. */
class CgroupTest {
    @TempDir
    Path mount;

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
