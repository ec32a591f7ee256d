package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.api.flags.CgroupV2;
import dev.rxpath.api.v1.Flow;
import dev.rxpath.api.v1.FlowFilter;
import dev.rxpath.api.v1.GetFlowsRequest;
import dev.rxpath.api.v1.ObserverGrpc;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.BufferedReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A reader in a cgroup laid out as the kubelet and containerd lay out a pod's container
 * (made by the test under its own slice): its socket's flow names the container, the
 * runtime and the pod, through the Observer API; the pod's namespace and name come from an
 * API server (fabric8's mock) that lists the node's pods, among them the one whose status
 * lists that container, to the agent's informer (this node's pods only).
 */
@KernelTest
class ContainersKernelTest {
    private static final String ID = "c0ffee0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
    private static final String UID = "5e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b";

    /** A pod on {@code node} whose one container runs, under containerd, with {@code containerId}. */
    private static Pod pod(String namespace, String name, String uid, String node, String container, String containerId) {
        return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).withUid(uid).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName(container).withImage("nginx").endContainer().endSpec()
                .withNewStatus().addNewContainerStatus().withName(container).withContainerID("containerd://" + containerId).endContainerStatus()
                .endStatus().build();
    }

    @Test
    void aReaderInAPodsContainerCgroupIsThatContainers() throws Exception {
        Path mount = CgroupV2.mount().orElseThrow(() -> new AssertionError("this machine has no cgroup v2 hierarchy mounted"));
        Path top = mount.resolve("rxpath-test-" + ProcessHandle.current().pid() + ".slice");
        Path scope = top.resolve("kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + UID.replace('-', '_') + ".slice/cri-containerd-"
                + ID + ".scope");
        List<Path> made = new ArrayList<>();
        for (Path p = scope; !p.equals(mount); p = p.getParent()) made.add(p);
        Collections.reverse(made);
        for (Path p : made) Files.createDirectory(p);
        // fabric8's mock API server; its CRUD mode filters by metadata fields only, so it answers the agent's
        // informer (its node's pods: fieldSelector=spec.nodeName) as the API server would, from expectations
        KubernetesMockServer kubernetes = new KubernetesMockServer(true);
        kubernetes.init();
        String nodePods = "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-a";
        kubernetes.expect().get().withPath(nodePods + "&resourceVersion=0").andReturn(200, new PodListBuilder().withNewMetadata()
                .withResourceVersion("7").endMetadata().addToItems(pod("shop", "web-0", UID, "node-a", "web", ID)).build()).always();
        // the watch that follows, its parameters in the order the client sends them
        kubernetes.expect().get().withPath("/api/v1/pods?allowWatchBookmarks=true&fieldSelector=spec.nodeName%3Dnode-a&resourceVersion=7"
                        + "&timeoutSeconds=600&watch=true")
                .andUpgradeToWebSocket().open().done().always();
        int api = PrometheusServer.freePort(), metrics = PrometheusServer.freePort();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 4, loopback);
             AgentProcess agent = AgentProcess.agent(Map.of("KUBERNETES_MASTER", kubernetes.url("/"), "KUBECONFIG", "/nonexistent",
                     "KUBERNETES_TRUST_CERTIFICATES", "true"), // the mock's own certificate
                     "--kubernetes", "on", "--node-name", "node-a", "--socket", "none", "--listen", "127.0.0.1:" + api,
                     "--counters-interval", "200", "--stats-interval", "0", "--metrics-listen", "127.0.0.1:" + metrics,
                     "--metrics-labels", "namespace,pod")) {
            agent.awaitAttached();
            String java = ProcessHandle.current().info().command().orElse("java");
            Process peer = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CgroupPeer.class.getName(), scope.toString(),
                    String.valueOf(server.getLocalPort())).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            int clientPort;
            try (BufferedReader lines = peer.inputReader()) {
                int listenPort = Integer.parseInt(lines.readLine().split(" ")[1]);
                try (Socket accepted = server.accept()) {
                    Traffic.send(accepted, 100_000);
                }
                clientPort = Integer.parseInt(lines.readLine().split(" ")[1]);
                try (Socket s = new Socket(loopback, listenPort)) {
                    Traffic.send(s, 1_000);
                }
                lines.readLine();
                assertEquals(0, peer.waitFor(), "the peer's exit status");
            } finally {
                peer.destroyForcibly();
            }
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", api).usePlaintext().build();
            try {
                var observer = ObserverGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
                // the peer has exited: its socket's flow is a closed one
                GetFlowsRequest itsFlow = GetFlowsRequest.newBuilder().addWhitelist(FlowFilter.newBuilder().addLocalPort(clientPort).setClosed(true)).build();
                try {
                    KernelTests.await("the peer's client socket's flow, with its reader's pod", 20_000,
                            () -> observer.getFlows(itsFlow).next().getFlowsList().stream().anyMatch(f -> !f.getReader().getContainer().getPod().isEmpty()));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + ": " + observer.getFlows(itsFlow).next() + String.join("\n", agent.err), e);
                }
                Flow flow = observer.getFlows(itsFlow).next().getFlowsList().stream().filter(Flow::hasReader).findFirst().orElseThrow();
                assertTrue(agent.err.stream().noneMatch(l -> l.contains("SEVERE") || l.contains("WARNING")), String.join("\n", agent.err));
                assertEquals(100_000, flow.getBytesDelivered());
                var container = flow.getReader().getContainer();
                assertEquals("containerd", container.getRuntime(), flow.getReader().toString());
                assertEquals(ID, container.getId());
                assertEquals(UID, container.getPodUid());
                assertEquals("/" + mount.relativize(scope), container.getCgroup());
                assertEquals("shop", container.getNamespace(), container + String.join("\n", agent.err));
                assertEquals("web-0", container.getPod());
                assertEquals("web", container.getName());
                // the filters that name pods, namespaces and containers
                for (var matches : List.of(FlowFilter.newBuilder().addPod("shop/web-"), FlowFilter.newBuilder().addPod("web"),
                        FlowFilter.newBuilder().addNamespace("shop"), FlowFilter.newBuilder().addContainer("web"),
                        FlowFilter.newBuilder().addContainer("containerd://" + ID.substring(0, 12)), FlowFilter.newBuilder().addContainer(ID))) {
                    var request = GetFlowsRequest.newBuilder().addWhitelist(matches.addLocalPort(clientPort).setClosed(true)).build();
                    assertEquals(1, observer.getFlows(request).next().getFlowsList().stream().filter(Flow::hasReader).count(), matches.toString());
                }
                // the opt-in pod and namespace labels: what the pod's sockets read, exactly (100,000 bytes on its
                // client socket, 1,000 on the one its listener accepted)
                String exposition = Http.metrics("127.0.0.1:" + metrics, Http.TEXT);
                assertTrue(exposition.contains("rxpath_workload_delivered_bytes_total{namespace=\"shop\",pod=\"web-0\"} 101000.0"), exposition);
                for (var misses : List.of(FlowFilter.newBuilder().addPod("shop/db-"), FlowFilter.newBuilder().addPod("other/web-"),
                        FlowFilter.newBuilder().addNamespace("kube-system"), FlowFilter.newBuilder().addContainer("sidecar"),
                        FlowFilter.newBuilder().addContainer("ffffffffffff"))) {
                    var request = GetFlowsRequest.newBuilder().addWhitelist(misses.addLocalPort(clientPort).setClosed(true)).build();
                    assertEquals(0, observer.getFlows(request).next().getFlowsCount(), misses.toString());
                }
            } finally {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
            agent.interrupt();
        } finally {
            kubernetes.destroy();
            Collections.reverse(made);
            for (Path p : made) Files.deleteIfExists(p); // rmdir, once the peer is gone
        }
    }
}
