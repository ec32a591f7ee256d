package dev.rxpath.agent.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the running kernel keeps, in bytes (bits for bitfields), the struct members the
 * programs read, from its BTF, compiled in as one define each. In {@code struct sk_buff}: what
 * finds a segment's IP header (the TCP header follows it), its length, device, mark and TCP
 * control block, and the socket that owns it; in {@code struct sock}: its addresses, cookie and
 * how full a listener's accept queue is; in {@code struct tcp_sock}: its windows and RTT, what a
 * connection agreed in its handshake and, from where its sequence numbers stand then, its
 * initial ones. Without BTF the programs read none of them: no layout is guessed.
 *
 * @param offsets a byte offset for every {@link #READS} define, in that order
 * @param bits    a bit offset and width for every {@link #BITS} define prefix, in that order
 */
public record StructOffsets(Map<String, Integer> offsets, Map<String, KernelBtf.Bits> bits) {

    /**
     * A member a program reads, in {@code struct}, or in the struct {@code inner} that
     * {@code struct} embeds as {@code member} (then {@code innerMember} is what is read).
     *
     * @param size its size in bytes, checked against the kernel's; -1 takes any
     */
    public record Read(String define, String struct, String member, String inner, String innerMember, int size) {
        static Read of(String define, String struct, String member, int size) {
            return new Read(define, struct, member, null, null, size);
        }

        static Read in(String define, String struct, String member, String inner, String innerMember, int size) {
            return new Read(define, struct, member, inner, innerMember, size);
        }
    }

    public static final List<Read> READS = List.of(
            Read.of("RX_SKB_HEAD", "sk_buff", "head", 8),
            Read.of("RX_SKB_DATA", "sk_buff", "data", 8),
            Read.of("RX_SKB_NETWORK_HEADER", "sk_buff", "network_header", 2),
            Read.of("RX_SKB_SK", "sk_buff", "sk", 8),
            Read.of("RX_SKB_LEN", "sk_buff", "len", 4),
            Read.of("RX_SKB_DEV", "sk_buff", "dev", 8),
            Read.of("RX_SKB_MARK", "sk_buff", "mark", 4),
            // TCP_SKB_CB(skb): the sequence numbers a segment spans, and its flags (a u8 before 6.x, then a u16: its low byte has SYN and FIN)
            Read.in("RX_SKB_TCP_SEQ", "sk_buff", "cb", "tcp_skb_cb", "seq", 4),
            Read.in("RX_SKB_TCP_END_SEQ", "sk_buff", "cb", "tcp_skb_cb", "end_seq", 4),
            Read.in("RX_SKB_TCP_FLAGS", "sk_buff", "cb", "tcp_skb_cb", "tcp_flags", -1),
            Read.of("RX_NETDEV_NAME", "net_device", "name", 16),
            Read.in("RX_SK_FAMILY", "sock", "__sk_common", "sock_common", "skc_family", 2),
            Read.in("RX_SK_NUM", "sock", "__sk_common", "sock_common", "skc_num", 2),
            Read.in("RX_SK_DPORT", "sock", "__sk_common", "sock_common", "skc_dport", 2),
            Read.in("RX_SK_RCV_SADDR", "sock", "__sk_common", "sock_common", "skc_rcv_saddr", 4),
            Read.in("RX_SK_DADDR", "sock", "__sk_common", "sock_common", "skc_daddr", 4),
            Read.in("RX_SK_V6_RCV_SADDR", "sock", "__sk_common", "sock_common", "skc_v6_rcv_saddr", 16),
            Read.in("RX_SK_V6_DADDR", "sock", "__sk_common", "sock_common", "skc_v6_daddr", 16),
            Read.in("RX_SK_COOKIE", "sock", "__sk_common", "sock_common", "skc_cookie", 8),
            Read.of("RX_SK_ACK_BACKLOG", "sock", "sk_ack_backlog", 4),
            Read.of("RX_SK_MAX_ACK_BACKLOG", "sock", "sk_max_ack_backlog", 4),
            Read.of("RX_TP_SRTT_US", "tcp_sock", "srtt_us", 4),
            Read.of("RX_TP_ADVMSS", "tcp_sock", "advmss", 2),
            Read.in("RX_TP_MSS_CLAMP", "tcp_sock", "rx_opt", "tcp_options_received", "mss_clamp", 2),
            Read.of("RX_TP_SND_UNA", "tcp_sock", "snd_una", 4),
            Read.of("RX_TP_SND_NXT", "tcp_sock", "snd_nxt", 4),
            Read.of("RX_TP_RCV_NXT", "tcp_sock", "rcv_nxt", 4),
            Read.of("RX_TP_RCV_WND", "tcp_sock", "rcv_wnd", 4),
            Read.of("RX_TP_SND_WND", "tcp_sock", "snd_wnd", 4),
            Read.of("RX_TP_SND_CWND", "tcp_sock", "snd_cwnd", 4),
            Read.of("RX_TP_SND_SSTHRESH", "tcp_sock", "snd_ssthresh", 4));

    /** The options the peer sent, as tcp_sock's rx_opt keeps them: its window scale shift, ours, and whether window scaling, SACK and timestamps were agreed. */
    public static final List<String> BITS = List.of("snd_wscale", "rcv_wscale", "wscale_ok", "sack_ok", "tstamp_ok");

    /** The running kernel's offsets, or an IOException saying why there are none. */
    public static StructOffsets read(Path vmlinuxBtf, String release) throws IOException {
        if (!Files.isRegularFile(vmlinuxBtf)) {
            throw new IOException("kernel " + release + " has no BTF (" + vmlinuxBtf + "): CONFIG_DEBUG_INFO_BTF is off");
        }
        return of(KernelBtf.read(vmlinuxBtf));
    }

    static StructOffsets of(KernelBtf btf) throws IOException {
        Map<String, Integer> offsets = new LinkedHashMap<>();
        for (Read r : READS) {
            if (r.inner() == null) {
                offsets.put(r.define(), offset(btf, r.struct(), r.member(), r.size()));
            } else {
                offsets.put(r.define(), offset(btf, r.struct(), r.member(), -1) + offset(btf, r.inner(), r.innerMember(), r.size()));
            }
        }
        int rxOpt = offset(btf, "tcp_sock", "rx_opt", -1);
        Map<String, KernelBtf.Bits> bits = new LinkedHashMap<>();
        for (String b : BITS) bits.put(b, bits(btf, rxOpt, b));
        return new StructOffsets(Collections.unmodifiableMap(offsets), Collections.unmodifiableMap(bits));
    }

    /** A member's byte offset; size -1 takes any size. */
    private static int offset(KernelBtf btf, String struct, String member, int size) throws IOException {
        KernelBtf.Member m = btf.member(struct, member)
                .orElseThrow(() -> new IOException("the kernel's BTF has no struct " + struct + " member " + member));
        if (size >= 0 && m.size() != size) {
            throw new IOException("struct " + struct + " member " + member + " is " + m.size() + " bytes in the kernel's BTF, not " + size);
        }
        return m.offset();
    }

    /** An rx_opt bitfield, as a bit offset in tcp_sock; one the programs can read with a 16-bit load. */
    private static KernelBtf.Bits bits(KernelBtf btf, int rxOpt, String member) throws IOException {
        KernelBtf.Bits b = btf.bits("tcp_options_received", member)
                .orElseThrow(() -> new IOException("the kernel's BTF has no bitfield tcp_options_received." + member));
        if (b.bitOffset() % 8 + b.width() > 16) throw new IOException("tcp_options_received." + member + " spans more than two bytes");
        return new KernelBtf.Bits(rxOpt * 8 + b.bitOffset(), b.width());
    }

    public int offset(String define) {
        Integer at = offsets.get(define);
        if (at == null) throw new IllegalArgumentException("no struct member is read as " + define);
        return at;
    }

    public List<String> cflags() {
        List<String> flags = new ArrayList<>();
        offsets.forEach((define, at) -> flags.add("-D" + define + "=" + at));
        bits.forEach((member, b) -> {
            String name = "RX_TP_" + member.toUpperCase(Locale.ROOT);
            flags.add("-D" + name + "_AT=" + b.bitOffset());
            flags.add("-D" + name + "_BITS=" + b.width());
        });
        return flags;
    }

    @Override
    public String toString() {
        return offsets.size() + " members of sk_buff, net_device, sock and tcp_sock, and " + bits.size() + " of tcp_sock's option bits";
    }
}
