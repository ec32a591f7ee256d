package dev.rxpath.agent.probe;

import dev.rxpath.agent.bcc.ProgramType;
import dev.rxpath.agent.event.Stage;
import java.util.List;

/**
 * Every kernel hook point rxpath uses, with the bcc functions in bpf/receive.c that serve
 * it. A hook is attached only when all its functions attach (a lookup needs its entry
 * and its return probe).
 */
public enum Hook {
    NETIF_RECEIVE_SKB(Stage.DEV, "net:netif_receive_skb"),
    NETIF_RECEIVE_SKB_ENTRY(Stage.DEV, "net:netif_receive_skb_entry"),
    NAPI_GRO_RECEIVE_ENTRY(Stage.DEV, "net:napi_gro_receive_entry"),
    IP_RCV(Stage.IP, Mechanism.KPROBE, "ip_rcv", false),
    IPV6_RCV(Stage.IP, Mechanism.KPROBE, "ipv6_rcv", false),
    TCP_V4_RCV(Stage.TCP, Mechanism.KPROBE, "tcp_v4_rcv", false),
    TCP_V6_RCV(Stage.TCP, Mechanism.KPROBE, "tcp_v6_rcv", false),
    INET_LOOKUP_ESTABLISHED(Stage.LOOKUP, Mechanism.KPROBE, "__inet_lookup_established", true),
    INET_LOOKUP_LISTENER(Stage.LOOKUP, Mechanism.KPROBE, "__inet_lookup_listener", true),
    INET6_LOOKUP_ESTABLISHED(Stage.LOOKUP, Mechanism.KPROBE, "__inet6_lookup_established", true),
    INET6_LOOKUP_LISTENER(Stage.LOOKUP, Mechanism.KPROBE, "inet6_lookup_listener", true),
    TCP_PROBE(Stage.SOCKET, "tcp:tcp_probe"),
    SK_DATA_READY(Stage.SOCKET, "sock:sk_data_ready"),
    SKB_COPY_DATAGRAM_IOVEC(Stage.USER, "skb:skb_copy_datagram_iovec"),
    SOCK_RECV_LENGTH(Stage.USER, "sock:sock_recv_length"),
    CONSUME_SKB(Stage.END, "skb:consume_skb"),
    KFREE_SKB(Stage.END, "skb:kfree_skb"),
    TCP_SEND_RESET(Stage.END, "tcp:tcp_send_reset"),
    TCP_RECEIVE_RESET(Stage.SOCKET_EVENT, "tcp:tcp_receive_reset"),
    TCP_RETRANSMIT_SKB(Stage.SOCKET_EVENT, "tcp:tcp_retransmit_skb"),
    INET_SOCK_SET_STATE(Stage.SOCKET_EVENT, "sock:inet_sock_set_state");

    private final Stage stage;
    private final Mechanism mechanism;
    private final String target;
    private final boolean withReturn;

    Hook(Stage stage, String tracepoint) {
        this(stage, Mechanism.TRACEPOINT, tracepoint, false);
    }

    Hook(Stage stage, Mechanism mechanism, String target, boolean withReturn) {
        this.stage = stage;
        this.mechanism = mechanism;
        this.target = target;
        this.withReturn = withReturn;
    }

    public Stage stage() {
        return stage;
    }

    public Mechanism mechanism() {
        return mechanism;
    }

    /** "net:netif_receive_skb" for a tracepoint, the kernel function for a kprobe. */
    public String target() {
        return target;
    }

    /** How the probe table names it: "net:netif_receive_skb", "kprobe:tcp_v4_rcv". */
    public String label() {
        return mechanism == Mechanism.TRACEPOINT ? target : (withReturn ? "kprobe+kretprobe:" : "kprobe:") + target;
    }

    /** The bcc functions that implement this hook, by bcc's naming convention. */
    public List<String> functions() {
        if (mechanism == Mechanism.TRACEPOINT) return List.of(ProgramType.TRACEPOINT.functionName(target));
        if (withReturn) return List.of(ProgramType.KPROBE.functionName(target), ProgramType.KRETPROBE.functionName(target));
        return List.of(ProgramType.KPROBE.functionName(target));
    }

    public String category() {
        return target.substring(0, target.indexOf(':'));
    }

    public String event() {
        return target.substring(target.indexOf(':') + 1);
    }
}
