package dev.rxpath.agent.export;

import com.google.common.net.InetAddresses;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.ClientAuth;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The agent's gRPC listeners: a Unix domain socket (mode 0660: root and the socket's group
 * may query), and optionally TCP, which must use TLS unless it is bound to loopback. Each
 * serves the Observer service, the standard health service and server reflection. A third,
 * plaintext TCP listener may serve the health service alone, for the kubelet's gRPC probes
 * (which speak no TLS): it says whether the agent serves, and nothing about the node.
 */
public final class AgentServer implements AutoCloseable {
    /**
     * A TCP listener: its TLS certificate and key may be null only on a loopback address. With
     * {@code clientCa}, a client must show a certificate that CA signed (mutual TLS: a relay's).
     */
    public record Tcp(InetSocketAddress address, File certificate, File privateKey, File clientCa) {
        public Tcp {
            boolean tls = certificate != null && privateKey != null;
            if ((certificate == null) != (privateKey == null)) {
                throw new IllegalArgumentException("--tls-cert and --tls-key go together");
            }
            if (clientCa != null && !tls) throw new IllegalArgumentException("--tls-client-ca needs --tls-cert and --tls-key");
            if (!tls && !address.getAddress().isLoopbackAddress()) {
                throw new IllegalArgumentException("--listen " + address.getHostString() + ":" + address.getPort()
                        + " is not a loopback address: it needs --tls-cert and --tls-key");
            }
        }
    }

    /**
     * gRPC sets SO_KEEPALIVE on every connection it accepts; a Unix socket has no such option, so
     * Netty warned of it at each CLI call. Only that warning is dropped (the logger is held here:
     * java.util.logging keeps loggers weakly; the accepting bootstrap logs as ServerBootstrap).
     */
    private static final Logger BOOTSTRAP = Logger.getLogger("io.netty.bootstrap.ServerBootstrap");

    /**
     * A client that goes away while paths are still being written to it (Ctrl-C on a followed
     * `observe`) leaves Netty writes for a stream already reset, which gRPC reports as a
     * "Stream Error" warning with its stack: that is how a follow ends, so it is kept for debug.
     */
    private static final Logger SERVER_HANDLER = Logger.getLogger("io.grpc.netty.NettyServerHandler");

    static {
        BOOTSTRAP.setFilter(r -> r.getMessage() == null
                || !(r.getMessage().startsWith("Unknown channel option 'SO_KEEPALIVE'") && r.getMessage().contains("DomainSocketChannel")));
        SERVER_HANDLER.setFilter(r -> {
            if (r.getLevel() == java.util.logging.Level.WARNING && r.getThrown() != null && r.getThrown().getMessage() != null
                    && r.getThrown().getMessage().startsWith("Stream closed before write could take place")) {
                r.setLevel(java.util.logging.Level.FINE);
                return SERVER_HANDLER.isLoggable(java.util.logging.Level.FINE);
            }
            return true;
        });
    }

    /** An option's HOST:PORT, HOST an IP address ("[::1]:4245" too); the error names the option. */
    public static InetSocketAddress address(String option, String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) throw new IllegalArgumentException(option + " " + text + ": expected HOST:PORT");
        String host = text.substring(0, colon).replace("[", "").replace("]", "");
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " " + text + ": PORT is not a number");
        }
        if (!InetAddresses.isInetAddress(host)) throw new IllegalArgumentException(option + " " + text + ": HOST must be an IP address");
        return new InetSocketAddress(InetAddresses.forString(host), port);
    }

    private final List<Server> servers = new ArrayList<>();
    private final HealthStatusManager health = new HealthStatusManager();
    private final EventLoopGroup loop = new EpollEventLoopGroup(2);
    private final Path socket;
    private final BindableService observer;
    private Server healthOnly;

    private AgentServer(Path socket, BindableService observer) {
        this.socket = socket;
        this.observer = observer;
    }

    /** @param socket the Unix socket's path, or null for none */
    public static AgentServer start(BindableService observer, Path socket, Tcp tcp) throws IOException {
        return start(observer, socket, tcp, null);
    }

    /**
     * @param observer   served until {@link #close()}, which closes it too when it holds something (AutoCloseable)
     * @param healthOnly the address of the health-only listener, or null for none
     */
    public static AgentServer start(BindableService observer, Path socket, Tcp tcp, InetSocketAddress healthOnly) throws IOException {
        AgentServer s = new AgentServer(socket, observer);
        try {
            if (socket != null) s.servers.add(s.unix(observer, socket));
            if (tcp != null) s.servers.add(s.tcp(observer, tcp));
            if (healthOnly != null) {
                s.healthOnly = NettyServerBuilder.forAddress(healthOnly).addService(s.health.getHealthService()).build().start();
                s.servers.add(s.healthOnly);
            }
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        s.health.setStatus("", ServingStatus.SERVING);
        s.health.setStatus("rxpath.v1.Observer", ServingStatus.SERVING);
        return s;
    }

    private Server unix(BindableService observer, Path path) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        Files.deleteIfExists(path); // a socket left by an agent that did not exit cleanly
        Server server = services(NettyServerBuilder.forAddress(new DomainSocketAddress(path.toFile()))
                .channelType(EpollServerDomainSocketChannel.class).bossEventLoopGroup(loop).workerEventLoopGroup(loop), observer)
                .build().start();
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
        return server;
    }

    private Server tcp(BindableService observer, Tcp tcp) throws IOException {
        NettyServerBuilder b = NettyServerBuilder.forAddress(tcp.address());
        if (tcp.certificate() != null) {
            var ssl = GrpcSslContexts.forServer(tcp.certificate(), tcp.privateKey());
            if (tcp.clientCa() != null) ssl.trustManager(tcp.clientCa()).clientAuth(ClientAuth.REQUIRE);
            b.sslContext(ssl.build());
        }
        return services(b, observer).build().start();
    }

    private NettyServerBuilder services(NettyServerBuilder b, BindableService observer) {
        return b.addService(observer).addService(health.getHealthService()).addService(ProtoReflectionServiceV1.newInstance());
    }

    /** The TCP listener's port (useful when it was asked for port 0); -1 without one. */
    public int tcpPort() {
        for (Server s : servers) {
            if (s == healthOnly) continue;
            for (var a : s.getListenSockets()) if (a instanceof InetSocketAddress i) return i.getPort();
        }
        return -1;
    }

    /** The health-only listener's port; -1 without one. */
    public int healthPort() {
        return healthOnly == null ? -1 : ((InetSocketAddress) healthOnly.getListenSockets().get(0)).getPort();
    }

    @Override
    public void close() {
        health.enterTerminalState();
        for (Server s : servers) s.shutdownNow();
        try {
            for (Server s : servers) s.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        if (observer instanceof AutoCloseable service) {
            try {
                service.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close " + service, e);
            }
        }
        if (socket != null) {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove " + socket, e);
            }
        }
    }
}
