package dev.rxpath.agent.record;

import dev.rxpath.agent.probe.Hook;
import dev.rxpath.agent.probe.HookStatus;
import dev.rxpath.agent.probe.Mechanism;
import dev.rxpath.agent.probe.KernelNames;
import dev.rxpath.agent.probe.KernelSymbols;
import dev.rxpath.agent.ring.Frames;
import dev.rxpath.agent.ring.RecordSink;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The raw record stream as the rings delivered it, in a file: a header
 * ({@link RecordingHeader}) then {@link Frames}, each a record (CPU and its bytes exactly as
 * the kernel wrote them), a LOST count, or a DRAINED mark (every ring read through this
 * instant), so a replay reorders and expires exactly as the live agent did. A name ending
 * in .gz is gzip-compressed.
 */
public final class Recording {
    private static final byte[] MAGIC = "rxpath-recording\n".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT = 2;

    private final RecordingHeader header;
    private final ByteBuffer frames;

    private Recording(RecordingHeader header, ByteBuffer frames) {
        this.header = header;
        this.frames = frames;
    }

    public RecordingHeader header() {
        return header;
    }

    /** Writes the header, then every record, loss and drain mark that passes on to {@code next}. */
    public static Recorder record(Path file, RecordingHeader header, RecordSink next) {
        try {
            OutputStream raw = Files.newOutputStream(file);
            if (file.toString().endsWith(".gz")) raw = new GZIPOutputStream(raw, 1 << 16);
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16));
            out.write(MAGIC);
            out.writeInt(FORMAT);
            out.writeUTF(header.kernelRelease());
            out.writeInt(header.abiVersion());
            out.writeLong(header.wallMinusMonoNs());
            out.writeInt(header.layout().size());
            for (Map.Entry<Integer, Integer> e : new TreeMap<>(header.layout()).entrySet()) { // sorted: the same header, the same bytes
                out.writeShort(e.getKey());
                out.writeInt(e.getValue());
            }
            writeNames(out, header.names().dropReasons());
            writeNames(out, header.names().resetReasons());
            writeNames(out, header.names().tcpStates());
            out.writeInt(header.hooks().size());
            for (HookStatus s : header.hooks()) {
                out.writeUTF(s.hook().name());
                out.writeUTF(s.attached() ? s.mechanism().name() : "");
                out.writeUTF(s.reason());
            }
            return new Recorder(file, out, next);
        } catch (IOException e) {
            throw new RecordingException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void writeNames(DataOutputStream out, Map<Long, String> names) throws IOException {
        out.writeInt(names.size());
        for (Map.Entry<Long, String> e : new TreeMap<>(names).entrySet()) {
            out.writeLong(e.getKey());
            out.writeUTF(e.getValue());
        }
    }

    /** Reads a whole recording into memory and checks that this agent decodes its layout. */
    public static Recording load(Path file) {
        byte[] bytes;
        try (InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(Files.newInputStream(file), 1 << 16)
                : Files.newInputStream(file)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new RecordingException("cannot read " + file + ": " + e.getMessage(), e);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            if (!Arrays.equals(magic, MAGIC)) throw new RecordingException(file + " is not an rxpath recording");
            int format = b.getInt();
            if (format != FORMAT) throw new RecordingException(file + " has recording format " + format + "; this agent reads " + FORMAT);
            String kernel = utf(b);
            int abi = b.getInt();
            long clock = b.getLong();
            Map<Integer, Integer> layout = new HashMap<>();
            for (int i = b.getInt(); i > 0; i--) layout.put((int) b.getShort(), b.getInt());
            // the code addresses are the recording kernel's: without its symbols they stay numbers
            KernelNames names = new KernelNames(names(b), names(b), names(b), KernelSymbols.NONE);
            List<HookStatus> hooks = new ArrayList<>();
            for (int i = b.getInt(); i > 0; i--) {
                Hook hook = Hook.valueOf(utf(b));
                String mechanism = utf(b);
                hooks.add(new HookStatus(hook, mechanism.isEmpty() ? null : Mechanism.valueOf(mechanism), utf(b)));
            }
            RecordingHeader header = new RecordingHeader(kernel, abi, layout, clock, names, hooks);
            header.requireCompatible();
            return new Recording(header, b.slice());
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new RecordingException(file + ": truncated or corrupt header", e);
        }
    }

    private static Map<Long, String> names(ByteBuffer b) {
        Map<Long, String> names = new HashMap<>();
        for (int i = b.getInt(); i > 0; i--) names.put(b.getLong(), utf(b));
        return names;
    }

    /** DataOutput's modified UTF-8 with a u16 length; rxpath only writes ASCII names in it. */
    private static String utf(ByteBuffer b) {
        byte[] s = new byte[b.getShort() & 0xffff];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    /**
     * Hands every frame to {@code sink} as the rings did. A recording cut short (the
     * agent killed mid-write) replays up to its last whole frame; returns the frames replayed.
     */
    public long replay(RecordSink sink) {
        try {
            return Frames.replay(frames.duplicate().order(ByteOrder.BIG_ENDIAN), frames.duplicate().order(ByteOrder.LITTLE_ENDIAN), sink);
        } catch (Frames.CorruptException e) {
            throw new RecordingException(e.getMessage(), e);
        }
    }
}
