package dev.rxpath.agent.ring;

import com.sun.jna.Memory;
import dev.rxpath.agent.bcc.BpfModule;
import dev.rxpath.agent.sys.Libc;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-CPU rings behind one BPF_PERF_OUTPUT table, waited on with one epoll set.
 * Every poll drains every ring, not only those that woke: with watermark wakeups a
 * quiet CPU's records would otherwise wait for the watermark indefinitely.
 */
public final class PerfRings implements AutoCloseable {
    private static final int EPOLL_EVENT_SIZE = 12; // packed struct epoll_event on x86-64

    private final List<PerfRing> rings;
    private final int epollFd;
    private final Memory epollEvents;

    private PerfRings(List<PerfRing> rings, int epollFd) {
        this.rings = rings;
        this.epollFd = epollFd;
        this.epollEvents = new Memory((long) EPOLL_EVENT_SIZE * rings.size());
    }

    /** Opens a ring on every online CPU and puts its fd in {@code table}'s slot for that CPU. */
    public static PerfRings open(BpfModule module, String table, int pagesPerCpu, int watermarkBytes) {
        int tableFd = module.tableFd(table);
        List<PerfRing> rings = new ArrayList<>();
        int epollFd = Libc.epoll_create1(Libc.EPOLL_CLOEXEC);
        if (epollFd < 0) throw new RingException("epoll_create1 failed: " + Libc.lastError());
        try {
            Memory key = new Memory(4), value = new Memory(4), event = new Memory(EPOLL_EVENT_SIZE);
            for (int cpu : CpuList.online()) {
                PerfRing ring = PerfRing.open(cpu, pagesPerCpu, watermarkBytes);
                rings.add(ring);
                key.setInt(0, cpu);
                value.setInt(0, ring.fd);
                module.updateElement(tableFd, key, value);
                event.setInt(0, Libc.EPOLLIN);
                event.setLong(4, cpu);
                if (Libc.epoll_ctl(epollFd, Libc.EPOLL_CTL_ADD, ring.fd, event) != 0) {
                    throw new RingException("epoll_ctl for CPU " + cpu + " failed: " + Libc.lastError());
                }
            }
        } catch (RuntimeException e) {
            rings.forEach(PerfRing::close);
            Libc.close(epollFd);
            throw e;
        }
        return new PerfRings(rings, epollFd);
    }

    /**
     * Waits up to {@code timeoutMs} for a watermark wakeup, then drains every ring.
     * Returns the number of records handed to the sink.
     */
    public int poll(int timeoutMs, RecordSink sink) {
        int ready = Libc.epoll_wait(epollFd, epollEvents, rings.size(), timeoutMs);
        if (ready < 0 && com.sun.jna.Native.getLastError() != Libc.EINTR) {
            throw new RingException("epoll_wait failed: " + Libc.lastError());
        }
        return drain(sink);
    }

    /** Reads whatever is waiting in every ring without waiting, then tells the sink how far that reached. */
    public int drain(RecordSink sink) {
        long start = System.nanoTime(); // CLOCK_MONOTONIC on Linux, as bpf_ktime_get_ns()
        int n = 0;
        for (PerfRing ring : rings) n += ring.drain(sink);
        sink.drained(start);
        return n;
    }

    public int cpuCount() {
        return rings.size();
    }

    /** Records received so far, all CPUs (losses reach the sink per CPU, in band, as they happen). */
    public long received() {
        long n = 0;
        for (PerfRing r : rings) n += r.received;
        return n;
    }

    public long lost() {
        long n = 0;
        for (PerfRing r : rings) n += r.lost;
        return n;
    }

    @Override
    public void close() {
        rings.forEach(PerfRing::close);
        Libc.close(epollFd);
    }
}
