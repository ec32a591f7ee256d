package dev.rxpath.agent;

import dev.rxpath.agent.event.DecodingSink;
import dev.rxpath.agent.event.EventSink;
import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.export.EventPrinter;
import dev.rxpath.agent.export.Summary;
import dev.rxpath.agent.record.Recording;
import dev.rxpath.agent.record.RecordingException;
import dev.rxpath.agent.record.RecordingHeader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Run a recording (`agent --record`) through the same correlator and flow table, without a kernel.")
final class ReplayCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The recording.")
    Path file;

    @Option(names = "--print", paramLabel = "MODE", description = "paths (default), raw, or none.")
    PipelineOptions.PrintMode print = PipelineOptions.PrintMode.paths;

    @Mixin
    PipelineOptions pipelineOptions;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        Pipeline.Limits limits = pipelineOptions.limits();
        Recording recording;
        try {
            recording = Recording.load(file);
        } catch (RecordingException e) {
            System.err.println("rxpath: " + e.getMessage());
            return 1;
        }
        RecordingHeader h = recording.header();
        KernelClock clock = new KernelClock(h.wallMinusMonoNs());
        Pipeline pipeline = Pipeline.replaying(h, limits, PipelineOptions.sink(print, out, clock));
        EventSink events = print == PipelineOptions.PrintMode.raw ? new EventPrinter(out, clock, h.names(), pipeline) : pipeline;
        DecodingSink decoding = new DecodingSink(events);
        long frames = recording.replay(decoding);
        pipeline.finish();
        out.printf("replayed %d frames (%d events, %d malformed) recorded on %s, stages observable there: %s%n", frames,
                pipeline.events(), decoding.malformed(), h.kernelRelease(), h.observable());
        out.println(Summary.of(pipeline.paths().stats(), pipeline.window().late(), pipeline.flows().stats()));
        return 0;
    }
}
