package dev.rxpath.agent.export;

import dev.rxpath.agent.containers.Container;
import dev.rxpath.agent.containers.Containers;
import dev.rxpath.agent.containers.Pods;
import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.flow.Flow;
import dev.rxpath.agent.path.Endpoints;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.probe.Cidr;
import dev.rxpath.api.TcpText;
import dev.rxpath.api.v1.Family;
import dev.rxpath.api.v1.FlowFilter;
import dev.rxpath.api.v1.PathFilter;
import dev.rxpath.api.v1.Stage;
import dev.rxpath.api.v1.Verdict;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Whitelist and blacklist filters compiled into predicates, as Hubble reads them: a filter's
 * fields AND, a field's values OR; an item passes when it matches any whitelist filter (or
 * there is none) and no blacklist filter. A malformed filter is refused with the field named.
 */
final class PathFilters {
    private PathFilters() {}

    /** A filter field the request got wrong: becomes INVALID_ARGUMENT. */
    static final class Invalid extends IllegalArgumentException {
        Invalid(String field, String problem) {
            super(field + ": " + problem);
        }
    }

    /**
     * @param containers where a reader's pod and container are found, for the filters that name them
     * @param node       this agent's node name, for the filters that name nodes
     */
    static Predicate<ReceivePath> paths(List<PathFilter> whitelist, List<PathFilter> blacklist, Containers containers, String node) {
        Compiler<PathFilter, ReceivePath> path = (f, at) -> path(f, at, containers, node);
        return combine(compile(whitelist, "whitelist", path), compile(blacklist, "blacklist", path));
    }

    static Predicate<Flow> flows(List<FlowFilter> whitelist, List<FlowFilter> blacklist, Containers containers, String node) {
        // no whitelist is the empty filter, which leaves out closed flows like any filter without `closed`
        if (whitelist.isEmpty()) whitelist = List.of(FlowFilter.getDefaultInstance());
        Compiler<FlowFilter, Flow> flow = (f, at) -> flow(f, at, containers, node);
        return combine(compile(whitelist, "whitelist", flow), compile(blacklist, "blacklist", flow));
    }

    private interface Compiler<F, T> {
        Predicate<T> compile(F filter, String field);
    }

    private static <F, T> List<Predicate<T>> compile(List<F> filters, String list, Compiler<F, T> compiler) {
        List<Predicate<T>> out = new ArrayList<>();
        for (int i = 0; i < filters.size(); i++) out.add(compiler.compile(filters.get(i), list + "[" + i + "]"));
        return out;
    }

    private static <T> Predicate<T> combine(List<Predicate<T>> white, List<Predicate<T>> black) {
        return item -> (white.isEmpty() || white.stream().anyMatch(p -> p.test(item))) && black.stream().noneMatch(p -> p.test(item));
    }

    private static Predicate<ReceivePath> path(PathFilter f, String at, Containers containers, String node) {
        List<Predicate<ReceivePath>> all = new ArrayList<>();
        nodes(at, f.getNodeNameList(), node, all);
        endpoints(at, f.getRemoteIpList(), f.getLocalIpList(), f.getRemotePortList(), f.getLocalPortList(), f.getFamilyList(),
                f.getNetnsList(), all, ReceivePath::endpoints);
        reader(f.getPidList(), f.getCommList(), f.getCgroupIdList(), containers, all, ReceivePath::reader);
        workload(at, f.getPodList(), f.getNamespaceList(), f.getContainerList(), containers, all, ReceivePath::reader);
        if (!f.getDeviceList().isEmpty()) all.add(p -> p.device() != null && f.getDeviceList().contains(p.device()));
        if (!f.getVerdictList().isEmpty()) {
            Set<dev.rxpath.agent.path.Verdict> verdicts = EnumSet.noneOf(dev.rxpath.agent.path.Verdict.class);
            for (Verdict v : f.getVerdictList()) {
                try {
                    verdicts.add(ApiEnums.verdict(v));
                } catch (IllegalArgumentException e) {
                    throw new Invalid(at + ".verdict", e.getMessage());
                }
            }
            all.add(p -> verdicts.contains(p.verdict()));
        }
        if (!f.getReasonList().isEmpty()) all.add(p -> p.reason() != null && f.getReasonList().contains(p.reason()));
        if (!f.getTcpFlagsList().isEmpty()) {
            int[] masks = new int[f.getTcpFlagsCount()];
            for (int i = 0; i < masks.length; i++) {
                try {
                    masks[i] = TcpText.parse(f.getTcpFlags(i));
                } catch (IllegalArgumentException e) {
                    throw new Invalid(at + ".tcp_flags", e.getMessage());
                }
            }
            all.add(p -> p.tcp() != null && Arrays.stream(masks).anyMatch(m -> (p.tcp().flags() & m) == m));
        }
        if (f.hasMinLatency()) {
            long min = ApiMessages.nanos(f.getMinLatency());
            if (min < 0) throw new Invalid(at + ".min_latency", "is negative");
            Stage stage = f.getLatencyStage();
            if (stage == Stage.UNRECOGNIZED || stage == Stage.STAGE_SOCKET_EVENT) throw new Invalid(at + ".latency_stage", "is not a receive-path stage");
            if (stage == Stage.STAGE_UNSPECIFIED) {
                all.add(p -> p.totalNs() >= min);
            } else {
                var s = ApiEnums.stage(stage);
                all.add(p -> stageNs(p, s) >= min);
            }
        } else if (f.getLatencyStage() != Stage.STAGE_UNSPECIFIED) {
            throw new Invalid(at + ".latency_stage", "needs min_latency");
        }
        return p -> all.stream().allMatch(x -> x.test(p));
    }

    /** From the stage before to this one; -1 when the path lacks it or it is the first. */
    private static long stageNs(ReceivePath p, dev.rxpath.agent.event.Stage stage) {
        List<ReceivePath.StageTime> stages = p.stages();
        for (int i = 1; i < stages.size(); i++) {
            if (stages.get(i).stage() == stage) return stages.get(i).tsNs() - stages.get(i - 1).tsNs();
        }
        return -1;
    }

    private static Predicate<Flow> flow(FlowFilter f, String at, Containers containers, String node) {
        List<Predicate<Flow>> all = new ArrayList<>();
        nodes(at, f.getNodeNameList(), node, all);
        endpoints(at, f.getRemoteIpList(), f.getLocalIpList(), f.getRemotePortList(), f.getLocalPortList(), f.getFamilyList(),
                f.getNetnsList(), all, Flow::endpoints);
        reader(f.getPidList(), f.getCommList(), f.getCgroupIdList(), containers, all, Flow::reader);
        workload(at, f.getPodList(), f.getNamespaceList(), f.getContainerList(), containers, all, Flow::reader);
        if (!f.getClosed()) all.add(fl -> !fl.closed());
        return fl -> all.stream().allMatch(x -> x.test(fl));
    }

    private static <T> void endpoints(String at, List<String> remoteIps, List<String> localIps, List<Integer> remotePorts,
                                      List<Integer> localPorts, List<Family> families, List<Long> netns,
                                      List<Predicate<T>> all, java.util.function.Function<T, Endpoints> of) {
        if (!netns.isEmpty()) {
            throw new Invalid(at + ".netns", "this agent cannot see network namespaces (no tracepoint carries them)");
        }
        List<Cidr> remote = cidrs(at + ".remote_ip", remoteIps), local = cidrs(at + ".local_ip", localIps);
        if (!remote.isEmpty()) all.add(t -> of.apply(t) != null && remote.stream().anyMatch(c -> c.contains(of.apply(t).remote())));
        if (!local.isEmpty()) all.add(t -> of.apply(t) != null && local.stream().anyMatch(c -> c.contains(of.apply(t).local())));
        ports(at + ".remote_port", remotePorts);
        ports(at + ".local_port", localPorts);
        if (!remotePorts.isEmpty()) all.add(t -> of.apply(t) != null && remotePorts.contains(of.apply(t).remotePort()));
        if (!localPorts.isEmpty()) all.add(t -> of.apply(t) != null && localPorts.contains(of.apply(t).localPort()));
        if (!families.isEmpty()) {
            for (Family fam : families) {
                if (fam == Family.FAMILY_UNSPECIFIED || fam == Family.UNRECOGNIZED) throw new Invalid(at + ".family", "unknown family " + fam);
            }
            // by the address itself: a dual-stack socket's IPv4 peer is IPv4 traffic, though the socket is AF_INET6
            all.add(t -> of.apply(t) != null && families.contains(of.apply(t).remote() instanceof Inet4Address
                    ? Family.FAMILY_INET : Family.FAMILY_INET6));
        }
    }

    /** Whether a node name matches any of these: exactly, or by the prefix before a trailing "*". */
    static boolean nodeMatches(List<String> names, String node) {
        return names.stream().anyMatch(n -> n.endsWith("*") ? node.startsWith(n.substring(0, n.length() - 1)) : n.equals(node));
    }

    /** Everything this agent holds is its own node's: a node filter matches all of it or none. */
    private static <T> void nodes(String at, List<String> names, String node, List<Predicate<T>> all) {
        for (String n : names) {
            if (n.isEmpty() || n.indexOf('*') != n.lastIndexOf('*') || (n.contains("*") && !n.endsWith("*"))) {
                throw new Invalid(at + ".node_name", "\"" + n + "\" is not a node name or a prefix ending in *");
            }
        }
        if (!names.isEmpty()) {
            boolean mine = nodeMatches(names, node);
            all.add(t -> mine);
        }
    }

    /** A cgroup takes in its subtree, as the agent's kernel --cgroup watch does: a pod's cgroup holds its containers'. */
    private static <T> void reader(List<Integer> pids, List<String> comms, List<Long> cgroups, Containers containers,
                                   List<Predicate<T>> all, java.util.function.Function<T, Event.Task> of) {
        if (!pids.isEmpty()) all.add(t -> of.apply(t) != null && pids.contains(of.apply(t).tgid()));
        if (!comms.isEmpty()) all.add(t -> of.apply(t) != null && comms.contains(of.apply(t).comm()));
        if (!cgroups.isEmpty()) all.add(t -> of.apply(t) != null && containers.within(of.apply(t).cgroupId(), cgroups));
    }

    /** "shop/web-": the namespace, when given, exactly; the pod's name by its prefix. */
    private record PodName(String namespace, String prefix) {
        static PodName parse(String field, String text) {
            int slash = text.indexOf('/');
            if (text.isEmpty() || slash != text.lastIndexOf('/') || slash == 0 || slash == text.length() - 1) {
                throw new Invalid(field, "\"" + text + "\" is not [namespace/]name");
            }
            return slash < 0 ? new PodName(null, text) : new PodName(text.substring(0, slash), text.substring(slash + 1));
        }

        boolean matches(Pods.PodContainer p) {
            return (namespace == null || namespace.equals(p.namespace())) && p.pod().startsWith(prefix);
        }
    }

    /**
     * The reader's pod, namespace and container, found from its cgroup id as the API's messages
     * find them (a new cgroup costs one walk of the hierarchy, at most once a second); an item
     * whose reader is not in a container matches none of these.
     */
    private static <T> void workload(String at, List<String> pods, List<String> namespaces, List<String> containerNames,
                                     Containers containers, List<Predicate<T>> all, java.util.function.Function<T, Event.Task> of) {
        List<PodName> podNames = pods.stream().map(p -> PodName.parse(at + ".pod", p)).toList();
        List<String> ids = new ArrayList<>();
        for (String c : containerNames) {
            if (c.isEmpty()) throw new Invalid(at + ".container", "is empty");
            int runtime = c.indexOf("://");
            String id = runtime < 0 ? c : c.substring(runtime + 3);
            if (id.matches("[0-9a-f]{12,64}")) ids.add(id);
        }
        if (!podNames.isEmpty()) all.add(t -> pod(containers, of.apply(t)).filter(p -> podNames.stream().anyMatch(n -> n.matches(p))).isPresent());
        if (!namespaces.isEmpty()) all.add(t -> pod(containers, of.apply(t)).filter(p -> namespaces.contains(p.namespace())).isPresent());
        if (!containerNames.isEmpty()) {
            all.add(t -> {
                Optional<Container> c = container(containers, of.apply(t));
                return c.isPresent() && (ids.stream().anyMatch(c.get().id()::startsWith)
                        || containers.pod(c.get()).filter(p -> containerNames.contains(p.container())).isPresent());
            });
        }
    }

    private static Optional<Container> container(Containers containers, Event.Task reader) {
        return reader == null ? Optional.empty() : containers.of(reader.cgroupId());
    }

    private static Optional<Pods.PodContainer> pod(Containers containers, Event.Task reader) {
        return container(containers, reader).flatMap(containers::pod);
    }

    private static List<Cidr> cidrs(String field, List<String> texts) {
        List<Cidr> out = new ArrayList<>();
        for (String t : texts) {
            try {
                out.add(Cidr.parse(t));
            } catch (IllegalArgumentException e) {
                throw new Invalid(field, e.getMessage());
            }
        }
        return out;
    }

    private static void ports(String field, List<Integer> ports) {
        for (int p : ports) if (p < 1 || p > 65535) throw new Invalid(field, p + " is not a port (1..65535)");
    }
}
