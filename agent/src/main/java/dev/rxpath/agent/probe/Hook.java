package dev.rxpath.agent.probe;

import dev.rxpath.agent.bcc.ProgramType;
import dev.rxpath.agent.event.Stage;
import java.util.List;

/**
 * Every kernel hook point rxpath uses, with the bcc functions in bpf/receive.c that serve
 * it. A hook is attached only when all its functions for one mechanism attach (a kprobe
 * lookup needs its entry and its return probe).
 */
public enum Hook {
    NETIF_RECEIVE_SKB(Stage.DEV, "net:netif_receive_skb"),
    NETIF_RECEIVE_SKB_ENTRY(Stage.DEV, "net:netif_receive_skb_entry"),
    NAPI_GRO_RECEIVE_ENTRY(Stage.DEV, "net:napi_gro_receive_entry"),
    IP_RCV(Stage.IP, "ip_rcv", false),
    IPV6_RCV(Stage.IP, "ipv6_rcv", false),
    TCP_V4_RCV(Stage.TCP, "tcp_v4_rcv", false),
    TCP_V6_RCV(Stage.TCP, "tcp_v6_rcv", false),
    INET_LOOKUP_ESTABLISHED(Stage.LOOKUP, "__inet_lookup_established", true),
    INET_LOOKUP_LISTENER(Stage.LOOKUP, "__inet_lookup_listener", true),
    INET6_LOOKUP_ESTABLISHED(Stage.LOOKUP, "__inet6_lookup_established", true),
    INET6_LOOKUP_LISTENER(Stage.LOOKUP, "inet6_lookup_listener", true),
    /** Older kernels' tcp_probe names neither skb nor socket: these tell its program which ones (receive.c). */
    TCP_V4_DO_RCV(Stage.SOCKET, "tcp_v4_do_rcv", false),
    TCP_V6_DO_RCV(Stage.SOCKET, "tcp_v6_do_rcv", false),
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
    private final boolean tracepoint;
    private final String target;
    private final boolean withReturn;

    Hook(Stage stage, String tracepoint) {
        this.stage = stage;
        this.tracepoint = true;
        this.target = tracepoint;
        this.withReturn = false;
    }

    /** A kernel function; {@code withReturn}: its return value is needed too. */
    Hook(Stage stage, String function, boolean withReturn) {
        this.stage = stage;
        this.tracepoint = false;
        this.target = function;
        this.withReturn = withReturn;
    }

    public Stage stage() {
        return stage;
    }

    /**
     * The mechanisms that can serve this hook, best first. The hooks that run for every segment
     * try a raw tracepoint first: the classic one builds its whole record before the program
     * runs. Their programs need only the tracepoint's arguments (pointers as keys, lengths,
     * flags), or, for {@link #readsStructs()}, read the few members they need.
     */
    public List<Mechanism> mechanisms() {
        if (!tracepoint) return List.of(Mechanism.FENTRY, Mechanism.KPROBE);
        return switch (this) {
            case NETIF_RECEIVE_SKB, TCP_PROBE, SKB_COPY_DATAGRAM_IOVEC, SOCK_RECV_LENGTH, CONSUME_SKB ->
                    List.of(Mechanism.RAW_TRACEPOINT, Mechanism.TRACEPOINT);
            default -> List.of(Mechanism.TRACEPOINT);
        };
    }

    /**
     * A hook whose raw tracepoint program reads struct members (the skb's length, the socket's
     * addresses and windows) at the kernel's BTF offsets, so needs {@link StructOffsets}.
     */
    public boolean readsStructs() {
        return this == NETIF_RECEIVE_SKB || this == TCP_PROBE;
    }

    /**
     * A hook that runs for every segment but serves only full tracing: sk_data_ready's records
     * and its wakeup counts. It costs every segment a program run, so sampled paths leave it off.
     */
    public boolean onlyForAllPaths() {
        return this == SK_DATA_READY;
    }

    public boolean isTracepoint() {
        return tracepoint;
    }

    /** "net:netif_receive_skb" for a tracepoint, the kernel function otherwise. */
    public String target() {
        return target;
    }

    /** The mechanism's own name for this hook: "fexit", "kprobe+kretprobe", "tracepoint". */
    public String attachment(Mechanism mechanism) {
        return switch (mechanism) {
            case RAW_TRACEPOINT -> "raw_tracepoint";
            case TRACEPOINT -> "tracepoint";
            case FENTRY -> withReturn ? "fexit" : "fentry";
            case KPROBE -> withReturn ? "kprobe+kretprobe" : "kprobe";
        };
    }

    /**
     * The bcc functions that implement this hook with a mechanism, by bcc's naming
     * convention. fexit sees the arguments and the return value at once, so a lookup needs
     * one program there and an entry/return pair with kprobes.
     */
    public List<String> functions(Mechanism mechanism) {
        return switch (mechanism) {
            case RAW_TRACEPOINT -> List.of(ProgramType.RAW_TRACEPOINT.functionName(event()));
            case TRACEPOINT -> List.of(ProgramType.TRACEPOINT.functionName(target));
            case FENTRY -> List.of((withReturn ? ProgramType.FEXIT : ProgramType.FENTRY).functionName(target));
            case KPROBE -> withReturn
                    ? List.of(ProgramType.KPROBE.functionName(target), ProgramType.KRETPROBE.functionName(target))
                    : List.of(ProgramType.KPROBE.functionName(target));
        };
    }

    public String category() {
        return target.substring(0, target.indexOf(':'));
    }

    public String event() {
        return target.substring(target.indexOf(':') + 1);
    }
}
