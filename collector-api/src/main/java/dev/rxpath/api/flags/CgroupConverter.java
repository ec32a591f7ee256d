package dev.rxpath.api.flags;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * --cgroup: a cgroup v2 id, or a cgroup's directory on this machine, which names its id: a v2
 * cgroup's id (what bpf_get_current_cgroup_id() returns) is its directory's inode number. A
 * directory is taken as given when it is one, else as /proc/PID/cgroup names it, under the v2
 * hierarchy's mount.
 */
public final class CgroupConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String text) {
        if (text.matches("\\d{1,19}")) return Long.parseLong(text);
        return id(text, CgroupV2::mount);
    }

    static long id(String text, Supplier<Optional<Path>> v2Mount) {
        Path asGiven = Path.of(text);
        Path dir = text.startsWith("/") && Files.isDirectory(asGiven) ? asGiven
                : v2Mount.get().orElseThrow(() -> new TypeConversionException("'" + text + "': " + CgroupV2.NOT_MOUNTED))
                        .resolve(text.replaceFirst("^/+", ""));
        if (!Files.isRegularFile(dir.resolve("cgroup.procs"))) {
            throw new TypeConversionException("'" + text + "' is neither a cgroup id nor a cgroup v2 directory (" + dir + " has no cgroup.procs)");
        }
        try {
            return CgroupV2.id(dir);
        } catch (IOException e) {
            throw new TypeConversionException("'" + text + "': cannot read " + dir + "'s inode: " + e.getMessage());
        }
    }
}
