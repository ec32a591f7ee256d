package dev.rxpath.agent.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A bench's load in a child process, this JVM's java and class path running another main
 * class, so that the bench process's CPU and memory stay the agent's. Its output lines are
 * read as they come (a thread drains them, so a chatty child never blocks on a full pipe);
 * its stderr goes to a file that a failure quotes.
 */
final class LoadProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path stderr;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread drain;

    private LoadProcess(String name, Process process, Path stderr) {
        this.name = name;
        this.process = process;
        this.stderr = stderr;
        this.drain = new Thread(this::drain, name + "-stdout");
        drain.start();
    }

    static LoadProcess start(String name, Class<?> main, Object... args) throws IOException {
        Path stderr = Files.createTempFile("rxpath-bench-", ".stderr");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), main.getName()));
        Stream.of(args).map(String::valueOf).forEach(cmd::add);
        try {
            return new LoadProcess(name, new ProcessBuilder(cmd).redirectError(stderr.toFile()).start(), stderr);
        } catch (IOException e) {
            Files.deleteIfExists(stderr);
            throw e;
        }
    }

    private void drain() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) lines.add(l);
        } catch (IOException ignored) {
            // the process was destroyed: its output ends here
        }
    }

    /** The next line it prints, waiting up to {@code seconds}; fails, quoting its stderr, if it ends or stays silent. */
    String readLine(long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(50, TimeUnit.MILLISECONDS);
            if (line != null) return line;
            if (!drain.isAlive() && lines.isEmpty()) throw failed("ended without the expected line");
        }
        throw failed("printed nothing for " + seconds + " s");
    }

    /** Its CPU time so far (user and system), from /proc: for a child whose own cost is the figure. */
    long cpuNanos() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // fields 14 and 15, in USER_HZ (100)
    }

    /** Its resident memory now, from /proc. */
    long rssKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        return -1;
    }

    /** Closes its stdin: the signal to finish for a load that waits on it. */
    void closeInput() throws IOException {
        process.getOutputStream().close();
    }

    /** Waits up to {@code seconds} for it to exit 0 and returns what it printed since the last line read. */
    List<String> finish(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) throw failed("did not finish within " + seconds + " s");
        drain.join();
        if (process.exitValue() != 0) throw failed("exited with status " + process.exitValue());
        List<String> rest = new ArrayList<>();
        lines.drainTo(rest);
        return rest;
    }

    private IllegalStateException failed(String what) {
        String text;
        try {
            text = Files.readString(stderr).strip();
        } catch (IOException e) {
            text = "(its stderr is unreadable: " + e.getMessage() + ")";
        }
        return new IllegalStateException(this + " " + what + (text.isEmpty() ? "" : ":\n" + text));
    }

    @Override
    public String toString() {
        return "the " + name + " process";
    }

    /** Kills it if it still runs, and removes its stderr file. */
    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        try {
            Files.deleteIfExists(stderr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
