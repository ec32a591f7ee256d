package dev.rxpath.agent;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.net.Inet4Address;

/**
 * A TCP listener on an IPv4 address that never accepts, with TCP_DEFER_ACCEPT: the kernel
 * keeps each handshake as a request until the client's first data, and only then makes the
 * connection and queues it for accept(). So a test decides when each connection enters the
 * accept queue, and can make one find it full. Java's sockets cannot set TCP_DEFER_ACCEPT:
 * libc's calls, through JNA.
 */
final class DeferAcceptListener implements AutoCloseable {
    private static final int AF_INET = 2, SOCK_STREAM = 1, IPPROTO_TCP = 6, TCP_DEFER_ACCEPT = 9;

    private interface C extends Library {
        C LIBC = Native.load("c", C.class);

        int socket(int domain, int type, int protocol) throws LastErrorException;

        int setsockopt(int fd, int level, int name, int[] value, int length) throws LastErrorException;

        int bind(int fd, byte[] sockaddr, int length) throws LastErrorException;

        int listen(int fd, int backlog) throws LastErrorException;

        int getsockname(int fd, byte[] sockaddr, int[] length) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private final int fd;
    final int port;

    private DeferAcceptListener(int fd, int port) {
        this.fd = fd;
        this.port = port;
    }

    /** Listening on {@code address}, any port, with room for {@code backlog} + 1 connections waiting for accept(). */
    static DeferAcceptListener open(Inet4Address address, int backlog) {
        int fd = C.LIBC.socket(AF_INET, SOCK_STREAM, 0);
        try {
            C.LIBC.setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, new int[] {30}, 4); // seconds to wait for data
            byte[] sockaddr = new byte[16]; // struct sockaddr_in: family (host order), port and address (network order)
            sockaddr[0] = AF_INET;
            System.arraycopy(address.getAddress(), 0, sockaddr, 4, 4);
            C.LIBC.bind(fd, sockaddr, sockaddr.length);
            C.LIBC.listen(fd, backlog);
            C.LIBC.getsockname(fd, sockaddr, new int[] {sockaddr.length});
            return new DeferAcceptListener(fd, (sockaddr[2] & 0xff) << 8 | sockaddr[3] & 0xff);
        } catch (LastErrorException e) {
            C.LIBC.close(fd);
            throw e;
        }
    }

    @Override
    public void close() {
        C.LIBC.close(fd);
    }
}
