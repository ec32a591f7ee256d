package dev.rxpath.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Exit statuses as bin/rxpath returns them: 2 for usage errors, 1 when the agent cannot be reached. */
class ExitStatusTest {
    /** No agent listens here: usage errors must be found before any connection is tried. */
    private static final String NO_AGENT = "--server=unix:/nonexistent/rxpath.sock";

    private final StringWriter err = new StringWriter();

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "observe --remote-ip 10.0.0.300                  | --remote-ip",
            "observe --local-ip 10.0.0.0/40                  | --local-ip",
            "observe --remote-port 70000                     | --remote-port",
            "observe --port http                             | --port",
            "observe --verdict bogus                         | --verdict",
            "observe --family inet4                          | --family",
            "observe --min-latency 5                         | --min-latency",
            "observe --since yesterday                       | --since",
            "observe --last -1                               | --last",
            "observe --pid 0                                 | --pid",
            "observe --port 443 --remote-port 22             | --port and --remote-port cannot be combined: both match remote_port",
            "observe --min-latency 5ms --min-latency 6ms     | --min-latency takes one value",
            "observe --stage tcp                             | --stage qualifies --min-latency",
            "observe --comm sshd --not                       | --not must come before a filter flag",
            "observe --not --not --comm sshd                 | --not twice in a row",
            "drops --stage bogus                             | --stage",
            "flows --sort bogus                              | --sort",
            "flows --limit -3                                | --limit",
            "top --interval 10ms                             | --interval must be at least 100ms",
            "status -o yaml                                  | --output",
            "status -o waterfall                             | --output waterfall draws paths: it is for observe",
            "flows -o waterfall                              | --output waterfall draws paths: it is for observe",
            "drops -o waterfall                              | --output waterfall draws paths: it is for observe",
            "latency --width 20                              | --width must be at least 40",
            "latency -o json                                 | -o",
            "status --tls-ca /etc/hosts                      | --tls-ca and --tls-server-name are for HOST:PORT servers",
            "observe --unknown-flag                          | --unknown-flag"})
    void usageErrorsExitWith2NamingTheFlag(String args, String message) {
        assertEquals(2, execute(args + " " + NO_AGENT));
        assertTrue(err.toString().contains(message), err.toString());
    }

    @Test
    void aServerThatIsNeitherUnixNorHostAndPortIsAUsageError() {
        assertEquals(2, execute("status --server localhost"));
        assertTrue(err.toString().contains("--server 'localhost' is neither unix:PATH nor HOST:PORT"), err.toString());
        assertEquals(2, execute("status --server localhost:99999"));
    }

    @Test
    void aMissingSocketIsAnUnreachableAgent() {
        assertEquals(1, execute("status " + NO_AGENT));
        assertEquals("rxpath: cannot reach the agent at unix:/nonexistent/rxpath.sock: "
                + "/nonexistent/rxpath.sock does not exist (is the agent running?)", err.toString().strip());
    }

    @Test
    void aClosedPortIsAnUnreachableAgent() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // free once closed: nothing listens there
        }
        assertEquals(1, execute("observe --server 127.0.0.1:" + port));
        assertTrue(err.toString().startsWith("rxpath: cannot reach the agent at 127.0.0.1:" + port + ": "), err.toString());
        assertTrue(err.toString().contains("refused"), err.toString());
    }

    private int execute(String args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));
        return cli.execute(Stream.of(args.trim().split("\\s+")).toArray(String[]::new));
    }
}
