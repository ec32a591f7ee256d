package dev.rxpath.api.flags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.TypeConversionException;

/** --cgroup: an id as typed, a directory as its inode, found given or under the v2 mount mountinfo names. */
class CgroupConverterTest {
    @TempDir
    Path mount;

    @Test
    void digitsAreAnId() {
        assertEquals(4242L, new CgroupConverter().convert("4242"));
    }

    @Test
    void aDirectoryGivenOrNamedUnderTheMountIsItsInode() throws Exception {
        Path slice = Files.createDirectories(mount.resolve("system.slice/nginx.service"));
        Files.createFile(slice.resolve("cgroup.procs"));
        long inode = ((Number) Files.getAttribute(slice, "unix:ino")).longValue();
        assertEquals(inode, CgroupConverter.id(slice.toString(), Optional::empty));
        assertEquals(inode, CgroupConverter.id("/system.slice/nginx.service", () -> Optional.of(mount)));
        assertEquals(inode, CgroupConverter.id("system.slice/nginx.service/", () -> Optional.of(mount)));
    }

    @Test
    void aNameWithoutAV2HierarchyIsRefusedSayingSo() {
        assertEquals("'system.slice': this machine has no cgroup v2 hierarchy mounted (/proc/self/mountinfo lists no cgroup2)",
                assertThrows(TypeConversionException.class, () -> CgroupConverter.id("system.slice", Optional::empty)).getMessage());
    }

    @Test
    void theV2MountIsTheCgroup2LineOfMountinfoUnescaped() {
        List<String> lines = List.of(
                "35 24 0:30 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755",
                "36 35 0:31 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate",
                "37 35 0:32 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup rw,xattr,name=systemd");
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/unified")), CgroupV2.mount(lines));
        assertEquals(Optional.of(Path.of("/mnt/a b")), CgroupV2.mount(List.of("40 1 0:40 / /mnt/a\\040b rw - cgroup2 none rw")));
        assertEquals(Optional.empty(), CgroupV2.mount(lines.subList(2, 3)));
    }

    @Test
    void aDirectoryThatIsNoCgroupIsRefusedSayingWhy() throws Exception {
        Path plain = Files.createDirectories(mount.resolve("plain"));
        assertEquals("'/plain' is neither a cgroup id nor a cgroup v2 directory (" + plain + " has no cgroup.procs)",
                assertThrows(TypeConversionException.class, () -> CgroupConverter.id("/plain", () -> Optional.of(mount))).getMessage());
    }
}
