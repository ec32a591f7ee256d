package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code --print} takes observe's filter flags: a recording replayed with a filter prints
 * exactly the lines of its unfiltered replay that the filter describes.
 */
class PrintFiltersTest {
    private static final String RECORDING = "src/test/resources/recordings/loopback.rxrec.gz";
    /** "22:40:06.363178 127.0.0.1:58518 -> 127.0.0.1:33973   DELIVERED ...": the ports of a path line. */
    private static final Pattern TUPLE = Pattern.compile("^\\S+ \\S+:(\\d+) -> \\S+:(\\d+) ");

    private static List<String> everything;

    private record Run(int status, List<String> paths, String err) {}

    @BeforeAll
    static void replayUnfiltered() throws Exception {
        everything = replay().paths();
        assertTrue(everything.size() > 1000, "the recording's paths: " + everything.size());
    }

    @Test
    void aVerdictAndItsNegationSplitThePaths() throws Exception {
        Predicate<String> delivered = l -> l.contains(" DELIVERED ");
        assertEquals(where(delivered), replay("--verdict", "delivered").paths());
        assertEquals(where(delivered.negate()), replay("--not", "--verdict", "delivered").paths());
    }

    @Test
    void aPortIsEitherEndAndFlagsAnd() throws Exception {
        String port = port(everything.get(0), 2);
        Predicate<String> either = l -> port(l, 1).equals(port) || port(l, 2).equals(port);
        assertEquals(where(either), replay("--port", port).paths());
        assertEquals(where(either.and(l -> l.contains(" comm=java"))), replay("--port", port, "--comm", "java").paths());
    }

    @Test
    void aMalformedFilterIsAUsageErrorNamingTheField() throws Exception {
        Run bad = replay("--pod", "a/b/c");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("pod: \"a/b/c\" is not [namespace/]name"), bad.err());
    }

    @Test
    void aFilterNothingWouldApplyIsRefused() throws Exception {
        Run notPrinting = replay("--print", "none", "--verdict", "dropped");
        assertEquals(2, notPrinting.status());
        assertTrue(notPrinting.err().startsWith("--verdict chooses the paths --print shows"), notPrinting.err());
        Run stageAlone = replay("--print", "none", "--stage", "socket");
        assertEquals(2, stageAlone.status());
        assertTrue(stageAlone.err().startsWith("--stage qualifies --min-latency: give both"), stageAlone.err());
        // the agent checks before it needs the kernel; its --port alone would narrow the kernel's watch
        Process agent = AgentProcess.command("agent", "--port", "443", "--comm", "nginx").redirectErrorStream(true).start();
        String text = new String(agent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(agent.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, agent.exitValue(), text);
        assertTrue(text.startsWith("--comm chooses the paths --print shows"), text);
    }

    private static List<String> where(Predicate<String> test) {
        return everything.stream().filter(test).toList();
    }

    private static String port(String line, int end) {
        Matcher m = TUPLE.matcher(line);
        assertTrue(m.find(), line);
        return m.group(end);
    }

    private static Run replay(String... filters) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of(RECORDING));
        args.addAll(List.of(filters));
        Process p = AgentProcess.command("replay", args.toArray(String[]::new)).start();
        String err;
        List<String> paths;
        try (var errIn = p.getErrorStream()) {
            paths = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> l.contains(" -> ")).toList();
            err = new String(errIn.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), paths, err);
    }
}
