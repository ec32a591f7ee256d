package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.sys.Capabilities;
import dev.rxpath.agent.sys.Capabilities.Cap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * deploy/ read with the Kubernetes model (every field known to it), and what a platform team
 * checks before applying a node agent asserted on the objects: least privilege, read-only
 * host folders, probes on the agent's own health listener, limits, and arguments the agent
 * really takes.
 */
class DeployManifestsTest {
    private static final Path DEPLOY = Path.of("../deploy");

    private static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> kind) {
        List<T> found = objects.stream().filter(kind::isInstance).map(kind::cast).toList();
        assertEquals(1, found.size(), kind.getSimpleName());
        return found.get(0);
    }

    private static Container agent(List<HasMetadata> objects) {
        List<Container> containers = only(objects, DaemonSet.class).getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size());
        return containers.get(0);
    }

    private static Set<Cap> added(Container c) {
        return c.getSecurityContext().getCapabilities().getAdd().stream().map(Cap::valueOf).collect(Collectors.toSet());
    }

    /** Its arguments as the agent parses them: an unknown flag or a bad value fails here, not on a node. */
    private static AgentCommand parsed(Container c) {
        assertEquals("agent", c.getArgs().get(0));
        AgentCommand command = new AgentCommand();
        new CommandLine(command).parseArgs(c.getArgs().subList(1, c.getArgs().size()).toArray(String[]::new));
        return command;
    }

    @Test
    void theBaseDaemonSetHoldsOnlyWhatAttachingNeeds() throws Exception {
        List<HasMetadata> objects = Kustomization.build(DEPLOY.resolve("base"));
        DaemonSet ds = only(objects, DaemonSet.class);
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        assertFalse(Boolean.TRUE.equals(pod.getHostPID()) || Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostIPC()));
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        Container c = agent(objects);
        var sc = c.getSecurityContext();
        assertNotEquals(Boolean.TRUE, sc.getPrivileged());
        assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation());
        assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem());
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
        assertEquals(Set.of(Cap.BPF, Cap.PERFMON, Cap.SYSLOG), added(c));
        // the agent's own check passes with exactly these on 5.8 and later, and fails without either of the two
        assertEquals(List.of(), Capabilities.of(added(c)).missing(5, 8, false).stream().filter(m -> !m.startsWith("CAP_SYS_RESOURCE")).toList());
        assertEquals(List.of(), Capabilities.of(added(c)).missing(6, 1, false));
        for (Cap needed : List.of(Cap.BPF, Cap.PERFMON)) {
            Set<Cap> fewer = added(c).stream().filter(Predicate.not(needed::equals)).collect(Collectors.toSet());
            assertTrue(Capabilities.of(fewer).missing(6, 1, true).get(0).startsWith(needed + ": "), needed.toString());
        }
    }

    @Test
    void hostFoldersAreReadOnlyAndOnlyEmptyDirsAreWritable() throws Exception {
        List<HasMetadata> objects = Kustomization.build(DEPLOY.resolve("base"));
        Map<String, Volume> volumes = only(objects, DaemonSet.class).getSpec().getTemplate().getSpec().getVolumes().stream()
                .collect(Collectors.toMap(Volume::getName, v -> v));
        Container c = agent(objects);
        for (VolumeMount m : c.getVolumeMounts()) {
            Volume v = volumes.get(m.getName());
            assertNotNull(v, m.getName());
            if (v.getHostPath() != null) {
                assertEquals(Boolean.TRUE, m.getReadOnly(), m.getMountPath());
            } else {
                assertNotNull(v.getEmptyDir(), m.getName() + ": writable, so an emptyDir");
                assertNotNull(v.getEmptyDir().getSizeLimit(), m.getName() + " is bounded");
            }
        }
        Set<String> mounted = c.getVolumeMounts().stream().map(VolumeMount::getMountPath).collect(Collectors.toSet());
        // the kernel's headers, tracefs, the host's cgroups, and the writable places the agent uses
        assertTrue(mounted.containsAll(Set.of("/lib/modules", "/usr/src", "/sys/kernel/tracing", "/tmp", "/run/rxpath")), mounted.toString());
        AgentCommand args = parsed(c);
        assertTrue(mounted.contains(args.cgroupRoot.toString()), "--cgroup-root " + args.cgroupRoot + " is the host's cgroups, mounted");
        assertEquals("/run/rxpath/rxpath.sock", args.socket, "the API's socket is in the writable /run/rxpath");
    }

    @Test
    void probesAskTheAgentsHealthListenerAndTheNodeNameComesFromTheDownwardApi() throws Exception {
        List<HasMetadata> objects = Kustomization.build(DEPLOY.resolve("base"));
        Container c = agent(objects);
        AgentCommand args = parsed(c);
        int health = Integer.parseInt(args.healthListen.substring(args.healthListen.lastIndexOf(':') + 1));
        for (Probe p : List.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe())) {
            assertEquals(health, p.getGrpc().getPort());
        }
        assertTrue(c.getStartupProbe().getPeriodSeconds() * c.getStartupProbe().getFailureThreshold() >= 120,
                "time for bcc to compile on a busy node");
        var nodeName = c.getEnv().stream().filter(e -> e.getName().equals("NODE_NAME")).findFirst().orElseThrow();
        assertEquals("spec.nodeName", nodeName.getValueFrom().getFieldRef().getFieldPath());
        assertTrue(c.getResources().getRequests().containsKey("memory") && c.getResources().getLimits().containsKey("memory"));
        assertTrue(c.getResources().getRequests().containsKey("cpu") && c.getResources().getLimits().containsKey("cpu"));
        PodSpec pod = only(objects, DaemonSet.class).getSpec().getTemplate().getSpec();
        assertTrue(pod.getTolerations().stream().anyMatch(t -> "Exists".equals(t.getOperator()) && t.getKey() == null), "every node, tainted or not");
        assertTrue(pod.getTerminationGracePeriodSeconds() >= 10, "time to detach on SIGTERM");
        assertEquals("RollingUpdate", only(objects, DaemonSet.class).getSpec().getUpdateStrategy().getType());
    }

    @Test
    void theAgentReadsOnlyPodsAndItsServiceSelectsItsMetrics() throws Exception {
        List<HasMetadata> objects = Kustomization.build(DEPLOY.resolve("base"));
        ClusterRole role = only(objects, ClusterRole.class);
        assertEquals(1, role.getRules().size());
        var rule = role.getRules().get(0);
        assertEquals(List.of(""), rule.getApiGroups());
        assertEquals(List.of("pods"), rule.getResources());
        assertEquals(Set.of("get", "list", "watch"), Set.copyOf(rule.getVerbs()));
        ClusterRoleBinding binding = only(objects, ClusterRoleBinding.class);
        DaemonSet ds = only(objects, DaemonSet.class);
        assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
        assertEquals(ds.getSpec().getTemplate().getSpec().getServiceAccountName(), binding.getSubjects().get(0).getName());
        assertEquals(ds.getMetadata().getNamespace(), binding.getSubjects().get(0).getNamespace());
        Service service = only(objects, Service.class);
        assertTrue(ds.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(service.getSpec().getSelector().entrySet()));
        Container c = agent(objects);
        AgentCommand args = parsed(c);
        int metrics = Integer.parseInt(args.metricsListen.substring(args.metricsListen.lastIndexOf(':') + 1));
        assertTrue(c.getPorts().stream().anyMatch(p -> p.getName().equals("metrics") && p.getContainerPort() == metrics));
        assertEquals("metrics", service.getSpec().getPorts().get(0).getTargetPort().getStrVal());
    }

    @Test
    void theOverlaysChangeOnlyWhatTheySay() throws Exception {
        Container base = agent(Kustomization.build(DEPLOY.resolve("base")));
        Container otlp = agent(Kustomization.build(DEPLOY.resolve("overlays/otlp")));
        assertEquals("otlp", parsed(otlp).tracesExporter);
        assertTrue(parsed(otlp).tracesEndpoint.startsWith("http://"));
        assertEquals(base.getSecurityContext(), otlp.getSecurityContext());

        Container memlock = agent(Kustomization.build(DEPLOY.resolve("overlays/memlock")));
        assertEquals(Set.of(Cap.BPF, Cap.PERFMON, Cap.SYSLOG, Cap.SYS_RESOURCE), added(memlock));
        assertEquals(List.of(), Capabilities.of(added(memlock)).missing(5, 10, false), "bullseye's kernel with a finite memlock limit");
        assertFalse(Capabilities.of(added(base)).missing(5, 10, false).isEmpty());

        Container privileged = agent(Kustomization.build(DEPLOY.resolve("overlays/privileged")));
        assertEquals(Boolean.TRUE, privileged.getSecurityContext().getPrivileged());
        assertEquals(base.getArgs(), privileged.getArgs());
    }

    /**
     * The relay finds the agents through their Service's EndpointSlices at the port they listen
     * on, may read those and nothing else, both sides speak mutual TLS from the mounted Secrets,
     * and the relay holds no privilege.
     */
    @Test
    void theRelayReachesTheAgentsWhereTheyListenOverMutualTls() throws Exception {
        List<HasMetadata> objects = Kustomization.build(DEPLOY.resolve("overlays/relay"));
        Container agent = agent(objects);
        AgentCommand a = parsed(agent);
        int agentPort = Integer.parseInt(a.listen.substring(a.listen.lastIndexOf(':') + 1));
        assertTrue(agent.getPorts().stream().anyMatch(p -> p.getName().equals("grpc") && p.getContainerPort() == agentPort));
        assertTrue(agent.getArgs().contains("--tls-client-ca=/etc/rxpath/tls/ca.crt"), "agents let in only the cluster CA's clients");
        assertTrue(agent.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/etc/rxpath/tls") && m.getReadOnly()));

        io.fabric8.kubernetes.api.model.Service agents = objects.stream().filter(o -> o instanceof io.fabric8.kubernetes.api.model.Service
                && o.getMetadata().getName().equals("rxpath-agent")).map(io.fabric8.kubernetes.api.model.Service.class::cast).findFirst().orElseThrow();
        assertEquals("None", agents.getSpec().getClusterIP(), "headless: DNS answers every agent's address");
        assertTrue(agents.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == agentPort && "grpc".equals(p.getTargetPort().getStrVal())));

        Deployment relay = only(objects, Deployment.class);
        Container r = relay.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("relay", r.getArgs().get(0));
        dev.rxpath.agent.relay.RelayCommand parsedRelay = new dev.rxpath.agent.relay.RelayCommand();
        new CommandLine(parsedRelay).parseArgs(r.getArgs().subList(1, r.getArgs().size()).toArray(String[]::new));
        var service = dev.rxpath.agent.relay.ServiceEndpoints.Service.parse(r.getArgs().stream().filter(x -> x.startsWith("--peers-endpoints="))
                .findFirst().orElseThrow().substring("--peers-endpoints=".length()), relay.getMetadata().getNamespace());
        assertEquals(agents.getMetadata().getName(), service.name());
        assertEquals(agents.getMetadata().getNamespace(), service.namespace());
        assertTrue(agents.getSpec().getPorts().stream().anyMatch(p -> p.getName().equals(service.port()) && p.getPort() == agentPort),
                "the slices' port of that name is where the agents listen");
        assertTrue(r.getArgs().contains("--tls-server-name=" + agents.getMetadata().getName() + "." + agents.getMetadata().getNamespace() + ".svc"),
                "one certificate, named for the Service, serves every agent pod");
        String account = relay.getSpec().getTemplate().getSpec().getServiceAccountName();
        io.fabric8.kubernetes.api.model.rbac.Role role = only(objects, io.fabric8.kubernetes.api.model.rbac.Role.class);
        assertEquals(1, role.getRules().size());
        assertEquals(List.of("endpointslices"), role.getRules().get(0).getResources());
        assertEquals(List.of("discovery.k8s.io"), role.getRules().get(0).getApiGroups());
        assertEquals(List.of("get", "list", "watch"), role.getRules().get(0).getVerbs());
        io.fabric8.kubernetes.api.model.rbac.RoleBinding binding = only(objects, io.fabric8.kubernetes.api.model.rbac.RoleBinding.class);
        assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
        assertTrue(binding.getSubjects().stream().anyMatch(s -> s.getKind().equals("ServiceAccount") && s.getName().equals(account)
                && s.getNamespace().equals(relay.getMetadata().getNamespace())), "the relay's own account, and only that role");
        assertTrue(r.getArgs().containsAll(List.of("--tls-ca=/etc/rxpath/tls/ca.crt", "--tls-client-cert=/etc/rxpath/tls/tls.crt")));
        assertEquals(List.of("ALL"), r.getSecurityContext().getCapabilities().getDrop());
        assertEquals(Boolean.TRUE, relay.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot());
        io.fabric8.kubernetes.api.model.Service relayService = objects.stream().filter(o -> o instanceof io.fabric8.kubernetes.api.model.Service
                && o.getMetadata().getName().equals("rxpath-relay")).map(io.fabric8.kubernetes.api.model.Service.class::cast).findFirst().orElseThrow();
        assertEquals(relay.getSpec().getSelector().getMatchLabels(), relayService.getSpec().getSelector());
        assertTrue(r.getPorts().stream().anyMatch(p -> p.getName().equals(relayService.getSpec().getPorts().get(0).getTargetPort().getStrVal())));
    }
}
