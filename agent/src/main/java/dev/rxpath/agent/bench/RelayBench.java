package dev.rxpath.agent.bench;

import dev.rxpath.agent.Pipeline;
import dev.rxpath.agent.ReplayedNode;
import dev.rxpath.agent.export.AgentServer;
import dev.rxpath.agent.relay.RelayCommand;
import dev.rxpath.agent.record.Recording;
import dev.rxpath.api.v1.GetPathsRequest;
import dev.rxpath.api.v1.GetPathsResponse;
import dev.rxpath.api.v1.NodeState;
import dev.rxpath.api.v1.ObserverGrpc;
import dev.rxpath.api.v1.ServerStatusRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A relay, in its own process (its CPU and memory are the figures), in front of nodes replayed
 * from a recording in this one: how many merged paths a second it sends, and how much a
 * request's round trip gains by going through it. The nodes share this machine's cores with
 * the relay, so the figures are this machine's, not the relay's ceiling.
 */
@Command(name = "relay", mixinStandardHelpOptions = true,
        description = "Merged paths/s through `rxpath relay` from replayed nodes, its CPU and RSS, and the round trip it adds.")
final class RelayBench implements Callable<Integer> {
    @Option(names = "--nodes", description = "Replayed nodes behind the relay (default: ${DEFAULT-VALUE}).")
    int nodes = 20;

    @Option(names = "--recording", description = "What each node replays (default: ${DEFAULT-VALUE}).")
    Path recording = Path.of("agent/src/test/resources/recordings/loopback.rxrec.gz");

    @Option(names = "--paths", description = "Paths asked for per request: `observe --last N` (default: ${DEFAULT-VALUE}).")
    int last = 10_000;

    @Option(names = "--rounds", description = "Requests of --paths paths (default: ${DEFAULT-VALUE}).")
    int rounds = 10;

    @Override
    public Integer call() throws Exception {
        Recording r = Recording.load(recording);
        List<ReplayedNode> served = new ArrayList<>();
        int relayPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            relayPort = s.getLocalPort();
        }
        try {
            List<Object> args = new ArrayList<>(List.of("--listen", "127.0.0.1:" + relayPort, "--poll-interval", "500"));
            for (int i = 0; i < nodes; i++) {
                ReplayedNode n = ReplayedNode.serve(r, "node-" + i, new AgentServer.Tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        null, null, null), Pipeline.Limits.DEFAULT, last);
                served.add(n);
                args.addAll(List.of("--peer", "127.0.0.1:" + n.port()));
            }
            try (LoadProcess relay = LoadProcess.start("relay", RelayCommand.class, args.toArray())) {
                ManagedChannel toRelay = NettyChannelBuilder.forAddress("127.0.0.1", relayPort).usePlaintext().build();
                ManagedChannel toNode = NettyChannelBuilder.forAddress("127.0.0.1", served.get(0).port()).usePlaintext().build();
                try {
                    var viaRelay = ObserverGrpc.newBlockingStub(toRelay);
                    long deadline = System.nanoTime() + 60_000_000_000L;
                    while (connected(viaRelay) < nodes) {
                        if (System.nanoTime() > deadline) throw new IllegalStateException("the relay did not connect its " + nodes + " nodes");
                        Thread.sleep(100);
                    }
                    fetch(viaRelay, last); // warm-up
                    long cpu0 = relay.cpuNanos(), t0 = System.nanoTime(), paths = 0;
                    for (int i = 0; i < rounds; i++) paths += fetch(viaRelay, last);
                    long wall = System.nanoTime() - t0, cpu = relay.cpuNanos() - cpu0;
                    long rss = relay.rssKiB();
                    double direct = medianMs(ObserverGrpc.newBlockingStub(toNode)), through = medianMs(viaRelay);
                    System.out.printf(Locale.ROOT, "bench relay: %d nodes replaying %s behind one relay, %d requests for the newest %,d paths%n", nodes,
                            recording.getFileName(), rounds, last);
                    long read = (long) rounds * nodes * last; // every node sends its newest `last`; the relay keeps the newest of all
                    System.out.printf(Locale.ROOT, "  merged paths      %,.0f paths/s out of the relay (%,d paths in %.2f s), from %,.0f paths/s it read from its nodes%n",
                            paths * 1e9 / wall, paths, wall / 1e9, read * 1e9 / wall);
                    System.out.printf(Locale.ROOT, "  relay process     %.0f%% of one core while merging; RSS %,d MiB%n", 100.0 * cpu / wall, rss / 1024);
                    System.out.printf(Locale.ROOT, "  round trip        `observe --last 1`: %.2f ms to a node, %.2f ms through the relay (median of 50);%n", direct, through);
                    System.out.printf("                    a followed path waits the relay's --drain-timeout (1 s) for older ones from slower nodes%n");
                } finally {
                    toRelay.shutdownNow();
                    toNode.shutdownNow();
                }
            }
        } finally {
            served.forEach(ReplayedNode::close);
        }
        return 0;
    }

    private static long connected(ObserverGrpc.ObserverBlockingStub relay) {
        try {
            return relay.serverStatus(ServerStatusRequest.getDefaultInstance()).getNodesList().stream()
                    .filter(n -> n.getState() == NodeState.NODE_STATE_CONNECTED).count();
        } catch (RuntimeException e) {
            return 0; // not listening yet
        }
    }

    private static long fetch(ObserverGrpc.ObserverBlockingStub stub, int n) {
        long paths = 0;
        Iterator<GetPathsResponse> it = stub.getPaths(GetPathsRequest.newBuilder().setNumber(n).build());
        while (it.hasNext()) if (it.next().hasPath()) paths++;
        return paths;
    }

    private static double medianMs(ObserverGrpc.ObserverBlockingStub stub) {
        double[] ms = new double[50];
        fetch(stub, 1);
        for (int i = 0; i < ms.length; i++) {
            long t = System.nanoTime();
            fetch(stub, 1);
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }
}
