package dev.rxpath.agent;

import dev.rxpath.agent.bcc.BccException;
import dev.rxpath.agent.bcc.BpfSource;
import dev.rxpath.agent.containers.Containers;
import dev.rxpath.agent.containers.Pods;
import dev.rxpath.agent.event.EventSink;
import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.export.AgentServer;
import dev.rxpath.agent.export.EventPrinter;
import dev.rxpath.agent.export.ObservedNode;
import dev.rxpath.agent.export.ObserverHub;
import dev.rxpath.agent.export.ObserverService;
import dev.rxpath.agent.export.ProbeTable;
import dev.rxpath.agent.export.ServerTls;
import dev.rxpath.agent.export.Summary;
import dev.rxpath.agent.flow.WorkloadCounts;
import dev.rxpath.agent.log.LogOptions;
import dev.rxpath.agent.path.PathListener;
import dev.rxpath.agent.probe.Cgroup;
import dev.rxpath.agent.probe.Cidr;
import dev.rxpath.agent.probe.HookStatus;
import dev.rxpath.agent.probe.KernelFilter;
import dev.rxpath.agent.probe.KernelProbe;
import dev.rxpath.agent.probe.Mechanism;
import dev.rxpath.agent.probe.ReceiveHooks;
import dev.rxpath.agent.probe.Sampling;
import dev.rxpath.agent.record.Recorder;
import dev.rxpath.agent.record.Recording;
import dev.rxpath.agent.record.RecordingException;
import dev.rxpath.agent.record.RecordingHeader;
import dev.rxpath.agent.ring.RecordSink;
import dev.rxpath.agent.ring.RingException;
import dev.rxpath.agent.sys.Capabilities;
import dev.rxpath.agent.traces.TailSampler;
import dev.rxpath.agent.traces.TraceExport;
import dev.rxpath.api.flags.CgroupV2;
import dev.rxpath.api.flags.PathFilterOptions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "agent", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        description = {"Attach to the kernel's receive path, follow every received segment and socket.",
                "The filter flags are observe's and choose the paths --print shows. --port, --local-port, --remote-port,"
                        + " --local-ip, --remote-ip and --cgroup (not after --not) also narrow what the kernel watches: a socket"
                        + " outside them is neither counted nor recorded. A socket's task is known at its connect() or listen(),"
                        + " an accepted socket's at its first read: until then --cgroup counts it but does not show it."})
final class AgentCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger("dev.rxpath.agent");
    /** The filter flags the programs apply, when they select: a socket outside them is neither counted nor recorded. */
    private static final Set<String> KERNEL_WATCH = Set.of("--port", "--local-port", "--remote-port", "--local-ip", "--remote-ip", "--cgroup");

    @Option(names = "--print", arity = "0..1", fallbackValue = "paths", paramLabel = "MODE",
            description = "Print as they finish: paths (one line per received segment, the default), raw (one line per kernel record).")
    PipelineOptions.PrintMode print = PipelineOptions.PrintMode.none;

    @Option(names = "--record", paramLabel = "FILE", description = "Write the raw record stream to FILE (gzip if it ends in .gz), for `rxpath replay`.")
    Path record;

    @Option(names = "--probe", description = "Print which hook points attach on this kernel, and why others do not, then exit.")
    boolean probe;

    @Option(names = "--mechanisms", split = ",", paramLabel = "M[,M]",
            description = "How hooks on kernel functions (the IP, TCP and LOOKUP stages) may attach, tried in this order: fentry, kprobe (default: ${DEFAULT-VALUE}).")
    List<FunctionMechanism> mechanisms = List.of(FunctionMechanism.fentry, FunctionMechanism.kprobe);

    /** The choices --mechanisms offers: tracepoints are always used where they exist. */
    enum FunctionMechanism {
        fentry(Mechanism.FENTRY), kprobe(Mechanism.KPROBE);

        final Mechanism mechanism;

        FunctionMechanism(Mechanism mechanism) {
            this.mechanism = mechanism;
        }
    }

    @Option(names = "--socket", paramLabel = "PATH",
            description = "Serve the Observer gRPC API on this Unix socket, mode 0660; \"none\" for no socket (default: ${DEFAULT-VALUE}).")
    String socket = "/run/rxpath/rxpath.sock";

    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = "Also serve it over TCP; a non-loopback address needs --tls-cert and --tls-key.")
    String listen;

    @Option(names = "--health-listen", paramLabel = "HOST:PORT",
            description = "Serve only the gRPC health service here, in plaintext: for the kubelet's gRPC probes.")
    String healthListen;

    @Mixin
    ServerTls tls;

    @Option(names = "--metrics-listen", paramLabel = "HOST:PORT",
            description = "Serve Prometheus metrics on http://HOST:PORT/metrics (off by default).")
    String metricsListen;

    @Option(names = "--metrics-labels", paramLabel = "LABEL[,LABEL]", split = ",",
            description = "Also count per workload, told apart by these labels: local_port, comm (the reading command), namespace and pod (the reader's, "
                    + "in Kubernetes). Off by default: never per socket.")
    List<String> metricsLabels = List.of();

    @Option(names = "--metrics-max-workloads", paramLabel = "N",
            description = "Workloads counted at once; a read of a socket in a further one is counted as refused (default: ${DEFAULT-VALUE}).")
    int metricsMaxWorkloads = WorkloadCounts.Options.DEFAULT_MAX;

    @Option(names = "--metrics-workload-grace", paramLabel = "SECONDS",
            description = "Delete a workload's series once its sockets have counted nothing for this long (default: ${DEFAULT-VALUE}).")
    long metricsWorkloadGraceS = WorkloadCounts.Options.DEFAULT_GRACE_NS / 1_000_000_000;

    @Option(names = "--traces-exporter", paramLabel = "otlp|zipkin|none",
            description = "Export sampled receive paths as OpenTelemetry traces (default: $OTEL_TRACES_EXPORTER, else none). The other OTEL_* variables apply.")
    String tracesExporter;

    @Option(names = "--traces-endpoint", paramLabel = "URL",
            description = "Where the exporter sends (over $OTEL_EXPORTER_OTLP_ENDPOINT or $OTEL_EXPORTER_ZIPKIN_ENDPOINT).")
    String tracesEndpoint;

    @Option(names = "--traces-protocol", paramLabel = "grpc|http/protobuf", description = "OTLP's protocol (over $OTEL_EXPORTER_OTLP_PROTOCOL).")
    String tracesProtocol;

    @Option(names = "--traces-rate", paramLabel = "N",
            description = "Traces a second of the paths neither dropped, reset nor slow; drops and resets are always traced (default: ${DEFAULT-VALUE}).")
    double tracesRate = 10;

    @Option(names = "--traces-min-latency", paramLabel = "MS",
            description = "Always trace paths at least this slow, first stage to last; 0: none for their time alone (default: ${DEFAULT-VALUE}).")
    double tracesMinLatencyMs = 0;

    @Option(names = "--history", paramLabel = "N", description = "Finished paths kept for `observe --last N` (default: ${DEFAULT-VALUE}).")
    int history = 10_000;

    @Option(names = "--subscriber-queue", paramLabel = "N",
            description = "Paths queued per streaming client; what a slow client misses is counted and sent to it as lost (default: ${DEFAULT-VALUE}).")
    int subscriberQueue = 4096;

    @Option(names = "--cgroup-root", paramLabel = "DIR",
            description = "The host's cgroup v2 hierarchy, where readers' cgroups name their containers (default: the v2 mount; in a container, mount the host's).")
    Path cgroupRoot;

    enum KubernetesMode { auto, on, off }

    @Option(names = "--kubernetes", paramLabel = "auto|on|off",
            description = "Name containers' pods from the API server (this node's pods only, by --node-name); auto: when running in a pod (default: ${DEFAULT-VALUE}).")
    KubernetesMode kubernetes = KubernetesMode.auto;

    @Option(names = "--node-name", paramLabel = "NAME", description = "The node's name in API answers (default: $NODE_NAME, else the hostname).")
    String nodeName;

    @Spec
    CommandSpec spec;

    @Option(names = "--bpf-dir", paramLabel = "DIR", description = "Compile the BPF sources in DIR instead of those in the jar (development).")
    Path bpfDir;

    @Option(names = "--pages", paramLabel = "N", description = "Perf ring pages per CPU, a power of two (default: ${DEFAULT-VALUE}).")
    int pages = Agent.Options.DEFAULT.pagesPerCpu();

    @Option(names = "--watermark", paramLabel = "BYTES", description = "Wake the reader when this many bytes wait in a ring; 0 wakes per record (default: ${DEFAULT-VALUE}).")
    int watermark = Agent.Options.DEFAULT.watermarkBytes();

    @Option(names = "--buffer-mib", paramLabel = "MIB",
            description = "Memory between the ring reader and the pipeline, which the reader fills while the pipeline is behind; "
                    + "what does not fit is counted as lost (default: ${DEFAULT-VALUE}).")
    int bufferMiB = Agent.Options.DEFAULT.bufferMiB();

    @Option(names = "--paths", paramLabel = "MODE",
            description = "Which received segments get a full path: sampled (at --path-rate or --path-ratio, decided in the kernel at their first stage) "
                    + "or all (every segment: for debugging sessions, it costs). Drops, resets and retransmits always get theirs; "
                    + "per-socket counts are exact either way (default: ${DEFAULT-VALUE}).")
    PathMode paths = PathMode.sampled;

    enum PathMode { sampled, all }

    @Option(names = "--path-rate", paramLabel = "N", description = "Sampled paths per second for the node, spread over its CPUs; 0: only drops, resets and retransmits (default: ${DEFAULT-VALUE}).")
    double pathRate = Sampling.DEFAULT.perSecond();

    @Option(names = "--path-ratio", paramLabel = "R", description = "Sample this share of segments instead of a rate, e.g. 0.001.")
    Double pathRatio;

    @Option(names = "--max-sockets", paramLabel = "N", description = "Sockets the kernel counts at once; one more is counted as untracked (default: ${DEFAULT-VALUE}).")
    int maxSockets = ReceiveHooks.Options.DEFAULT.maxSockets();

    @Option(names = "--counters-interval", paramLabel = "MS", description = "How often the kernel's per-socket counters are read (default: ${DEFAULT-VALUE}).")
    int countersInterval = Agent.Options.DEFAULT.countersMillis();

    @Option(names = "--stats-interval", paramLabel = "SECONDS", description = "Print counters to stderr this often; 0 never (default: ${DEFAULT-VALUE}).")
    int statsInterval = 10;

    @Mixin
    PipelineOptions pipelineOptions;

    @Mixin
    LogOptions logOptions;

    @Override
    public Integer call() throws Exception {
        logOptions.apply();
        AgentServer.Tcp tcp = tcpListener();
        InetSocketAddress metricsAddress = metricsListen == null ? null : hostPort("--metrics-listen", metricsListen);
        InetSocketAddress healthAddress = healthListen == null ? null : hostPort("--health-listen", healthListen);
        Map<String, String> traceFlags = traceFlags();
        TailSampler.Options traceSampling = traceSampling();
        if (history < 1 || subscriberQueue < 1) {
            throw new ParameterException(spec.commandLine(), "--history and --subscriber-queue must be at least 1");
        }
        Pipeline.Limits limits = pipelineOptions.limits(workloads(metricsAddress != null));
        if (cgroupRoot != null && !Files.isRegularFile(cgroupRoot.resolve("cgroup.controllers"))) {
            throw new ParameterException(spec.commandLine(), "--cgroup-root " + cgroupRoot + ": not a cgroup v2 hierarchy (it has no cgroup.controllers)");
        }
        ReceiveHooks.Options programs = programOptions();
        pipelineOptions.requireFiltersApplied(print == PipelineOptions.PrintMode.paths, KERNEL_WATCH);
        if (countersInterval < 10) throw new ParameterException(spec.commandLine(), "--counters-interval must be at least 10 ms");
        if (bufferMiB < 1) throw new ParameterException(spec.commandLine(), "--buffer-mib must be at least 1");
        TraceExport traceExport;
        try {
            traceExport = traceFlags == null || probe ? null : TraceExport.start(traceFlags, node());
        } catch (RuntimeException e) { // the SDK's ConfigurationException: an OTEL_* variable it cannot use
            LOG.severe("cannot configure the trace export: " + e.getMessage());
            return 2;
        }
        List<String> missing = Capabilities.missingHere();
        if (!missing.isEmpty()) {
            missing.forEach(m -> LOG.severe("missing capability " + m));
            return 1;
        }
        Set<Mechanism> allowed = EnumSet.of(Mechanism.RAW_TRACEPOINT, Mechanism.TRACEPOINT);
        for (FunctionMechanism m : mechanisms) allowed.add(m.mechanism);
        KernelProbe kernel = KernelProbe.scan(allowed);
        BpfSource source = bpfDir != null ? BpfSource.fromDirectory(bpfDir) : BpfSource.packaged();
        ReceiveHooks hooks;
        try {
            hooks = ReceiveHooks.attach(kernel, source, programs);
        } catch (BccException e) {
            LOG.severe(e.getMessage());
            return 1;
        }
        if (probe) {
            try (hooks) {
                ProbeTable.print(System.out, kernel, hooks.statuses());
            }
            return 0;
        }
        KernelClock clock = new KernelClock();
        Backends backends = new Backends(metricsAddress, traceExport, traceSampling, clock, node());
        Containers containers = cgroupRoot != null ? Containers.under(cgroupRoot, pods()) : Containers.ofHost(pods());
        PathListener sink = backends.sinks(pipelineOptions.sink(print, System.out, clock, containers, node()));
        ObserverHub hub = new ObserverHub(history, sink);
        Pipeline pipeline = Pipeline.observing(hooks, limits, hub);
        EventSink events = print == PipelineOptions.PrintMode.raw ? new EventPrinter(System.out, clock, kernel.names(), pipeline) : pipeline;
        AtomicReference<Recorder> recorder = new AtomicReference<>();
        UnaryOperator<RecordSink> tap = UnaryOperator.identity();
        if (record != null) {
            RecordingHeader header = RecordingHeader.of(hooks, clock);
            tap = raw -> {
                recorder.set(Recording.record(record, header, raw));
                return recorder.get();
            };
        }
        Agent agent;
        try {
            agent = Agent.start(hooks, new Agent.Options(pages, watermark, 100, countersInterval, bufferMiB), events, tap);
        } catch (BccException | RingException | RecordingException e) {
            containers.close();
            LOG.severe(e.getMessage());
            return 1;
        }
        AgentServer server;
        try {
            server = AgentServer.start(new ObserverService(ObservedNode.of(agent), pipeline, hub, clock, containers, node(), subscriberQueue, backends.traceCounts()),
                    "none".equals(socket) ? null : Path.of(socket), tcp, healthAddress);
        } catch (IOException e) {
            agent.close();
            containers.close();
            LOG.severe("cannot serve the Observer API: " + e.getMessage());
            return 1;
        }
        try {
            backends.serve(agent, pipeline, hub::ringLost, containers);
        } catch (IOException e) {
            server.close();
            agent.close();
            LOG.severe("cannot serve metrics on " + metricsListen + ": " + e.getMessage());
            return 1;
        }
        if (metricsAddress != null) LOG.info("Prometheus metrics on http://" + metricsListen + "/metrics");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            containers.close();
            agent.close();
            pipeline.finish();
            backends.close();
            if (backends.traceCounts() != null) LOG.info(backends.traceCounts().get().describe());
            if (recorder.get() != null) {
                recorder.get().close();
                LOG.info("recorded " + recorder.get().frames() + " frames to " + record);
            }
            Agent.Stats s = agent.stats();
            LOG.info(String.format(Locale.ROOT, "detached; %d records submitted, %d received, %d lost, %d malformed",
                    s.submitted(), s.received(), s.lost(), s.malformed()));
            LOG.info(Summary.of(pipeline.paths().stats(), pipeline.window().late(), pipeline.flows().stats()));
        }, "rxpath-shutdown"));
        for (HookStatus s : agent.hooks().statuses()) {
            if (!s.attached()) LOG.fine(s.hook().target() + " unavailable (" + s.hook().stage() + " stage): " + s.reason());
        }
        HookStatus.missingStages(agent.hooks().statuses()).ifPresent(m -> LOG.info(m + " (rxpath agent --probe explains)"));
        if (kernel.names().symbols().isEmpty()) {
            LOG.info("drop sites stay addresses: /proc/kallsyms hides them" + (Capabilities.ofThisProcess().has(Capabilities.Cap.SYSLOG)
                    ? "" : " without " + Capabilities.Cap.SYSLOG));
        }
        LOG.info("compiled against kernel headers: " + agent.hooks().module().headers().origin());
        LOG.info(agent.hooks().statuses().stream().filter(HookStatus::attached).count() + " hook points attached on " + kernel.kernelRelease()
                + "; watching " + programs.watch().describe() + "; paths: " + programs.sampling().describe() + "; per-socket counts exact; Ctrl-C to stop");
        if (traceExport != null) LOG.info("traces to " + traceFlags.get("otel.traces.exporter") + "; " + traceSampling.describe());
        if (statsInterval > 0) startStatsReporter(agent, pipeline);
        agent.awaitTermination();
        return 0;
    }

    /** --metrics-labels and its bounds: the workloads the metrics count, none unless asked for. */
    private WorkloadCounts.Options workloads(boolean metrics) {
        if (metricsLabels.isEmpty()) return WorkloadCounts.Options.NONE;
        if (!metrics) throw new ParameterException(spec.commandLine(), "--metrics-labels needs --metrics-listen");
        Set<WorkloadCounts.Label> labels = EnumSet.noneOf(WorkloadCounts.Label.class);
        for (String name : metricsLabels) {
            WorkloadCounts.Label label = Arrays.stream(WorkloadCounts.Label.values()).filter(l -> l.labelName().equals(name.strip())).findFirst()
                    .orElseThrow(() -> new ParameterException(spec.commandLine(), "--metrics-labels: unknown label \"" + name + "\" (one of "
                            + Arrays.stream(WorkloadCounts.Label.values()).map(WorkloadCounts.Label::labelName).collect(Collectors.joining(", ")) + ")"));
            labels.add(label);
        }
        if (metricsMaxWorkloads < 1 || metricsWorkloadGraceS < 1) {
            throw new ParameterException(spec.commandLine(), "--metrics-max-workloads and --metrics-workload-grace must be at least 1");
        }
        return new WorkloadCounts.Options(labels, metricsMaxWorkloads, metricsWorkloadGraceS * 1_000_000_000);
    }

    /** --paths, --path-rate, --path-ratio and --max-sockets, checked before anything is compiled. */
    private ReceiveHooks.Options programOptions() {
        if (maxSockets < 1) throw new ParameterException(spec.commandLine(), "--max-sockets must be at least 1");
        if (pathRate < 0) throw new ParameterException(spec.commandLine(), "--path-rate must not be negative");
        if (pathRatio != null && (pathRatio < 0 || pathRatio > 1)) {
            throw new ParameterException(spec.commandLine(), "--path-ratio must lie between 0 and 1, not " + pathRatio);
        }
        boolean rateGiven = spec.commandLine().getParseResult().hasMatchedOption("--path-rate");
        if (pathRatio != null && rateGiven) throw new ParameterException(spec.commandLine(), "--path-rate and --path-ratio exclude each other");
        if (paths == PathMode.all && (pathRatio != null || rateGiven)) {
            throw new ParameterException(spec.commandLine(), "--paths all records every segment: it takes no --path-rate or --path-ratio");
        }
        Sampling sampling = paths == PathMode.all ? Sampling.all() : pathRatio != null ? Sampling.ratio(pathRatio) : Sampling.rate(pathRate);
        try {
            PathFilterOptions f = pipelineOptions.filters;
            KernelFilter watch = new KernelFilter(Set.copyOf(f.selected("--port", Integer.class)),
                    Set.copyOf(f.selected("--local-port", Integer.class)), Set.copyOf(f.selected("--remote-port", Integer.class)),
                    cidrs("--local-ip", f.selected("--local-ip", String.class)), cidrs("--remote-ip", f.selected("--remote-ip", String.class)),
                    cgroups(f.selected("--cgroup", Long.class)));
            return new ReceiveHooks.Options(sampling, maxSockets, watch);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private List<Cgroup> cgroups(List<Long> ids) {
        if (ids.isEmpty()) return List.of();
        Path mount = CgroupV2.mount().orElseThrow(() -> new ParameterException(spec.commandLine(),
                "--cgroup: " + CgroupV2.NOT_MOUNTED));
        List<Cgroup> out = new java.util.ArrayList<>();
        for (long id : ids) {
            try {
                out.add(Cgroup.withId(id, mount));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--cgroup " + e.getMessage());
            }
        }
        return out;
    }

    private List<Cidr> cidrs(String option, List<String> texts) {
        List<Cidr> out = new java.util.ArrayList<>();
        for (String t : texts) {
            try {
                out.add(Cidr.parse(t));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), option + " " + e.getMessage());
            }
        }
        return out;
    }

    /**
     * The OpenTelemetry properties the --traces-* flags set, checked before anything attaches;
     * null when no traces are exported (neither the flag nor $OTEL_TRACES_EXPORTER names an exporter).
     */
    private Map<String, String> traceFlags() {
        String exporter = tracesExporter != null ? tracesExporter : System.getenv().getOrDefault("OTEL_TRACES_EXPORTER", "none");
        if (!List.of("otlp", "zipkin", "none").contains(exporter)) {
            throw new ParameterException(spec.commandLine(), (tracesExporter != null ? "--traces-exporter " : "OTEL_TRACES_EXPORTER=") + exporter
                    + ": expected otlp, zipkin or none");
        }
        if (exporter.equals("none")) {
            if (tracesEndpoint != null || tracesProtocol != null) throw new ParameterException(spec.commandLine(), "--traces-endpoint and --traces-protocol need an exporter (--traces-exporter)");
            return null;
        }
        Map<String, String> flags = new HashMap<>();
        flags.put("otel.traces.exporter", exporter);
        if (tracesEndpoint != null) {
            try {
                URI uri = new URI(tracesEndpoint);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) throw new URISyntaxException(tracesEndpoint, "not an http(s) URL");
            } catch (URISyntaxException e) {
                throw new ParameterException(spec.commandLine(), "--traces-endpoint " + tracesEndpoint + ": " + e.getReason() + " (http://HOST:PORT/…)");
            }
            flags.put(exporter.equals("zipkin") ? "otel.exporter.zipkin.endpoint" : "otel.exporter.otlp.endpoint", tracesEndpoint);
        }
        if (tracesProtocol != null) {
            if (!exporter.equals("otlp") || !List.of("grpc", "http/protobuf").contains(tracesProtocol)) {
                throw new ParameterException(spec.commandLine(), "--traces-protocol " + tracesProtocol + ": OTLP's grpc or http/protobuf");
            }
            flags.put("otel.exporter.otlp.protocol", tracesProtocol);
        }
        return flags;
    }

    private TailSampler.Options traceSampling() {
        try {
            return new TailSampler.Options(Math.round(tracesMinLatencyMs * 1_000_000), tracesRate);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--traces-rate and --traces-min-latency must not be negative");
        }
    }

    /** --listen HOST:PORT with its TLS files, checked before anything attaches. */
    private AgentServer.Tcp tcpListener() {
        if (listen == null) {
            if (tls.given()) throw new ParameterException(spec.commandLine(), "--tls-cert, --tls-key and --tls-client-ca need --listen");
            return null;
        }
        try {
            return tls.listener(hostPort("--listen", listen));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** An option's HOST:PORT, HOST an IP address (IPv6 in brackets or not). */
    private InetSocketAddress hostPort(String option, String text) {
        try {
            return AgentServer.address(option, text);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The node's pods, watched when --kubernetes says so; null when not. */
    private Pods pods() {
        if (kubernetes == KubernetesMode.off || kubernetes == KubernetesMode.auto && System.getenv("KUBERNETES_SERVICE_HOST") == null) return null;
        KubernetesClient client = new KubernetesClientBuilder().build(); // in a pod: its service account; else $KUBERNETES_MASTER, ~/.kube/config
        LOG.info("pods of node " + node() + " from the API server at " + client.getMasterUrl());
        return Pods.watch(client, node(), POD_GRACE_NS);
    }

    /** How long a pod that went away still names its containers: paths and flows of its sockets finish after it. */
    private static final long POD_GRACE_NS = 60_000_000_000L;

    private String node() {
        if (nodeName != null) return nodeName;
        String env = System.getenv("NODE_NAME");
        if (env != null && !env.isBlank()) return env;
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** One line per interval: what came from the kernel, and what the pipeline made of it. */
    private void startStatsReporter(Agent agent, Pipeline pipeline) {
        Thread t = new Thread(() -> {
            Agent.Stats last = agent.stats();
            while (true) {
                try {
                    Thread.sleep(statsInterval * 1000L);
                    Agent.Stats now = agent.stats();
                    String paths = pipeline.inspect(p -> Summary.line(p.paths().stats(), p.flows().stats())).get(10, TimeUnit.SECONDS);
                    LOG.info(String.format(Locale.ROOT, "%.0f records/s, %d lost (%d with the agent's buffer full), %d malformed; %s",
                            (now.received() - last.received()) / (double) statsInterval, now.lost(), now.handoffLost(), now.malformed(), paths));
                    last = now;
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    LOG.warning("counters unavailable: " + e);
                }
            }
        }, "rxpath-stats");
        t.setDaemon(true);
        t.start();
    }
}
