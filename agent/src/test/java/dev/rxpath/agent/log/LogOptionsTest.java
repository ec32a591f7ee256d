package dev.rxpath.agent.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** --log-level and --log-format as an operator's log collector sees them: stderr, one line per record. */
class LogOptionsTest {
    private final PrintStream stderr = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final Logger rxpath = Logger.getLogger("dev.rxpath.agent.test");
    private final Logger library = Logger.getLogger("io.grpc.test");

    @AfterEach
    void restore() {
        System.setErr(stderr);
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) root.removeHandler(h);
        root.setLevel(Level.INFO);
        Logger.getLogger("dev.rxpath").setLevel(null);
    }

    @CommandLine.Command(name = "logging")
    static final class Logging {
        @CommandLine.Mixin
        LogOptions options;
    }

    private List<String> lines(String... args) {
        captured.reset();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Logging command = new Logging();
        new CommandLine(command).parseArgs(args);
        command.options.apply();
        rxpath.fine("every hook's whole reason");
        rxpath.info("12 hook points attached");
        rxpath.log(Level.SEVERE, "cannot serve", new IllegalStateException("port taken"));
        library.fine("a library's detail");
        library.warning("a library's warning");
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void jsonIsOneObjectPerRecordWithItsLevelAndLogger() {
        List<String> lines = lines("--log-format", "json");
        assertEquals(3, lines.size(), String.join("\n", lines));
        JsonObject info = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertEquals("info", info.get("level").getAsString());
        assertEquals("dev.rxpath.agent.test", info.get("logger").getAsString());
        assertEquals("12 hook points attached", info.get("message").getAsString());
        assertTrue(info.get("time").getAsString().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), info.toString());
        JsonObject error = JsonParser.parseString(lines.get(1)).getAsJsonObject();
        assertEquals("error", error.get("level").getAsString());
        assertTrue(error.get("error").getAsString().startsWith("java.lang.IllegalStateException: port taken"), error.toString());
        assertEquals("warn", JsonParser.parseString(lines.get(2)).getAsJsonObject().get("level").getAsString());
    }

    @Test
    void textIsALinePerFactAndDebugIsRxpathsOwnDetail() {
        List<String> info = lines();
        assertEquals("rxpath: 12 hook points attached", info.get(0));
        assertTrue(info.contains("rxpath: io.grpc.test: warning: a library's warning"), String.join("\n", info));
        assertTrue(info.stream().noneMatch(l -> l.contains("whole reason") || l.contains("detail")), String.join("\n", info));
        restore();
        List<String> debug = lines("--log-level", "debug");
        assertEquals("rxpath: every hook's whole reason", debug.get(0));
        assertTrue(debug.stream().noneMatch(l -> l.contains("a library's detail")), String.join("\n", debug));
        restore();
        List<String> errors = lines("--log-level", "error");
        assertEquals("rxpath: cannot serve", errors.get(0));
        assertTrue(errors.stream().noneMatch(l -> l.contains("attached") || l.contains("warning")), String.join("\n", errors));
    }
}
