package dev.rxpath.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The two programs as processes: the CLI from this module's class path, the agent side from the jar the reactor built first. */
final class Processes {
    static final Path AGENT = Path.of("..", "agent", "target").toAbsolutePath().normalize();

    private Processes() {}

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code rxpath ARGS...} as the CLI. */
    static List<String> cli(String... args) {
        List<String> cmd = new ArrayList<>(List.of(java(), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** {@code rxpath ARGS...} from the agent module's jar (agent, replay, relay), started. */
    static Process agentJar(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-cp", AGENT.resolve("rxpath-agent.jar") + ":" + AGENT.resolve("lib") + "/*",
                "dev.rxpath.agent.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).start();
    }
}
