package dev.rxpath.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.rxpath.api.v1.CloseReason;
import dev.rxpath.api.v1.Endpoints;
import dev.rxpath.api.v1.Family;
import dev.rxpath.api.v1.Flow;
import dev.rxpath.api.v1.Handshake;
import dev.rxpath.api.v1.ReceivePath;
import dev.rxpath.api.v1.Stage;
import dev.rxpath.api.v1.StageTime;
import dev.rxpath.api.v1.Task;
import dev.rxpath.api.v1.TcpHeader;
import dev.rxpath.api.v1.Verdict;
import java.time.ZoneOffset;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class CompactFormatTest {
    private static final long ENTERED = 1_714_557_600L; // 2024-05-01T10:00:00Z

    private final CompactFormat plain = new CompactFormat(ZoneOffset.UTC, false);

    @Test
    void deliveredPathWithStagesAndAnInferredRead() {
        ReceivePath path = ReceivePath.newBuilder()
                .setVerdict(Verdict.VERDICT_MERGED)
                .setEndpoints(Endpoints.newBuilder().setFamily(Family.FAMILY_INET)
                        .setRemoteIp("10.0.0.2").setRemotePort(59690).setLocalIp("10.0.0.1").setLocalPort(8080))
                .addStages(stage(Stage.STAGE_DEV, 428_577_000, 0, false))
                .addStages(stage(Stage.STAGE_IP, 428_580_100, 3_100, false))
                .addStages(stage(Stage.STAGE_TCP, 428_582_100, 2_000, false))
                .addStages(stage(Stage.STAGE_USER, 429_266_200, 684_100, true))
                .setTotal(nanos(689_200))
                .setDevice("eth0").setPayload(100).setCopied(100)
                .setReader(Task.newBuilder().setPid(14498).setTid(14500).setComm("java"))
                .setClosedBy(CloseReason.CLOSE_REASON_REUSED)
                .build();
        assertEquals("10:00:00.428577 10.0.0.2:59690 -> 10.0.0.1:8080                 MERGED       689.2us "
                        + "DEV > IP 3.1us > TCP 2.0us > USER* 684.1us  dev=eth0 len=100 copied=100 pid=14498 comm=java closed=reused",
                plain.path(path));
    }

    @Test
    void aReaderInAContainerIsNamedByRuntimeAndShortId() {
        ReceivePath path = ReceivePath.newBuilder().setVerdict(Verdict.VERDICT_DELIVERED)
                .setEndpoints(Endpoints.newBuilder().setFamily(Family.FAMILY_INET)
                        .setRemoteIp("10.0.0.2").setRemotePort(59690).setLocalIp("10.0.0.1").setLocalPort(8080))
                .addStages(stage(Stage.STAGE_DEV, 428_577_000, 0, false))
                .setTotal(nanos(0))
                .setReader(Task.newBuilder().setPid(14498).setComm("nginx").setContainer(dev.rxpath.api.v1.Container.newBuilder()
                        .setRuntime("containerd").setId("c0ffee0123456789abcdef0123456789abcdef0123456789abcdef0123456789")))
                .build();
        assertTrue(plain.path(path).endsWith(" pid=14498 comm=nginx container=containerd://c0ffee012345"), plain.path(path));
        ReceivePath inPod = path.toBuilder().setReader(path.getReader().toBuilder().setContainer(path.getReader().getContainer().toBuilder()
                .setNamespace("shop").setPod("web-0").setName("web"))).build();
        assertTrue(plain.path(inPod).endsWith(" pid=14498 comm=nginx pod=shop/web-0 container=web"), plain.path(inPod));
    }

    @Test
    void resetWithItsReasonAndIpv6Endpoints() {
        ReceivePath path = ReceivePath.newBuilder()
                .setVerdict(Verdict.VERDICT_RESET)
                .setEndpoints(Endpoints.newBuilder().setFamily(Family.FAMILY_INET6)
                        .setRemoteIp("::1").setRemotePort(45588).setLocalIp("::1").setLocalPort(43601))
                .addStages(stage(Stage.STAGE_DEV, 449_487_000, 0, false))
                .addStages(stage(Stage.STAGE_END, 449_500_400, 13_400, false))
                .setTotal(nanos(13_400))
                .setDevice("lo").setReason("NO_SOCKET").setDiedAt(Stage.STAGE_LOOKUP).setDropSite("tcp_v6_rcv+0x4a2")
                .setClosedBy(CloseReason.CLOSE_REASON_END)
                .build();
        assertEquals("10:00:00.449487 [::1]:45588 -> [::1]:43601                      RESET         13.4us DEV > END 13.4us  dev=lo reason=NO_SOCKET at=LOOKUP"
                        + " site=tcp_v6_rcv+0x4a2",
                plain.path(path));
    }

    /** A purge at close shows the segment it was, from its own headers, as tcpdump would. */
    @Test
    void aDropAtCloseShowsItsHeader() {
        ReceivePath path = ReceivePath.newBuilder()
                .setVerdict(Verdict.VERDICT_DROPPED)
                .setEndpoints(Endpoints.newBuilder().setFamily(Family.FAMILY_INET)
                        .setRemoteIp("127.0.0.1").setRemotePort(43985).setLocalIp("127.0.0.1").setLocalPort(54652))
                .addStages(stage(Stage.STAGE_DEV, 0, 0, false))
                .addStages(stage(Stage.STAGE_END, 7_900, 7_900, false))
                .setTotal(nanos(7_900))
                .setTcp(TcpHeader.newBuilder().setFlags(0x11).setSeq((int) 4002076375L).setAck(557867795).setWindow(98))
                .setReason("QUEUE_PURGE").setDiedAt(Stage.STAGE_SOCKET).setAtClose(true).setDropSite("sk_stream_kill_queues+0x57")
                .build();
        assertEquals("10:00:00.000000 127.0.0.1:43985 -> 127.0.0.1:54652              DROPPED        7.9us DEV > END 7.9us "
                        + " [F.] seq=4002076375 ack=557867795 win=98 tcplen=0  reason=QUEUE_PURGE at=SOCKET (at close) site=sk_stream_kill_queues+0x57",
                plain.path(path));
    }

    /** Relative numbers where the agent knew the connection's initial ones, absolute with -S (as tcpdump). */
    @Test
    void sequenceNumbersAreRelativeUnlessAskedForAsSent() {
        ReceivePath path = ReceivePath.newBuilder().setVerdict(Verdict.VERDICT_DELIVERED)
                .addStages(stage(Stage.STAGE_DEV, 0, 0, false)).setTotal(nanos(0))
                .setTcp(TcpHeader.newBuilder().setFlags(0x18).setSeq((int) 3598781899L).setAck(1310629589).setWindow(512).setPayload(100)
                        .setRelativeSeq(101).setRelativeAck(1))
                .build();
        assertTrue(plain.path(path).endsWith(" [P.] seq=101 ack=1 win=512 tcplen=100"), plain.path(path));
        String absolute = new CompactFormat(ZoneOffset.UTC, false, true).path(path);
        assertTrue(absolute.endsWith(" [P.] seq=3598781899 ack=1310629589 win=512 tcplen=100"), absolute);
    }

    /** An accepted connection's handshake: its round trip, the MSS each end offered, the shifts, the options. */
    @Test
    void aFlowShowsItsHandshake() {
        Flow flow = Flow.newBuilder().setEndpoints(Endpoints.newBuilder().setFamily(Family.FAMILY_INET)
                        .setRemoteIp("10.231.0.1").setRemotePort(40000).setLocalIp("10.231.0.2").setLocalPort(8080))
                .setState("ESTABLISHED").setSrttUs(45)
                .setHandshake(Handshake.newBuilder().setRtt(nanos(45_000)).setPeerMss(1460).setMss(1460)
                        .setPeerWscale(7).setWscale(9).setSackOk(true).setTimestamps(true))
                .build();
        String line = plain.flow(flow);
        assertTrue(line.contains(" srtt=45us  handshake=45.0us(accepted) peer-mss=1460 mss=1460 wscale=7/9 sackOK TS "), line);
        String noScaling = plain.flow(flow.toBuilder().setHandshake(flow.getHandshake().toBuilder().clearPeerWscale().clearWscale()
                .setActive(true).setSackOk(false)).build());
        assertTrue(noScaling.contains(" handshake=45.0us(connected) peer-mss=1460 mss=1460 TS "), noScaling);
    }

    @Test
    void aPathWithoutASocketShowsItsSkb() {
        ReceivePath path = ReceivePath.newBuilder().setSkb(0xffff888109d82700L).setVerdict(Verdict.VERDICT_UNTRACED)
                .addStages(stage(Stage.STAGE_DEV, 0, 0, false)).setTotal(nanos(0)).setDevice("lo").build();
        assertEquals("10:00:00.000000 skb=ffff888109d82700                            UNTRACED         0ns DEV  dev=lo", plain.path(path));
    }

    @Test
    void verdictsAreColouredForATerminalOnly() {
        ReceivePath dropped = ReceivePath.newBuilder().setVerdict(Verdict.VERDICT_DROPPED).build();
        assertFalse(plain.path(dropped).contains("\033"));
        String coloured = new CompactFormat(ZoneOffset.UTC, true).path(dropped);
        assertTrue(coloured.contains("\033[31mDROPPED   \033[0m"), coloured);
    }

    /** A payload still unread when the wait ended: the line says how long it waited in the socket. */
    @Test
    void aQueuedPathShowsItsWait() {
        ReceivePath path = ReceivePath.newBuilder()
                .setVerdict(Verdict.VERDICT_QUEUED)
                .setEndpoints(Endpoints.newBuilder().setFamily(Family.FAMILY_INET6)
                        .setRemoteIp("2001:db8::2").setRemotePort(51234).setLocalIp("2001:db8::1").setLocalPort(443))
                .addStages(stage(Stage.STAGE_DEV, 0, 0, false))
                .addStages(stage(Stage.STAGE_SOCKET, 6_000, 6_000, false))
                .setTotal(nanos(1_500_006_000)).setWaiting(nanos(1_500_000_000))
                .setDevice("eth0").setPayload(1000)
                .build();
        assertEquals("10:00:00.000000 [2001:db8::2]:51234 -> [2001:db8::1]:443        QUEUED         1.50s DEV > SOCKET 6.0us > waiting 1.50s"
                + "  dev=eth0 len=1000", plain.path(path));
    }

    /** An address in Java's uncompressed text (as agents before RFC 5952 sent it) reads compressed all the same. */
    @Test
    void ipv6ReadsCompressedWhateverTheAgentSent() {
        ReceivePath path = ReceivePath.newBuilder().setVerdict(Verdict.VERDICT_DELIVERED)
                .setEndpoints(Endpoints.newBuilder().setFamily(Family.FAMILY_INET6)
                        .setRemoteIp("0:0:0:0:0:0:0:1").setRemotePort(45588).setLocalIp("2001:DB8:0:0:1:0:0:1").setLocalPort(43601))
                .addStages(stage(Stage.STAGE_DEV, 0, 0, false)).setTotal(nanos(0))
                .build();
        assertTrue(plain.path(path).contains(" [::1]:45588 -> [2001:db8::1:0:0:1]:43601 "), plain.path(path));
    }

    /** Numbers as the format writes them, not as the default locale would: 12.1us, never 12,1us. */
    @Test
    void theDefaultLocaleChangesNoNumber() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            ReceivePath path = ReceivePath.newBuilder().setVerdict(Verdict.VERDICT_DELIVERED)
                    .addStages(stage(Stage.STAGE_DEV, 0, 0, false))
                    .addStages(stage(Stage.STAGE_USER, 12_100, 12_100, false))
                    .setTotal(nanos(12_100))
                    .build();
            assertTrue(plain.path(path).endsWith(" DELIVERED     12.1us DEV > USER 12.1us"), plain.path(path));
            Flow flow = Flow.newBuilder().setBytesReceived(1536).build();
            assertTrue(plain.flow(flow).contains(" rx=1.5KiB "), plain.flow(flow));
        } finally {
            Locale.setDefault(before);
        }
    }

    private static Duration nanos(long ns) {
        return Duration.newBuilder().setSeconds(ns / 1_000_000_000L).setNanos((int) (ns % 1_000_000_000L)).build();
    }

    private static StageTime.Builder stage(Stage stage, int nanos, long sincePrevious, boolean inferred) {
        return StageTime.newBuilder().setStage(stage).setTime(Timestamp.newBuilder().setSeconds(ENTERED).setNanos(nanos))
                .setSincePrevious(nanos(sincePrevious)).setInferred(inferred);
    }
}
