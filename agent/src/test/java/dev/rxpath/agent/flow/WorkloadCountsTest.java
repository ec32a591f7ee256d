package dev.rxpath.agent.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.RecordType;
import dev.rxpath.agent.path.PathListener;
import dev.rxpath.agent.probe.KernelNames;
import dev.rxpath.agent.probe.KernelSymbols;
import java.net.InetAddress;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Per-workload sums of the kernel's counters: told apart by the chosen labels, capped, deleted after their grace. */
class WorkloadCountsTest {
    private static final KernelNames NAMES = new KernelNames(Map.of(), Map.of(), Map.of(1L, "TCP_ESTABLISHED"), KernelSymbols.NONE);
    private static final long S = 1_000_000_000L;

    private static FlowTable table(Set<WorkloadCounts.Label> labels) {
        return new FlowTable(PathListener.NONE, NAMES, new FlowTable.Limits(1000, 60 * S, new WorkloadCounts.Options(labels, 2, 10 * S)));
    }

    /** Socket {@code sk}'s counters read at {@code readNs}: {@code delivered} bytes read so far, by {@code comm}, on local port {@code port}. */
    private static Event.SockCounters read(long sk, long readNs, int port, String comm, long delivered) throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        return new Event.SockCounters(new Event.Header(RecordType.SOCK, readNs, 0, sk, 0), new Event.Tuple(2, lo, port, lo, 40000 + (int) sk),
                new Event.SocketCounts(sk, sk * 10, 0, 1, delivered, delivered, 1, 0, Map.of(), 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0,
                        new Event.Task(100 + (int) sk, 100 + (int) sk, 1000 + sk, comm)));
    }

    private static long delivered(FlowTable t, int port, String comm) {
        CounterTotals.Totals totals = t.workloadCounts().workloads().get(new WorkloadCounts.Workload(port, comm, 0));
        return totals == null ? -1 : totals.bytesDelivered();
    }

    @Test
    void socketsOfOneWorkloadAddUpAndTheCapRefusesTheRest() throws Exception {
        FlowTable t = table(Set.of(WorkloadCounts.Label.LOCAL_PORT, WorkloadCounts.Label.COMM));
        t.socketEvent(read(1, 1 * S, 8080, "nginx", 100));
        t.socketEvent(read(2, 1 * S, 8080, "nginx", 50));
        t.socketEvent(read(3, 1 * S, 9090, "redis", 30));
        t.socketEvent(read(4, 1 * S, 7070, "other", 7)); // a third workload: no room
        t.socketEvent(read(1, 2 * S, 8080, "nginx", 300));
        assertEquals(350, delivered(t, 8080, "nginx"), "each read adds what it counted since the one before");
        assertEquals(30, delivered(t, 9090, "redis"));
        assertEquals(2, t.workloadCounts().workloads().size());
        assertEquals(1, t.workloadCounts().refused());
        assertEquals(387, t.nodeCounts().bytesDelivered(), "the node's totals have every socket, refused or not");

        // redis counts nothing for longer than the grace: its workload goes, and makes room
        t.socketEvent(read(1, 9 * S, 8080, "nginx", 310));
        t.advanced(12 * S);
        assertEquals(-1, delivered(t, 9090, "redis"));
        assertEquals(1, t.workloadCounts().deleted());
        assertEquals(360, delivered(t, 8080, "nginx"));
        t.socketEvent(read(4, 13 * S, 7070, "other", 10));
        assertEquals(3, delivered(t, 7070, "other"), "counted from its next read: what it counted since the refused one");
    }

    @Test
    void withOneLabelTheOtherDoesNotTellWorkloadsApart() throws Exception {
        FlowTable t = table(Set.of(WorkloadCounts.Label.LOCAL_PORT));
        t.socketEvent(read(1, 1 * S, 8080, "nginx", 100));
        t.socketEvent(read(2, 1 * S, 8080, "envoy", 50));
        assertEquals(150, delivered(t, 8080, ""));
        assertEquals(1, t.workloadCounts().workloads().size());
    }

    /** For the pod and namespace labels a workload is its reader's cgroup, whose pod the metrics look up when they are taken. */
    @Test
    void podLabelsTellWorkloadsApartByTheReadersCgroup() throws Exception {
        FlowTable t = table(Set.of(WorkloadCounts.Label.NAMESPACE, WorkloadCounts.Label.POD));
        t.socketEvent(read(1, 1 * S, 8080, "nginx", 100));
        t.socketEvent(read(2, 1 * S, 8080, "envoy", 50));
        t.socketEvent(read(1, 2 * S, 8080, "nginx", 160));
        Map<WorkloadCounts.Workload, CounterTotals.Totals> w = t.workloadCounts().workloads();
        assertEquals(160, w.get(new WorkloadCounts.Workload(-1, "", 1001)).bytesDelivered());
        assertEquals(50, w.get(new WorkloadCounts.Workload(-1, "", 1002)).bytesDelivered());
    }

    @Test
    void withoutLabelsNothingIsCountedPerWorkload() throws Exception {
        FlowTable t = new FlowTable(PathListener.NONE, NAMES, FlowTable.Limits.DEFAULT);
        t.socketEvent(read(1, 1 * S, 8080, "nginx", 100));
        assertEquals(Map.of(), t.workloadCounts().workloads());
        assertEquals(100, t.nodeCounts().bytesDelivered());
    }
}
