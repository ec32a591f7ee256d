package dev.rxpath.agent.bcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the kernel's headers are found, in a made-up root: the host's, else the kernel's own archive (unpacked once), else a named remedy. */
class KernelHeadersTest {
    private static final String RELEASE = "6.1.0-99-amd64";

    @Test
    void theHostsHeadersComeFirst(@TempDir Path root) throws Exception {
        Path build = Files.createDirectories(root.resolve("modules").resolve(RELEASE).resolve("build").resolve("include")).getParent();
        Path kheaders = archive(root);
        KernelHeaders h = KernelHeaders.find(RELEASE, root.resolve("modules"), kheaders, root.resolve("cache"));
        assertEquals(build, h.dir());
        assertTrue(h.origin().startsWith("the host's"), h.origin());
        assertTrue(!Files.exists(root.resolve("cache")), "nothing unpacked");
    }

    @Test
    void withoutThemTheKernelsOwnArchiveIsUnpackedOnce(@TempDir Path root) throws Exception {
        Path kheaders = archive(root);
        KernelHeaders h = KernelHeaders.find(RELEASE, root.resolve("modules"), kheaders, root.resolve("cache"));
        assertEquals(root.resolve("cache").resolve("rxpath-kheaders-" + RELEASE), h.dir());
        assertEquals("#define LINUX_VERSION_CODE 393472\n", Files.readString(h.dir().resolve("include/generated/uapi/linux/version.h")));
        assertTrue(h.origin().contains("CONFIG_IKHEADERS"), h.origin());
        assertTrue(!h.bccDefault(), "bcc is told where they are");

        Files.delete(h.dir().resolve("include/generated/uapi/linux/version.h"));
        KernelHeaders again = KernelHeaders.find(RELEASE, root.resolve("modules"), kheaders, root.resolve("cache"));
        assertEquals(h.dir(), again.dir());
        assertTrue(!Files.exists(h.dir().resolve("include/generated/uapi/linux/version.h")), "unpacked once: the cache is taken as it is");
    }

    @Test
    void withNeitherTheErrorNamesThePackageToInstall(@TempDir Path root) {
        BccException e = assertThrows(BccException.class,
                () -> KernelHeaders.find(RELEASE, root.resolve("modules"), root.resolve("kheaders.tar.xz"), root.resolve("cache")));
        assertEquals(BccException.Kind.HEADERS_MISSING, e.kind());
        assertTrue(e.getMessage().contains("linux-headers-" + RELEASE) && e.getMessage().contains("CONFIG_IKHEADERS"), e.getMessage());
    }

    /** A kheaders.tar.xz as the kernel lays it out: include/… at the top. */
    private static Path archive(Path root) throws Exception {
        Path tree = Files.createDirectories(root.resolve("tree/include/generated/uapi/linux"));
        Files.writeString(tree.resolve("version.h"), "#define LINUX_VERSION_CODE 393472\n");
        Path out = root.resolve("kheaders.tar.xz");
        Process tar = new ProcessBuilder("tar", "-cJf", out.toString(), "-C", root.resolve("tree").toString(), "include").inheritIO().start();
        assertTrue(tar.waitFor(60, TimeUnit.SECONDS) && tar.exitValue() == 0);
        return out;
    }
}
