package dev.rxpath.agent.bench;

import com.sun.net.httpserver.HttpServer;
import dev.rxpath.agent.Agent;
import dev.rxpath.agent.Backends;
import dev.rxpath.agent.Pipeline;
import dev.rxpath.agent.containers.Containers;
import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.path.PathListener;
import dev.rxpath.agent.traces.TraceCounts;
import dev.rxpath.agent.traces.TraceExport;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's backends as an operator runs them, for a bench round: metrics served on a
 * loopback port and scraped every second (a Prometheus at fifteen times its default rate),
 * and traces exported through the SDK's OTLP/HTTP exporter to a receiver in this process that
 * takes every request and keeps nothing. The receiver's and the scraper's CPU count as the
 * agent process's.
 */
final class BenchBackends implements AutoCloseable {
    private final HttpServer receiver;
    private final Backends backends;
    private final ScheduledExecutorService scraper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-scraper");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong scrapes = new AtomicLong(), scrapeFailures = new AtomicLong();

    private BenchBackends(HttpServer receiver, Backends backends) {
        this.receiver = receiver;
        this.backends = backends;
    }

    static BenchBackends start(ExportOption export) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(loopback, 0), 50);
        receiver.createContext("/", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                body.transferTo(java.io.OutputStream.nullOutputStream());
            }
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse: everything taken
            exchange.close();
        });
        receiver.start();
        TraceExport traces = TraceExport.start(Map.of("otel.traces.exporter", "otlp", "otel.exporter.otlp.protocol", "http/protobuf",
                "otel.exporter.otlp.endpoint", "http://" + loopback.getHostAddress() + ":" + receiver.getAddress().getPort()), "bench");
        return new BenchBackends(receiver, new Backends(new InetSocketAddress(loopback, 0), traces, export.sampling(), new KernelClock(), "bench"));
    }

    PathListener sinks(PathListener next) {
        return backends.sinks(next);
    }

    /** Serves the metrics and starts scraping them. */
    void serve(Agent agent, Pipeline pipeline) throws IOException {
        int port = backends.serve(agent, pipeline, Map::of, Containers.NONE);
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + port + "/metrics")).build();
        scraper.scheduleAtFixedRate(() -> {
            try {
                if (http.send(scrape, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) scrapes.incrementAndGet();
                else scrapeFailures.incrementAndGet();
            } catch (IOException e) {
                scrapeFailures.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    long scrapes() {
        return scrapes.get();
    }

    long scrapeFailures() {
        return scrapeFailures.get();
    }

    /** After {@link #close()}: what the export did, all it held sent. */
    TraceCounts traces() {
        return backends.traceCounts().get();
    }

    /** Safe to call twice. */
    @Override
    public void close() {
        if (scraper.isShutdown()) return;
        scraper.shutdown(); // a scrape under way finishes before the server goes
        try {
            scraper.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        backends.close();
        receiver.stop(0);
    }
}
