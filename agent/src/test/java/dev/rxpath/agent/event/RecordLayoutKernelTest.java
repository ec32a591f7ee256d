package dev.rxpath.agent.event;

import dev.rxpath.agent.KernelTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.rxpath.agent.KernelTests;
import dev.rxpath.agent.bcc.BpfModule;
import dev.rxpath.agent.bcc.BpfSource;
import dev.rxpath.agent.maps.SocketMap;
import dev.rxpath.agent.ring.PerfRings;
import dev.rxpath.agent.ring.RecordSink;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Java decoder agrees with bpf/rxpath.h field by field: a BPF program fills one record
 * of every type with known values (src/test/resources/bpf/layout_check.c), the kernel
 * sends them through a real perf ring, and each decodes to exactly those values. A field
 * moved, resized or added on one side only fails here (the size check catches additions).
 */
@KernelTest
class RecordLayoutKernelTest {
    interface C extends Library {
        int getppid();
    }

    @Test
    void everyRecordDecodesToTheValuesTheKernelWrote() throws Exception {
        BpfSource source = BpfSource.packaged("layout_check.c");
        long pid = ProcessHandle.current().pid();
        Map<RecordType, Event> got = new EnumMap<>(RecordType.class);
        EventDecoder decoder = new EventDecoder();
        try (BpfModule module = source.compile("layout_check.c", List.of("-DRX_TEST_TGID=" + pid));
             // watermark 0: wake on every record, the test sends only one of each
             PerfRings rings = PerfRings.open(module, "events", 8, 0)) {
            module.load("tracepoint__syscalls__sys_enter_getppid").attach();
            Native.load("c", C.class).getppid();
            KernelTests.await("one record of every type", 5000, () -> {
                rings.poll(50, sink(decoder, got));
                return got.size() == RecordType.values().length - 1;
            });
            // the counters the programs keep per socket, through the agent's own map pass
            SocketMap sockets = new SocketMap(module, 0);
            sockets.read(sink(decoder, got), 1_000_000L, Integer.MAX_VALUE);
            assertEquals(0, sockets.entries(), "the closed socket's entry was deleted");
            assertEquals(1, sockets.stats().deleted());
        }
        assertEquals(0, decoder.malformed());
        for (RecordType t : RecordType.values()) assertEquals(expected(t), got.get(t), t.name());
    }

    private static RecordSink sink(EventDecoder decoder, Map<RecordType, Event> got) {
        return new RecordSink() {
            @Override
            public void record(int cpu, ByteBuffer b, int off, int len) {
                Event e = decoder.decode(b, off, len);
                assertNotNull(e, "record of type " + EventDecoder.peekType(b, off) + " did not decode (size mismatch)");
                got.put(e.type(), e);
            }

            @Override
            public void lost(int cpu, long count) {}

            @Override
            public void drained(long monotonicNs) {}
        };
    }

    private static Event.Header header(RecordType t) {
        return new Event.Header(t, 0x0102030405060708L, 0xffff888000000000L + t.id, 0xffff888100000000L + t.id, 0x0a0b);
    }

    private static Event.Tuple tuple6() throws Exception {
        byte[] s = new byte[16], d = new byte[16];
        for (int i = 0; i < 16; i++) {
            s[i] = (byte) (0x20 + i);
            d[i] = (byte) (0x40 + i);
        }
        return new Event.Tuple(10, InetAddress.getByAddress(s), 0xa1a2, InetAddress.getByAddress(d), 0xb1b2);
    }

    private static final Event.Task TASK = new Event.Task(0x11121314, 0x15161718, 0x2122232425262728L, "layout-comm");

    private static Event expected(RecordType t) throws Exception {
        Event.Header h = header(t);
        return switch (t) {
            case DEV -> new Event.Dev(h, "veth-layout0", 0x31323334);
            case DEV_META -> new Event.DevMeta(h, "eth-meta", 0x41, 0x42434445, 0x46, 0x47, 0x48, 0x49, 0x86dd, 0x4a, 0x4b, true, 0x4c, true);
            case IP -> new Event.StageEntry(h, 10);
            case TCP -> new Event.StageEntry(h, 2);
            case LOOKUP -> new Event.Lookup(h, tuple6(), true, true);
            case SOCK_QUEUE -> new Event.SockQueue(h, tuple6(), 0x5152535455565758L, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x6263646566676869L);
            case DATA_READY -> new Event.DataReady(h, 0xffffffff81000000L, 2, 6);
            case COPY -> new Event.Copy(h, TASK, -7, 0x7172737475767778L);
            case RECV -> new Event.Recv(h, TASK, 0x71, 0x72, 10, 6, 0x7a7b7c7d7e7f8081L);
            case CONSUME -> new Event.Consume(h, 0xffffffff82000000L);
            case DROP -> new Event.Drop(h, 0xffffffff83000000L, 0x81, 0x0800);
            case RESET_SENT -> new Event.ResetSent(h, tuple6(), 0x91, 0x92);
            case RESET_RECV -> new Event.ResetReceived(h, tuple6(), 0x93);
            case RETRANSMIT -> new Event.Retransmit(h, tuple6(), 0x94, -0x95);
            case STATE -> new Event.StateChange(h, tuple6(), 0x96, 0x97);
            case SEGMENT -> new Event.Segment(h, tuple6(), new TcpHeader(0x12, 0xf1f2f3f4L, 0xf5f6f7f8L, 0xf9fa, 0x0fb0, 0xfcfd, 7, false, true),
                    Event.Segment.AT_RESET);
            case HANDSHAKE -> new Event.Handshake(h, tuple6(), new TcpHandshake(0xe1e2e3e4L, 0xe5e6, 0xe7e8, 9, 14, true, false, true,
                    0xd1d2d3d4L, 0xd5d6d7d8L));
            case LISTEN_FULL -> new Event.ListenFull(h, 0xc1c2c3c4L, 0xc5c6c7c8L);
            case SOCK -> new Event.SockCounters(new Event.Header(t, 1_000_000L, 0, 0xffff888100000010L, SocketMap.CPU), tuple6(),
                    new Event.SocketCounts(0xc1c2c3c4c5c6c7c8L, 0x0102, 0x0103, 0xd1, 0xd2d3d4d5d6L, 0xd7d8d9, 0xda, 0xdb, Map.of(3L, 0xe1L, 0x1002L, 0xe2L),
                    0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 7, 0xe9, 0xea, 0xeb, 0xec, TASK));
        };
    }
}
