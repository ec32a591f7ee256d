package dev.rxpath.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import dev.rxpath.api.v1.Family;
import dev.rxpath.api.v1.FlowFilter;
import dev.rxpath.api.v1.GetFlowsRequest;
import dev.rxpath.api.v1.GetPathsRequest;
import dev.rxpath.api.v1.PathFilter;
import dev.rxpath.api.v1.Stage;
import dev.rxpath.api.v1.Verdict;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** How the filter flags, in their command-line order, become whitelist and blacklist filters. */
class FilterFlagsTest {
    @Test
    void noFlagsNoFilters() {
        GetPathsRequest request = observe();
        assertEquals(0, request.getWhitelistCount());
        assertEquals(0, request.getBlacklistCount());
    }

    @Test
    void repeatedFlagsOrAndDifferentFlagsAndInOneWhitelistFilter() {
        GetPathsRequest request = observe("--remote-ip", "10.0.0.0/8", "--verdict", "dropped", "--remote-ip", "::1",
                "--verdict", "RESET", "--comm", "nginx", "--family", "inet6", "--device", "lo", "--reason", "NO_SOCKET",
                "--pid", "42", "--cgroup", "7", "--local-ip", "127.0.0.1", "--local-port", "8080", "--remote-port", "5000",
                "--tcp-flags", "SYN", "--tcp-flags", "FIN,ACK");
        assertEquals(List.of(PathFilter.newBuilder()
                .addRemoteIp("10.0.0.0/8").addRemoteIp("::1")
                .addVerdict(Verdict.VERDICT_DROPPED).addVerdict(Verdict.VERDICT_RESET)
                .addComm("nginx").addFamily(Family.FAMILY_INET6).addDevice("lo").addReason("NO_SOCKET")
                .addPid(42).addCgroupId(7).addLocalIp("127.0.0.1").addLocalPort(8080).addRemotePort(5000)
                .addTcpFlags("SYN").addTcpFlags("FIN,ACK").build()),
                request.getWhitelistList());
        assertEquals(0, request.getBlacklistCount());
    }

    @Test
    void notNegatesOnlyTheNextFlagAndEachNegatedFlagExcludesOnItsOwn() {
        GetPathsRequest request = observe("--comm", "nginx", "--not", "--verdict", "delivered", "--verdict", "dropped",
                "--not", "--remote-port", "22", "--not", "--verdict", "merged");
        assertEquals(List.of(PathFilter.newBuilder().addComm("nginx").addVerdict(Verdict.VERDICT_DROPPED).build()),
                request.getWhitelistList());
        assertEquals(List.of(
                PathFilter.newBuilder().addVerdict(Verdict.VERDICT_DELIVERED).addVerdict(Verdict.VERDICT_MERGED).build(),
                PathFilter.newBuilder().addRemotePort(22).build()), request.getBlacklistList());
    }

    @Test
    void portMatchesEitherEndThroughOneFilterPerEnd() {
        GetPathsRequest request = observe("--comm", "nginx", "--port", "443", "--port", "80", "--not", "--port", "22");
        assertEquals(List.of(
                PathFilter.newBuilder().addComm("nginx").addRemotePort(443).addRemotePort(80).build(),
                PathFilter.newBuilder().addComm("nginx").addLocalPort(443).addLocalPort(80).build()), request.getWhitelistList());
        assertEquals(List.of(PathFilter.newBuilder().addRemotePort(22).build(), PathFilter.newBuilder().addLocalPort(22).build()),
                request.getBlacklistList());
    }

    @Test
    void stageQualifiesMinLatencyOnBothSides() {
        GetPathsRequest request = observe("--min-latency", "5ms", "--stage", "user", "--not", "--min-latency", "1s");
        assertEquals(List.of(PathFilter.newBuilder().setMinLatency(Durations.fromMillis(5)).setLatencyStage(Stage.STAGE_USER).build()),
                request.getWhitelistList());
        assertEquals(List.of(PathFilter.newBuilder().setMinLatency(Durations.fromSeconds(1)).setLatencyStage(Stage.STAGE_USER).build()),
                request.getBlacklistList());
    }

    @Test
    void sinceAndUntil() {
        GetPathsRequest request = observe("--since", "2024-05-01T10:00:00.5Z", "--until", "2024-05-01T11:00:00Z");
        assertEquals(Timestamp.newBuilder().setSeconds(1714557600).setNanos(500_000_000).build(), request.getSince());
        assertEquals(Timestamp.newBuilder().setSeconds(1714561200).build(), request.getUntil());
    }

    @Test
    void closedFlowsInEveryFilter() {
        GetFlowsRequest request = flows("--closed", "--not", "--pid", "5");
        assertEquals(List.of(FlowFilter.newBuilder().setClosed(true).build()), request.getWhitelistList());
        assertEquals(List.of(FlowFilter.newBuilder().addPid(5).setClosed(true).build()), request.getBlacklistList());

        request = flows("--local-port", "443", "--not", "--comm", "sshd");
        assertEquals(List.of(FlowFilter.newBuilder().addLocalPort(443).build()), request.getWhitelistList());
        assertEquals(List.of(FlowFilter.newBuilder().addComm("sshd").build()), request.getBlacklistList());
    }

    @Test
    void podsNamespacesAndContainersForPathsAndFlows() {
        GetPathsRequest paths = observe("--pod", "shop/web-", "--pod", "db-0", "--namespace", "shop", "--not", "--container", "sidecar");
        assertEquals(List.of(PathFilter.newBuilder().addPod("shop/web-").addPod("db-0").addNamespace("shop").build()), paths.getWhitelistList());
        assertEquals(List.of(PathFilter.newBuilder().addContainer("sidecar").build()), paths.getBlacklistList());
        GetFlowsRequest flows = flows("--container", "containerd://0123456789ab", "--namespace", "kube-system");
        assertEquals(List.of(FlowFilter.newBuilder().addContainer("containerd://0123456789ab").addNamespace("kube-system").build()),
                flows.getWhitelistList());
    }

    private static GetPathsRequest observe(String... args) {
        ObserveCommand observe = parse("observe", args);
        return observe.range.applyTo(observe.filters.request()).build();
    }

    private static GetFlowsRequest flows(String... args) {
        FlowsCommand flows = parse("flows", args);
        return flows.filters.request().build();
    }

    private static <T> T parse(String command, String... args) {
        CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(Stream.concat(Stream.of(command), Stream.of(args)).toArray(String[]::new));
        return parsed.subcommand().commandSpec().commandLine().getCommand();
    }
}
