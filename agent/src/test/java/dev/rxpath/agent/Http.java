package dev.rxpath.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** GETs to the servers the tests start and to the agent's own /metrics. */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    /** Prometheus' text format, which every scraper takes. */
    static final String TEXT = "text/plain; version=0.0.4";
    /** OpenMetrics: the only format that carries exemplars. */
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0";

    private Http() {}

    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The agent's exposition at HOST:PORT, in the format asked for. */
    static String metrics(String address, String format) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://" + address + "/metrics")).header("Accept", format).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
