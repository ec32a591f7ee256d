package dev.rxpath.agent.sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The capabilities the agent holds (its effective set) against what loading and attaching its
 * programs need on the running kernel, checked before anything is compiled: without one, the
 * kernel's own answer is a bare EPERM or EACCES from a call deep in bcc, which names nothing.
 */
public final class Capabilities {
    /** The capabilities the agent may need, by their numbers in linux/capability.h. */
    public enum Cap {
        SYS_ADMIN(21), SYS_RESOURCE(24), SYSLOG(34), PERFMON(38), BPF(39);

        private final int bit;

        Cap(int bit) {
            this.bit = bit;
        }

        /** Its bit in a capability mask, as /proc/PID/status shows the sets. */
        public int bit() {
            return bit;
        }

        @Override
        public String toString() {
            return "CAP_" + name();
        }
    }

    private final long effective;

    Capabilities(long effective) {
        this.effective = effective;
    }

    /** Exactly these (a container's added capabilities, say). */
    public static Capabilities of(Collection<Cap> held) {
        long mask = 0;
        for (Cap c : held) mask |= 1L << c.bit();
        return new Capabilities(mask);
    }

    public static Capabilities ofThisProcess() {
        return parse(read(Path.of("/proc/self/status")));
    }

    /** From a /proc/PID/status text: its CapEff line, a hexadecimal mask. */
    static Capabilities parse(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("CapEff:")) return new Capabilities(Long.parseUnsignedLong(line.substring(7).trim(), 16));
        }
        throw new IllegalArgumentException("no CapEff line in /proc/self/status");
    }

    public boolean has(Cap c) {
        return (effective >>> c.bit() & 1) != 0;
    }

    /**
     * What is missing to load and attach on a kernel of this version, each with why; empty when
     * nothing is. CAP_BPF and CAP_PERFMON came with 5.8 (CAP_SYS_ADMIN, which covers both, is the
     * only way before); before 5.11 BPF maps are charged to RLIMIT_MEMLOCK, which bcc raises to
     * unlimited when a map does not fit, and raising its hard limit takes CAP_SYS_RESOURCE.
     *
     * @param memlockUnlimited whether RLIMIT_MEMLOCK's hard limit is unlimited already
     */
    public List<String> missing(int major, int minor, boolean memlockUnlimited) {
        List<String> missing = new ArrayList<>(3);
        boolean admin = has(Cap.SYS_ADMIN);
        boolean since58 = major > 5 || major == 5 && minor >= 8;
        if (!since58 && !admin) {
            missing.add(Cap.SYS_ADMIN + ": before 5.8 it is the only capability that loads BPF programs and opens tracing perf events");
        }
        if (since58 && !admin && !has(Cap.BPF)) {
            missing.add(Cap.BPF + ": making BPF maps and loading programs (or CAP_SYS_ADMIN)");
        }
        if (since58 && !admin && !has(Cap.PERFMON)) {
            missing.add(Cap.PERFMON + ": attaching to tracepoints and kernel functions, and the perf rings (or CAP_SYS_ADMIN)");
        }
        boolean since511 = major > 5 || major == 5 && minor >= 11;
        if (!since511 && !memlockUnlimited && !has(Cap.SYS_RESOURCE)) {
            missing.add(Cap.SYS_RESOURCE + ": before 5.11 BPF maps count against RLIMIT_MEMLOCK, whose hard limit here is not unlimited");
        }
        return missing;
    }

    /** What this process lacks on the running kernel ({@link #missing}). */
    public static List<String> missingHere() {
        String[] release = System.getProperty("os.version").split("[.-]");
        return ofThisProcess().missing(Integer.parseInt(release[0]), Integer.parseInt(release[1]), memlockUnlimited());
    }

    /** Whether this process's RLIMIT_MEMLOCK hard limit is unlimited (its "Max locked memory" line in /proc/self/limits). */
    public static boolean memlockUnlimited() {
        for (String line : read(Path.of("/proc/self/limits")).split("\n")) {
            if (line.startsWith("Max locked memory")) {
                String[] fields = line.substring("Max locked memory".length()).trim().split("\\s+");
                return fields.length > 1 && fields[1].toLowerCase(Locale.ROOT).equals("unlimited");
            }
        }
        return false;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
