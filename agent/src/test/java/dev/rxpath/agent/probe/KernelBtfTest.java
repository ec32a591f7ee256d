package dev.rxpath.agent.probe;

import dev.rxpath.agent.KernelTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

@KernelTest
class KernelBtfTest {
    private static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

    /**
     * A blob laid out as the kernel's: members found through an anonymous union of an
     * anonymous struct (as sk_buff groups its headers), through typedefs, past an enum and a
     * function prototype (entries of other lengths); a bitfield is not a member one can read.
     */
    @Test
    void membersAreFoundThroughAnonymousUnionsAndTypedefs() throws Exception {
        Blob b = new Blob();
        int u16 = b.type("unsigned short", 1, 0, 2, new int[] {16});      // 1 INT, 2 bytes
        int byteT = b.type("unsigned char", 1, 0, 1, new int[] {8});       // 2 INT
        int ptr = b.type(null, 2, 0, byteT, new int[0]);                   // 3 PTR
        int typedef = b.type("__u16", 8, 0, u16, new int[0]);              // 4 TYPEDEF
        b.type("e", 6, 2, 4, new int[] {b.str("A"), 0, b.str("B"), 1});    // 5 ENUM: 8 bytes per value
        b.type(null, 13, 1, 0, new int[] {0, u16});                        // 6 FUNC_PROTO: 8 bytes per param
        int inner = b.type(null, 4, 2, 4, new int[] {b.str("transport_header"), typedef, 0, b.str("network_header"), u16, 16});
        int union = b.type(null, 5, 1, 4, new int[] {0, inner, 0});        // union { struct { … }; }
        b.type("sk_buff", 4 | 0x80, 4, 24, new int[] {                      // kind_flag: bitfield offsets
                b.str("next"), ptr, 0,
                0, union, 64,                                              // the anonymous union at byte 8
                b.str("cloned"), byteT, (1 << 24) | 96,                    // a 1-bit field
                b.str("head"), ptr, 128});
        KernelBtf btf = KernelBtf.parse(b.bytes(), "test blob");
        assertEquals(Optional.of(new KernelBtf.Member(0, 8)), btf.member("sk_buff", "next"));
        assertEquals(Optional.of(new KernelBtf.Member(8, 2)), btf.member("sk_buff", "transport_header"));
        assertEquals(Optional.of(new KernelBtf.Member(10, 2)), btf.member("sk_buff", "network_header"));
        assertEquals(Optional.of(new KernelBtf.Member(16, 8)), btf.member("sk_buff", "head"));
        assertEquals(Optional.empty(), btf.member("sk_buff", "cloned"), "a bitfield");
        assertEquals(Optional.of(new KernelBtf.Bits(96, 1)), btf.bits("sk_buff", "cloned"));
        assertEquals(Optional.empty(), btf.bits("sk_buff", "head"), "not a bitfield");
        assertEquals(Optional.empty(), btf.member("sk_buff", "data"));
        assertEquals(Optional.empty(), btf.member("sock", "next"));
        IOException noData = assertThrows(IOException.class, () -> StructOffsets.of(btf));
        assertEquals("the kernel's BTF has no struct sk_buff member data", noData.getMessage());
    }

    @Test
    void aFileThatIsNotBtfIsRefused() {
        IOException e = assertThrows(IOException.class, () -> KernelBtf.parse(ByteBuffer.wrap(new byte[64]), "x"));
        assertEquals("x is not BTF (no 0xeB9F magic)", e.getMessage());
    }

    @Test
    void aKernelWithoutBtfHasNoLayoutAndSaysWhy() {
        IOException e = assertThrows(IOException.class, () -> StructOffsets.read(Path.of("/nonexistent/vmlinux"), "5.4.0"));
        assertEquals("kernel 5.4.0 has no BTF (/nonexistent/vmlinux): CONFIG_DEBUG_INFO_BTF is off", e.getMessage());
    }

    /** Without BTF nothing is guessed: no offsets are compiled in, and the reason is kept for the probe table. */
    @Test
    void aProbeWithoutBtfCompilesNoOffsets() {
        KernelProbe probe = KernelProbe.scan(List.of(Path.of("/sys/kernel/tracing")), Path.of("/nonexistent/kprobe"),
                Path.of("/nonexistent/vmlinux"), Path.of("/proc/kallsyms"), EnumSet.allOf(Mechanism.class));
        assertTrue(probe.structOffsets().isEmpty());
        assertTrue(probe.structOffsetsMissing().endsWith("has no BTF (/nonexistent/vmlinux): CONFIG_DEBUG_INFO_BTF is off"),
                probe.structOffsetsMissing());
        assertTrue(probe.cflags().stream().noneMatch(f -> f.startsWith("-DRX_SKB_") || f.startsWith("-DRX_TP_")), probe.cflags().toString());
        assertTrue(KernelProbe.scan().cflags().contains("-DRX_SKB_HEAD=" + KernelProbe.scan().structOffsets().orElseThrow().offset("RX_SKB_HEAD")));
    }

    /** The running kernel's offsets, against pahole's reading of the same BTF: every member the programs read. */
    @Test
    void theRunningKernelsOffsetsArePaholes() throws Exception {
        assertTrue(Files.isReadable(VMLINUX), "this machine's kernel has BTF");
        Map<String, Map<String, Integer>> pahole = new HashMap<>();
        Map<String, Integer> expected = new LinkedHashMap<>();
        for (StructOffsets.Read r : StructOffsets.READS) {
            int bits = pahole.computeIfAbsent(r.struct(), KernelBtfTest::pahole).get(r.member());
            if (r.inner() != null) bits += pahole.computeIfAbsent(r.inner(), KernelBtfTest::pahole).get(r.innerMember());
            expected.put(r.define(), bits / 8);
        }
        int rxOpt = pahole.get("tcp_sock").get("rx_opt");
        Map<String, Integer> opt = pahole("tcp_options_received");
        StructOffsets read = StructOffsets.read(VMLINUX, "running");
        assertEquals(expected, read.offsets());
        assertEquals(Map.of("snd_wscale", new KernelBtf.Bits(rxOpt + opt.get("snd_wscale"), 4),
                "rcv_wscale", new KernelBtf.Bits(rxOpt + opt.get("rcv_wscale"), 4), "wscale_ok", new KernelBtf.Bits(rxOpt + opt.get("wscale_ok"), 1),
                "sack_ok", new KernelBtf.Bits(rxOpt + opt.get("sack_ok"), 3), "tstamp_ok", new KernelBtf.Bits(rxOpt + opt.get("tstamp_ok"), 1)),
                read.bits());
    }

    /** Member name → bit offset, from the comment pahole prints after each member: its byte, and its bit for a bitfield. */
    private static Map<String, Integer> pahole(String struct) {
        String text;
        try {
            Process pahole = new ProcessBuilder("pahole", "-C", struct, VMLINUX.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            text = new String(pahole.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, pahole.waitFor(), text);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("pahole -C " + struct, e);
        }
        Map<String, Integer> offsets = new HashMap<>();
        Matcher m = Pattern.compile("[*\\s](\\w+)(?:\\[\\d+\\])?(?::\\d+)?;\\s+/\\*\\s+(\\d+)(?::\\s*(\\d+))?\\s").matcher(text);
        while (m.find()) offsets.putIfAbsent(m.group(1), Integer.parseInt(m.group(2)) * 8 + (m.group(3) == null ? 0 : Integer.parseInt(m.group(3))));
        return offsets;
    }

    /** Builds a little-endian BTF blob: header, types, strings. */
    private static final class Blob {
        private final ByteArrayOutputStream types = new ByteArrayOutputStream(), strings = new ByteArrayOutputStream();
        private int next = 1;

        Blob() {
            strings.write(0);
        }

        int str(String s) {
            int at = strings.size();
            strings.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            strings.write(0);
            return at;
        }

        /** One btf_type (kind may carry 0x80: kind_flag) and its trailing words; returns its id. */
        int type(String name, int kind, int vlen, int sizeOrType, int[] trailing) {
            int flag = (kind & 0x80) != 0 ? 1 << 31 : 0;
            ByteBuffer t = ByteBuffer.allocate(12 + 4 * trailing.length).order(ByteOrder.LITTLE_ENDIAN);
            t.putInt(name == null ? 0 : str(name)).putInt(flag | (kind & 0x1f) << 24 | vlen).putInt(sizeOrType);
            for (int w : trailing) t.putInt(w);
            types.writeBytes(t.array());
            return next++;
        }

        ByteBuffer bytes() {
            ByteBuffer b = ByteBuffer.allocate(24 + types.size() + strings.size()).order(ByteOrder.LITTLE_ENDIAN);
            b.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24)
                    .putInt(0).putInt(types.size()).putInt(types.size()).putInt(strings.size());
            b.put(types.toByteArray()).put(strings.toByteArray());
            return b.flip();
        }
    }
}
