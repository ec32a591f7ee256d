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

    /** A node served from the recording of loopback traffic the agent's tests keep: {@code rxpath replay --listen}. */
    record ReplayedNode(Process process, String server) implements AutoCloseable {
        static ReplayedNode start() throws Exception {
            int port;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Path recording = Path.of("..", "agent", "src", "test", "resources", "recordings", "loopback.rxrec.gz").toAbsolutePath().normalize();
            Process node = agentJar("replay", recording.toString(), "--print", "none", "--listen", "127.0.0.1:" + port);
            ReplayedNode n = new ReplayedNode(node, "--server=127.0.0.1:" + port);
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (new ProcessBuilder(cli("status", n.server)).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start().waitFor() != 0) {
                if (System.nanoTime() > deadline || !node.isAlive()) {
                    n.close();
                    throw new AssertionError("the replayed node did not serve");
                }
                Thread.sleep(200);
            }
            return n;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
