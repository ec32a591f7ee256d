package dev.rxpath.api.flags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.TypeConversionException;

/** --cgroup: an id as typed, a directory as its inode. */
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
        assertEquals(inode, CgroupConverter.id(slice.toString(), mount));
        assertEquals(inode, CgroupConverter.id("/system.slice/nginx.service", mount));
        assertEquals(inode, CgroupConverter.id("system.slice/nginx.service/", mount));
    }

    @Test
    void aDirectoryThatIsNoCgroupIsRefusedSayingWhy() throws Exception {
        Path plain = Files.createDirectories(mount.resolve("plain"));
        assertEquals("'/plain' is neither a cgroup id nor a cgroup v2 directory (" + plain + " has no cgroup.procs)",
                assertThrows(TypeConversionException.class, () -> CgroupConverter.id("/plain", mount)).getMessage());
    }
}
