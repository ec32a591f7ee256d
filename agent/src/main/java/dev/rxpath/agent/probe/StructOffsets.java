package dev.rxpath.agent.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the running kernel keeps, in bytes (bits for bitfields), the struct members the
 * programs read: in {@code struct sk_buff}, what finds a segment's IP header (the TCP header
 * follows it) and the socket that owns it; in {@code struct sock}, how full a listener's
 * accept queue is; in {@code struct tcp_sock}, what a connection
 * agreed in its handshake and, from where its sequence numbers stand then, its initial ones.
 * From its BTF, compiled in as constants; without them (no BTF)
 * the programs read neither.
 *
 * @param tcpBits the options the peer sent, as tcp_sock's rx_opt keeps them: its window
 *                scale shift, ours, and whether window scaling, SACK and timestamps were agreed
 */
public record StructOffsets(int skbHead, int skbData, int skbNetworkHeader, int skbSk, int sockAckBacklog, int sockMaxAckBacklog,
                            int tcpSrttUs, int tcpAdvmss, int tcpMssClamp, int tcpSndUna, int tcpRcvNxt, TcpBits tcpBits) {

    /** Bit offsets in tcp_sock of rx_opt's bitfields. */
    public record TcpBits(KernelBtf.Bits sndWscale, KernelBtf.Bits rcvWscale, KernelBtf.Bits wscaleOk, KernelBtf.Bits sackOk,
                          KernelBtf.Bits tstampOk) {}

    /** The running kernel's offsets, or an IOException saying why there are none. */
    public static StructOffsets read(Path vmlinuxBtf, String release) throws IOException {
        if (!Files.isRegularFile(vmlinuxBtf)) {
            throw new IOException("kernel " + release + " has no BTF (" + vmlinuxBtf + "): CONFIG_DEBUG_INFO_BTF is off");
        }
        return of(KernelBtf.read(vmlinuxBtf));
    }

    static StructOffsets of(KernelBtf btf) throws IOException {
        int head = offset(btf, "sk_buff", "head", 8), data = offset(btf, "sk_buff", "data", 8);
        int networkHeader = offset(btf, "sk_buff", "network_header", 2), sk = offset(btf, "sk_buff", "sk", 8);
        int ackBacklog = offset(btf, "sock", "sk_ack_backlog", 4), maxAckBacklog = offset(btf, "sock", "sk_max_ack_backlog", 4);
        int rxOpt = offset(btf, "tcp_sock", "rx_opt", -1);
        return new StructOffsets(head, data, networkHeader, sk, ackBacklog, maxAckBacklog, offset(btf, "tcp_sock", "srtt_us", 4),
                offset(btf, "tcp_sock", "advmss", 2),
                rxOpt + offset(btf, "tcp_options_received", "mss_clamp", 2), offset(btf, "tcp_sock", "snd_una", 4),
                offset(btf, "tcp_sock", "rcv_nxt", 4),
                new TcpBits(bits(btf, rxOpt, "snd_wscale"), bits(btf, rxOpt, "rcv_wscale"), bits(btf, rxOpt, "wscale_ok"),
                        bits(btf, rxOpt, "sack_ok"), bits(btf, rxOpt, "tstamp_ok")));
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

    public List<String> cflags() {
        List<String> flags = new ArrayList<>(List.of("-DRX_SKB_HEAD=" + skbHead, "-DRX_SKB_DATA=" + skbData,
                "-DRX_SKB_NETWORK_HEADER=" + skbNetworkHeader, "-DRX_SKB_SK=" + skbSk, "-DRX_SK_ACK_BACKLOG=" + sockAckBacklog,
                "-DRX_SK_MAX_ACK_BACKLOG=" + sockMaxAckBacklog, "-DRX_TP_SRTT_US=" + tcpSrttUs,
                "-DRX_TP_ADVMSS=" + tcpAdvmss, "-DRX_TP_MSS_CLAMP=" + tcpMssClamp, "-DRX_TP_SND_UNA=" + tcpSndUna,
                "-DRX_TP_RCV_NXT=" + tcpRcvNxt));
        bits(flags, "SND_WSCALE", tcpBits.sndWscale());
        bits(flags, "RCV_WSCALE", tcpBits.rcvWscale());
        bits(flags, "WSCALE_OK", tcpBits.wscaleOk());
        bits(flags, "SACK_OK", tcpBits.sackOk());
        bits(flags, "TSTAMP_OK", tcpBits.tstampOk());
        return flags;
    }

    private static void bits(List<String> flags, String name, KernelBtf.Bits b) {
        flags.add("-DRX_TP_" + name + "_AT=" + b.bitOffset());
        flags.add("-DRX_TP_" + name + "_BITS=" + b.width());
    }

    @Override
    public String toString() {
        return "sk_buff head@" + skbHead + " data@" + skbData + " network_header@" + skbNetworkHeader + " sk@" + skbSk
                + "; sock sk_ack_backlog@" + sockAckBacklog + "; tcp_sock srtt_us@" + tcpSrttUs + " advmss@" + tcpAdvmss + " rx_opt.mss_clamp@" + tcpMssClamp;
    }
}
