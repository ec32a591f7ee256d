package dev.rxpath.agent.path;

import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.event.TcpHeader;
import java.util.List;
import java.util.Set;

/**
 * One received skb's way through the kernel, from the first stage seen to its verdict.
 * Timestamps are kernel CLOCK_MONOTONIC nanoseconds ({@link dev.rxpath.agent.event.KernelClock}
 * maps them to wall-clock time).
 *
 * @param skb          the skb address that keyed the path
 * @param stages       the stages seen, in timestamp order; a stage this kernel does not offer is absent
 * @param observable   the stages this node can observe at all, so a reader can tell "not offered" from "not reached"
 * @param device       interface name at DEV, or null
 * @param napiId       driver NAPI id where a driver tracepoint gave it, else 0
 * @param queue        receive queue where a driver tracepoint gave it, else -1
 * @param sk           the socket it reached, 0 if none
 * @param cookie       that socket's cookie where the kernel gives one, else 0
 * @param endpoints    the connection (remote first), from its socket, its reset or its own headers; null when none told
 * @param payload      payload bytes at the socket (tcp_probe's data_len: a u16 that wraps on merged skbs)
 * @param copied       bytes copied to the application from this skb itself
 * @param reader       the task that read it (the copy-to-user stage), or null
 * @param reason       the kernel's drop or reset reason name for DROPPED and RESET, else null
 * @param diedAt       the stage a DROPPED or RESET path ended at, else null
 * @param dropSite     where the kernel freed a dropped skb, "tcp_v4_rcv+0x4a2" (kfree_skb's location through
 *                     /proc/kallsyms; hex where no symbol names it), else null
 * @param tcp          its TCP header, where the kernel let it be read (sampled segments, drops, resets;
 *                     kernels with BTF), else null
 * @param decidedNs    when the verdict was reached: for QUEUED, the end of the wait its queue time counts to
 */
public record ReceivePath(long skb, Verdict verdict, CloseReason closedBy, List<StageTime> stages, Set<Stage> observable,
                          String device, int napiId, int queue, long sk, long cookie, Endpoints endpoints, int payload,
                          long copied, Event.Task reader, String reason, Stage diedAt, String dropSite,
                          TcpHeader tcp, long decidedNs) {

    /**
     * @param inferred the USER time of a MERGED path: the read that delivered its bytes
     *                 through another skb, found by the socket's byte-stream accounting
     */
    public record StageTime(Stage stage, long tsNs, int cpu, boolean inferred) {}

    /**
     * Dropped by the kernel emptying a closing socket's queues (QUEUE_PURGE): what was left
     * unread, or a FIN, not a segment lost in the middle of the connection.
     */
    public boolean atClose() {
        return verdict == Verdict.DROPPED && "QUEUE_PURGE".equals(reason);
    }

    /** The same path with its header's numbers made relative (the flow table knows the connection's initial ones). */
    public ReceivePath withTcp(TcpHeader header) {
        return new ReceivePath(skb, verdict, closedBy, stages, observable, device, napiId, queue, sk, cookie, endpoints, payload,
                copied, reader, reason, diedAt, dropSite, header, decidedNs);
    }

    public long firstNs() {
        return stages.get(0).tsNs();
    }

    /** First stage to the last one, or, for a QUEUED path, to the end of its wait. */
    public long totalNs() {
        long last = verdict == Verdict.QUEUED ? decidedNs : stages.get(stages.size() - 1).tsNs();
        return last - firstNs();
    }

    /** Takes the time from each stage's predecessor to it. */
    public interface StageIntervals {
        void interval(Stage stage, long ns);
    }

    /** Each stage after the first, with the time since the stage before it. */
    public void intervals(StageIntervals to) {
        for (int i = 1; i < stages.size(); i++) to.interval(stages.get(i).stage(), stages.get(i).tsNs() - stages.get(i - 1).tsNs());
    }

    /** First stage to the application's read of its bytes; -1 where none read them. */
    public long toApplicationNs() {
        StageTime user = stage(Stage.USER);
        return user == null ? -1 : user.tsNs() - firstNs();
    }

    public StageTime stage(Stage stage) {
        for (StageTime t : stages) if (t.stage() == stage) return t;
        return null;
    }

    /** How long its payload sat in the socket: to the read that took it, or for QUEUED to the end of the wait. */
    public long queuedNs() {
        StageTime socket = stage(Stage.SOCKET), user = stage(Stage.USER);
        if (socket == null) return -1;
        if (user != null) return user.tsNs() - socket.tsNs();
        return verdict == Verdict.QUEUED ? decidedNs - socket.tsNs() : -1;
    }
}
