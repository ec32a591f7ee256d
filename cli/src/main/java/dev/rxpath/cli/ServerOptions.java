package dev.rxpath.cli;

import dev.rxpath.api.flags.PortConverter;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** Where the agent listens and how to reach it: every query command's --server. */
final class ServerOptions {
    private static final String UNIX = "unix:";

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "Speak TLS to a HOST:PORT server, trusting the CA certificates in FILE (PEM).")
    File tlsCa;

    @Option(names = "--tls-server-name", paramLabel = "NAME",
            description = "The name the server's certificate must carry, when not the host in --server.")
    String tlsServerName;

    private String address;
    private String host;
    private int port;

    @Option(names = "--server", paramLabel = "ADDRESS", defaultValue = "${env:RXPATH_SERVER:-unix:/run/rxpath/rxpath.sock}",
            description = {"The agent: unix:PATH or HOST:PORT (default: ${DEFAULT-VALUE}; env RXPATH_SERVER).",
                    "HOST:PORT is plaintext unless --tls-ca is given; the agent allows plaintext on loopback only."})
    void server(String address) {
        if (address.startsWith(UNIX)) {
            if (address.length() == UNIX.length()) throw usage("--server unix: needs the socket's path");
        } else {
            int colon = address.lastIndexOf(':');
            if (colon <= 0) throw usage("--server '" + address + "' is neither unix:PATH nor HOST:PORT");
            try {
                port = PortConverter.parse(address.substring(colon + 1));
            } catch (TypeConversionException e) {
                throw usage("--server " + e.getMessage());
            }
            host = address.substring(0, colon);
            // [::1]:4245: the brackets set an IPv6 address off from the port
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        }
        this.address = address;
    }

    /** The address as given, for messages. */
    String address() {
        return address;
    }

    /** Why the agent could not be reached, from gRPC's UNAVAILABLE: most often, no agent is running. */
    String unreachable(Status status) {
        if (address.startsWith(UNIX) && !Files.exists(Path.of(socket()))) return socket() + " does not exist (is the agent running?)";
        return status.getCause() != null ? status.getCause().getMessage() : status.getDescription();
    }

    /** A channel to the agent. It connects on the first call, so that usage errors come first. */
    Connection connect() {
        if (address.startsWith(UNIX)) {
            if (tlsCa != null || tlsServerName != null) throw usage("--tls-ca and --tls-server-name are for HOST:PORT servers");
            // Unix domain sockets need the native epoll transport, on a loop of its own
            EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
            return new Connection(NettyChannelBuilder.forAddress(new DomainSocketAddress(socket()))
                    .eventLoopGroup(loop)
                    .channelType(EpollDomainSocketChannel.class)
                    // gRPC asks every socket for SO_KEEPALIVE, which a Unix socket lacks; null removes
                    // the option rather than have Netty log a warning for each connection
                    .withOption(ChannelOption.SO_KEEPALIVE, null)
                    .usePlaintext()
                    .build(), loop);
        }
        NettyChannelBuilder channel = NettyChannelBuilder.forAddress(host, port);
        if (tlsCa == null) {
            if (tlsServerName != null) throw usage("--tls-server-name needs --tls-ca");
            channel.usePlaintext();
        } else {
            try {
                channel.sslContext(GrpcSslContexts.forClient().trustManager(tlsCa).build());
            } catch (SSLException | IllegalArgumentException e) {
                throw usage("--tls-ca " + tlsCa + ": " + e.getMessage());
            }
            if (tlsServerName != null) channel.overrideAuthority(tlsServerName);
        }
        return new Connection(channel.build(), null);
    }

    private String socket() {
        return address.substring(UNIX.length());
    }

    private ParameterException usage(String message) {
        return new ParameterException(command.commandLine(), message);
    }
}
