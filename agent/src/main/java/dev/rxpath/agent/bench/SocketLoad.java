package dev.rxpath.agent.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * The load for {@code bench sockets}, in its own process so that its sockets' memory is
 * not the agent's (and several of them, as each may hold only so many fds). "live N": opens N
 * loopback connections (two live sockets each), trades 100 bytes each way on every one, prints
 * "ready" and the sockets it holds, and holds them open until its stdin closes. "churn N": N
 * short connections one after another, each trading 100 bytes each way and closed by its
 * client; prints "ready" and the sockets it opened, and exits when its stdin closes.
 */
public final class SocketLoad {
    private static final int PER_PORT = 25_000; // the ephemeral port range holds ~28k connections per destination

    public static void main(String[] args) throws IOException {
        boolean churn = args[0].equals("churn");
        int connections = Integer.parseInt(args[1]);
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        List<ServerSocket> servers = new ArrayList<>();
        List<Socket> open = new ArrayList<>(2 * connections);
        byte[] hundred = new byte[100];
        for (int i = 0; i < connections; i++) {
            if (i % PER_PORT == 0) servers.add(new ServerSocket(0, 128, lo));
            Socket client = new Socket(lo, servers.get(servers.size() - 1).getLocalPort());
            Socket server = servers.get(servers.size() - 1).accept();
            client.getOutputStream().write(hundred);
            server.getInputStream().readNBytes(100);
            server.getOutputStream().write(hundred);
            client.getInputStream().readNBytes(100);
            if (churn) {
                client.close(); // the client's end waits in TIME_WAIT, which loopback lets a new connection reuse
                server.close();
            } else {
                open.add(client);
                open.add(server);
            }
        }
        System.out.println("ready " + (churn ? 2L * connections : open.size()));
        System.out.flush();
        System.in.read();
        for (Socket s : open) s.close();
    }
}
