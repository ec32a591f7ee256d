package dev.rxpath.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.bcc.BpfSource;
import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.probe.KernelProbe;
import dev.rxpath.agent.ring.Handoff;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A pipeline made slow on purpose under every segment's path: the ring reader keeps the
 * kernel's rings empty regardless, and a small handoff counts what it could not hold and
 * says so in band.
 */
@KernelTest
class HandoffKernelTest {
    /** Sleeps a millisecond every 5 events while {@code slow}: a GC pause or a slow sink, over and over. */
    private static final class SlowCollector extends KernelTests.Collector {
        volatile boolean slow = true;
        final AtomicLong handoffLost = new AtomicLong();
        private long n;

        @Override
        public void event(Event event) {
            super.event(event);
            if (slow && ++n % 5 == 0) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void lost(int cpu, long count) {
            super.lost(cpu, count);
            if (cpu == Handoff.CPU) handoffLost.addAndGet(count);
        }
    }

    /** 20,000 writes of 100 bytes with Nagle off; returns the bytes read. */
    private static long transfer() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 1, loopback); Socket client = new Socket(loopback, server.getLocalPort());
             Socket accepted = server.accept()) {
            client.setTcpNoDelay(true);
            Thread writer = new Thread(() -> CountersKernelTest.flood(client, 100, 20_000), "flood");
            writer.start();
            long read = CountersKernelTest.readAll(accepted);
            writer.join();
            return read;
        }
    }

    @Test
    void aSlowPipelineCostsTheRingsNothingAndASmallHandoffCountsItsLossInBand() throws Exception {
        SlowCollector sink = new SlowCollector();
        Agent agent = Agent.start(KernelProbe.scan(), BpfSource.packaged(), Agent.Options.DEFAULT.withBufferMiB(1), sink);
        try {
            // rounds of small segments, each a path of several records, until the 1 MiB handoff has overflowed
            long deadline = System.currentTimeMillis() + 20_000;
            do {
                assertEquals(2_000_000, transfer());
            } while (agent.stats().handoffLost() == 0 && System.currentTimeMillis() < deadline);
        } finally {
            sink.slow = false;
            agent.close();
        }

        Agent.Stats s = agent.stats();
        assertEquals(0, s.submitFailed(), "perf_submit failures: the reader kept the rings drained " + s);
        assertEquals(0, s.lostReported(), "LOST records from the rings " + s);
        assertEquals(s.submitted(), s.received(), "submitted in the kernel vs received from the rings");
        assertTrue(s.handoffLost() > 0, "the 1 MiB handoff overflowed: " + s);
        assertEquals(s.handoffLost(), sink.handoffLost.get(), "the handoff's loss reached the sink in band, all of it");
        assertEquals(s.handoffLost(), sink.lost.get(), "and no other loss");
        assertEquals(0, s.malformed());
        assertEquals(s.received() + agent.sockets().stats().handed(), sink.events.size() + s.handoffLost(),
                "every record drained was either decoded or counted lost");
    }

    @Test
    void aFailingPipelineStopsTheAgentAndAwaitTerminationRethrowsIt() throws Exception {
        KernelTests.Collector failing = new KernelTests.Collector() {
            @Override
            public void event(Event event) {
                throw new IllegalStateException("the sink broke");
            }
        };
        Agent agent = Agent.start(KernelProbe.scan(), BpfSource.packaged(), Agent.Options.DEFAULT, failing);
        try {
            Traffic.refused(InetAddress.getLoopbackAddress()); // a SYN, its drop and its reset: events for the sink
            IllegalStateException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThrows(IllegalStateException.class, agent::awaitTermination));
            assertEquals("rxpath-pipeline failed", e.getMessage());
            assertEquals("the sink broke", e.getCause().getMessage());
        } finally {
            agent.close();
        }
    }
}
