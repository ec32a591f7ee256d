package dev.rxpath.agent.bench;

import dev.rxpath.agent.bcc.BpfProgram;
import dev.rxpath.agent.bcc.BpfStatsEnabled;
import dev.rxpath.agent.bcc.ProgramStats;
import dev.rxpath.agent.probe.HookStatus;
import dev.rxpath.agent.traces.TraceCounts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What the agent costs request/response traffic, the shape of a cache, RPC or database
 * client: many connections, each waiting for a small response before its next request, so
 * every request crosses the receive path twice and the agent's per-packet work shows in the
 * request rate rather than hiding in a bulk transfer's batching. Rounds alternate without
 * the agent, with it, and with its hooks alone ({@link EmptyHooks}: the same hook points, programs
 * that return at once), so that drift in the machine hits all three and the slowdown splits into
 * what the hooks cost by being there and what the programs' work, the records and the agent
 * add; the load runs in child processes ({@link RrLoad}), so this process's CPU is the agent's.
 */
@Command(name = "rr", mixinStandardHelpOptions = true,
        description = "Loopback request/response rate without the agent, with it and with its hooks alone; its CPU, the BPF programs' CPU, and its byte accounting.")
final class RrBench implements Callable<Integer> {
    private static final int DIFFERENCES_SHOWN = 5;

    @Spec
    CommandSpec spec;

    @Option(names = "--seconds", description = "Length of each round's request loop, 1 to 3600 (default: ${DEFAULT-VALUE}).")
    int seconds = 5;

    @Option(names = "--rounds", description = "Without/with-agent pairs to run, 1 to 100 (default: ${DEFAULT-VALUE}).")
    int rounds = 3;

    @Option(names = "--connections", description = "Client connections, each a thread with one request in flight, 1 to 10000 (default: ${DEFAULT-VALUE}).")
    int connections = 50;

    @Option(names = "--size", description = "Bytes in each request and in each response, 1 to 1048576 (default: ${DEFAULT-VALUE}).")
    int size = 256;

    @Option(names = "--pages", description = "The agent's perf ring pages per CPU, a power of two up to 65536 (default: the agent's, ${DEFAULT-VALUE}).")
    int pages = BenchAgent.DEFAULT_PAGES;

    /** What a round with the agent measured besides the load itself; {@code export} only when it fed its backends. */
    private record AgentRound(RrProcesses.Result load, List<HookStatus> hookStatuses, double processCpu, double readerCpu, long windowNs,
                              List<ProgramStats> programs, long received, long lost, List<Difference> differences, Export export) {}

    /** What the backends took in a round: the trace export's counts, and the scrapes of /metrics that succeeded and failed. */
    private record Export(TraceCounts traces, long scrapes, long scrapeFailures) {}

    /** A server connection for which the flow table's delivered bytes are not the bytes the server read. */
    private record Difference(int clientPort, long read, long delivered) {}

    @Mixin
    PathsOption paths;

    @Mixin
    ExportOption export;

    @Override
    public Integer call() throws Exception {
        inRange("--seconds", seconds, 1, 3600);
        inRange("--rounds", rounds, 1, 100);
        inRange("--connections", connections, 1, 10_000);
        inRange("--size", size, 1, 1 << 20);
        inRange("--pages", pages, 1, 1 << 16);
        if (Integer.bitCount(pages) != 1) throw new ParameterException(spec.commandLine(), "--pages must be a power of two, not " + pages);
        List<RrProcesses.Result> without = new ArrayList<>(), hooksOnly = new ArrayList<>();
        List<AgentRound> with = new ArrayList<>(), exporting = new ArrayList<>();
        int emptyHooks = 0;
        for (int i = 0; i < rounds; i++) {
            try (RrProcesses load = RrProcesses.start(connections, size, seconds)) {
                without.add(load.finish());
            }
            with.add(withAgent(false, false));
            if (export.on) exporting.add(withAgent(false, true));
            try (EmptyHooks empty = EmptyHooks.like(with.get(i).hookStatuses());
                 RrProcesses load = RrProcesses.start(connections, size, seconds)) {
                hooksOnly.add(load.finish());
                emptyHooks = empty.attached();
            }
        }
        // bpf_stats times every program run, which costs something itself: it is on only for a further round
        AgentRound timed = withAgent(true, false);
        ProgramStats nothing = timedEmptyPrograms(timed.hookStatuses());
        print(without, with, timed, nothing);
        printHooksOnly(without, hooksOnly, with, emptyHooks);
        if (export.on) printExport(without, with, exporting);
        return 0;
    }

    private void inRange(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ParameterException(spec.commandLine(), String.format(Locale.ROOT, "%s must be %d to %d, not %d", option, min, max, value));
        }
    }

    /**
     * A round with the agent attached before the load starts and closed after it. The CPU
     * and program figures cover the client's request loop, from its first request until
     * both processes exited; the records received include what the reader drained after.
     */
    private AgentRound withAgent(boolean bpfStats, boolean exporting) throws Exception {
        try (BpfStatsEnabled on = bpfStats ? BpfStatsEnabled.turnOn() : null;
             BenchBackends backends = exporting ? BenchBackends.start(export) : null;
             BenchAgent agent = BenchAgent.start(paths.programs(), pages, backends);
             RrProcesses load = RrProcesses.start(connections, size, seconds)) {
            List<BpfProgram> programs = agent.programs();
            List<ProgramStats> before = ProgramStats.read(programs);
            long received = agent.agent().stats().received();
            ProcessCpu cpu = new ProcessCpu(agent.agent().readerThread());
            long t0 = System.nanoTime();
            RrProcesses.Result result = load.finish();
            double processCpu = cpu.processPercent(), readerCpu = cpu.threadPercent();
            long windowNs = System.nanoTime() - t0;
            List<ProgramStats> after = ProgramStats.read(programs);
            agent.close();
            received = agent.agent().stats().received() - received; // with the backlog the reader drained after the load
            List<ProgramStats> ran = new ArrayList<>();
            for (int i = 0; i < after.size(); i++) ran.add(after.get(i).since(before.get(i)));
            Export exported = null;
            if (backends != null) {
                backends.close(); // sends what the export still holds
                exported = new Export(backends.traces(), backends.scrapes(), backends.scrapeFailures());
            }
            return new AgentRound(result, agent.agent().hooks().statuses(), processCpu, readerCpu, windowNs, ran, received,
                    agent.agent().stats().lost(), differences(result, agent.deliveredTo(result.port())), exported);
        }
    }

    private static List<Difference> differences(RrProcesses.Result load, Map<Integer, Long> delivered) {
        List<Difference> out = new ArrayList<>();
        load.read().forEach((clientPort, read) -> {
            long counted = delivered.getOrDefault(clientPort, 0L);
            if (counted != read) out.add(new Difference(clientPort, read, counted));
        });
        return out;
    }

    /** The hooks' empty programs under bpf_stats, all summed: what its timing counts for a program that does nothing. */
    private ProgramStats timedEmptyPrograms(List<HookStatus> hooks) throws Exception {
        try (BpfStatsEnabled on = BpfStatsEnabled.turnOn(); EmptyHooks empty = EmptyHooks.like(hooks);
             RrProcesses load = RrProcesses.start(connections, size, seconds)) {
            List<ProgramStats> before = ProgramStats.read(empty.programs());
            load.finish();
            List<ProgramStats> after = ProgramStats.read(empty.programs());
            ProgramStats sum = new ProgramStats("empty", 0, 0);
            for (int i = 0; i < after.size(); i++) sum = sum.plus(after.get(i).since(before.get(i)));
            return sum;
        }
    }

    private void print(List<RrProcesses.Result> without, List<AgentRound> with, AgentRound timed, ProgramStats nothing) {
        List<RrProcesses.Result> withLoads = with.stream().map(AgentRound::load).toList();
        double base = mean(without, RrProcesses.Result::perSecond), loaded = mean(withLoads, RrProcesses.Result::perSecond);
        long windowNs = with.stream().mapToLong(AgentRound::windowNs).sum();
        out("bench rr: %d connections, %d-byte requests and responses over 127.0.0.1, %d s x %d rounds, %s%n", connections, size, seconds,
                rounds, paths.describe());
        out("  without agent       %,.0f requests/s (rounds: %s)%n", base, rates(without));
        out("  with agent          %,.0f requests/s (rounds: %s), %d hook points attached%n", loaded, rates(withLoads),
                with.get(0).hookStatuses().stream().filter(HookStatus::attached).count());
        out("  slowdown            %s%n", slowdown(without, withLoads));
        out("  agent process CPU   %.1f%% of one core (ring reader thread %.1f%%)%n",
                mean(with, AgentRound::processCpu), mean(with, AgentRound::readerCpu));
        printPrograms(List.of(timed), timed.windowNs(), nothing);
        long lost = with.stream().mapToLong(AgentRound::lost).sum();
        out("  records             %,.0f/s received, %,d lost (%d ring pages per CPU)%n",
                with.stream().mapToLong(AgentRound::received).sum() * 1e9 / windowNs, lost, pages);
        out("  delivered bytes     %s%n", delivered(with, lost));
    }

    /** The same hooks with programs that return at once: the part of the slowdown the hooks cost by being attached at all. */
    private void printHooksOnly(List<RrProcesses.Result> without, List<RrProcesses.Result> hooksOnly, List<AgentRound> with, int hooks) {
        out("  hooks alone         %,.0f requests/s (rounds: %s): the agent's %d hook points with programs that return at once%n",
                mean(hooksOnly, RrProcesses.Result::perSecond), rates(hooksOnly), hooks);
        out("  slowdown            %s%n", slowdown(without, hooksOnly));
        out("  the rest            %.1f%% (median of the pairs): the programs' work, the records and the agent%n",
                median(pairs(without, with.stream().map(AgentRound::load).toList())) - median(pairs(without, hooksOnly)));
    }

    /** The agent feeding its backends against the agent alone, round by round. */
    private void printExport(List<RrProcesses.Result> without, List<AgentRound> with, List<AgentRound> exporting) {
        List<RrProcesses.Result> withLoads = with.stream().map(AgentRound::load).toList(), exportLoads = exporting.stream().map(AgentRound::load).toList();
        out("  with export         %,.0f requests/s (rounds: %s): %s%n", mean(exportLoads, RrProcesses.Result::perSecond), rates(exportLoads),
                export.describe());
        out("  slowdown            %s%n", slowdown(without, exportLoads));
        out("  export's own        %.1f%% (median of the pairs, with export against the agent alone; %.1f%% of the means)%n",
                median(pairs(withLoads, exportLoads)),
                100.0 * (1 - mean(exportLoads, RrProcesses.Result::perSecond) / mean(withLoads, RrProcesses.Result::perSecond)));
        out("  agent process CPU   %.1f%% of one core with export (rounds: %s; the receiver's and the scraper's included), %.1f%% without (rounds: %s)%n",
                mean(exporting, AgentRound::processCpu), cpu(exporting), mean(with, AgentRound::processCpu), cpu(with));
        long windowNs = exporting.stream().mapToLong(AgentRound::windowNs).sum();
        List<Export> e = exporting.stream().map(AgentRound::export).toList();
        out("  exported            %.1f paths/s traced (%.0f/s sampled out); spans: %,d ended, %,d exported, %,d failed, %,d dropped;"
                        + " %d scrapes, %d failed%n",
                e.stream().mapToLong(x -> x.traces().traced()).sum() * 1e9 / windowNs, e.stream().mapToLong(x -> x.traces().sampledOut()).sum() * 1e9 / windowNs,
                e.stream().mapToLong(x -> x.traces().spansEnded()).sum(), e.stream().mapToLong(x -> x.traces().spansExported()).sum(),
                e.stream().mapToLong(x -> x.traces().spansFailed()).sum(), e.stream().mapToLong(x -> x.traces().spansDropped()).sum(),
                e.stream().mapToLong(Export::scrapes).sum(), e.stream().mapToLong(Export::scrapeFailures).sum());
        out("  delivered bytes     %s (with export)%n", delivered(exporting, exporting.stream().mapToLong(AgentRound::lost).sum()));
    }

    /** "13.3% (of the means); median of the pairs 13.9% (0.8% to 20.6%)". */
    private static String slowdown(List<RrProcesses.Result> without, List<RrProcesses.Result> loaded) {
        double base = mean(without, RrProcesses.Result::perSecond);
        double[] pairs = pairs(without, loaded);
        return String.format(Locale.ROOT, "%.1f%% (of the means); median of the pairs %.1f%% (%.1f%% to %.1f%%)",
                100.0 * (base - mean(loaded, RrProcesses.Result::perSecond)) / base, median(pairs), pairs[0], pairs[pairs.length - 1]);
    }

    /** Each pair's own slowdown, sorted: a pair runs back to back, so its ratio is less exposed to the machine's drift than the means. */
    private static double[] pairs(List<RrProcesses.Result> without, List<RrProcesses.Result> loaded) {
        double[] pairs = new double[without.size()];
        for (int i = 0; i < pairs.length; i++) pairs[i] = 100.0 * (1 - loaded.get(i).perSecond() / without.get(i).perSecond());
        Arrays.sort(pairs);
        return pairs;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The programs' run time as bpf_stats counts it, in total and per program, summed over the rounds. */
    private static void printPrograms(List<AgentRound> with, long windowNs, ProgramStats nothing) {
        Map<String, ProgramStats> byFunction = new LinkedHashMap<>();
        for (AgentRound r : with) for (ProgramStats p : r.programs()) byFunction.merge(p.function(), p, ProgramStats::plus);
        List<ProgramStats> ran = byFunction.values().stream().filter(p -> p.runs() > 0)
                .sorted(Comparator.comparingLong(ProgramStats::runNs).reversed()).toList();
        long runNs = ran.stream().mapToLong(ProgramStats::runNs).sum(), runs = ran.stream().mapToLong(ProgramStats::runs).sum();
        out("  BPF programs CPU    %.1f%% of one core: %,d runs, %.0f ns per run (bpf_stats; %d of %d programs ran)%n",
                100.0 * runNs / windowNs, runs, runs == 0 ? 0.0 : (double) runNs / runs, ran.size(), byFunction.size());
        int width = ran.stream().mapToInt(p -> p.function().length()).max().orElse(0);
        for (ProgramStats p : ran) out("    %-" + width + "s %,14d runs %,8.0f ns/run%n", p.function(), p.runs(), p.nsPerRun());
        // the programs that run for every segment: at least a tenth as often as the most frequent
        long most = ran.stream().mapToLong(ProgramStats::runs).max().orElse(0);
        double[] perSegment = ran.stream().filter(p -> p.runs() * 10 >= most).mapToDouble(ProgramStats::nsPerRun).sorted().toArray();
        out("  bpf_stats' own cost %.0f ns per run: the same hooks with empty programs, timed the same way; the per-segment%n"
                + "                      programs' median %.0f ns per run, %.0f ns of their own%n",
                nothing.nsPerRun(), median(perSegment), median(perSegment) - nothing.nsPerRun());
    }

    private static String delivered(List<AgentRound> with, long lost) {
        int total = with.stream().mapToInt(r -> r.load().read().size()).sum();
        List<Difference> differences = with.stream().flatMap(r -> r.differences().stream()).toList();
        if (differences.isEmpty()) return String.format(Locale.ROOT, "exact on all %,d server connections (flow table = bytes the server read)", total);
        return String.format(Locale.ROOT, "%,d of %,d server connections differ: ", differences.size(), total)
                + differences.stream().limit(DIFFERENCES_SHOWN)
                        .map(d -> String.format(Locale.ROOT, "client port %d read %,d, flow table %,d (%+,d)", d.clientPort(), d.read(),
                                d.delivered(), d.delivered() - d.read()))
                        .collect(Collectors.joining("; "))
                + (differences.size() > DIFFERENCES_SHOWN ? "; …" : "")
                + (lost > 0 ? " (" + lost + " ring records were lost; the counts come from the kernel's map, not the rings)" : "");
    }

    private static String cpu(List<AgentRound> rounds) {
        return rounds.stream().map(r -> String.format(Locale.ROOT, "%.1f%%", r.processCpu())).collect(Collectors.joining(" "));
    }

    private static String rates(List<RrProcesses.Result> loads) {
        return loads.stream().map(l -> String.format(Locale.ROOT, "%,.0f", l.perSecond())).collect(Collectors.joining(" "));
    }

    private static <T> double mean(List<T> items, ToDoubleFunction<T> value) {
        return items.stream().mapToDouble(value).average().orElse(0);
    }

    private static void out(String format, Object... args) {
        System.out.print(String.format(Locale.ROOT, format, args));
    }
}
