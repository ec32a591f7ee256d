package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** {@code rxpath} as its own process, as a user runs it, from this test run's classes. */
final class AgentProcess implements AutoCloseable {
    final Process process;
    /** Its stdout and stderr lines so far. */
    final List<String> out = new CopyOnWriteArrayList<>(), err = new CopyOnWriteArrayList<>();
    private final Thread outReader, errReader;

    private AgentProcess(Process process) {
        this.process = process;
        outReader = drain(process.getInputStream(), out);
        errReader = drain(process.getErrorStream(), err);
    }

    /** {@code rxpath SUBCOMMAND ARGS...}, not started. */
    static ProcessBuilder command(String subcommand, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), subcommand));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    /** A command, started, its output collected. */
    static AgentProcess start(ProcessBuilder command) throws Exception {
        return new AgentProcess(command.start());
    }

    /** {@code rxpath agent ARGS...}, started, its output collected. */
    static AgentProcess agent(String... args) throws Exception {
        return agent(java.util.Map.of(), args);
    }

    /** The same with these environment variables added. */
    static AgentProcess agent(java.util.Map<String, String> env, String... args) throws Exception {
        ProcessBuilder b = command("agent", args);
        b.environment().putAll(env);
        return new AgentProcess(b.start());
    }

    /**
     * {@code rxpath agent ARGS...} holding only these capabilities ({@code setpriv}'s names:
     * "bpf,perfmon"): root's effective set after exec is its bounding set.
     */
    static AgentProcess withCapabilities(String capabilities, String... args) throws Exception {
        ProcessBuilder b = command("agent", args);
        List<String> cmd = new java.util.ArrayList<>(List.of("setpriv", "--bounding-set",
                "-all" + (capabilities.isEmpty() ? "" : ",+" + capabilities.replace(",", ",+"))));
        cmd.addAll(b.command());
        return new AgentProcess(b.command(cmd).start());
    }

    /** Waits for it to say it attached its hooks. */
    void awaitAttached() throws InterruptedException {
        KernelTests.await("the agent to attach", 30_000, () -> err.stream().anyMatch(l -> l.contains("hook points attached")));
    }

    /** SIGINT, as Ctrl-C: waits for it to detach and exit, and for the last of its output. */
    void interrupt() throws Exception {
        new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start().waitFor();
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "agent exits on SIGINT");
        outReader.join();
        errReader.join();
    }

    @Override
    public void close() {
        if (process.isAlive()) process.destroyForcibly();
    }

    private static Thread drain(java.io.InputStream in, List<String> lines) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        t.start();
        return t;
    }
}
