package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image `bin/image` builds, run under podman (rootful) the way the base DaemonSet runs it:
 * its image, user, capabilities, privilege escalation, read-only root, mounts and arguments
 * are all read from deploy/base, so the two cannot drift. What this machine changes, and why:
 * <ul>
 *   <li>runc, and 1024 open files and processes: podman's default runtime (crun) refuses this
 *   host's hybrid cgroups, and its default limits exceed the hard limits here;</li>
 *   <li>the seccomp profile: RuntimeDefault under Kubernetes is containerd's default profile,
 *   which allows bpf() with CAP_BPF and perf_event_open() with CAP_PERFMON; Debian 12's podman
 *   profile allows them only with CAP_SYS_ADMIN, so the test gives podman its own profile with
 *   containerd's two rules in place of its own for those two calls;</li>
 *   <li>the host's cgroups: the DaemonSet mounts /sys/fs/cgroup, a node's cgroup v2
 *   hierarchy; this host is hybrid, its v2 hierarchy is elsewhere (found in mountinfo);</li>
 *   <li>/run/rxpath, an emptyDir in the pod, is a folder of the test's here, so that the test
 *   reaches the API's socket as `kubectl exec` would inside the pod;</li>
 *   <li>no network: the pod's own network is not what the agent watches (its hooks see the
 *   whole kernel), and the test's traffic runs in the host's.</li>
 * </ul>
 */
@KernelTest
class ImageKernelTest {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    private static DaemonSet daemonSet;
    private static Path seccomp;
    private final List<String> started = new ArrayList<>();

    @TempDir
    Path run;

    @BeforeAll
    static void buildTheImage(@TempDir Path dir) throws Exception {
        Process image = new ProcessBuilder(Path.of("../bin/image").toAbsolutePath().normalize().toString()).redirectErrorStream(true).start();
        String text = new String(image.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(image.waitFor(15, TimeUnit.MINUTES));
        assertEquals(0, image.exitValue(), text);
        List<HasMetadata> objects = Kustomization.build(Path.of("../deploy/base"));
        daemonSet = objects.stream().filter(DaemonSet.class::isInstance).map(DaemonSet.class::cast).findFirst().orElseThrow();
        seccomp = dir.resolve("runtime-default.json");
        Files.writeString(seccomp, containerdLikeProfile());
    }

    /** Podman's own profile, with bpf() and perf_event_open() allowed on CAP_BPF and CAP_PERFMON as containerd's default allows them. */
    @SuppressWarnings("unchecked")
    private static String containerdLikeProfile() throws IOException {
        Map<String, Object> profile = JSON.unmarshal(Files.readString(Path.of("/usr/share/containers/seccomp.json")), Map.class);
        List<Map<String, Object>> rules = (List<Map<String, Object>>) profile.get("syscalls");
        for (Map<String, Object> rule : rules) {
            ((List<String>) rule.get("names")).removeIf(n -> n.equals("bpf") || n.equals("perf_event_open"));
        }
        rules.removeIf(rule -> ((List<String>) rule.get("names")).isEmpty());
        rules.add(Map.of("names", List.of("bpf"), "action", "SCMP_ACT_ALLOW", "includes", Map.of("caps", List.of("CAP_BPF"))));
        rules.add(Map.of("names", List.of("perf_event_open"), "action", "SCMP_ACT_ALLOW", "includes", Map.of("caps", List.of("CAP_PERFMON"))));
        return JSON.asJson(profile);
    }

    @AfterEach
    void removeContainers() throws Exception {
        for (String name : started) podman("rm", "--force", "--time", "0", name);
    }

    private static Container agentContainer() {
        return daemonSet.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    /** `podman run` for the DaemonSet's agent container, less the capabilities named in {@code without}. */
    private List<String> runCommand(String name, List<String> without) throws IOException {
        PodSpec pod = daemonSet.getSpec().getTemplate().getSpec();
        Container c = agentContainer();
        var sc = c.getSecurityContext();
        List<String> cmd = new ArrayList<>(List.of("podman", "--runtime", "runc", "run", "--detach", "--name", name, "--network", "none",
                "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--security-opt", "seccomp=" + seccomp));
        if (Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) cmd.addAll(List.of("--read-only", "--read-only-tmpfs=false"));
        if (Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) cmd.addAll(List.of("--security-opt", "no-new-privileges"));
        if (sc.getRunAsUser() != null) cmd.addAll(List.of("--user", String.valueOf(sc.getRunAsUser())));
        for (String drop : sc.getCapabilities().getDrop()) cmd.addAll(List.of("--cap-drop", drop));
        for (String add : sc.getCapabilities().getAdd()) if (!without.contains(add)) cmd.addAll(List.of("--cap-add", add));
        for (var env : c.getEnv()) {
            String value = env.getValueFrom() != null && "spec.nodeName".equals(env.getValueFrom().getFieldRef().getFieldPath()) ? "image-test-node" : env.getValue();
            cmd.addAll(List.of("--env", env.getName() + "=" + value));
        }
        Map<String, Volume> volumes = new java.util.HashMap<>();
        for (Volume v : pod.getVolumes()) volumes.put(v.getName(), v);
        for (VolumeMount m : c.getVolumeMounts()) {
            Volume v = volumes.get(m.getName());
            if (m.getMountPath().equals("/run/rxpath")) {
                cmd.addAll(List.of("--volume", run + ":" + m.getMountPath()));
            } else if (v.getHostPath() != null) {
                String host = v.getHostPath().getPath().equals("/sys/fs/cgroup") ? cgroupV2() : v.getHostPath().getPath();
                cmd.addAll(List.of("--volume", host + ":" + m.getMountPath() + (Boolean.TRUE.equals(m.getReadOnly()) ? ":ro" : "")));
            } else {
                Quantity size = v.getEmptyDir().getSizeLimit();
                cmd.addAll(List.of("--mount", "type=tmpfs,destination=" + m.getMountPath() + ",tmpfs-size=" + Quantity.getAmountInBytes(size).longValue()));
            }
        }
        cmd.add(c.getImage());
        cmd.addAll(c.getArgs());
        return cmd;
    }

    /** This host's cgroup v2 mount point, from mountinfo (field 5; the type follows the " - " separator). */
    private static String cgroupV2() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] halves = line.split(" - ");
            if (halves.length == 2 && halves[1].startsWith("cgroup2 ")) return halves[0].split(" ")[4];
        }
        throw new IllegalStateException("no cgroup v2 mount");
    }

    private String start(String name, List<String> without) throws Exception {
        started.add(name);
        List<String> cmd = runCommand(name, without);
        return podman(cmd.subList(1, cmd.size()).toArray(String[]::new)).trim();
    }

    private static String podman(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("podman"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), String.join(" ", cmd));
        return text;
    }

    private static void awaitLog(String name, String line) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        String logs = "";
        while (System.currentTimeMillis() < deadline) {
            logs = podman("logs", name);
            if (logs.contains(line)) return;
            if (podman("inspect", "--format", "{{.State.Running}}", name).trim().equals("false")) break;
            Thread.sleep(500);
        }
        throw new AssertionError("no \"" + line + "\" from " + name + ":\n" + logs);
    }

    @Test
    void withExactlyTheManifestsPrivilegesTheAgentAttachesServesAndCountsRealTraffic() throws Exception {
        start("rxpath-image-test", List.of());
        awaitLog("rxpath-image-test", "hook points attached");
        // the agent (PID 1, bin/rxpath exec'ed java) holds exactly the added capabilities
        String status = podman("exec", "rxpath-image-test", "cat", "/proc/1/status");
        long mask = 0;
        for (String add : agentContainer().getSecurityContext().getCapabilities().getAdd()) {
            mask |= 1L << dev.rxpath.agent.sys.Capabilities.Cap.valueOf(add).bit();
        }
        assertTrue(status.contains(String.format("CapEff:\t%016x", mask)), status);
        assertTrue(Files.exists(run.resolve("rxpath.sock")), "the API's socket in /run/rxpath");

        Traffic.Transfer t = Traffic.loopback(InetAddress.getByName("127.0.0.1"), 1_000_000);
        // as `kubectl exec … rxpath flows` would ask it, with the CLI inside the image
        long delivered = 0;
        long deadline = System.currentTimeMillis() + 20_000;
        String flows = "";
        while (delivered != t.bytesRead() && System.currentTimeMillis() < deadline) {
            flows = podman("exec", "rxpath-image-test", "rxpath", "flows", "--closed", "--local-port", String.valueOf(t.serverPort()), "-o", "json");
            Matcher m = Pattern.compile("\"bytesDelivered\":\\s*\"?(\\d+)").matcher(flows);
            delivered = m.find() ? Long.parseLong(m.group(1)) : 0;
            Thread.sleep(300);
        }
        assertEquals(t.bytesRead(), delivered, flows);

        // the rolling update's stop: SIGTERM, and the agent detaches within the grace time
        podman("stop", "--time", String.valueOf(daemonSet.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()), "rxpath-image-test");
        String logs = podman("logs", "rxpath-image-test");
        assertTrue(logs.contains("rxpath: detached;"), logs);
        // the JVM's status after SIGTERM (128 + 15), not SIGKILL's (137): it was done within the grace time
        assertEquals("143", podman("inspect", "--format", "{{.State.ExitCode}}", "rxpath-image-test").trim(), logs);
    }

    @Test
    void withoutAnyOneOfItsCapabilitiesTheAgentNamesIt() throws Exception {
        for (String cap : List.of("BPF", "PERFMON")) {
            String name = "rxpath-image-test-no-" + cap.toLowerCase(java.util.Locale.ROOT);
            start(name, List.of(cap));
            assertEquals("1", podman("wait", name).trim(), podman("logs", name));
            String logs = podman("logs", name);
            assertTrue(logs.contains("rxpath: missing capability CAP_" + cap + ": "), logs);
        }
        // without CAP_SYSLOG it attaches, and says what that costs: drop sites stay addresses
        start("rxpath-image-test-no-syslog", List.of("SYSLOG"));
        awaitLog("rxpath-image-test-no-syslog", "hook points attached");
        assertTrue(podman("logs", "rxpath-image-test-no-syslog").contains(
                "rxpath: drop sites stay addresses: /proc/kallsyms hides them without CAP_SYSLOG"));
    }
}
