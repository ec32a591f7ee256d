package dev.rxpath.agent.path;

import static dev.rxpath.agent.event.Stage.DEV;
import static dev.rxpath.agent.event.Stage.END;
import static dev.rxpath.agent.event.Stage.IP;
import static dev.rxpath.agent.event.Stage.LOOKUP;
import static dev.rxpath.agent.event.Stage.SOCKET;
import static dev.rxpath.agent.event.Stage.TCP;
import static dev.rxpath.agent.event.Stage.USER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.rxpath.agent.event.Stage;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The verdict and died-at rules, case by case, without a kernel. */
class VerdictRulesTest {
    private static final long SK = 0xffff888100aa0000L;

    /** A path's facts, built up from the stages it was seen at. */
    private static final class Path {
        final Set<Stage> seen;
        boolean reset, dropped, delivered, userInferred, socketSeen, listenFull;
        int payload;
        long sk, copied;

        private Path(Stage... seen) {
            this.seen = Set.copyOf(List.of(seen));
        }

        static Path seen(Stage... stages) {
            return new Path(stages);
        }

        /** Queued at a counted socket with {@code bytes} of payload. */
        Path atSocket(int bytes) {
            socketSeen = true;
            sk = SK;
            payload = bytes;
            return this;
        }

        Path reset() {
            reset = true;
            return this;
        }

        Path dropped() {
            dropped = true;
            return this;
        }

        /** Its listener's accept queue was full when the lookup found it. */
        Path listenFull() {
            listenFull = true;
            return this;
        }

        /** Read by its own copy of {@code bytes}. */
        Path copied(long bytes) {
            copied = bytes;
            delivered = true;
            return this;
        }

        /** Read through another skb, found by the socket's byte stream. */
        Path readThroughStream() {
            delivered = true;
            userInferred = true;
            return this;
        }

        VerdictRules.Facts facts() {
            return new VerdictRules.Facts(seen, reset, dropped, payload, sk, copied, delivered, userInferred, socketSeen, listenFull);
        }
    }

    static Stream<Arguments> verdicts() {
        return Stream.of(
                arguments("answered with a reset", Path.seen(DEV, TCP, END).reset(), Verdict.RESET),
                arguments("a reset outranks a drop", Path.seen(DEV, END).reset().dropped(), Verdict.RESET),
                arguments("freed by kfree_skb", Path.seen(DEV, IP, END).dropped(), Verdict.DROPPED),
                arguments("dropped after its payload was queued", Path.seen(DEV, SOCKET, END).atSocket(100).dropped(),
                        Verdict.DROPPED),
                arguments("read by its own copy", Path.seen(DEV, SOCKET, USER, END).atSocket(100).copied(100),
                        Verdict.DELIVERED),
                arguments("read through another skb", Path.seen(DEV, SOCKET, USER).atSocket(100).readThroughStream(),
                        Verdict.MERGED),
                arguments("a copy of its own outranks the stream", Path.seen(DEV, SOCKET, USER).atSocket(100).copied(40),
                        Verdict.DELIVERED),
                arguments("payload still unread", Path.seen(DEV, SOCKET, END).atSocket(100), Verdict.QUEUED),
                arguments("copied without a socket stage (no tcp_probe)", Path.seen(DEV, USER, END).copied(100),
                        Verdict.DELIVERED),
                arguments("a pure ACK at the socket", Path.seen(DEV, SOCKET, END).atSocket(0), Verdict.NO_PAYLOAD),
                arguments("consumed before any socket", Path.seen(DEV, IP, TCP, END), Verdict.CONSUMED),
                arguments("a SYN consumed unanswered by a full listener", Path.seen(DEV, IP, TCP, LOOKUP, END).listenFull(),
                        Verdict.DROPPED),
                arguments("no end seen", Path.seen(DEV, IP, TCP), Verdict.UNTRACED),
                arguments("only a driver stage", Path.seen(DEV), Verdict.UNTRACED));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("verdicts")
    void verdict(String why, Path path, Verdict expected) {
        assertEquals(expected, VerdictRules.verdict(path.facts()));
    }

    static Stream<Arguments> diedAt() {
        return Stream.of(
                // a netfilter drop is in IP's hooks (PRE_ROUTING in ip_rcv, LOCAL_IN in ip_local_deliver), not at DEV
                arguments(EnumSet.of(DEV, END), "NETFILTER_DROP", null, IP),
                // the function that dropped it names its stage where the reason does not (5.10 gives no reason)
                arguments(EnumSet.of(DEV, END), "unknown", "tcp_v4_rcv+0x4a2", TCP),
                arguments(EnumSet.of(DEV, END), "unknown", "nf_hook_slow+0x86", IP),
                arguments(EnumSet.of(DEV, END), "unknown", "ip_rcv_core+0x1c3", IP),
                // the later of the two: NO_SOCKET in tcp_v4_rcv is the lookup that failed
                arguments(EnumSet.of(DEV, END), "NO_SOCKET", "tcp_v4_rcv+0x4a2", LOOKUP),
                // a function of no stage of ours, or an address no symbol names, adds nothing
                arguments(EnumSet.of(DEV, SOCKET, END), "QUEUE_PURGE", "skb_queue_purge_reason+0x4d", SOCKET),
                arguments(EnumSet.of(DEV, END), "NOT_SPECIFIED", "0xffffffffc0c01000", DEV),
                // without kprobes a NO_SOCKET drop is last seen at DEV: the lookup failed
                arguments(EnumSet.of(DEV, END), "NO_SOCKET", null, LOOKUP),
                arguments(EnumSet.of(DEV, IP, TCP, END), "NO_SOCKET", null, LOOKUP),
                arguments(EnumSet.of(DEV, END), "TCP_CSUM", null, TCP),
                arguments(EnumSet.of(DEV, END), "SOCKET_RCVBUFF", null, SOCKET),
                arguments(EnumSet.of(DEV, END), "PROTO_MEM", null, SOCKET),
                arguments(EnumSet.of(DEV, END), "QUEUE_PURGE", "sk_stream_kill_queues+0x57", SOCKET),
                arguments(EnumSet.of(DEV, IP, TCP, LOOKUP, END), VerdictRules.LISTEN_OVERFLOW, null, SOCKET),
                arguments(EnumSet.of(DEV, END), "IP_CSUM", null, IP),
                arguments(EnumSet.of(DEV, END), "IPV6DISABLED", null, IP),
                arguments(EnumSet.of(DEV, END), "OTHERHOST", null, IP),
                // a reason naming an earlier stage than the one reached keeps the reached one
                arguments(EnumSet.of(DEV, IP, TCP, LOOKUP, SOCKET, END), "TCP_OLD_DATA", null, SOCKET),
                arguments(EnumSet.of(DEV, SOCKET, END), "NO_SOCKET", null, SOCKET),
                arguments(EnumSet.of(DEV, IP, TCP, END), "IP_CSUM", null, TCP),
                // a reason that names no stage: the last one reached
                arguments(EnumSet.of(DEV, IP, END), "NOT_SPECIFIED", null, IP),
                arguments(EnumSet.of(DEV, SOCKET, USER, END), "NOT_SPECIFIED", null, USER),
                // a closing socket's purge: the segment had reached its queue, whether or not a hook saw that
                arguments(EnumSet.of(DEV, SOCKET, USER, END), "QUEUE_PURGE", null, USER),
                // END is where every drop is seen, never where it died; with nothing before it, DEV
                arguments(EnumSet.of(END), "NOT_SPECIFIED", null, DEV));
    }

    @ParameterizedTest(name = "{1} at {2} seen at {0}: {3}")
    @MethodSource("diedAt")
    void diedAt(Set<Stage> seen, String reason, String site, Stage expected) {
        assertEquals(expected, VerdictRules.diedAt(seen, reason, site));
    }
}
