package dev.rxpath.agent.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.Pipeline;
import dev.rxpath.agent.ReplayedNode;
import dev.rxpath.agent.export.AgentServer;
import dev.rxpath.agent.record.Recording;
import dev.rxpath.api.v1.NodeState;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The relay follows the agents' Service through its EndpointSlices: replayed nodes on real
 * sockets, listed by slices in fabric8's API server (CRUD mode: it keeps what is written and
 * streams the changes to watches, label selectors included), which the test edits as the
 * cluster's endpoint controller would.
 */
class ServiceEndpointsTest {
    private static final String NS = "rxpath";

    @Test
    void peersJoinAndLeaveWithTheServicesEndpointSlicesAndALeaverIsNamed() throws Exception {
        Recording recording = Recording.load(Path.of("src/test/resources/recordings/loopback.rxrec.gz"));
        List<ReplayedNode> nodes = new ArrayList<>();
        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), true);
        api.init();
        KubernetesClient client = api.createClient();
        List<Peer.View> heard = new CopyOnWriteArrayList<>();
        try (Peers peers = new Peers(List.of(), null, 1000, Peers.Tls.NONE, 5000, 100, why -> {})) {
            for (int i = 0; i < 3; i++) {
                nodes.add(ReplayedNode.serve(recording, "node-" + i, new AgentServer.Tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        null, null, null), Pipeline.Limits.DEFAULT, 1000));
            }
            // the agents' Service has a slice per node here (one port each: they share an address); another Service's slice is not ours
            client.resource(slice("rxpath-agent-a", "rxpath-agent", nodes.get(0).port())).create();
            client.resource(slice("rxpath-agent-b", "rxpath-agent", nodes.get(1).port())).create();
            client.resource(slice("other-x", "other", nodes.get(2).port())).create();
            peers.listen(p -> heard.add(p.view()));
            try (ServiceEndpoints endpoints = new ServiceEndpoints(api.createClient(), ServiceEndpoints.Service.parse("rxpath-agent", NS), peers::offered)) {
                await("the Service's two agents connected", () -> connected(peers).equals(Set.of("node-0", "node-1")));

                client.resource(slice("rxpath-agent-c", "rxpath-agent", nodes.get(2).port())).create();
                await("a third endpoint joined", () -> connected(peers).equals(Set.of("node-0", "node-1", "node-2")));

                client.resource(slice("rxpath-agent-a", "rxpath-agent", nodes.get(0).port())).delete();
                await("the deleted endpoint left", () -> connected(peers).equals(Set.of("node-1", "node-2")));
                Peer.View left = heard.stream().filter(v -> v.state() == NodeState.NODE_STATE_UNAVAILABLE && v.name().equals("node-0"))
                        .findFirst().orElseThrow(() -> new AssertionError("no word of node-0 leaving: " + heard));
                assertEquals("no longer an endpoint of Service rxpath/rxpath-agent", left.message());
                assertEquals(2, peers.all().size(), "a peer that left is dropped");
            }
        } finally {
            client.close();
            api.destroy();
            nodes.forEach(ReplayedNode::close);
        }
    }

    @Test
    void theServiceIsParsedWithItsDefaultsAndAMalformedOneNamesTheOption() {
        assertEquals(new ServiceEndpoints.Service("rxpath", "rxpath-agent", "grpc"), ServiceEndpoints.Service.parse("rxpath-agent", "rxpath"));
        assertEquals(new ServiceEndpoints.Service("obs", "agents", "4244"), ServiceEndpoints.Service.parse("obs/agents:4244", "rxpath"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServiceEndpoints.Service.parse("obs/:grpc", "rxpath"));
        assertEquals("--peers-endpoints obs/:grpc: not [NAMESPACE/]SERVICE[:PORT_NAME]", e.getMessage());
    }

    private static EndpointSlice slice(String name, String service, int port) {
        return new EndpointSliceBuilder().withNewMetadata().withName(name).withNamespace(NS).addToLabels("kubernetes.io/service-name", service)
                .endMetadata().withAddressType("IPv4").addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(true)
                .endConditions().endEndpoint().addNewPort().withName("grpc").withPort(port).withProtocol("TCP").endPort().build();
    }

    private static Set<String> connected(Peers peers) {
        return peers.all().stream().filter(Peer::connected).map(Peer::name).collect(Collectors.toSet());
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(50);
        }
    }
}
