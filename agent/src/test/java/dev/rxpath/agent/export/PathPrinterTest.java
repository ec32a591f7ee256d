package dev.rxpath.agent.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rxpath.agent.containers.Containers;
import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.event.Stage;
import dev.rxpath.agent.event.TcpHeader;
import dev.rxpath.agent.path.CloseReason;
import dev.rxpath.agent.path.Endpoints;
import dev.rxpath.agent.path.ReceivePath;
import dev.rxpath.agent.path.Verdict;
import dev.rxpath.api.CompactFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** {@code agent --print} writes the line {@code observe -o compact} writes for the same path. */
class PathPrinterTest {
    private static final long T0 = 5_000_000_000L; // a path's first stage, kernel time
    private static final KernelClock CLOCK = new KernelClock(Instant.parse("2024-05-01T10:00:00Z").getEpochSecond() * 1_000_000_000L);
    private static final InetAddress LOOPBACK6 = address("0:0:0:0:0:0:0:1");

    @Test
    void aPathPrintsAsTheCliPrintsItsMessage() {
        ReceivePath delivered = path(Verdict.DELIVERED, List.of(stage(Stage.DEV, 0), stage(Stage.SOCKET, 6_000), stage(Stage.USER, 46_500),
                stage(Stage.END, 60_300)), new Event.Task(14498, 14500, 1, "java"), 100,
                new TcpHeader(0x18, 3598781899L, 1310629589L, 512, 100, 0, -1, false, false, 1, 1), T0 + 60_300);
        assertEquals(entered() + " [::1]:45588 -> [::1]:43601                      DELIVERED     60.3us"
                        + " DEV > SOCKET 6.0us > USER 40.5us > END 13.8us  [P.] seq=1 ack=1 win=512 tcplen=100"
                        + "  dev=lo len=100 copied=100 pid=14498 comm=java",
                printed(delivered));
        assertEquals(cli(delivered), printed(delivered));

        // unread when the wait ended: how long it waited, from SOCKET
        ReceivePath queued = path(Verdict.QUEUED, List.of(stage(Stage.DEV, 0), stage(Stage.SOCKET, 6_000)), null, 0, null,
                T0 + 1_500_006_000L);
        assertEquals(entered() + " [::1]:45588 -> [::1]:43601                      QUEUED         1.50s"
                + " DEV > SOCKET 6.0us > waiting 1.50s  dev=lo len=100", printed(queued));
        assertEquals(cli(queued), printed(queued));
    }

    /** The API's strings are compressed too, and only a QUEUED path carries a wait. */
    @Test
    void theMessageCarriesCompressedAddressesAndTheWait() {
        ApiMessages messages = new ApiMessages(CLOCK, Containers.NONE);
        ReceivePath queued = path(Verdict.QUEUED, List.of(stage(Stage.DEV, 0), stage(Stage.SOCKET, 6_000)), null, 0, null, T0 + 1_006_000);
        dev.rxpath.api.v1.ReceivePath m = messages.path(queued);
        assertEquals("::1", m.getEndpoints().getRemoteIp());
        assertEquals("::1", m.getEndpoints().getLocalIp());
        assertEquals(1_000_000, m.getWaiting().getNanos());
        ReceivePath delivered = path(Verdict.DELIVERED, List.of(stage(Stage.DEV, 0), stage(Stage.SOCKET, 6_000), stage(Stage.USER, 9_000)),
                null, 100, null, T0 + 9_000);
        assertFalse(messages.path(delivered).hasWaiting());
    }

    @Test
    void aGermanLocaleChangesNoNumber() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            ReceivePath p = path(Verdict.DELIVERED, List.of(stage(Stage.DEV, 0), stage(Stage.USER, 12_100)), null, 0, null, T0 + 12_100);
            assertEquals(entered() + " [::1]:45588 -> [::1]:43601                      DELIVERED     12.1us DEV > USER 12.1us  dev=lo len=100",
                    printed(p));
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void aPathNoSocketTookIsPrintedOnlyWithAll() {
        ReceivePath noSocket = new ReceivePath(0xffff888109d82700L, Verdict.UNTRACED, CloseReason.EXPIRED, List.of(stage(Stage.DEV, 0)),
                EnumSet.allOf(Stage.class), "lo", 0, -1, 0, 0, null, 0, 0, null, null, null, null, null, T0);
        assertEquals("", printed(noSocket, false), "nothing to tell it by: left out");
        assertTrue(printed(noSocket, true).contains(" UNTRACED "), printed(noSocket, true));
    }

    private static String printed(ReceivePath p) {
        return printed(p, false);
    }

    private static String printed(ReceivePath p, boolean all) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new PathPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8), CLOCK, Containers.NONE, all, List.of(), List.of(), "node-a").path(p);
        return bytes.toString(StandardCharsets.UTF_8).stripTrailing();
    }

    /** What the CLI prints for the message the API sends. */
    private static String cli(ReceivePath p) {
        return new CompactFormat(ZoneId.systemDefault(), false).path(new ApiMessages(CLOCK, Containers.NONE).path(p));
    }

    /** The first stage's time of day, in the zone the printer runs in. */
    private static String entered() {
        return DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS", Locale.ROOT).withZone(ZoneId.systemDefault()).format(CLOCK.toInstant(T0));
    }

    private static ReceivePath path(Verdict verdict, List<ReceivePath.StageTime> stages, Event.Task reader, long copied, TcpHeader tcp,
                                    long decidedNs) {
        return new ReceivePath(0xffff888109d82700L, verdict, CloseReason.END, stages, EnumSet.allOf(Stage.class), "lo", 0, -1, 0xffff8881L,
                0, new Endpoints(10, LOOPBACK6, 43601, LOOPBACK6, 45588), 100, copied, reader, null, null, null, tcp, decidedNs);
    }

    private static ReceivePath.StageTime stage(Stage stage, long sinceFirstNs) {
        return new ReceivePath.StageTime(stage, T0 + sinceFirstNs, 0, false);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(literal + " is a literal", e);
        }
    }
}
