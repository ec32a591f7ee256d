package dev.rxpath.agent.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.RecordType;
import dev.rxpath.agent.event.TcpHandshake;
import dev.rxpath.agent.path.PathListener;
import dev.rxpath.agent.probe.KernelNames;
import dev.rxpath.agent.probe.KernelSymbols;
import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which flow a socket's records belong to around its close, from events built by hand. */
class FlowTableTest {
    private static final long SK = 0xffff888100aa0000L;
    private static final KernelNames NAMES = new KernelNames(Map.of(2L, "NO_SOCKET"), Map.of(),
            Map.of(1L, "TCP_ESTABLISHED", 2L, "TCP_SYN_SENT", 5L, "TCP_FIN_WAIT2", 7L, "TCP_CLOSE", 10L, "TCP_LISTEN"), KernelSymbols.NONE);

    private final FlowTable table = new FlowTable(PathListener.NONE, NAMES, FlowTable.Limits.DEFAULT);

    private static final TcpHandshake HANDSHAKE = new TcpHandshake(20, 65495, 65495, 7, 7, true, true, true, 1, 2);

    private static Event.Header header(RecordType type, long tsNs) {
        return new Event.Header(type, tsNs, 0, SK, 0);
    }

    private static Event.Tuple tuple() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        return new Event.Tuple(2, lo, 40000, lo, 8080);
    }

    private Flow connectAndClose() throws Exception {
        table.socketEvent(new Event.StateChange(header(RecordType.STATE, 1_000), tuple(), 7, 2));
        table.socketEvent(new Event.StateChange(header(RecordType.STATE, 2_000), tuple(), 2, 1));
        table.socketEvent(new Event.StateChange(header(RecordType.STATE, 3_000), tuple(), 5, 7));
        assertEquals(1, table.flows().size());
        return table.flows().get(0);
    }

    /** A FIN in FIN_WAIT2 closes the socket, then wakes its reader: the wakeup is the closed flow's, not a new one. */
    @Test
    void aWakeupJustAfterTheCloseBelongsToTheClosedFlow() throws Exception {
        Flow closed = connectAndClose();
        table.socketEvent(new Event.DataReady(header(RecordType.DATA_READY, 3_021), 0, 2, 6));
        assertEquals(1, table.flows().size(), "no second flow for the same socket");
        assertSame(closed, table.flows().get(0));
    }

    /** A new socket at the address begins with a state change: that is a new flow, and its handshake is its. */
    @Test
    void aNewLifeAtTheAddressIsANewFlow() throws Exception {
        Flow closed = connectAndClose();
        table.socketEvent(new Event.StateChange(header(RecordType.STATE, 4_000), tuple(), 7, 2));
        table.socketEvent(new Event.Handshake(header(RecordType.HANDSHAKE, 4_500), tuple(), HANDSHAKE));
        assertEquals(2, table.flows().size());
        assertNotSame(closed, table.flows().stream().filter(f -> f.handshake() != null).findFirst().orElseThrow());
    }

    /**
     * A handshake handed over after the address's flows moved on (no live flow, and the closed
     * one's life does not hold it) opens no flow: it carries no cookie to tell whose it is.
     */
    @Test
    void aHandshakeWithoutItsSocketsFlowOpensNone() throws Exception {
        connectAndClose();
        table.socketEvent(new Event.Handshake(header(RecordType.HANDSHAKE, 3_500), tuple(), HANDSHAKE));
        assertEquals(1, table.flows().size());
        assertEquals(null, table.flows().get(0).handshake());
    }

    /** The kernel's counters for the socket life that began at {@code firstNs}, read at {@code readNs}. */
    private static Event.SockCounters counters(long readNs, long firstNs, long closedNs) throws Exception {
        return new Event.SockCounters(header(RecordType.SOCK, readNs), tuple(), new Event.SocketCounts(0, firstNs, closedNs, 1, 100, 100, 1,
                0, Map.of(), 0, 0, 0, 0, 0, 2, closedNs == 0 ? 1 : 7, 0, 0, 0, 0, null));
    }

    /**
     * Without every segment's path (the default), a socket's flow begins at its first counter
     * read, after its handshake: the handshake waits for it, and that life's flow takes it.
     */
    @Test
    void aHandshakeBeforeItsSocketsFlowWaitsForIt() throws Exception {
        table.socketEvent(new Event.Handshake(header(RecordType.HANDSHAKE, 2_000), tuple(), HANDSHAKE));
        assertEquals(0, table.flows().size(), "a handshake opens no flow");
        table.socketEvent(counters(1_000_000, 1_000, 500_000));
        assertEquals(1, table.flows().size());
        assertSame(HANDSHAKE, table.flows().get(0).handshake());
        assertEquals(0, table.stats().orphaned());
    }

    /** A waiting handshake is not a later life's, at the same address: that life did not hold it. */
    @Test
    void aWaitingHandshakeIsNotALaterLifesAtTheAddress() throws Exception {
        table.socketEvent(new Event.Handshake(header(RecordType.HANDSHAKE, 2_000), tuple(), HANDSHAKE));
        table.socketEvent(counters(1_000_000, 600_000, 0));
        assertEquals(null, table.flows().get(0).handshake());
        // kept as long as a closed flow is, then counted with the records whose socket never showed
        table.advanced(2_000 + FlowTable.Limits.DEFAULT.closedRetentionNs() + 1);
        assertEquals(1, table.stats().orphaned());
    }

    /**
     * A connection accepted from a listener can take the address of one that closed before its
     * close was read, and has its port: the listener's flow does not take the handshake; the
     * connection's own, at its first counter read, does.
     */
    @Test
    void aListenersFlowAtTheAddressDoesNotTakeAConnectionsHandshake() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        Event.Tuple listening = new Event.Tuple(2, lo, 8080, InetAddress.getByName("0.0.0.0"), 0);
        table.socketEvent(new Event.SockCounters(header(RecordType.SOCK, 1_000), listening, new Event.SocketCounts(0, 500, 0, 0, 0, 0, 0,
                0, Map.of(), 0, 0, 0, 0, 0, 1, 10, 0, 0, 0, 0, null)));
        Flow listener = table.flows().get(0);
        table.socketEvent(new Event.Handshake(header(RecordType.HANDSHAKE, 2_000), new Event.Tuple(2, lo, 8080, lo, 40000),
                new TcpHandshake(20, 65495, 65495, 7, 7, true, true, false, 1, 2)));
        assertEquals(null, listener.handshake());
        table.socketEvent(new Event.SockCounters(header(RecordType.SOCK, 3_000), new Event.Tuple(2, lo, 8080, lo, 40000),
                new Event.SocketCounts(0, 1_500, 0, 1, 100, 100, 1, 0, Map.of(), 0, 0, 0, 0, 0, 2, 1, 0, 0, 0, 0, null)));
        Flow accepted = table.flows().stream().filter(f -> f != listener).findFirst().orElseThrow();
        assertEquals(false, accepted.handshake().active());
    }

    /** The node's totals add what each read counted since the one before; a read older than that adds nothing. */
    @Test
    void theNodesTotalsAddEachSocketsCountsOnce() throws Exception {
        table.socketEvent(counters(1_000_000, 1_000, 0));
        table.socketEvent(new Event.SockCounters(header(RecordType.SOCK, 2_000_000), tuple(), new Event.SocketCounts(0, 1_000, 0, 3, 300,
                250, 2, 0, Map.of(2L, 1L), 0, 0, 1, 0, 0, 2, 1, 0, 0, 0, 0, null)));
        table.socketEvent(counters(1_500_000, 1_000, 0)); // handed over late
        CounterTotals.Totals t = table.nodeCounts();
        assertEquals(3, t.segments());
        assertEquals(300, t.bytesReceived());
        assertEquals(250, t.bytesDelivered());
        assertEquals(1, t.resetsReceived());
        assertEquals(Map.of("NO_SOCKET", 1L), t.drops());
    }

    /** Long after the close, a record without a cookie is another socket's. */
    @Test
    void aRecordLongAfterTheCloseIsNotTheClosedFlows() throws Exception {
        connectAndClose();
        table.socketEvent(new Event.DataReady(header(RecordType.DATA_READY, 3_000 + 2_000_000_000L), 0, 2, 6));
        assertEquals(2, table.flows().size());
    }
}
