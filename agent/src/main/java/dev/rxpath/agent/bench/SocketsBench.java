package dev.rxpath.agent.bench;

import dev.rxpath.agent.Agent;
import dev.rxpath.agent.Pipeline;
import dev.rxpath.agent.flow.FlowTable;
import dev.rxpath.agent.path.PathStats;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The agent's memory with many live sockets, then under a churn of short connections: the
 * agent runs here, child processes open the sockets and trade a little data on each, and this
 * prints the agent's RSS after each phase.
 */
@Command(name = "sockets", mixinStandardHelpOptions = true,
        description = "Agent memory (RSS) with many live loopback TCP sockets, each of which has carried data, then under a churn of short connections.")
final class SocketsBench implements Callable<Integer> {
    private static final long READY_SECONDS = 600; // 25,000 connections a process, on a machine the agent keeps busy

    @Option(names = "--count", description = "Live sockets to open (two per connection) (default: ${DEFAULT-VALUE}).")
    int count = 100_000;

    @Option(names = "--churn", description = "Short connections to open and close after that, one after another, the live sockets still open (default: ${DEFAULT-VALUE}).")
    int churn = 120_000;

    @Option(names = "--pages", description = "Perf ring pages per CPU (default: ${DEFAULT-VALUE}).")
    int pages = 2048;

    @Mixin
    PathsOption paths;

    @Override
    public Integer call() throws Exception {
        List<LoadProcess> loads = new ArrayList<>();
        try (BenchAgent bench = BenchAgent.start(paths.programs(), pages)) {
            Agent agent = bench.agent();
            Pipeline pipeline = bench.pipeline();
            long rssBefore = settledRssKiB();
            long t0 = System.nanoTime();
            // Each child holds both ends of its connections, an fd each, within the per-process open-file limit.
            int perChild = Math.max(1, (int) Math.min(25_000, (openFileLimit() - 500) / 2));
            // One at a time, so the agent's reader keeps a CPU of the two.
            long opened = 0;
            for (int left = count / 2; left > 0; left -= perChild) {
                LoadProcess load = LoadProcess.start("socket load", SocketLoad.class, "live", Math.min(left, perChild));
                loads.add(load);
                String ready = load.readLine(READY_SECONDS);
                if (!ready.startsWith("ready ")) throw new IllegalStateException(load + " printed " + ready + ", not \"ready …\"");
                opened += Long.parseLong(ready.substring(6));
            }
            double openSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "bench sockets: %,d live loopback sockets opened in %.1f s by %d processes, 100 bytes each way on each%n",
                    opened, openSeconds, loads.size());
            report(pipeline, agent, "  agent RSS           %,d MiB before, %,d MiB with the sockets (heap in use after GC %,d MiB)%n", rssBefore);
            if (churn > 0) {
                long rssLive = settledRssKiB(), t1 = System.nanoTime();
                try (LoadProcess load = LoadProcess.start("churn load", SocketLoad.class, "churn", churn)) {
                    String ready = load.readLine(READY_SECONDS);
                    if (!ready.startsWith("ready ")) throw new IllegalStateException(load + " printed " + ready + ", not \"ready …\"");
                    System.out.printf(Locale.ROOT, "churn: %,d short connections opened and closed in %.1f s beside them, 100 bytes each way on each%n",
                            churn, (System.nanoTime() - t1) / 1e9);
                    load.closeInput();
                    load.finish(60);
                }
                report(pipeline, agent, "  agent RSS           %,d MiB before the churn, %,d MiB after it (heap in use after GC %,d MiB)%n", rssLive);
            }
            for (LoadProcess load : loads) load.closeInput();
            for (LoadProcess load : loads) load.finish(60);
        } finally {
            for (LoadProcess load : loads) load.close();
        }
        return 0;
    }

    /**
     * The flow table and the agent's memory once the table stops changing: the counter map's passes
     * hand sockets over a handoff's worth at a time, and closed entries leave a pass after their close.
     */
    private static void report(Pipeline pipeline, Agent agent, String rssFormat, long rssBefore) throws Exception {
        FlowTable.Stats flows = pipeline.inspect(p -> p.flows().stats()).get(10, TimeUnit.SECONDS);
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); System.nanoTime() < deadline; ) {
            Thread.sleep(2500);
            FlowTable.Stats now = pipeline.inspect(p -> p.flows().stats()).get(10, TimeUnit.SECONDS);
            if (now.created() == flows.created()) break;
            flows = now;
        }
        PathStats paths = pipeline.inspect(p -> p.paths().stats()).get(10, TimeUnit.SECONDS);
        long rss = settledRssKiB();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf(Locale.ROOT, "  flows kept          %,d live, %,d closed (cap %,d), %,d evicted%n", flows.live(), flows.closed(),
                Pipeline.Limits.DEFAULT.flows().maxFlows(), flows.evicted());
        System.out.printf(Locale.ROOT, "  paths               %,d finished, %,d live%n", paths.paths(), paths.live());
        System.out.printf(Locale.ROOT, rssFormat, rssBefore / 1024, rss / 1024, heap / (1024 * 1024));
        System.out.printf(Locale.ROOT, "  records lost        %,d%n", agent.stats().lost());
    }

    private static long openFileLimit() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) return Long.parseLong(line.split("\\s+")[3]);
        }
        return 1024;
    }

    /** RSS after a full GC, so the figure is what the agent holds rather than garbage not yet collected. */
    private static long settledRssKiB() throws InterruptedException {
        System.gc();
        Thread.sleep(200);
        return ProcessCpu.rssKiB();
    }
}
