package dev.rxpath.agent.probe;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The running kernel's own description of its types ({@code /sys/kernel/btf/vmlinux}), read
 * just far enough to find where a struct keeps a member. The programs may not take struct
 * layouts from the headers bcc compiles against (they need not match the running kernel);
 * offsets read here are the running kernel's, which is how CO-RE tools stay correct across
 * kernels. The format is the kernel's Documentation/bpf/btf.rst: a header, a type section of
 * variable-length entries numbered from 1, and a string section.
 */
public final class KernelBtf {
    private static final int MAGIC = 0xeB9F;
    private static final int KIND_INT = 1, KIND_PTR = 2, KIND_ARRAY = 3, KIND_STRUCT = 4, KIND_UNION = 5, KIND_ENUM = 6,
            KIND_TYPEDEF = 8, KIND_VOLATILE = 9, KIND_CONST = 10, KIND_RESTRICT = 11, KIND_FUNC_PROTO = 13, KIND_VAR = 14,
            KIND_DATASEC = 15, KIND_DECL_TAG = 17, KIND_TYPE_TAG = 18, KIND_ENUM64 = 19;

    /** Where a member lives in its struct, in bytes. */
    public record Member(int offset, int size) {}

    private final ByteBuffer buf;
    private final int strings;
    /** Type id → position of its btf_type in buf; id 0 is void. */
    private final int[] typeAt;
    private Map<String, Integer> structs;

    private KernelBtf(ByteBuffer buf, int strings, int[] typeAt) {
        this.buf = buf;
        this.strings = strings;
        this.typeAt = typeAt;
    }

    /** Reads a BTF blob; an IOException names what is wrong with it. */
    public static KernelBtf read(Path file) throws IOException {
        return parse(ByteBuffer.wrap(Files.readAllBytes(file)), file.toString());
    }

    static KernelBtf parse(ByteBuffer buf, String name) throws IOException {
        buf.order(ByteOrder.LITTLE_ENDIAN);
        if (buf.remaining() < 24 || (buf.getShort(0) & 0xffff) != MAGIC) {
            buf.order(ByteOrder.BIG_ENDIAN);
            if (buf.remaining() < 24 || (buf.getShort(0) & 0xffff) != MAGIC) throw new IOException(name + " is not BTF (no 0xeB9F magic)");
        }
        int hdrLen = buf.getInt(4), typeOff = buf.getInt(8), typeLen = buf.getInt(12), strOff = buf.getInt(16), strLen = buf.getInt(20);
        int types = hdrLen + typeOff, end = types + typeLen, strings = hdrLen + strOff;
        if (end > buf.limit() || strings + strLen > buf.limit()) throw new IOException(name + " is truncated");
        List<Integer> at = new ArrayList<>(List.of(0));
        for (int p = types; p < end; ) {
            at.add(p);
            int info = buf.getInt(p + 4), vlen = info & 0xffff, kind = (info >>> 24) & 0x1f;
            p += 12 + switch (kind) {
                case KIND_INT, KIND_VAR, KIND_DECL_TAG -> 4;
                case KIND_ARRAY -> 12;
                case KIND_STRUCT, KIND_UNION, KIND_DATASEC, KIND_ENUM64 -> 12 * vlen;
                case KIND_ENUM, KIND_FUNC_PROTO -> 8 * vlen;
                default -> 0;
            };
        }
        return new KernelBtf(buf, strings, at.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * Where {@code struct structName} keeps {@code member}, looking through the anonymous
     * unions and structs the kernel groups members in; empty when the kernel's struct has no
     * such member (or no such struct), or it is a bitfield.
     */
    public Optional<Member> member(String structName, String member) {
        return find(structName, member).filter(f -> f.bitfield == 0 && f.bitOffset % 8 == 0)
                .map(f -> new Member(f.bitOffset / 8, size(f.type)));
    }

    /** A bitfield member: where its bits start (from the struct's first byte, little-endian) and how many. */
    public record Bits(int bitOffset, int width) {}

    /** Where {@code struct structName} keeps the bitfield {@code member}; empty when it has none of that name. */
    public Optional<Bits> bits(String structName, String member) {
        return find(structName, member).filter(f -> f.bitfield > 0).map(f -> new Bits(f.bitOffset, f.bitfield));
    }

    private record Found(int bitOffset, int bitfield, int type) {}

    private Optional<Found> find(String structName, String member) {
        Integer id = structs().get(structName);
        return id == null ? Optional.empty() : find(id, member, 0);
    }

    /** Named structs by name (the first of a name), indexed once: a kernel has over 100,000 types. */
    private Map<String, Integer> structs() {
        if (structs == null) {
            structs = new HashMap<>();
            for (int id = 1; id < typeAt.length; id++) {
                if (kind(id) == KIND_STRUCT && buf.getInt(typeAt[id]) != 0) structs.putIfAbsent(name(id), id);
            }
        }
        return structs;
    }

    private Optional<Found> find(int structId, String member, int baseBits) {
        int p = typeAt[structId], info = buf.getInt(p + 4), vlen = info & 0xffff;
        boolean bitfields = info < 0; // kind_flag: offsets carry a bitfield size in their top byte
        for (int i = 0; i < vlen; i++) {
            int m = p + 12 + 12 * i, nameOff = buf.getInt(m), type = buf.getInt(m + 4), offset = buf.getInt(m + 8);
            int bits = baseBits + (bitfields ? offset & 0xffffff : offset), width = bitfields ? offset >>> 24 : 0;
            if (nameOff == 0 && width == 0) {
                int inner = resolve(type);
                if (kind(inner) == KIND_STRUCT || kind(inner) == KIND_UNION) {
                    Optional<Found> found = find(inner, member, bits);
                    if (found.isPresent()) return found;
                }
            } else if (nameOff != 0 && string(nameOff).equals(member)) {
                return Optional.of(new Found(bits, width, type));
            }
        }
        return Optional.empty();
    }

    /** The type behind typedefs and qualifiers. */
    private int resolve(int id) {
        while (id != 0) {
            int k = kind(id);
            if (k != KIND_TYPEDEF && k != KIND_VOLATILE && k != KIND_CONST && k != KIND_RESTRICT && k != KIND_TYPE_TAG) return id;
            id = buf.getInt(typeAt[id] + 8);
        }
        return 0;
    }

    private int size(int id) {
        int t = resolve(id);
        return switch (kind(t)) {
            case KIND_PTR -> 8;
            case KIND_ARRAY -> {
                int arr = typeAt[t] + 12;
                yield size(buf.getInt(arr)) * buf.getInt(arr + 8);
            }
            case 0 -> 0;
            default -> buf.getInt(typeAt[t] + 8);
        };
    }

    private int kind(int id) {
        return id == 0 ? 0 : (buf.getInt(typeAt[id] + 4) >>> 24) & 0x1f;
    }

    private String name(int id) {
        return string(buf.getInt(typeAt[id]));
    }

    private String string(int off) {
        int start = strings + off, end = start;
        while (buf.get(end) != 0) end++;
        return new String(buf.array(), start, end - start, StandardCharsets.UTF_8);
    }
}
