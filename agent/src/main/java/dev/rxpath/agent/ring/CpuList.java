package dev.rxpath.agent.ring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A kernel CPU list ("0-3,8,10-11"), as /sys/devices/system/cpu/{online,possible} write it. */
public final class CpuList {
    private CpuList() {}

    /** CPUs that can run now: one perf ring each (not availableProcessors(), which cgroups shrink). */
    public static int[] online() {
        return read(Path.of("/sys/devices/system/cpu/online"));
    }

    /** CPUs a per-CPU BPF map has a slot for. */
    public static int[] possible() {
        return read(Path.of("/sys/devices/system/cpu/possible"));
    }

    static int[] read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static int[] parse(String text) {
        List<Integer> cpus = new ArrayList<>();
        for (String part : text.strip().split(",")) {
            if (part.isEmpty()) continue;
            int dash = part.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
            int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1));
            for (int c = from; c <= to; c++) cpus.add(c);
        }
        return cpus.stream().mapToInt(Integer::intValue).toArray();
    }
}
