package dev.rxpath.agent.log;

import com.google.gson.Gson;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;
import picocli.CommandLine.Option;

/**
 * --log-level and --log-format: the agent's messages and its libraries' (gRPC, Netty, fabric8,
 * the OpenTelemetry SDK all log through java.util.logging) go to stderr through one handler,
 * as a line per fact for a person, or a JSON object per line for the log collector a
 * DaemonSet's output feeds.
 */
public final class LogOptions {
    public enum LogLevel {
        error(Level.SEVERE), warn(Level.WARNING), info(Level.INFO), debug(Level.FINE);

        final Level level;

        LogLevel(Level level) {
            this.level = level;
        }
    }

    public enum LogFormat { text, json }

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
            description = "error, warn, info (start-up facts, periodic counters) or debug (every hook's whole reason, and more) (default: ${DEFAULT-VALUE}).")
    LogLevel level = LogLevel.info;

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (\"rxpath: …\" lines) or json (one object per line: time, level, logger, message, error) (default: ${DEFAULT-VALUE}).")
    LogFormat format = LogFormat.text;

    /** Sends every logger's records at this level or above to stderr, in this format, and nowhere else. */
    public void apply() {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) root.removeHandler(h);
        Handler stderr = new StreamHandler(System.err, format == LogFormat.json ? new Json() : new Text()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush(); // a line is seen when it is written, not when a buffer fills
            }
        };
        stderr.setLevel(level.level);
        root.addHandler(stderr);
        // debug is rxpath's own detail: the libraries' (JNA's search for its library, Netty's
        // event loops) stays at info, where they say what an operator needs
        root.setLevel(level == LogLevel.debug ? Level.INFO : level.level);
        Held.RXPATH.setLevel(level.level);
    }

    /**
     * Held: java.util.logging keeps loggers weakly, and a collected one forgets its level. In a
     * class of its own, so that {@link #install()} runs before anything starts java.util.logging.
     */
    private static final class Held {
        static final Logger RXPATH = Logger.getLogger("dev.rxpath");
    }

    private static boolean ours(LogRecord r) {
        return r.getLoggerName() != null && r.getLoggerName().startsWith("dev.rxpath");
    }

    private static String thrown(LogRecord r) {
        if (r.getThrown() == null) return null;
        StringWriter s = new StringWriter();
        r.getThrown().printStackTrace(new PrintWriter(s));
        return s.toString().stripTrailing();
    }

    /** "rxpath: message"; a library's record names the library and its level. */
    private static final class Text extends Formatter {
        @Override
        public String format(LogRecord r) {
            String source = ours(r) ? "" : r.getLoggerName() + ": " + r.getLevel().getName().toLowerCase(java.util.Locale.ROOT) + ": ";
            String thrown = thrown(r);
            return "rxpath: " + source + formatMessage(r) + (thrown == null ? "" : System.lineSeparator() + thrown) + System.lineSeparator();
        }
    }

    /** {"time":"…Z","level":"info","logger":"dev.rxpath.agent","message":"…","error":"…"} */
    private static final class Json extends Formatter {
        private final Gson gson = new Gson();

        @Override
        public String format(LogRecord r) {
            Map<String, String> line = new LinkedHashMap<>();
            line.put("time", r.getInstant().toString());
            line.put("level", level(r.getLevel()));
            line.put("logger", r.getLoggerName());
            line.put("message", formatMessage(r));
            String thrown = thrown(r);
            if (thrown != null) line.put("error", thrown);
            return gson.toJson(line) + System.lineSeparator();
        }

        private static String level(Level l) {
            if (l.intValue() >= Level.SEVERE.intValue()) return "error";
            if (l.intValue() >= Level.WARNING.intValue()) return "warn";
            if (l.intValue() >= Level.INFO.intValue()) return "info";
            return "debug";
        }
    }

    /**
     * The JVM's own LogManager resets every logger in a shutdown hook of its own, racing the
     * agent's, which then says "detached" to no handler. This one keeps the configuration until
     * the process is gone; {@link #install()} makes it the JVM's before anything logs.
     */
    public static final class UntilExit extends LogManager {
        @Override
        public void reset() {
            // the handlers flush every record, so nothing waits to be written at exit
        }
    }

    /** First thing in main: java.util.logging takes its manager from this property once, at first use. */
    public static void install() {
        System.setProperty("java.util.logging.manager", UntilExit.class.getName());
    }
}
