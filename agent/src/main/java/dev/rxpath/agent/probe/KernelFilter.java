package dev.rxpath.agent.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which sockets the agent watches, compiled into the programs as the predicate
 * {@code RX_WATCH(family, laddr, lport, raddr, rport)} (addresses: 16 bytes, network order,
 * IPv4 in the first four): a socket outside it is neither counted nor recorded, so traffic
 * nobody watches costs its hooks a lookup. Fields AND, a field's values OR, as the Observer
 * API's filters; an empty filter watches everything.
 *
 * @param ports       either end's port
 * @param localPorts  this node's end
 * @param remotePorts the peer's
 * @param localIps    blocks this node's address lies in; an IPv4 block also matches a dual-stack
 *                    socket's v4-mapped address
 * @param remoteIps   blocks the peer's address lies in
 * @param cgroups     subtrees the socket's task lies in (compiled as {@code -DRX_CGROUPS=N}; the agent
 *                    puts the directories in the programs' rx_cgroups): a socket's task is known at
 *                    its connect() or listen(), an accepted socket's at its first read
 */
public record KernelFilter(Set<Integer> ports, Set<Integer> localPorts, Set<Integer> remotePorts, List<Cidr> localIps,
                           List<Cidr> remoteIps, List<Cgroup> cgroups) {
    public static final KernelFilter NONE = new KernelFilter(Set.of(), Set.of(), Set.of(), List.of(), List.of());
    /** Each costs the programs a test per decision (bpf_current_task_under_cgroup). */
    public static final int MAX_CGROUPS = 16;

    /** Addresses and ports only. */
    public KernelFilter(Set<Integer> ports, Set<Integer> localPorts, Set<Integer> remotePorts, List<Cidr> localIps, List<Cidr> remoteIps) {
        this(ports, localPorts, remotePorts, localIps, remoteIps, List.of());
    }

    public KernelFilter {
        ports = Set.copyOf(ports);
        localPorts = Set.copyOf(localPorts);
        remotePorts = Set.copyOf(remotePorts);
        localIps = List.copyOf(localIps);
        remoteIps = List.copyOf(remoteIps);
        cgroups = List.copyOf(cgroups);
        if (cgroups.size() > MAX_CGROUPS) throw new IllegalArgumentException(cgroups.size() + " cgroups: at most " + MAX_CGROUPS);
        for (Set<Integer> set : List.of(ports, localPorts, remotePorts)) {
            for (int p : set) if (p < 1 || p > 65535) throw new IllegalArgumentException("port " + p + " is not within 1..65535");
        }
    }

    public boolean watchesAll() {
        return ports.isEmpty() && localPorts.isEmpty() && remotePorts.isEmpty() && localIps.isEmpty() && remoteIps.isEmpty()
                && cgroups.isEmpty();
    }

    /** The defines bpf/receive.c reads; none when everything is watched. */
    public List<String> cflags() {
        if (watchesAll()) return List.of();
        // RX_WATCH also makes a sampled segment's first stages wait until its socket is known
        List<String> flags = new ArrayList<>(List.of("-DRX_WATCH(family,laddr,lport,raddr,rport)=(" + addressesAndPorts() + ")"));
        if (!cgroups.isEmpty()) flags.add("-DRX_CGROUPS=" + cgroups.size());
        return flags;
    }

    private String addressesAndPorts() {
        List<String> all = new ArrayList<>();
        if (!ports.isEmpty()) all.add(anyOf(ports, p -> "(lport) == " + p + " || (rport) == " + p));
        if (!localPorts.isEmpty()) all.add(anyOf(localPorts, p -> "(lport) == " + p));
        if (!remotePorts.isEmpty()) all.add(anyOf(remotePorts, p -> "(rport) == " + p));
        if (!localIps.isEmpty()) all.add(anyOf(localIps, c -> in(c, "laddr")));
        if (!remoteIps.isEmpty()) all.add(anyOf(remoteIps, c -> in(c, "raddr")));
        return all.isEmpty() ? "1" : String.join(" && ", all);
    }

    private static <T> String anyOf(java.util.Collection<T> values, java.util.function.Function<T, String> test) {
        return values.stream().map(v -> "(" + test.apply(v) + ")").collect(Collectors.joining(" || ", "(", ")"));
    }

    /**
     * The address (u8[16]) as four u32 words read in the machine's order (x86-64: little-endian),
     * each compared under its mask: an IPv4 block matches an AF_INET address in word 0 or a
     * v4-mapped AF_INET6 one (::ffff:a.b.c.d) in word 3.
     */
    private static String in(Cidr c, String addr) {
        if (c.network().length == 4) {
            String v4 = word(addr, 0, c.network(), 0, c.bits());
            String mapped = "RX_W(" + addr + ", 0) == 0 && RX_W(" + addr + ", 1) == 0 && RX_W(" + addr + ", 2) == 0xffff0000U && "
                    + word(addr, 3, c.network(), 0, c.bits());
            return "((family) == 2 && " + v4 + ") || ((family) == 10 && " + mapped + ")";
        }
        List<String> words = new ArrayList<>();
        for (int w = 0; w < 4 && w * 32 < c.bits(); w++) words.add(word(addr, w, c.network(), w * 4, c.bits() - w * 32));
        return "(family) == 10" + (words.isEmpty() ? "" : " && " + String.join(" && ", words));
    }

    /** Word {@code w} of {@code addr} against 4 bytes of {@code net} from {@code at}, the first {@code bits} of them. */
    private static String word(String addr, int w, byte[] net, int at, int bits) {
        long value = 0, mask = 0;
        for (int i = 0; i < 4; i++) {
            int keep = Math.max(0, Math.min(8, bits - 8 * i));
            int byteMask = keep == 0 ? 0 : (0xFF << (8 - keep)) & 0xFF;
            value |= (long) (net[at + i] & byteMask) << (8 * i); // byte i of a little-endian load
            mask |= (long) byteMask << (8 * i);
        }
        return String.format(Locale.ROOT, "(RX_W(%s, %d) & 0x%xU) == 0x%xU", addr, w, mask, value);
    }

    /** "port 443, remote 10.0.0.0/8"; "every socket". */
    public String describe() {
        if (watchesAll()) return "every socket";
        List<String> parts = new ArrayList<>();
        if (!ports.isEmpty()) parts.add("port " + join(ports));
        if (!localPorts.isEmpty()) parts.add("local port " + join(localPorts));
        if (!remotePorts.isEmpty()) parts.add("remote port " + join(remotePorts));
        if (!localIps.isEmpty()) parts.add("local " + localIps.stream().map(Cidr::toString).collect(Collectors.joining(",")));
        if (!remoteIps.isEmpty()) parts.add("remote " + remoteIps.stream().map(Cidr::toString).collect(Collectors.joining(",")));
        if (!cgroups.isEmpty()) parts.add("cgroup " + cgroups.stream().map(Cgroup::name).collect(Collectors.joining(",")));
        return String.join(", ", parts);
    }

    private static String join(Set<Integer> ports) {
        return ports.stream().sorted().map(String::valueOf).collect(Collectors.joining(","));
    }
}
