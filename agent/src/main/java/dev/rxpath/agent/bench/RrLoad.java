package dev.rxpath.agent.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The load for {@code bench rr}, in its own processes so that their CPU is not the
 * agent's: request/response over loopback, the shape of a cache, RPC or database client,
 * one blocking thread per connection on both sides.
 * <ul>
 * <li>{@code server CONNECTIONS SIZE}: listens on 127.0.0.1 and prints "listening PORT";
 *     accepts CONNECTIONS connections and answers every SIZE-byte request on each with SIZE
 *     bytes until the client closes it; then prints "read REMOTE_PORT BYTES" per connection,
 *     every byte it read, for the bench to hold the agent's accounting against.</li>
 * <li>{@code client PORT CONNECTIONS SIZE SECONDS}: opens the connections, prints
 *     "connected", then on each sends a request and waits for the whole response, again and
 *     again for SECONDS; closes them and prints "requests COUNT ELAPSED_NS".</li>
 * </ul>
 */
public final class RrLoad {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private RrLoad() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "server" -> serve(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "client" -> ask(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException("usage: server CONNECTIONS SIZE | client PORT CONNECTIONS SIZE SECONDS");
        }
    }

    private static void serve(int connections, int size) throws Exception {
        try (ServerSocket server = new ServerSocket(0, connections, LOOPBACK)) {
            System.out.println("listening " + server.getLocalPort());
            System.out.flush();
            List<Socket> accepted = new ArrayList<>();
            for (int i = 0; i < connections; i++) accepted.add(server.accept());
            List<Long> read = each(accepted, s -> answer(s, size));
            for (int i = 0; i < connections; i++) System.out.println("read " + accepted.get(i).getPort() + " " + read.get(i));
        }
    }

    /** Echoes SIZE-byte requests until the peer closes; returns every byte read. */
    private static long answer(Socket s, int size) throws IOException {
        s.setTcpNoDelay(true);
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] buf = new byte[size];
        for (long read = 0; ; ) {
            int n = in.readNBytes(buf, 0, size);
            read += n;
            if (n < size) return read;
            out.write(buf);
        }
    }

    private static void ask(int port, int connections, int size, int seconds) throws Exception {
        List<Socket> open = new ArrayList<>();
        for (int i = 0; i < connections; i++) open.add(new Socket(LOOPBACK, port));
        System.out.println("connected");
        System.out.flush();
        long t0 = System.nanoTime(), deadline = t0 + seconds * 1_000_000_000L;
        List<Long> requests = each(open, s -> requests(s, size, deadline));
        long elapsed = System.nanoTime() - t0;
        System.out.println("requests " + requests.stream().mapToLong(Long::longValue).sum() + " " + elapsed);
    }

    /** Sends a request and reads its whole response until the deadline, then closes; returns the requests answered. */
    private static long requests(Socket s, int size, long deadline) throws IOException {
        s.setTcpNoDelay(true);
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] request = new byte[size], response = new byte[size];
        long done = 0;
        while (System.nanoTime() < deadline) {
            out.write(request);
            if (in.readNBytes(response, 0, size) < size) throw new IOException("the server closed a connection mid-response");
            done++;
        }
        return done;
    }

    private interface Work {
        long on(Socket s) throws IOException;
    }

    /** Runs {@code work} on every socket, a thread each, and closes each when its work ends; a failure on any fails this process. */
    private static List<Long> each(List<Socket> sockets, Work work) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(sockets.size());
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (Socket s : sockets) {
                results.add(threads.submit((Callable<Long>) () -> {
                    try (s) {
                        return work.on(s);
                    }
                }));
            }
            List<Long> out = new ArrayList<>();
            for (Future<Long> r : results) out.add(r.get());
            return out;
        } finally {
            threads.shutdownNow();
        }
    }
}
