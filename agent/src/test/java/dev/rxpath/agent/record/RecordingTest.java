package dev.rxpath.agent.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rxpath.agent.event.RecordType;
import dev.rxpath.agent.ring.RecordSink;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recording format over a real recording: it survives a re-record byte for byte, and bad files are refused clearly. */
class RecordingTest {
    private static final Path REAL = Path.of("src/test/resources/recordings/loopback.rxrec.gz");

    /** Counts frames, or passes them on. */
    private static final class Counting implements RecordSink {
        long records, drains;
        final RecordSink next;

        Counting(RecordSink next) {
            this.next = next;
        }

        @Override
        public void record(int cpu, ByteBuffer buffer, int offset, int length) {
            records++;
            if (next != null) next.record(cpu, buffer, offset, length);
        }

        @Override
        public void lost(int cpu, long count) {
            if (next != null) next.lost(cpu, count);
        }

        @Override
        public void drained(long monotonicNs) {
            drains++;
            if (next != null) next.drained(monotonicNs);
        }
    }

    @Test
    void reRecordingAReplayGivesTheSameFile(@TempDir Path dir) throws Exception {
        Recording original = Recording.load(REAL);
        Path copy = dir.resolve("copy.rxrec.gz");
        Counting counted = new Counting(null);
        try (Recorder recorder = Recording.record(copy, original.header(), counted)) {
            original.replay(recorder);
        }
        assertTrue(counted.records > 100 && counted.drains > 10, counted.records + " records");
        assertEquals(original.header(), Recording.load(copy).header());
        assertArrayEquals(ungzip(REAL), ungzip(copy));
    }

    @Test
    void aRecordingCutShortReplaysUpToItsLastWholeFrame(@TempDir Path dir) throws Exception {
        byte[] whole = ungzip(REAL);
        Path cut = dir.resolve("cut.rxrec");
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 5));
        Counting all = new Counting(null), some = new Counting(null);
        Recording.load(REAL).replay(all);
        long frames = Recording.load(cut).replay(some);
        assertTrue(some.records + some.drains < all.records + all.drains && frames > 0, "replayed " + frames);
    }

    @Test
    void aFileThatIsNotARecordingIsRefused(@TempDir Path dir) throws Exception {
        Path notOne = dir.resolve("x.rxrec");
        Files.writeString(notOne, "hello, this is not a recording at all");
        RecordingException e = assertThrows(RecordingException.class, () -> Recording.load(notOne));
        assertTrue(e.getMessage().contains("is not an rxpath recording"), e.getMessage());
    }

    @Test
    void aRecordingWithAnotherRecordLayoutIsRefusedNamingBoth(@TempDir Path dir) {
        RecordingHeader real = Recording.load(REAL).header();
        Map<Integer, Integer> layout = new HashMap<>(real.layout());
        layout.put(RecordType.SOCK_QUEUE.id, RecordType.SOCK_QUEUE.size + 8);
        Path other = dir.resolve("other.rxrec");
        Recording.record(other, new RecordingHeader(real.kernelRelease(), real.abiVersion(), layout, real.wallMinusMonoNs(),
                real.names(), real.hooks()), new Counting(null)).close();
        RecordingException e = assertThrows(RecordingException.class, () -> Recording.load(other));
        assertTrue(e.getMessage().contains("6=128") && e.getMessage().contains("6=136"), e.getMessage());
    }

    /** The fixture predates RX_SEGMENT: a layout that is a part of this agent's still replays. */
    @Test
    void aRecordingMadeBeforeARecordTypeWasAddedStillReplays() {
        Recording old = Recording.load(REAL);
        assertFalse(old.header().layout().containsKey(RecordType.SEGMENT.id), "the fixture has no segment records");
        Counting counted = new Counting(null);
        old.replay(counted);
        assertTrue(counted.records > 100, counted.records + " records");
    }

    private static byte[] ungzip(Path file) throws Exception {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }
}
