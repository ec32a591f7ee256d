package dev.rxpath.agent.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the running kernel's {@code struct sk_buff} keeps what a program needs to find a
 * segment's IP header (the TCP header follows it) and the socket that owns it, in bytes,
 * from its BTF. Compiled into the programs as
 * constants; with no layout (no BTF) they read no headers.
 */
public record SkbLayout(int head, int data, int networkHeader, int sk) {

    /** The running kernel's layout, or an IOException saying why there is none. */
    public static SkbLayout read(Path vmlinuxBtf, String release) throws IOException {
        if (!Files.isRegularFile(vmlinuxBtf)) {
            throw new IOException("kernel " + release + " has no BTF (" + vmlinuxBtf + "): CONFIG_DEBUG_INFO_BTF is off");
        }
        return of(KernelBtf.read(vmlinuxBtf));
    }

    static SkbLayout of(KernelBtf btf) throws IOException {
        int head = offset(btf, "head", 8), data = offset(btf, "data", 8);
        return new SkbLayout(head, data, offset(btf, "network_header", 2), offset(btf, "sk", 8));
    }

    private static int offset(KernelBtf btf, String member, int size) throws IOException {
        KernelBtf.Member m = btf.member("sk_buff", member)
                .orElseThrow(() -> new IOException("the kernel's BTF has no struct sk_buff member " + member));
        if (m.size() != size) {
            throw new IOException("struct sk_buff member " + member + " is " + m.size() + " bytes in the kernel's BTF, not " + size);
        }
        return m.offset();
    }

    public List<String> cflags() {
        return List.of("-DRX_SKB_HEAD=" + head, "-DRX_SKB_DATA=" + data, "-DRX_SKB_NETWORK_HEADER=" + networkHeader,
                "-DRX_SKB_SK=" + sk);
    }

    @Override
    public String toString() {
        return "sk_buff head@" + head + " data@" + data + " network_header@" + networkHeader + " sk@" + sk;
    }
}
