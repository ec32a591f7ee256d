package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rxpath.agent.export.AgentServer;
import dev.rxpath.agent.record.Recording;
import dev.rxpath.api.v1.ObserverGrpc;
import dev.rxpath.api.v1.ServerStatusRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A replayed node, closed, leaves no thread behind: its server closes the service it served. */
class ReplayedNodeTest {
    @Test
    void aClosedNodeKeepsNoStreamsThread() throws Exception {
        Recording recording = Recording.load(Path.of("src/test/resources/recordings/loopback.rxrec.gz"));
        long before = streamsThreads();
        for (int i = 0; i < 5; i++) {
            ReplayedNode node = ReplayedNode.serve(recording, "node-" + i,
                    new AgentServer.Tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, null, null), Pipeline.Limits.DEFAULT, 100);
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                // an answer is made on the node's streams thread, which starts with the first
                ObserverGrpc.newBlockingStub(channel).serverStatus(ServerStatusRequest.getDefaultInstance());
            } finally {
                channel.shutdownNow();
            }
            assertEquals(before + 1, streamsThreads(), "a node's own streams thread");
            node.close();
            for (int wait = 0; wait < 100 && streamsThreads() > before; wait++) Thread.sleep(20);
            assertEquals(before, streamsThreads(), "ended with the node " + i);
        }
    }

    private static long streamsThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("rxpath-streams") && t.isAlive()).count();
    }
}
