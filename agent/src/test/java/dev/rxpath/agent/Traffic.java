package dev.rxpath.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;

/**
 * Real TCP traffic for the kernel tests and the recorded fixtures: a known byte count in
 * small and large writes, read by a reader that is sometimes slow. Also runs as a process
 * inside a network namespace ({@code ip netns exec NS java … Traffic receive|send …}).
 */
public final class Traffic {
    private Traffic() {}

    /** What one transfer did: the connection, and who read how much. */
    public record Transfer(int serverPort, int clientPort, long readerPid, long bytesRead) {}

    /** A connection on {@code address} carrying {@code total} bytes, read in this process. */
    public static Transfer loopback(InetAddress address, int total) throws Exception {
        return loopback(address, total, -1, -1);
    }

    /**
     * The same with the writer pinned to {@code writerCpu} and the reader to {@code readerCpu}
     * (-1: unpinned). On loopback the receive softirq runs on the writer's CPU, so pinning the
     * two apart makes every read cross CPUs.
     */
    public static Transfer loopback(InetAddress address, int total, int writerCpu, int readerCpu) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, address)) {
            try (Socket client = new Socket(address, server.getLocalPort()); Socket accepted = server.accept()) {
                CountDownLatch allRead = new CountDownLatch(1);
                Thread writer = new Thread(() -> {
                    if (writerCpu >= 0) CpuAffinity.pin(writerCpu);
                    send(client, total);
                    if (writerCpu >= 0) runReceiveSoftirqHere(address, allRead);
                }, "traffic-writer");
                writer.start();
                if (readerCpu >= 0) CpuAffinity.pin(readerCpu);
                try {
                    long read = receive(accepted);
                    allRead.countDown();
                    writer.join();
                    return new Transfer(server.getLocalPort(), client.getLocalPort(), ProcessHandle.current().pid(), read);
                } finally {
                    if (readerCpu >= 0) CpuAffinity.unpin();
                }
            }
        }
    }

    /**
     * Once every byte was read, one loopback datagram sent from this (the writer's) CPU. Since
     * 6.1 an skb read on another CPU than the one that allocated it is handed back to that CPU
     * and freed (consume_skb) at its next receive softirq; with the writer done, that CPU may
     * not run one for a long time, and the last skbs' frees would come too late to end their
     * paths. The datagram's own receive runs that softirq here, now.
     */
    private static void runReceiveSoftirqHere(InetAddress address, CountDownLatch allRead) {
        try (DatagramSocket rx = new DatagramSocket(new InetSocketAddress(address, 0)); DatagramSocket tx = new DatagramSocket()) {
            allRead.await();
            tx.send(new DatagramPacket(new byte[1], 1, rx.getLocalSocketAddress()));
            rx.setSoTimeout(2000);
            rx.receive(new DatagramPacket(new byte[1], 1));
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("the datagram after the transfer", e);
        }
    }

    /** Writes {@code total} bytes: mostly 100-byte writes, every tenth one 64 KiB, then closes the sending side. */
    public static void send(Socket socket, int total) {
        try {
            OutputStream out = socket.getOutputStream();
            byte[] small = new byte[100], large = new byte[64 * 1024];
            int sent = 0;
            for (int i = 0; sent < total; i++) {
                int n = Math.min(i % 10 == 9 ? large.length : small.length, total - sent);
                out.write(i % 10 == 9 ? large : small, 0, n);
                sent += n;
            }
            socket.shutdownOutput();
        } catch (IOException e) {
            throw new IllegalStateException("sending failed", e);
        }
    }

    /** Reads to the end of the stream, pausing now and then so data piles up in the socket; returns the bytes read. */
    public static long receive(Socket socket) throws IOException, InterruptedException {
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[16 * 1024];
        long read = 0;
        for (int i = 0; ; i++) {
            int n = in.read(buf, 0, i % 3 == 0 ? 700 : buf.length);
            if (n < 0) return read;
            read += n;
            if (i % 40 == 39) Thread.sleep(3);
        }
    }

    /** A connection attempt that was refused: the closed port, and the client's port. */
    public record Refused(int port, int clientPort) {}

    /** Connects to a port on {@code address} that nothing listens on. */
    public static Refused refused(InetAddress address) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, address)) {
            port = s.getLocalPort();
        }
        try (Socket client = new Socket()) {
            client.bind(new InetSocketAddress(address, 0));
            try {
                client.connect(new InetSocketAddress(address, port), 2000);
            } catch (ConnectException expected) {
                return new Refused(port, client.getLocalPort());
            }
            throw new IllegalStateException("port " + port + " accepted a connection");
        }
    }

    /**
     * {@code receive PORT}: accept one connection on PORT, read it to the end, print "PID BYTES".
     * {@code send ADDRESS PORT BYTES}: connect and send.
     */
    public static void main(String[] args) throws Exception {
        if (args[0].equals("receive")) {
            try (ServerSocket server = new ServerSocket(Integer.parseInt(args[1]))) {
                System.out.println("listening");
                System.out.flush();
                try (Socket accepted = server.accept()) {
                    long read = receive(accepted);
                    System.out.println(ProcessHandle.current().pid() + " " + read);
                }
            }
        } else {
            try (Socket s = new Socket(InetAddress.getByName(args[1]), Integer.parseInt(args[2]))) {
                send(s, Integer.parseInt(args[3]));
                s.getInputStream().read(); // wait for the receiver's close, so every byte was read
            }
        }
    }
}
