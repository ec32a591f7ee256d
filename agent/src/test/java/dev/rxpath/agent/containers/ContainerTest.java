package dev.rxpath.agent.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Containers from cgroup paths as the runtimes and the kubelet name them. */
class ContainerTest {
    private static final String ID = "4f1c0a9e8b7d6c5b4a3928171615141312111009080706050403020100fedcba";
    private static final String UID = "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9";

    @Test
    void theKubeletsSystemdHierarchyGivesRuntimeIdAndPod() {
        String path = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID.replace('-', '_') + ".slice/cri-containerd-" + ID + ".scope";
        assertEquals(Optional.of(new Container("containerd", ID, UID, path)), Container.of(path));
        String crio = "/kubepods.slice/kubepods-pod" + UID.replace('-', '_') + ".slice/crio-" + ID + ".scope";
        assertEquals(Optional.of(new Container("cri-o", ID, UID, crio)), Container.of(crio));
    }

    @Test
    void theCgroupfsDriverNamesThePodAndABareId() {
        String path = "/kubepods/besteffort/pod" + UID + "/" + ID;
        assertEquals(Optional.of(new Container("", ID, UID, path)), Container.of(path));
    }

    @Test
    void outsideKubernetesTheRuntimeAndIdStillShow() {
        assertEquals(Optional.of(new Container("docker", ID, null, "/system.slice/docker-" + ID + ".scope")),
                Container.of("/system.slice/docker-" + ID + ".scope"));
        String podman = "/machine.slice/libpod-" + ID + ".scope/container";
        assertEquals(Optional.of(new Container("podman", ID, null, podman)), Container.of(podman));
    }

    @Test
    void aCgroupOfNoContainerIsNone() {
        assertEquals(Optional.empty(), Container.of("/user.slice/user-0.slice/session-4.scope"));
        assertEquals(Optional.empty(), Container.of("/system.slice/" + ID), "a bare id outside a pod is not taken for a container");
        assertEquals(Optional.empty(), Container.of("/"));
    }
}
