package dev.rxpath.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.JsonFormat;
import dev.rxpath.api.CompactFormat;
import dev.rxpath.api.v1.Endpoints;
import dev.rxpath.api.v1.Flow;
import dev.rxpath.api.v1.GetFlowsRequest;
import dev.rxpath.api.v1.GetFlowsResponse;
import dev.rxpath.api.v1.GetPathsRequest;
import dev.rxpath.api.v1.GetPathsResponse;
import dev.rxpath.api.v1.LostEvent;
import dev.rxpath.api.v1.LostSource;
import dev.rxpath.api.v1.ObserverGrpc;
import dev.rxpath.api.v1.PathFilter;
import dev.rxpath.api.v1.ReceivePath;
import dev.rxpath.api.v1.ServerStatusRequest;
import dev.rxpath.api.v1.ServerStatusResponse;
import dev.rxpath.api.v1.Stage;
import dev.rxpath.api.v1.StageTime;
import dev.rxpath.api.v1.TraceExport;
import dev.rxpath.api.v1.Verdict;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What the commands print and return for the agent's answers, over an in-process gRPC server. */
class AgentAnswersTest {
    private static final ReceivePath DROPPED = ReceivePath.newBuilder()
            .setVerdict(Verdict.VERDICT_DROPPED).setReason("NO_SOCKET").setDiedAt(Stage.STAGE_LOOKUP).setDropSite("tcp_v4_rcv+0x4a2").setDevice("lo")
            .setEndpoints(Endpoints.newBuilder().setRemoteIp("127.0.0.1").setRemotePort(39655).setLocalIp("127.0.0.1").setLocalPort(42775))
            .addStages(StageTime.newBuilder().setStage(Stage.STAGE_DEV).setTime(Timestamp.newBuilder().setSeconds(1_714_557_600L)))
            .setTotal(Durations.fromNanos(0))
            .build();
    private static final GetPathsResponse LOST = GetPathsResponse.newBuilder()
            .setLost(LostEvent.newBuilder().setSource(LostSource.LOST_SOURCE_SUBSCRIBER_QUEUE).setCpu(-1).setCount(42)).build();

    /** The agent: answers with these, or fails with {@code failure}; keeps the requests. */
    private final List<GetPathsResponse> paths = new ArrayList<>();
    private final List<Object> requests = new ArrayList<>();
    private Status failure;
    private ServerStatusResponse status = ServerStatusResponse.newBuilder().setNodeName("node-1").setKernelRelease("6.1.0")
            .setUptime(Durations.fromSeconds(3723)).build();

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws IOException {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(new ObserverGrpc.ObserverImplBase() {
            @Override
            public void getPaths(GetPathsRequest request, StreamObserver<GetPathsResponse> responses) {
                requests.add(request);
                if (failure != null) {
                    responses.onError(failure.asRuntimeException());
                    return;
                }
                paths.forEach(responses::onNext);
                responses.onCompleted();
            }

            @Override
            public void getFlows(GetFlowsRequest request, StreamObserver<GetFlowsResponse> responses) {
                requests.add(request);
                responses.onNext(GetFlowsResponse.newBuilder().setTotal(5)
                        .addFlows(Flow.newBuilder().setCookie(1).setState("ESTABLISHED").setBytesReceived(2048))
                        .addFlows(Flow.newBuilder().setCookie(2).setState("CLOSE_WAIT")).build());
                responses.onCompleted();
            }

            @Override
            public void serverStatus(ServerStatusRequest request, StreamObserver<ServerStatusResponse> responses) {
                responses.onNext(status);
                responses.onCompleted();
            }
        }).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
    }

    @Test
    void observePrintsPathsAndLostRecordsInOrder() {
        paths.addAll(List.of(GetPathsResponse.newBuilder().setPath(DROPPED).build(), LOST));
        assertEquals(0, run("observe"));
        assertEquals(new CompactFormat(ZoneId.systemDefault(), false).path(DROPPED) + "\n"
                + "LOST 42 records (subscriber queue)\n", out.toString());
        assertEquals(GetPathsRequest.newBuilder().setNumber(20).build(), requests.get(0));
    }

    @Test
    void followingStartsFromNowUnlessLastIsGiven() {
        run("observe", "-f");
        run("observe", "-f", "--last", "5");
        assertEquals(List.of(GetPathsRequest.newBuilder().setFollow(true).build(),
                GetPathsRequest.newBuilder().setFollow(true).setNumber(5).build()), requests);
    }

    @Test
    void observeJsonIsOneResponsePerLine() throws IOException {
        paths.addAll(List.of(GetPathsResponse.newBuilder().setPath(DROPPED).build(), LOST));
        assertEquals(0, run("observe", "-o", "json"));
        String[] lines = out.toString().split("\n");
        assertEquals(2, lines.length);
        for (int i = 0; i < lines.length; i++) {
            GetPathsResponse.Builder parsed = GetPathsResponse.newBuilder();
            JsonFormat.parser().merge(lines[i], parsed);
            assertEquals(paths.get(i), parsed.build());
        }
    }

    @Test
    void theAgentRefusingAnArgumentIsAUsageError() {
        failure = Status.INVALID_ARGUMENT.withDescription("whitelist[0].netns: the agent cannot see network namespaces yet");
        assertEquals(2, run("observe", "--netns", "4026531840"));
        assertEquals("rxpath: whitelist[0].netns: the agent cannot see network namespaces yet", err.toString().strip());
    }

    @Test
    void otherFailuresExitWith1AndTheStatus() {
        failure = Status.INTERNAL.withDescription("correlator stopped");
        assertEquals(1, run("observe"));
        assertEquals("rxpath: the agent answered INTERNAL: correlator stopped", err.toString().strip());
    }

    @Test
    void dropsAsksForDropsAndResetsUnlessTheVerdictIsGiven() {
        paths.addAll(List.of(GetPathsResponse.newBuilder().setPath(DROPPED).build(), GetPathsResponse.newBuilder().setPath(DROPPED).build(), LOST));
        assertEquals(0, run("drops", "--comm", "nginx"));
        run("drops", "--verdict", "reset");
        assertEquals(List.of(
                GetPathsRequest.newBuilder().setNumber(1000).addWhitelist(PathFilter.newBuilder().addComm("nginx")
                        .addVerdict(Verdict.VERDICT_DROPPED).addVerdict(Verdict.VERDICT_RESET)).build(),
                GetPathsRequest.newBuilder().setNumber(1000).addWhitelist(PathFilter.newBuilder().addVerdict(Verdict.VERDICT_RESET)).build()),
                requests);
        String[] lines = out.toString().split("\n");
        assertTrue(lines[0].startsWith("COUNT  VERDICT  REASON     AT      SITE              LATEST"), lines[0]);
        assertTrue(lines[1].startsWith("2      DROPPED  NO_SOCKET  LOOKUP  tcp_v4_rcv+0x4a2  "), lines[1]);
        assertEquals("42 records lost on the way: the counts are a lower bound", lines[2]);
    }

    @Test
    void flowsJsonIsOneFlowPerLineAndTheTableSaysWhatTheLimitLeftOut() {
        assertEquals(0, run("flows", "-o", "json", "--sort", "drops", "--asc", "--limit", "2"));
        assertEquals("{\"cookie\":\"1\",\"state\":\"ESTABLISHED\",\"bytesReceived\":\"2048\"}\n{\"cookie\":\"2\",\"state\":\"CLOSE_WAIT\"}\n", out.toString());
        assertEquals(GetFlowsRequest.newBuilder().setSort(dev.rxpath.api.v1.FlowSort.FLOW_SORT_DROPS).setAscending(true).setLimit(2).build(), requests.get(0));

        out.getBuffer().setLength(0);
        run("flows", "-o", "table");
        String[] lines = out.toString().split("\n");
        assertEquals(4, lines.length);
        assertEquals("(2 of 5 flows: --limit)", lines[3]);
    }

    @Test
    void statusJsonIsTheWholeResponse() {
        assertEquals(0, run("status", "-o", "json"));
        assertEquals("{\"nodeName\":\"node-1\",\"kernelRelease\":\"6.1.0\",\"uptime\":\"3723s\"}\n", out.toString());
        out.getBuffer().setLength(0);
        run("status");
        assertTrue(out.toString().contains("uptime       1h02m03s\n"), out.toString());
        assertTrue(!out.toString().contains("traces"), "no trace export, no line: " + out);
    }

    @Test
    void statusShowsTheTraceExportWhenThereIsOne() {
        status = status.toBuilder().setTraces(TraceExport.newBuilder().setExporter("otlp").setPathsTraced(12).setPathsSampledOut(300)
                .setSpansEnded(60).setSpansExported(40).setSpansFailed(15).setSpansDropped(4).setSpansQueued(1)).build();
        assertEquals(0, run("status"));
        assertTrue(out.toString().contains("traces       to otlp: 12 paths traced, 300 sampled out; spans 60 ended, 40 exported, 15 failed, 4 dropped (queue full), 1 queued\n"),
                out.toString());
    }

    /** Parses like bin/rxpath, then runs the command over the in-process channel. */
    private int run(String command, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        CommandLine.ParseResult parsed = cli.parseArgs(Stream.concat(Stream.of(command), Stream.of(args)).toArray(String[]::new));
        AgentCommand agentCommand = parsed.subcommand().commandSpec().commandLine().getCommand();
        return agentCommand.run(channel);
    }
}
