package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.EventSink;
import dev.rxpath.agent.probe.Hook;
import dev.rxpath.agent.probe.KernelNames;
import dev.rxpath.agent.probe.KernelProbe;
import java.io.IOException;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** What the real-kernel tests share: the root check, an event collector, running a command, waiting, fd counting. */
public final class KernelTests {
    private KernelTests() {}

    /** Runs a {@link KernelTest} only as root; as another user it is skipped, saying why. */
    public static final class AsRoot implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return root() ? ConditionEvaluationResult.enabled("root")
                    : ConditionEvaluationResult.disabled("a kernel test: it loads BPF programs and reads tracefs, so it runs as root (sudo bin/test);"
                            + " bin/test --unit runs the tests that need neither");
        }

        private static boolean root() {
            try {
                return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                        .anyMatch(l -> l.split("\\s+")[1].equals("0"));
            } catch (IOException e) {
                return false;
            }
        }
    }

    /** Collects everything the reader thread hands over. */
    public static class Collector implements EventSink {
        public final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
        public final AtomicLong lost = new AtomicLong();

        @Override
        public void event(Event event) {
            events.add(event);
        }

        @Override
        public void lost(int cpu, long count) {
            lost.addAndGet(count);
        }

        @Override
        public void drained(long monotonicNs) {}

        public <T extends Event> List<T> of(Class<T> type) {
            List<T> out = new ArrayList<>();
            for (Event e : events) if (type.isInstance(e)) out.add(type.cast(e));
            return out;
        }
    }

    /** What a command run to its end did: its exit status and its stdout and stderr together. */
    public record Run(int exit, String output) {}

    /** Runs {@code cmd} to its end, at most {@code timeoutSeconds}. */
    public static Run run(List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), out);
        return new Run(p.exitValue(), out);
    }

    /** The reason a SYN to a closed port is dropped with: before 5.17 kfree_skb gives none, and the agent says so rather than guess. */
    public static String noSocketReason() {
        boolean reasons = KernelProbe.scan().format(Hook.KFREE_SKB).map(f -> f.hasField("reason")).orElse(false);
        return reasons ? "NO_SOCKET" : KernelNames.UNKNOWN;
    }

    /** Flows as an assertion message shows them: what tells two flows of one address apart. */
    public static String describe(java.util.Collection<dev.rxpath.agent.flow.Flow> flows) {
        return flows.stream().map(f -> String.format("[sk=%x cookie=%d counted=%s closed=%s first=%d last=%d retired=%d delivered=%d"
                + " segments=%d retransmits=%d states=%s]", f.sk(), f.cookie(), f.counted(), f.closed(), f.firstNs(), f.lastNs(),
                f.retiredNs(), f.bytesDelivered(), f.segments(), f.retransmits(), f.states())).toList().toString();
    }

    public static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) fail("timed out after " + timeoutMs + " ms waiting for " + what);
            Thread.sleep(20);
        }
    }

    /** This process's fds that hold a BPF program, map, link or perf event: what an attachment keeps alive. */
    public static List<String> bpfFds() throws IOException {
        List<String> held = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.contains("bpf") || target.contains("perf_event")) held.add(target);
                } catch (IOException ignored) {
                    // the fd closed while listing (the listing's own directory fd)
                }
            }
        }
        return held;
    }
}
