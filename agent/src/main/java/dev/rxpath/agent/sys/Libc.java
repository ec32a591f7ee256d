package dev.rxpath.agent.sys;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The libc calls the agent makes itself: perf events, mmap, epoll and file descriptors.
 * Direct-mapped (static natives) because the ring loop calls epoll_wait on its hot path.
 */
public final class Libc {
    static {
        Native.register("c");
    }

    private Libc() {}

    public static final long SYS_PERF_EVENT_OPEN = 298; // x86-64
    public static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
    public static final int EPOLL_CLOEXEC = 0x80000, EPOLLIN = 1, EPOLL_CTL_ADD = 1;
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_TRUNC = 0x200, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;
    public static final int EPERM = 1, ENOENT = 2, EINTR = 4, EINVAL = 22;
    /** The kernel-internal "not supported" some BPF attach paths leak to user space; libc has no text for it. */
    public static final int ENOTSUPP = 524;

    public static native long syscall(long number, Pointer a1, long a2, long a3, long a4, long a5);

    public static native Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    public static native int munmap(Pointer addr, long length);

    public static native int ioctl(int fd, long request, long arg);

    public static native int close(int fd);

    public static native int dup(int fd);

    public static native int dup2(int oldfd, int newfd);

    public static native int open(String path, int flags, int mode);

    public static native int fflush(Pointer stream);

    public static native int epoll_create1(int flags);

    public static native int epoll_ctl(int epfd, int op, int fd, Pointer event);

    public static native int epoll_wait(int epfd, Pointer events, int maxevents, int timeout);

    public static native String strerror(int errnum);

    public static native int getpid();

    public static native int geteuid();

    /** The errno of the last call on this thread, with its text: "EPERM (Operation not permitted)". */
    public static String lastError() {
        return describe(Native.getLastError());
    }

    public static String describe(int errno) {
        if (errno == ENOTSUPP) return "errno 524 (ENOTSUPP: the kernel does not support this attachment here)";
        return "errno " + errno + " (" + strerror(errno) + ")";
    }
}
