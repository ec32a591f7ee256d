package dev.rxpath.agent.relay;

import dev.rxpath.api.IpText;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * The agents behind the relay, one channel each, and one scheduler that asks each for its
 * status every poll interval and drives every merged stream: the relay has no thread per
 * stream or per peer. Whoever listens hears of every peer's change of state once.
 */
final class Peers implements AutoCloseable {
    /**
     * How the relay reaches its peers. Plaintext only to loopback: a peer elsewhere needs
     * {@code ca} (and, for an agent that asks for one, a client certificate and key).
     * {@code serverName}, when given, is the name every peer's certificate must carry, whatever
     * address it was dialled at: one certificate then serves every agent of a DaemonSet, whose
     * pods' addresses no certificate can know in advance.
     */
    record Tls(File ca, File clientCert, File clientKey, String serverName) {
        static final Tls NONE = new Tls(null, null, null, null);

        Tls {
            if ((clientCert == null) != (clientKey == null)) throw new IllegalArgumentException("--tls-client-cert and --tls-client-key go together");
            if (serverName != null && ca == null) throw new IllegalArgumentException("--tls-server-name needs --tls-ca");
            if (clientCert != null && ca == null) throw new IllegalArgumentException("--tls-client-cert needs --tls-ca");
        }
    }

    /** The name and port of a headless Service whose every A and AAAA record is an agent. */
    record Dns(String name, int port) {
        static Dns parse(String text) {
            int colon = text.lastIndexOf(':');
            try {
                if (colon <= 0) throw new NumberFormatException();
                return new Dns(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--peers-dns " + text + ": not NAME:PORT");
            }
        }
    }

    private final Map<String, Peer> peers = new ConcurrentHashMap<>();
    private final List<Consumer<Peer>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rxpath-relay");
        t.setDaemon(true);
        return t;
    });
    private final Tls tls;
    private final long dialTimeoutMs;
    private final Set<String> staticAddresses;
    private final Consumer<String> refused;
    private final Set<String> saidRefused = ConcurrentHashMap.newKeySet();
    /** The source that brought each peer that a --peer did not. */
    private final Map<String, String> sourceOf = new HashMap<>();

    /**
     * @param addresses HOST:PORT of each agent
     * @param dns       a Service whose records are agents, re-resolved every {@code dnsMs}; null for none
     */
    Peers(List<String> addresses, Dns dns, long dnsMs, Tls tls, long dialTimeoutMs, long pollMs, Consumer<String> refused) {
        this.tls = tls;
        this.refused = refused;
        this.dialTimeoutMs = dialTimeoutMs;
        this.staticAddresses = Set.copyOf(addresses);
        for (String a : addresses) add(a);
        if (dns != null) scheduler.scheduleWithFixedDelay(() -> resolve(dns), 0, dnsMs, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(() -> peers.values().forEach(Peer::poll), 0, pollMs, TimeUnit.MILLISECONDS);
    }

    private void add(String address) {
        peers.computeIfAbsent(address, a -> new Peer(a, channel(a, tls, dialTimeoutMs), dialTimeoutMs, this::changed));
    }

    /** Every address the name has now is a peer. A failed lookup changes nothing (a DNS hiccup must not empty the relay). */
    private void resolve(Dns dns) {
        Set<String> now = new HashSet<>();
        try {
            for (InetAddress a : InetAddress.getAllByName(dns.name())) now.add(IpText.endpoint(a, dns.port()));
        } catch (UnknownHostException e) {
            return;
        }
        offered("an address of " + dns.name(), now);
    }

    /**
     * The peers a source (a name's records, a Service's endpoints) has now: a new one joins, and
     * one it no longer has is said to be gone, naming the source, and dropped. A --peer stays
     * whatever a source says.
     */
    synchronized void offered(String source, Set<String> now) {
        for (String a : now) {
            if (staticAddresses.contains(a)) continue;
            try {
                add(a);
                sourceOf.putIfAbsent(a, source);
            } catch (RuntimeException e) {
                // an address the relay may not speak plaintext to: not a peer, and said once
                if (saidRefused.add(a)) refused.accept(e.getMessage());
            }
        }
        for (Map.Entry<String, String> e : List.copyOf(sourceOf.entrySet())) {
            if (e.getValue().equals(source) && !now.contains(e.getKey())) {
                sourceOf.remove(e.getKey());
                Peer gone = peers.remove(e.getKey());
                gone.gone("no longer " + source);
                gone.close();
            }
        }
    }

    private static ManagedChannel channel(String address, Tls tls, long dialTimeoutMs) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) throw new IllegalArgumentException("--peer " + address + ": not HOST:PORT");
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--peer " + address + ": not HOST:PORT");
        }
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(host, port)
                .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, dialTimeoutMs));
        if (tls.ca() == null) {
            if (!loopback(host)) {
                throw new IllegalArgumentException("--peer " + address + " is not a loopback address: plaintext is refused, give --tls-ca");
            }
            return b.usePlaintext().build();
        }
        try {
            SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(tls.ca());
            if (tls.clientCert() != null) ssl.keyManager(tls.clientCert(), tls.clientKey());
            if (tls.serverName() != null) b.overrideAuthority(tls.serverName());
            return b.sslContext(ssl.build()).build();
        } catch (SSLException e) {
            throw new UncheckedIOException("--tls-ca " + tls.ca() + ": " + e.getMessage(), e);
        }
    }

    private static boolean loopback(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) if (!a.isLoopbackAddress()) return false;
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The peers now; DNS may add or drop some later. */
    List<Peer> all() {
        return List.copyOf(peers.values());
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    void listen(Consumer<Peer> listener) {
        listeners.add(listener);
    }

    void unlisten(Consumer<Peer> listener) {
        listeners.remove(listener);
    }

    private void changed(Peer p) {
        for (Consumer<Peer> l : listeners) l.accept(p);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        peers.values().forEach(Peer::close);
    }
}
