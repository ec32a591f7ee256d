package dev.rxpath.agent.probe;

import java.util.List;
import java.util.Locale;

/**
 * Which received segments get a full path, decided in the kernel at their first stage and
 * compiled into the programs. Drops, resets and retransmits always get theirs; the counters
 * are exact whatever this says.
 *
 * @param perSecond paths per second for the node (RATE), spread evenly over its CPUs
 * @param ratio     the share of segments sampled (RATIO)
 */
public record Sampling(Mode mode, double perSecond, double ratio) {
    public enum Mode {
        /** every segment's path: for debugging sessions */
        ALL,
        /** up to a rate per second */
        RATE,
        /** a random share of the segments */
        RATIO
    }

    public static final Sampling DEFAULT = rate(100);

    public Sampling {
        if (perSecond < 0 || ratio < 0 || ratio > 1) throw new IllegalArgumentException("a rate must not be negative and a ratio lies in [0, 1]");
    }

    public static Sampling all() {
        return new Sampling(Mode.ALL, 0, 1);
    }

    public static Sampling rate(double perSecond) {
        return new Sampling(Mode.RATE, perSecond, 0);
    }

    public static Sampling ratio(double ratio) {
        return new Sampling(Mode.RATIO, 0, ratio);
    }

    /**
     * The defines bpf/receive.c reads. A rate becomes a token bucket per CPU: one path per
     * {@code cpus / perSecond} seconds, with credit for a tenth of a second's worth (at least one).
     */
    public List<String> cflags(int cpus) {
        return switch (mode) {
            case ALL -> List.of("-DRX_PATHS_ALL");
            case RATE -> {
                if (perSecond == 0) yield List.of();
                long intervalNs = Math.max(1, (long) (cpus * 1e9 / perSecond));
                long burstNs = Math.max(intervalNs, 100_000_000L / intervalNs * intervalNs);
                yield List.of("-DRX_SAMPLE_INTERVAL_NS=" + intervalNs + "ULL", "-DRX_SAMPLE_BURST_NS=" + burstNs + "ULL");
            }
            case RATIO -> List.of("-DRX_SAMPLE_RATIO=" + Math.min(0xffffffffL, (long) (ratio * 4294967296.0)) + "ULL");
        };
    }

    /** "every segment", "up to 100 paths/s", "1 in 1000 segments". */
    public String describe() {
        return switch (mode) {
            case ALL -> "every segment";
            case RATE -> perSecond == 0 ? "none (drops, resets and retransmits only)"
                    : String.format(Locale.ROOT, "up to %s paths/s", trim(perSecond));
            case RATIO -> ratio == 0 ? "none (drops, resets and retransmits only)"
                    : String.format(Locale.ROOT, "1 in %s segments", trim(1 / ratio));
        };
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
