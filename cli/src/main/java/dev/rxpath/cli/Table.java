package dev.rxpath.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Columns under a header, each as wide as its widest cell. A follow prints rows as they
 * come: each flush aligns to the widths seen so far, and forgets the rows it printed.
 */
final class Table {
    private static final String GAP = "  ";

    private final List<String> header;
    private final int[] widths;
    private final List<List<String>> pending = new ArrayList<>();
    private boolean headerPrinted;

    Table(String... header) {
        this.header = List.of(header);
        this.widths = new int[header.length];
        widen(this.header);
    }

    void add(String... cells) {
        if (cells.length != widths.length) throw new IllegalArgumentException(cells.length + " cells for " + widths.length + " columns");
        List<String> row = List.of(cells);
        widen(row);
        pending.add(row);
    }

    /** Prints the header (once) and the rows added since the last flush. */
    void flush(PrintWriter out) {
        if (!headerPrinted) {
            out.println(line(header));
            headerPrinted = true;
        }
        pending.forEach(row -> out.println(line(row)));
        pending.clear();
        out.flush();
    }

    private void widen(List<String> row) {
        for (int i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i], row.get(i).length());
    }

    private String line(List<String> row) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            if (i > 0) s.append(GAP);
            s.append(row.get(i)).append(" ".repeat(widths[i] - row.get(i).length()));
        }
        return s.toString().stripTrailing();
    }
}
