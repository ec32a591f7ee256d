package dev.rxpath.agent.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.export.AgentServer;
import dev.rxpath.api.v1.NodeState;
import dev.rxpath.api.v1.ObserverGrpc;
import dev.rxpath.api.v1.ServerStatusRequest;
import dev.rxpath.api.v1.ServerStatusResponse;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's side of mutual TLS, against a real TLS listener that requires a client
 * certificate from the cluster's CA (certificates made by openssl): a relay with one is let in,
 * one without it, or trusting another CA, is named with the TLS error.
 */
class PeersTlsTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=cluster-ca", "-keyout", "ca.key", "-out", "ca.pem");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=other-ca", "-keyout", "other.key", "-out", "other.pem");
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\n");
        Files.writeString(dir.resolve("named.ext"), "subjectAltName=DNS:rxpath-agent.rxpath.svc\n");
        for (String who : List.of("server", "named", "relay")) {
            openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + who, "-keyout", who + ".rsa", "-out", who + ".csr");
            openssl("pkcs8", "-topk8", "-nocrypt", "-in", who + ".rsa", "-out", who + ".key");
            if (!who.equals("relay")) {
                openssl("x509", "-req", "-in", who + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1",
                        "-extfile", who + ".ext", "-out", who + ".pem");
            } else {
                openssl("x509", "-req", "-in", who + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1", "-out", who + ".pem");
            }
        }
    }

    private static void openssl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }

    /** An agent's API as far as a relay's status poll needs it. */
    private static final class Node extends ObserverGrpc.ObserverImplBase {
        @Override
        public void serverStatus(ServerStatusRequest request, StreamObserver<ServerStatusResponse> out) {
            out.onNext(ServerStatusResponse.newBuilder().setNodeName("node-tls").build());
            out.onCompleted();
        }
    }

    private static Peer.View poll(AgentServer server, Peers.Tls tls) throws Exception {
        try (Peers peers = new Peers(List.of("127.0.0.1:" + server.tcpPort()), null, 1000, tls, 3000, 100, why -> {})) {
            Peer p = peers.all().get(0);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (p.view().message().equals("not connected yet") && System.nanoTime() < deadline) Thread.sleep(50);
            return p.view();
        }
    }

    private static AgentServer mutual() throws Exception {
        return mutual("server");
    }

    private static AgentServer mutual(String certificate) throws Exception {
        return AgentServer.start(new Node(), null, new AgentServer.Tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                dir.resolve(certificate + ".pem").toFile(), dir.resolve(certificate + ".key").toFile(), dir.resolve("ca.pem").toFile()));
    }

    @Test
    void aCertificateForTheServicesNameServesEveryAgentWhenTheRelayIsToldThatName() throws Exception {
        try (AgentServer server = mutual("named")) {
            Peer.View named = poll(server, new Peers.Tls(dir.resolve("ca.pem").toFile(), dir.resolve("relay.pem").toFile(),
                    dir.resolve("relay.key").toFile(), "rxpath-agent.rxpath.svc"));
            assertEquals(NodeState.NODE_STATE_CONNECTED, named.state(), named.toString());
            Peer.View byAddress = poll(server, new Peers.Tls(dir.resolve("ca.pem").toFile(), dir.resolve("relay.pem").toFile(),
                    dir.resolve("relay.key").toFile(), null));
            assertEquals(NodeState.NODE_STATE_UNAVAILABLE, byAddress.state(), "dialled at 127.0.0.1, which the certificate does not name: " + byAddress);
        }
    }

    @Test
    void aRelayWithTheClustersCertificateIsLetIn() throws Exception {
        try (AgentServer server = mutual()) {
            Peer.View v = poll(server, new Peers.Tls(dir.resolve("ca.pem").toFile(), dir.resolve("relay.pem").toFile(), dir.resolve("relay.key").toFile(), null));
            assertEquals(NodeState.NODE_STATE_CONNECTED, v.state(), v.toString());
            assertEquals("node-tls", v.name());
        }
    }

    @Test
    void aRelayWithoutACertificateOrTrustingAnotherCaIsToldWhy() throws Exception {
        try (AgentServer server = mutual()) {
            Peer.View anonymous = poll(server, new Peers.Tls(dir.resolve("ca.pem").toFile(), null, null, null));
            assertEquals(NodeState.NODE_STATE_UNAVAILABLE, anonymous.state(), anonymous.toString());
            assertTrue(anonymous.message().startsWith("UNAVAILABLE"), anonymous.message());

            Peer.View distrusting = poll(server, new Peers.Tls(dir.resolve("other.pem").toFile(), dir.resolve("relay.pem").toFile(),
                    dir.resolve("relay.key").toFile(), null));
            assertEquals(NodeState.NODE_STATE_UNAVAILABLE, distrusting.state(), distrusting.toString());
            assertTrue(distrusting.message().contains("certification path"), distrusting.message());
        }
    }

    @Test
    void plaintextOffLoopbackAndAHalfClientCertificateAreRefused() {
        IllegalArgumentException plain = assertThrows(IllegalArgumentException.class,
                () -> new Peers(List.of("192.0.2.1:4244"), null, 1000, Peers.Tls.NONE, 1000, 1000, why -> {}));
        assertEquals("--peer 192.0.2.1:4244 is not a loopback address: plaintext is refused, give --tls-ca", plain.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Peers.Tls(dir.resolve("ca.pem").toFile(), dir.resolve("relay.pem").toFile(), null, null));
        IllegalArgumentException noServerCert = assertThrows(IllegalArgumentException.class, () -> new AgentServer.Tcp(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, null, dir.resolve("ca.pem").toFile()));
        assertEquals("--tls-client-ca needs --tls-cert and --tls-key", noServerCert.getMessage());
    }
}
