package dev.rxpath.agent.relay;

import dev.rxpath.agent.export.AgentServer;
import dev.rxpath.agent.export.ServerTls;
import dev.rxpath.agent.log.LogOptions;
import java.io.File;
import java.io.IOException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code rxpath relay}: many agents' Observer APIs served as one. */
@Command(name = "relay", mixinStandardHelpOptions = true,
        description = {"Serve the Observer API of many agents as one: paths merged by time, flows and status across nodes.",
                "The CLI talks to it as to an agent: rxpath observe --server HOST:PORT."})
public final class RelayCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger("dev.rxpath.agent.relay");

    @Spec
    CommandSpec spec;

    @Option(names = "--peer", split = ",", paramLabel = "HOST:PORT",
            description = "An agent's TCP listener (its --listen); repeatable.")
    List<String> peers = List.of();

    @Option(names = "--peers-dns", paramLabel = "NAME:PORT",
            description = "A name whose every A and AAAA record is an agent listening on PORT: the agents' headless Service, re-resolved every --dns-interval.")
    String peersDns;

    @Option(names = "--peers-endpoints", paramLabel = "[NAMESPACE/]SERVICE[:PORT]",
            description = {"The agents' Service: its EndpointSlices, watched through the Kubernetes API, list the agents;"
                    + " PORT is the slice port's name or number (default grpc), NAMESPACE the relay's own.",
                    "Needs get, list and watch on endpointslices in that namespace."})
    String peersEndpoints;

    @Option(names = "--dns-interval", paramLabel = "MS", defaultValue = "10000", description = "How often --peers-dns is resolved again (default: ${DEFAULT-VALUE}).")
    long dnsMs;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:4245",
            description = "Where to serve; a non-loopback address needs --tls-cert and --tls-key (default: ${DEFAULT-VALUE}).")
    String listen;

    @Mixin
    ServerTls tls;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "Speak TLS to the peers, trusting these CA certificates (PEM); without it only loopback peers are allowed.")
    File tlsCa;

    @Option(names = "--tls-client-cert", paramLabel = "FILE", description = "The certificate the relay shows its peers (PEM), with --tls-client-key.")
    File tlsClientCert;

    @Option(names = "--tls-client-key", paramLabel = "FILE", description = "Its private key (PKCS#8).")
    File tlsClientKey;

    @Option(names = "--tls-server-name", paramLabel = "NAME",
            description = "The name every peer's certificate must carry, whatever address the peer was found at (default: that address).")
    String tlsServerName;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "relay", description = "The relay's name in its answers (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--dial-timeout", paramLabel = "MS", defaultValue = "5000",
            description = "How long a peer may take to connect and answer a status or a snapshot (default: ${DEFAULT-VALUE}).")
    long dialTimeoutMs;

    @Option(names = "--poll-interval", paramLabel = "MS", defaultValue = "1000",
            description = "How often each peer is asked for its status, which tells a node that left or came back (default: ${DEFAULT-VALUE}).")
    long pollMs;

    @Option(names = "--sort-buffer", paramLabel = "N", defaultValue = "1000",
            description = "Paths held per stream to merge the nodes' streams by time; when full, the oldest go, counted (default: ${DEFAULT-VALUE}).")
    int sortBuffer;

    @Option(names = "--drain-timeout", paramLabel = "MS", defaultValue = "1000",
            description = "How long a followed path waits for older ones from slower nodes (default: ${DEFAULT-VALUE}).")
    long drainMs;

    /** The relay on its own, as `rxpath relay` runs it (bench relay starts it so). */
    public static void main(String[] args) {
        LogOptions.install();
        System.exit(new CommandLine(new RelayCommand()).execute(args));
    }

    @Mixin
    LogOptions logOptions;

    @Override
    public Integer call() throws IOException, InterruptedException {
        logOptions.apply();
        if (sortBuffer < 1) throw new ParameterException(spec.commandLine(), "--sort-buffer must be at least 1");
        if (dialTimeoutMs < 1 || pollMs < 1 || dnsMs < 1 || drainMs < 0) throw new ParameterException(spec.commandLine(), "--dial-timeout, --poll-interval, --dns-interval: at least 1 ms; --drain-timeout: at least 0");
        // the JVM keeps a name's addresses 30 s by default: a re-resolution must see the Service as it is
        java.security.Security.setProperty("networkaddress.cache.ttl", String.valueOf(Math.max(1, dnsMs / 1000)));
        AgentServer.Tcp tcp;
        Peers relayed;
        try {
            tcp = tls.listener(AgentServer.address("--listen", listen));
            if (peers.isEmpty() && peersDns == null && peersEndpoints == null) {
                throw new IllegalArgumentException("no peers: give --peer, --peers-dns or --peers-endpoints");
            }
            relayed = new Peers(peers, peersDns == null ? null : Peers.Dns.parse(peersDns), dnsMs,
                    new Peers.Tls(tlsCa, tlsClientCert, tlsClientKey, tlsServerName), dialTimeoutMs, pollMs, why -> LOG.warning("relay: not a peer: " + why));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        ServiceEndpoints endpoints = null;
        if (peersEndpoints != null) {
            KubernetesClient kubernetes = new KubernetesClientBuilder().build();
            try {
                endpoints = new ServiceEndpoints(kubernetes, ServiceEndpoints.Service.parse(peersEndpoints, kubernetes.getNamespace()), relayed::offered);
            } catch (IllegalArgumentException e) {
                kubernetes.close();
                relayed.close();
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        ServiceEndpoints watch = endpoints;
        AgentServer server;
        try {
            server = AgentServer.start(new RelayService(relayed, name, drainMs * 1_000_000L, sortBuffer), null, tcp);
        } catch (IOException e) {
            if (watch != null) watch.close();
            relayed.close();
            LOG.severe("relay: cannot listen on " + listen + ": " + e.getMessage());
            return 1;
        }
        relayed.listen(p -> LOG.info("relay: " + p.name() + " (" + p.address() + ") " + state(p)
                + (p.view().message().isEmpty() ? "" : ": " + p.view().message())));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            if (watch != null) watch.close();
            relayed.close();
            stopped.countDown();
        }, "rxpath-relay-shutdown"));
        LOG.info(String.format(Locale.ROOT, "relay: serving on %s:%d for %s; Ctrl-C to stop", tcp.address().getHostString(), server.tcpPort(),
                String.join(" and ", sources())));
        stopped.await();
        return 0;
    }

    /** What the relay was told to follow, as its start-up line names them. */
    private List<String> sources() {
        List<String> out = new java.util.ArrayList<>();
        if (!peers.isEmpty()) out.add(peers.size() + " peers");
        if (peersDns != null) out.add("the agents at " + peersDns);
        if (peersEndpoints != null) out.add("the endpoints of " + peersEndpoints);
        return out;
    }

    private static String state(Peer p) {
        return switch (p.view().state()) {
            case NODE_STATE_CONNECTED -> "connected";
            case NODE_STATE_UNAVAILABLE -> "unavailable";
            case NODE_STATE_ERROR -> "error";
            case NODE_STATE_UNSPECIFIED, UNRECOGNIZED -> "unknown";
        };
    }
}
