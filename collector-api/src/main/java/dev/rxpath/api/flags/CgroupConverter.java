package dev.rxpath.api.flags;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * --cgroup: a cgroup v2 id, or a cgroup's directory on this machine, which names its id: a v2
 * cgroup's id (what bpf_get_current_cgroup_id() returns) is its directory's inode number. A
 * directory is taken as given when it is one, else as /proc/PID/cgroup names it, under
 * /sys/fs/cgroup, where systemd mounts the v2 hierarchy.
 */
public final class CgroupConverter implements ITypeConverter<Long> {
    static final Path V2_MOUNT = Path.of("/sys/fs/cgroup");

    @Override
    public Long convert(String text) {
        if (text.matches("\\d{1,19}")) return Long.parseLong(text);
        return id(text, V2_MOUNT);
    }

    static long id(String text, Path mount) {
        Path asGiven = Path.of(text);
        Path dir = Files.isDirectory(asGiven) && text.startsWith("/") ? asGiven : mount.resolve(text.replaceFirst("^/+", ""));
        if (!Files.isRegularFile(dir.resolve("cgroup.procs"))) {
            throw new TypeConversionException("'" + text + "' is neither a cgroup id nor a cgroup v2 directory (" + dir + " has no cgroup.procs)");
        }
        try {
            return ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
        } catch (IOException e) {
            throw new TypeConversionException("'" + text + "': cannot read " + dir + "'s inode: " + e.getMessage());
        }
    }
}
