package dev.rxpath.agent;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process for {@code FilterKernelTest}'s cgroup case, so that its sockets' task lies in a
 * cgroup of the test's making (a JVM's threads cannot leave its cgroup one by one).
 *
 * <p>Usage: {@code CgroupPeer CGROUP_DIR|- PORT}: joins the cgroup (or stays where it is), listens
 * on an ephemeral loopback port and prints it, connects to PORT and reads to the end, then
 * accepts one connection and reads it to the end; prints "client LOCAL_PORT READ" and
 * "server REMOTE_PORT READ" as it goes.
 */
public final class CgroupPeer {
    public static void main(String[] args) throws Exception {
        if (!args[0].equals("-")) Files.writeString(Path.of(args[0], "cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
        PrintStream out = System.out;
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket listener = new ServerSocket(0, 1, loopback)) {
            out.println("listening " + listener.getLocalPort());
            out.flush();
            try (Socket client = new Socket(loopback, Integer.parseInt(args[1]))) {
                out.println("client " + client.getLocalPort() + " " + client.getInputStream().transferTo(java.io.OutputStream.nullOutputStream()));
                out.flush();
            }
            try (Socket accepted = listener.accept()) {
                out.println("server " + accepted.getPort() + " " + accepted.getInputStream().transferTo(java.io.OutputStream.nullOutputStream()));
                out.flush();
            }
        }
    }
}
