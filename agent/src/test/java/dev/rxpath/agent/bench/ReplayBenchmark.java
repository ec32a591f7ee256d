package dev.rxpath.agent.bench;

import dev.rxpath.agent.Pipeline;
import dev.rxpath.agent.event.DecodingSink;
import dev.rxpath.agent.path.PathListener;
import dev.rxpath.agent.path.PathStats;
import dev.rxpath.agent.record.Recording;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A recorded stream from real traffic, replayed from memory through everything the agent
 * does to a record after the ring: decoder, reorder window, path correlator, flow table.
 * One operation is one whole replay; the {@code events} counter gives events per second.
 * Run with bin/jmh (which adds {@code -prof gc}: divide gc.alloc.rate.norm by the events
 * per replay, printed at setup, for bytes allocated per event).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgs = {"-XX:+UseSerialGC", "-Xms256m", "-Xmx256m"})
public class ReplayBenchmark {
    private Recording recording;

    /** Events replayed, reported by JMH as a rate. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Events {
        public long events;

        @Setup(Level.Iteration)
        public void reset() {
            events = 0;
        }
    }

    @Setup
    public void load() {
        Path file = Path.of(System.getProperty("rxpath.recording", "agent/src/test/resources/bench/bench.rxrec.gz"));
        recording = Recording.load(file);
        PathStats once = replay(recording).paths().stats();
        System.out.printf("%n%s: %d events per replay, %d paths%n", file, replay(recording).events(), once.paths());
    }

    private static Pipeline replay(Recording recording) {
        Pipeline pipeline = Pipeline.replaying(recording.header(), Pipeline.Limits.DEFAULT, PathListener.NONE);
        recording.replay(new DecodingSink(pipeline));
        pipeline.finish();
        return pipeline;
    }

    @Benchmark
    public PathStats decodeCorrelateAccount(Events counter) {
        Pipeline pipeline = replay(recording);
        counter.events += pipeline.events();
        return pipeline.paths().stats();
    }
}
