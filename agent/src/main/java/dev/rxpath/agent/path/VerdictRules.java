package dev.rxpath.agent.path;

import dev.rxpath.agent.event.Stage;
import java.util.Set;

/** How a path's facts decide its {@link Verdict} and, for a drop or reset, the stage it died at. */
final class VerdictRules {
    private VerdictRules() {}

    /**
     * What a path's verdict is decided from.
     *
     * @param seen        the stages it was seen at
     * @param reset       answered with a reset
     * @param dropped     freed by kfree_skb
     * @param payload     payload bytes at the socket
     * @param sk          the socket it reached, 0 if none
     * @param copied      bytes copied to the application from this skb itself
     * @param delivered   its payload reached the application
     * @param userInferred that delivery came from the socket's byte stream, not this skb's own copy
     * @param socketSeen  it reached a TCP socket's queue
     */
    /**
     * @param listenFull the listener found for it had a full accept queue: the kernel consumes
     *                   the SYN unanswered (counting a listen overflow), naming no drop reason
     */
    record Facts(Set<Stage> seen, boolean reset, boolean dropped, int payload, long sk, long copied,
                 boolean delivered, boolean userInferred, boolean socketSeen, boolean listenFull) {}

    /**
     * The reason a path gets that the kernel does not give: a SYN consumed unanswered because
     * its listener's accept queue was full (the kernel's LINUX_MIB_LISTENOVERFLOWS, netstat's
     * "times the listen queue of a socket overflowed").
     */
    static final String LISTEN_OVERFLOW = "LISTEN_OVERFLOW";

    static Verdict verdict(Facts f) {
        if (f.reset()) return Verdict.RESET;
        if (f.dropped() || f.listenFull()) return Verdict.DROPPED;
        if (f.payload() > 0 && f.sk() != 0) {
            if (!f.delivered()) return Verdict.QUEUED;
            return f.userInferred() ? Verdict.MERGED : Verdict.DELIVERED;
        }
        if (f.copied() > 0) return Verdict.DELIVERED; // copied without a socket stage seen (tcp_probe unavailable)
        if (f.socketSeen()) return Verdict.NO_PAYLOAD;
        if (f.seen().contains(Stage.END)) return Verdict.CONSUMED;
        return Verdict.UNTRACED;
    }

    /**
     * The last stage the segment reached, or a later one that its reason or the function that
     * dropped it names: without kprobes a NO_SOCKET drop is last seen at DEV, but it is the
     * lookup that failed; a netfilter drop is in IP's hooks, whatever stage was seen.
     *
     * @param site where the kernel freed it ("nf_hook_slow+0x86"), or null
     */
    static Stage diedAt(Set<Stage> seen, String reason, String site) {
        Stage reached = Stage.DEV;
        for (Stage s : Stage.values()) if (s.ordinal() < Stage.END.ordinal() && seen.contains(s)) reached = s;
        return later(later(reached, byReason(reason)), byFunction(site));
    }

    private static Stage byReason(String reason) {
        if (reason.equals("NO_SOCKET")) return Stage.LOOKUP;
        if (reason.startsWith("TCP_")) return Stage.TCP;
        // QUEUE_PURGE: a closing socket emptied its queues, so the segment had reached one
        if (reason.startsWith("SOCKET_") || reason.equals("PROTO_MEM") || reason.equals("QUEUE_PURGE") || reason.equals(LISTEN_OVERFLOW)) {
            return Stage.SOCKET;
        }
        if (reason.startsWith("IP_") || reason.startsWith("IPV6") || reason.equals("OTHERHOST") || reason.startsWith("NETFILTER")) {
            return Stage.IP;
        }
        return null;
    }

    /** The stage whose code the function is: the kernel's own naming of its receive path. */
    private static Stage byFunction(String site) {
        if (site == null) return null;
        int plus = site.indexOf('+');
        String fn = plus < 0 ? site : site.substring(0, plus);
        if (fn.startsWith("ip_") || fn.startsWith("ipv6_") || fn.startsWith("ip6_") || fn.startsWith("nf_") || fn.startsWith("nft_")) {
            return Stage.IP;
        }
        if (fn.startsWith("tcp_")) return Stage.TCP;
        return null;
    }

    private static Stage later(Stage a, Stage b) {
        return b != null && b.ordinal() > a.ordinal() ? b : a;
    }
}
