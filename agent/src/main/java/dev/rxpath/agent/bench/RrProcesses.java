package dev.rxpath.agent.bench;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One round of {@code bench rr}'s load: its server and client processes ({@link RrLoad}). */
final class RrProcesses implements AutoCloseable {
    /** What a round did: the server's port, the requests answered in the client's timed loop, the bytes the server read by client port. */
    record Result(int port, long requests, long elapsedNs, Map<Integer, Long> read) {
        double perSecond() {
            return requests * 1e9 / elapsedNs;
        }
    }

    private static final long START_SECONDS = 60, END_SECONDS = 60; // JVM start and exit, on a machine this load keeps busy

    private final LoadProcess server;
    private final LoadProcess client;
    private final int port;
    private final int seconds;

    private RrProcesses(LoadProcess server, LoadProcess client, int port, int seconds) {
        this.server = server;
        this.client = client;
        this.port = port;
        this.seconds = seconds;
    }

    /** Starts both and returns as the client's timed loop begins, every connection open. */
    static RrProcesses start(int connections, int size, int seconds) throws IOException, InterruptedException {
        LoadProcess server = LoadProcess.start("rr server", RrLoad.class, "server", connections, size);
        LoadProcess client = null;
        try {
            int port = Integer.parseInt(expect(server, "listening")[1]);
            client = LoadProcess.start("rr client", RrLoad.class, "client", port, connections, size, seconds);
            expect(client, "connected");
            return new RrProcesses(server, client, port, seconds);
        } catch (RuntimeException | IOException | InterruptedException e) {
            if (client != null) client.close();
            server.close();
            throw e;
        }
    }

    /** Waits for the client's loop to end and the server to account for every connection. */
    Result finish() throws InterruptedException {
        String[] done = words(client, client.finish(seconds + END_SECONDS), "requests");
        Map<Integer, Long> read = new HashMap<>();
        for (String line : server.finish(END_SECONDS)) {
            String[] f = words(server, List.of(line), "read");
            read.put(Integer.parseInt(f[1]), Long.parseLong(f[2]));
        }
        return new Result(port, Long.parseLong(done[1]), Long.parseLong(done[2]), read);
    }

    private static String[] expect(LoadProcess p, String word) throws InterruptedException {
        return words(p, List.of(p.readLine(START_SECONDS)), word);
    }

    /** The words of the first line, which must begin with {@code word}. */
    private static String[] words(LoadProcess p, List<String> lines, String word) {
        String[] f = lines.isEmpty() ? new String[0] : lines.get(0).split(" ");
        if (f.length == 0 || !f[0].equals(word)) throw new IllegalStateException(p + " printed " + lines + ", not \"" + word + " …\"");
        return f;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            client.close();
        } finally {
            server.close();
        }
    }
}
