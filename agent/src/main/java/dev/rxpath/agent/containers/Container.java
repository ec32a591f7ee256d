package dev.rxpath.agent.containers;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The container a task ran in, as its cgroup's path names it: the runtime, the container's
 * id, and the pod's uid where the kubelet's hierarchy gives it.
 *
 * @param runtime containerd, cri-o, docker or podman
 * @param id      the container's id (64 hex digits)
 * @param podUid  the pod's uid, or null outside a Kubernetes pod
 * @param cgroup  the cgroup's path under the v2 mount
 */
public record Container(String runtime, String id, String podUid, String cgroup) {
    /**
     * The runtimes' scope names under systemd's cgroup driver ("cri-containerd-ID.scope",
     * "crio-ID.scope", "docker-ID.scope", "libpod-ID.scope"), and the cgroupfs driver's bare
     * ID directory below a pod's.
     */
    private static final Pattern SCOPE = Pattern.compile("(cri-containerd|crio|docker|libpod)-([0-9a-f]{64})\\.scope");
    private static final Pattern BARE = Pattern.compile("[0-9a-f]{64}");
    /** "kubepods-burstable-pod0a1b2c3d_….slice" (systemd driver: dashes as underscores), "pod0a1b2c3d-…" (cgroupfs driver). */
    private static final Pattern POD = Pattern.compile("(?:^|-)pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\\.slice)?$");

    /** The container a cgroup path names, if it names one: the deepest container component wins (a container in a container). */
    public static Optional<Container> of(String cgroup) {
        String[] parts = cgroup.split("/");
        String podUid = null;
        for (String part : parts) {
            Matcher pod = POD.matcher(part);
            if (pod.find()) podUid = pod.group(1).replace('_', '-');
        }
        for (int i = parts.length - 1; i >= 0; i--) {
            Matcher scope = SCOPE.matcher(parts[i]);
            if (scope.matches()) return Optional.of(new Container(runtime(scope.group(1)), scope.group(2), podUid, cgroup));
            if (BARE.matcher(parts[i]).matches() && podUid != null) return Optional.of(new Container("", parts[i], podUid, cgroup));
        }
        return Optional.empty();
    }

    private static String runtime(String prefix) {
        return switch (prefix) {
            case "cri-containerd" -> "containerd";
            case "crio" -> "cri-o";
            case "libpod" -> "podman";
            default -> prefix;
        };
    }
}
