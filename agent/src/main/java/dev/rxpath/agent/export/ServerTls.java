package dev.rxpath.agent.export;

import java.io.File;
import java.net.InetSocketAddress;
import picocli.CommandLine.Option;

/** The certificate and key a TCP listener (an agent's or a relay's --listen) serves TLS with, and whom it lets in. */
public final class ServerTls {
    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain for --listen.")
    File cert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key (PKCS#8) for --listen.")
    File key;

    @Option(names = "--tls-client-ca", paramLabel = "FILE",
            description = "Require --listen's clients to show a certificate these CA certificates (PEM) signed: mutual TLS, as a relay speaks it.")
    File clientCa;

    public boolean given() {
        return cert != null || key != null || clientCa != null;
    }

    /** The listener at this address; refused without both files off loopback. */
    public AgentServer.Tcp listener(InetSocketAddress address) {
        return new AgentServer.Tcp(address, cert, key, clientCa);
    }
}
