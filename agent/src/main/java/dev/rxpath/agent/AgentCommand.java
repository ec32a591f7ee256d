package dev.rxpath.agent;

import dev.rxpath.agent.bcc.BccException;
import dev.rxpath.agent.bcc.BpfSource;
import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.EventSink;
import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.export.EventPrinter;
import dev.rxpath.agent.export.ProbeTable;
import dev.rxpath.agent.probe.HookStatus;
import dev.rxpath.agent.probe.KernelProbe;
import dev.rxpath.agent.probe.ReceiveHooks;
import dev.rxpath.agent.ring.RingException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Attach to the kernel's receive path and stream what it sees.")
final class AgentCommand implements Callable<Integer> {
    @Option(names = "--print", description = "Print one line per event as it arrives.")
    boolean print;

    @Option(names = "--probe", description = "Print which hook points attach on this kernel, and why others do not, then exit.")
    boolean probe;

    @Option(names = "--bpf-dir", paramLabel = "DIR", description = "Compile the BPF sources in DIR instead of those in the jar (development).")
    Path bpfDir;

    @Option(names = "--pages", paramLabel = "N", description = "Perf ring pages per CPU, a power of two (default: ${DEFAULT-VALUE}).")
    int pages = Agent.Options.DEFAULT.pagesPerCpu();

    @Option(names = "--watermark", paramLabel = "BYTES", description = "Wake the reader when this many bytes wait in a ring; 0 wakes per record (default: ${DEFAULT-VALUE}).")
    int watermark = Agent.Options.DEFAULT.watermarkBytes();

    @Option(names = "--stats-interval", paramLabel = "SECONDS", description = "Print record counters to stderr this often; 0 never (default: ${DEFAULT-VALUE}).")
    int statsInterval = 10;

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        KernelProbe kernel = KernelProbe.scan();
        BpfSource source = bpfDir != null ? BpfSource.fromDirectory(bpfDir) : BpfSource.packaged();
        if (probe) {
            try (ReceiveHooks hooks = ReceiveHooks.attach(kernel, source)) {
                ProbeTable.print(System.out, kernel.kernelRelease(), hooks.statuses());
            }
            return 0;
        }
        EventSink sink = print ? new EventPrinter(System.out, new KernelClock(), kernel.names()) : new EventSink() {
            @Override
            public void event(Event event) {
                // Paths and flows consume these once the correlator lands; counted meanwhile.
            }

            @Override
            public void lost(int cpu, long count) {
                err.printf("rxpath: cpu%d lost %d records%n", cpu, count);
            }
        };
        Agent agent;
        try {
            agent = Agent.start(kernel, source, new Agent.Options(pages, watermark, 100), sink);
        } catch (BccException | RingException e) {
            err.println("rxpath: " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            Agent.Stats s = agent.stats();
            err.printf("rxpath: detached; %d records submitted, %d received, %d lost, %d malformed%n",
                    s.submitted(), s.received(), s.lost(), s.malformed());
        }, "rxpath-shutdown"));
        for (HookStatus s : agent.hooks().statuses()) {
            if (!s.attached()) err.printf("rxpath: %s unavailable (%s stage): %s%n", s.hook().label(), s.hook().stage(), s.reason());
        }
        err.printf("rxpath: %d hook points attached on %s; Ctrl-C to stop%n",
                agent.hooks().statuses().stream().filter(HookStatus::attached).count(), kernel.kernelRelease());
        if (statsInterval > 0) startStatsReporter(agent, err);
        agent.awaitTermination();
        return 0;
    }

    private void startStatsReporter(Agent agent, PrintStream err) {
        Thread t = new Thread(() -> {
            Agent.Stats last = agent.stats();
            while (true) {
                try {
                    Thread.sleep(statsInterval * 1000L);
                } catch (InterruptedException e) {
                    return;
                }
                Agent.Stats now = agent.stats();
                err.printf("rxpath: %.0f records/s, %d lost (ring full), %d malformed%n",
                        (now.received() - last.received()) / (double) statsInterval, now.lost(), now.malformed());
                last = now;
            }
        }, "rxpath-stats");
        t.setDaemon(true);
        t.start();
    }
}
