package dev.rxpath.agent;

import dev.rxpath.agent.containers.Containers;
import dev.rxpath.agent.event.DecodingSink;
import dev.rxpath.agent.event.EventSink;
import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.export.AgentServer;
import dev.rxpath.agent.export.EventPrinter;
import dev.rxpath.agent.export.ServerTls;
import dev.rxpath.agent.export.Summary;
import dev.rxpath.agent.record.Recording;
import dev.rxpath.agent.record.RecordingException;
import dev.rxpath.agent.record.RecordingHeader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "replay", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        description = "Run a recording (`agent --record`) through the same correlator and flow table, without a kernel.")
final class ReplayCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The recording.")
    Path file;

    @Option(names = "--print", paramLabel = "MODE", description = "paths (default), raw, or none.")
    PipelineOptions.PrintMode print = PipelineOptions.PrintMode.paths;

    @Mixin
    PipelineOptions pipelineOptions;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = "Then serve the replayed node's Observer API here (its paths as history, its flows and status) until stopped: a node without a kernel, for a relay or the CLI.")
    String listen;

    @Option(names = "--node-name", paramLabel = "NAME", defaultValue = "replay", description = "The node's name in the API's answers (default: ${DEFAULT-VALUE}).")
    String nodeName;

    @Option(names = "--history", paramLabel = "N", defaultValue = "10000", description = "Paths kept for `observe --last` (default: ${DEFAULT-VALUE}).")
    int history;

    @Mixin
    ServerTls tls;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Pipeline.Limits limits = pipelineOptions.limits();
        Recording recording;
        try {
            recording = Recording.load(file);
        } catch (RecordingException e) {
            System.err.println("rxpath: " + e.getMessage());
            return 1;
        }
        pipelineOptions.requireFiltersApplied(listen == null && print == PipelineOptions.PrintMode.paths, Set.of());
        if (listen != null) return serve(recording, limits);
        if (tls.given()) throw new ParameterException(spec.commandLine(), "--tls-cert, --tls-key and --tls-client-ca need --listen");
        RecordingHeader h = recording.header();
        KernelClock clock = new KernelClock(h.wallMinusMonoNs());
        Pipeline pipeline = Pipeline.replaying(h, limits, pipelineOptions.sink(print, out, clock, Containers.NONE, nodeName));
        EventSink events = print == PipelineOptions.PrintMode.raw ? new EventPrinter(out, clock, h.names(), pipeline) : pipeline;
        DecodingSink decoding = new DecodingSink(events);
        long frames = recording.replay(decoding);
        pipeline.finish();
        out.printf(Locale.ROOT, "replayed %d frames (%d events, %d malformed) recorded on %s, stages observable there: %s%n", frames,
                pipeline.events(), decoding.malformed(), h.kernelRelease(), h.observable());
        out.println(Summary.of(pipeline.paths().stats(), pipeline.window().late(), pipeline.flows().stats()));
        return 0;
    }

    private int serve(Recording recording, Pipeline.Limits limits) throws Exception {
        if (history < 1) throw new ParameterException(spec.commandLine(), "--history must be at least 1");
        AgentServer.Tcp tcp;
        try {
            tcp = tls.listener(AgentServer.address("--listen", listen));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        ReplayedNode node = ReplayedNode.serve(recording, nodeName, tcp, limits, history);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "rxpath-replay-shutdown"));
        System.err.printf(Locale.ROOT, "rxpath: replayed %d frames of %s; serving it as node %s on %s:%d; Ctrl-C to stop%n", node.frames(), file, nodeName,
                tcp.address().getHostString(), node.port());
        stopped.await();
        return 0;
    }
}
