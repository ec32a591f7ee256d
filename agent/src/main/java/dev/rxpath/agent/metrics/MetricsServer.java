package dev.rxpath.agent.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;

/** Serves a registry in the Prometheus exposition formats on /metrics (and a health check on /-/healthy). */
public final class MetricsServer implements AutoCloseable {
    private final HTTPServer server;

    private MetricsServer(HTTPServer server) {
        this.server = server;
    }

    public static MetricsServer start(InetSocketAddress address, PrometheusRegistry registry) throws IOException {
        return new MetricsServer(HTTPServer.builder().inetAddress(address.getAddress()).port(address.getPort()).registry(registry)
                .buildAndStart());
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
