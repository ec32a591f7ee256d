package dev.rxpath.agent.containers;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The pods of this node, from the API server, by their containers' ids: an informer on the
 * pods whose {@code spec.nodeName} is this node only (a node's agent never lists the
 * cluster), kept current by the API server's watch. A pod that went away is kept for a grace
 * time: paths and flows of its sockets still finish after it.
 */
public final class Pods implements AutoCloseable {
    /** A container of a pod: where its reader ran. */
    public record PodContainer(String namespace, String pod, String uid, String container) {}

    private final KubernetesClient client;
    private final SharedIndexInformer<Pod> informer;
    private final long graceNs;
    private final Map<String, PodContainer> byContainerId = new HashMap<>();
    /** Container ids of pods that went away, with when. */
    private final Map<String, Long> goneNs = new HashMap<>();

    private Pods(KubernetesClient client, String node, long graceNs) {
        this.client = client;
        this.graceNs = graceNs;
        // started, not waited for: the agent runs while the API server is away, and the informer keeps trying
        this.informer = client.pods().inAnyNamespace().withField("spec.nodeName", node).runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                put(pod);
            }

            @Override
            public void onUpdate(Pod before, Pod now) {
                put(now); // a container restarted has a new id; the old one's flows keep it until the grace passes
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                gone(pod);
            }
        });
        informer.start();
    }

    /** Watches {@code node}'s pods through {@code client}, which it closes when closed. */
    public static Pods watch(KubernetesClient client, String node, long graceNs) {
        return new Pods(client, node, graceNs);
    }

    /** The pod container with this id (64 hex digits), if the node has, or had within the grace, one. */
    public synchronized Optional<PodContainer> of(String containerId) {
        long now = System.nanoTime();
        goneNs.entrySet().removeIf(e -> {
            boolean expired = now - e.getValue() > graceNs;
            if (expired) byContainerId.remove(e.getKey());
            return expired;
        });
        return Optional.ofNullable(byContainerId.get(containerId));
    }

    /** Whether the informer has listed the node's pods once. */
    public boolean synced() {
        return informer.hasSynced();
    }

    private synchronized void put(Pod pod) {
        for (Map.Entry<String, String> c : containers(pod).entrySet()) {
            byContainerId.put(c.getKey(), new PodContainer(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                    pod.getMetadata().getUid(), c.getValue()));
            goneNs.remove(c.getKey());
        }
    }

    private synchronized void gone(Pod pod) {
        long now = System.nanoTime();
        for (String id : containers(pod).keySet()) goneNs.put(id, now);
    }

    /** "containerd://ID" (and the other runtimes' schemes) of every container, init and ephemeral ones too, to its name. */
    private static Map<String, String> containers(Pod pod) {
        Map<String, String> out = new HashMap<>();
        if (pod.getStatus() == null) return out;
        List<ContainerStatus> all = new ArrayList<>();
        Stream.of(pod.getStatus().getContainerStatuses(), pod.getStatus().getInitContainerStatuses(), pod.getStatus().getEphemeralContainerStatuses())
                .filter(l -> l != null).forEach(all::addAll);
        for (ContainerStatus s : all) {
            String id = s.getContainerID();
            if (id == null || id.isEmpty()) continue; // not started yet
            int scheme = id.indexOf("://");
            out.put(scheme < 0 ? id : id.substring(scheme + 3), s.getName());
        }
        return out;
    }

    @Override
    public void close() {
        informer.close();
        client.close();
    }
}
