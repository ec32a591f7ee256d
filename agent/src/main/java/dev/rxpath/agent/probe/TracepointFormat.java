package dev.rxpath.agent.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tracepoint's {@code format} file from tracefs: its field names and its print format.
 * The print format carries the kernel's own tables of enum names ({@code __print_symbolic}),
 * which is where drop reasons, reset reasons and TCP states get their names: numbers differ
 * between kernels, so no table of them is typed into rxpath.
 */
public record TracepointFormat(String category, String event, List<String> fields, String printFmt) {
    private static final Pattern ENTRY = Pattern.compile("\\{\\s*(-?\\d+|0x[0-9a-fA-F]+)\\s*,\\s*\"([^\"]*)\"\\s*\\}");

    public static TracepointFormat read(Path tracefs, String category, String event) throws IOException {
        return parse(category, event, Files.readString(tracefs.resolve("events").resolve(category).resolve(event).resolve("format")));
    }

    public static TracepointFormat parse(String category, String event, String text) {
        List<String> fields = new ArrayList<>();
        String printFmt = "";
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.startsWith("field:")) {
                String decl = l.substring("field:".length(), l.indexOf(';'));
                // An array's size goes before the name is taken: older kernels print it
                // unevaluated, with spaces ("__u8 saddr[sizeof(struct sockaddr_in6)]" on
                // 5.10). A "__data_loc char[] name" keeps its brackets in the type.
                if (decl.endsWith("]")) decl = decl.substring(0, decl.lastIndexOf('[')).stripTrailing();
                String name = decl.substring(decl.lastIndexOf(' ') + 1);
                if (!name.startsWith("common_")) fields.add(name);
            } else if (l.startsWith("print fmt:")) {
                printFmt = l.substring("print fmt:".length()).strip();
            }
        }
        return new TracepointFormat(category, event, Collections.unmodifiableList(fields), printFmt);
    }

    public String id() {
        return category + ":" + event;
    }

    public boolean hasField(String name) {
        return fields.contains(name);
    }

    /** The value → name table the kernel prints for {@code field}; empty if it prints none. */
    public Map<Long, String> symbols(String field) {
        String marker = "__print_symbolic(REC->" + field + ",";
        int start = printFmt.indexOf(marker);
        Map<Long, String> names = new LinkedHashMap<>();
        if (start < 0) return names;
        int depth = 1;
        int end = start + marker.length();
        while (end < printFmt.length() && depth > 0) {
            char c = printFmt.charAt(end);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == '"') end = printFmt.indexOf('"', end + 1);
            end++;
        }
        Matcher m = ENTRY.matcher(printFmt.substring(start + marker.length(), end));
        while (m.find()) names.put(Long.decode(m.group(1)), m.group(2));
        return names;
    }
}
