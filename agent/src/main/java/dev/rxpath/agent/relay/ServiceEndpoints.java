package dev.rxpath.agent.relay;

import dev.rxpath.api.IpText;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The agents as their Service's EndpointSlices list them, kept current by the API server's
 * watch: a pod that starts is a peer at once, and one that is deleted leaves, said so, rather
 * than lingering until a DNS cache expires. An agent that is not ready stays a peer, so the
 * relay reports it unavailable and why instead of letting it vanish.
 */
public final class ServiceEndpoints implements AutoCloseable {
    /** NAMESPACE/NAME:PORT_NAME; the namespace defaults to the client's, the port's name to "grpc". */
    public record Service(String namespace, String name, String port) {
        public static Service parse(String text, String defaultNamespace) {
            int slash = text.indexOf('/'), colon = text.lastIndexOf(':');
            String ns = slash < 0 ? defaultNamespace : text.substring(0, slash);
            String name = text.substring(slash + 1, colon > slash ? colon : text.length());
            String port = colon > slash ? text.substring(colon + 1) : "grpc";
            if (ns == null || ns.isEmpty() || name.isEmpty() || port.isEmpty()) {
                throw new IllegalArgumentException("--peers-endpoints " + text + ": not [NAMESPACE/]SERVICE[:PORT_NAME]");
            }
            return new Service(ns, name, port);
        }

        @Override
        public String toString() {
            return namespace + "/" + name;
        }
    }

    private final KubernetesClient client;
    private final SharedIndexInformer<EndpointSlice> informer;

    /**
     * Watches through {@code client}, which it closes when closed.
     *
     * @param offered told the source's name and every peer address the slices hold, at each change
     */
    ServiceEndpoints(KubernetesClient client, Service service, BiConsumer<String, Set<String>> offered) {
        this.client = client;
        String source = "an endpoint of Service " + service;
        // started, not waited for: the relay serves while the API server is away, and the informer keeps trying
        informer = client.discovery().v1().endpointSlices().inNamespace(service.namespace())
                .withLabel("kubernetes.io/service-name", service.name()).runnableInformer(0);
        Runnable changed = () -> offered.accept(source, addresses(informer, service.port()));
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(EndpointSlice slice) {
                changed.run();
            }

            @Override
            public void onUpdate(EndpointSlice before, EndpointSlice now) {
                changed.run();
            }

            @Override
            public void onDelete(EndpointSlice slice, boolean finalStateUnknown) {
                changed.run();
            }
        });
        informer.start();
    }

    /** HOST:PORT of every endpoint of every slice the informer holds now, at the named port. */
    private static Set<String> addresses(SharedIndexInformer<EndpointSlice> informer, String portName) {
        Set<String> out = new HashSet<>();
        for (EndpointSlice slice : informer.getStore().list()) {
            Integer port = null;
            for (EndpointPort p : slice.getPorts()) {
                if (portName.equals(p.getName()) || portName.equals(String.valueOf(p.getPort()))) port = p.getPort();
            }
            if (port == null || slice.getEndpoints() == null) continue;
            for (Endpoint e : slice.getEndpoints()) {
                for (String a : e.getAddresses()) out.add(IpText.endpoint(a, port));
            }
        }
        return out;
    }

    @Override
    public void close() {
        informer.close();
        client.close();
    }
}
