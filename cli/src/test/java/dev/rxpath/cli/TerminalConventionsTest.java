package dev.rxpath.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conventions a command-line tool keeps, checked the way a person meets them: completion
 * in a real bash, colour on a real terminal (script(1) gives the CLI a pty) against a node
 * served from a recording, and none for a pipe or under NO_COLOR.
 */
class TerminalConventionsTest {
    private static final String GREEN = "\033[32m";

    @TempDir
    Path dir;

    @Test
    void bashCompletesCommandsFlagsAndTheirValues() throws Exception {
        Path script = dir.resolve("rxpath.bash");
        Files.writeString(script, run(Processes.cli("completion", "bash"), Map.of()).out);
        assertEquals(List.of("observe"), complete(script, "rxpath", "obs"));
        assertEquals(List.of("dropped"), complete(script, "rxpath", "observe", "--verdict", "dro"));
        assertTrue(complete(script, "rxpath", "flows", "--so").contains("--sort"));
        // zsh is served the same kind of script, which loads bash's completion layer there first
        Path zsh = dir.resolve("rxpath.zsh");
        Files.writeString(zsh, run(Processes.cli("completion", "zsh"), Map.of()).out);
        assertTrue(Files.readString(zsh).contains("bashcompinit"), "zsh loads bash's completion first");
        assertEquals(List.of("observe"), complete(zsh, "rxpath", "obs"));
    }

    /** What bash offers for the last word of {@code words}, as it would at a prompt. */
    private List<String> complete(Path script, String... words) throws Exception {
        String line = String.join(" ", words);
        String shell = "source " + script + "; COMP_WORDS=(" + line + "); COMP_CWORD=" + (words.length - 1)
                + "; COMP_LINE='" + line + "'; COMP_POINT=" + line.length() + "; _complete_rxpath; printf '%s\\n' \"${COMPREPLY[@]}\"";
        return run(List.of("bash", "-c", shell), Map.of()).out.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.toList());
    }

    @Test
    void versionNamesTheBuildAndHelpListsTheExitStatuses() throws Exception {
        Run version = run(Processes.cli("--version"), Map.of());
        assertEquals(0, version.exit);
        String first = version.out.lines().findFirst().orElse("");
        assertTrue(first.matches("rxpath \\d+\\.\\d+\\.\\d+\\S* \\((git [0-9a-f]{7,}.*|built outside a git checkout)\\)"), first);
        assertTrue(version.out.contains("Java " + System.getProperty("java.version")), version.out);

        String help = run(Processes.cli("observe", "--help"), Map.of()).out;
        assertTrue(help.contains("Exit status:"), help);
        assertTrue(help.lines().anyMatch(l -> l.strip().startsWith("2 ") && l.contains("usage error")), help);
    }

    @Test
    void verdictsAreColouredOnATerminalOnlyAndNotUnderNoColor() throws Exception {
        try (Processes.ReplayedNode node = Processes.ReplayedNode.start()) {
            List<String> observe = Processes.cli("observe", "--last", "50", "--verdict", "delivered", node.server());
            String onTerminal = onTerminal(observe, Map.of());
            assertTrue(onTerminal.contains(GREEN + "DELIVERED"), onTerminal);
            String noColor = onTerminal(observe, Map.of("NO_COLOR", "1"));
            assertTrue(noColor.contains("DELIVERED") && !noColor.contains("\033["), noColor);
            String piped = run(observe, Map.of()).out;
            assertTrue(piped.contains("DELIVERED") && !piped.contains("\033["), piped);
        }
    }

    /** What {@code cmd} writes when its output is a terminal: script(1) runs it on a pty. */
    private String onTerminal(List<String> cmd, Map<String, String> env) throws Exception {
        String line = cmd.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
        Run r = run(List.of("script", "-qec", line, "/dev/null"), env);
        assertEquals(0, r.exit, r.out + r.err);
        return r.out;
    }

    private record Run(int exit, String out, String err) {}

    private static Run run(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder b = new ProcessBuilder(new ArrayList<>(cmd));
        b.environment().remove("NO_COLOR");
        b.environment().putAll(env);
        Process p = b.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd));
        return new Run(p.exitValue(), out, err);
    }
}
