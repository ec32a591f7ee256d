package dev.rxpath.cli;

import com.google.protobuf.util.Durations;
import dev.rxpath.api.Display;
import dev.rxpath.api.EnumText;
import dev.rxpath.api.v1.ReceivePath;
import dev.rxpath.api.v1.StageTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * -o waterfall: a path drawn as a trace view draws a trace. Its first line is the path (when
 * it entered, the tuple, the verdict, its whole time), then a row per stage whose bar starts
 * where the stage before ended and runs to this stage, on one time scale for the path
 * ({@link #BAR} columns from its first stage to its last), and the time since the stage before.
 * A stage the agent inferred (not seen by a hook) is starred, as in the compact line.
 */
final class Waterfall {
    static final int BAR = 50;

    private final ZoneId zone;

    Waterfall(ZoneId zone) {
        this.zone = zone;
    }

    List<String> path(ReceivePath p) {
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "%s %s  %s  %s", Display.entered(p, zone), Display.tuple(p), EnumText.of(p.getVerdict()),
                Display.duration(p.getTotal())));
        long total = 0;
        for (StageTime t : p.getStagesList()) total += Durations.toNanos(t.getSincePrevious());
        long at = 0;
        for (int i = 0; i < p.getStagesCount(); i++) {
            StageTime t = p.getStages(i);
            long since = i == 0 ? 0 : Durations.toNanos(t.getSincePrevious());
            int from = column(at, total), to = Math.max(from + 1, column(at + since, total));
            if (to > BAR) {
                to = BAR;
                from = Math.min(from, BAR - 1);
            }
            String bar = " ".repeat(from) + "#".repeat(to - from) + " ".repeat(BAR - to);
            String name = EnumText.of(t.getStage()) + (t.getInferred() ? "*" : "");
            out.add(String.format(Locale.ROOT, "  %-7s |%s| %s", name, bar, i == 0 ? "0" : "+" + Display.duration(t.getSincePrevious())));
            at += since;
        }
        return out;
    }

    /** Where a time falls on the bar; a path with no time between its stages draws every stage at the start. */
    private static int column(long ns, long total) {
        return total == 0 ? 0 : (int) Math.min(BAR, ns * BAR / total);
    }
}
