package dev.rxpath.agent.traces;

import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.path.Verdict;

/**
 * Which finished paths become traces, decided on the node, where the whole path is known:
 * every DROPPED and RESET path, every path slower than a bound, and a rate per second of the
 * rest (a token bucket on the kernel's clock, so a replay samples as the live run did).
 */
public final class TailSampler {
    /**
     * @param minLatencyNs paths at least this slow (first stage to last) are always kept; 0: none are for their time
     * @param perSecond    of the other paths, at most this many a second (a burst of one second's worth)
     */
    public record Options(long minLatencyNs, double perSecond) {
        public Options {
            if (minLatencyNs < 0 || perSecond < 0) throw new IllegalArgumentException("negative: " + minLatencyNs + ", " + perSecond);
        }

        public String describe() {
            return "every drop and reset" + (minLatencyNs > 0 ? ", every path from " + minLatencyNs / 1e6 + " ms" : "") + ", " + perSecond
                    + " of the others a second";
        }
    }

    private final Options options;
    private double tokens;
    private long lastNs = -1;
    private long kept, sampledOut;

    public TailSampler(Options options) {
        this.options = options;
        this.tokens = options.perSecond();
    }

    public boolean keep(ReceivePath p) {
        boolean keep = p.verdict() == Verdict.DROPPED || p.verdict() == Verdict.RESET
                || options.minLatencyNs() > 0 && p.totalNs() >= options.minLatencyNs() || take(p.decidedNs());
        if (keep) kept++;
        else sampledOut++;
        return keep;
    }

    private boolean take(long nowNs) {
        if (lastNs >= 0 && nowNs > lastNs) tokens = Math.min(options.perSecond(), tokens + (nowNs - lastNs) * options.perSecond() / 1e9);
        lastNs = Math.max(lastNs, nowNs);
        if (tokens < 1) return false;
        tokens--;
        return true;
    }

    public long kept() {
        return kept;
    }

    public long sampledOut() {
        return sampledOut;
    }
}
