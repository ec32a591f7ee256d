package dev.rxpath.api;

import java.util.List;
import java.util.Locale;

/**
 * A TCP header as tcpdump prints it: flags as {@code [S]}, {@code [S.]}, {@code [P.]},
 * {@code [F.]}, {@code [R.]} ("." is ACK), then sequence, acknowledgement, window and a SYN's
 * options; and the flag names filters take. One place for the agent's printer and the CLI,
 * which share only this module.
 */
public final class TcpText {
    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40, CWR = 0x80;

    private static final int[] BITS = {FIN, SYN, RST, PSH, ACK, URG, ECE, CWR};
    /** tcpdump's letters, in its order. */
    private static final String[] LETTERS = {"F", "S", "R", "P", ".", "U", "E", "W"};
    private static final List<String> NAMES = List.of("FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR");

    private TcpText() {}

    /** "[S.]"; "[none]" for a header with no flag set, as tcpdump prints it. */
    public static String flags(int flags) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < BITS.length; i++) if ((flags & BITS[i]) != 0) s.append(LETTERS[i]);
        return s.append(s.length() == 1 ? "none]" : "]").toString();
    }

    /**
     * "[S.] seq=1 ack=1 win=65483 mss=65495 wscale=7 sackOK TS": ack only with ACK set, options
     * only where present (mss 0 and wscale -1 are absent).
     */
    public static String header(int flags, long seq, long ack, int window, int mss, int wscale, boolean sackOk, boolean timestamps) {
        StringBuilder s = new StringBuilder(flags(flags)).append(" seq=").append(seq);
        if ((flags & ACK) != 0) s.append(" ack=").append(ack);
        s.append(" win=").append(window);
        if (mss > 0) s.append(" mss=").append(mss);
        if (wscale >= 0) s.append(" wscale=").append(wscale);
        if (sackOk) s.append(" sackOK");
        if (timestamps) s.append(" TS");
        return s.toString();
    }

    /** The bits of flags named as in "SYN,ACK" (any case); IllegalArgumentException names the valid ones. */
    public static int parse(String names) {
        int bits = 0;
        for (String name : names.split(",")) {
            String n = name.trim().toUpperCase(Locale.ROOT);
            int i = NAMES.indexOf(n);
            if (i < 0) throw new IllegalArgumentException("unknown TCP flag \"" + name.trim() + "\" (one of " + String.join(", ", NAMES) + ")");
            bits |= BITS[i];
        }
        return bits;
    }
}
