package dev.rxpath.agent.probe;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The running kernel's code symbols from /proc/kallsyms, to name a code address the way
 * dropwatch and pwru do: "tcp_v4_rcv+0x4a2", "nft_do_chain+0x1c [nf_tables]". Text symbols
 * only, sorted by address, their names packed in one array (a kernel has over 100,000).
 * Empty where kallsyms cannot be read or hides its addresses (kptr_restrict shows every one
 * as 0): then an address stays a number.
 */
public final class KernelSymbols {
    public static final KernelSymbols NONE = new KernelSymbols(new long[0], new byte[0], new int[] {0});
    /** Past this distance from the symbol below it, an address is not taken to be inside that symbol. */
    private static final long MAX_OFFSET = 1 << 20;

    private final long[] addresses;
    private final byte[] names;
    private final int[] starts; // name i is names[starts[i], starts[i + 1])

    private KernelSymbols(long[] addresses, byte[] names, int[] starts) {
        this.addresses = addresses;
        this.names = names;
        this.starts = starts;
    }

    public static KernelSymbols load(Path kallsyms) {
        try (BufferedReader r = Files.newBufferedReader(kallsyms, StandardCharsets.US_ASCII)) {
            return parse(r.lines().toList());
        } catch (IOException | UncheckedIOException e) {
            return NONE; // unreadable: drop sites stay numbers
        }
    }

    /** Lines as /proc/kallsyms prints them: "ffffffff81c3e0a0 T tcp_v4_rcv", "ffffffffc0a01000 t nft_do_chain\t[nf_tables]". */
    static KernelSymbols parse(List<String> lines) {
        record Symbol(long address, String name) {}
        List<Symbol> text = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split("\\s+");
            if (f.length < 3 || !(f[1].equals("t") || f[1].equals("T"))) continue;
            long address = Long.parseUnsignedLong(f[0], 16);
            if (address == 0) continue; // hidden (kptr_restrict)
            text.add(new Symbol(address, f.length > 3 ? f[2] + " " + f[3] : f[2]));
        }
        if (text.isEmpty()) return NONE;
        text.sort(Comparator.comparingLong(Symbol::address));
        long[] addresses = new long[text.size()];
        int[] starts = new int[text.size() + 1];
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < text.size(); i++) {
            addresses[i] = text.get(i).address();
            starts[i] = all.length();
            all.append(text.get(i).name());
        }
        starts[text.size()] = all.length();
        return new KernelSymbols(addresses, all.toString().getBytes(StandardCharsets.US_ASCII), starts);
    }

    public boolean isEmpty() {
        return addresses.length == 0;
    }

    /** "function+0xoffset [module]" for a code address; the address in hex where no symbol covers it; null for 0. */
    public String site(long address) {
        if (address == 0) return null;
        int i = Arrays.binarySearch(addresses, address);
        if (i < 0) i = -i - 2; // the symbol at or below it
        long offset = i < 0 ? -1 : address - addresses[i];
        if (offset < 0 || offset > MAX_OFFSET) return String.format(Locale.ROOT, "0x%x", address);
        String name = new String(names, starts[i], starts[i + 1] - starts[i], StandardCharsets.US_ASCII);
        int module = name.indexOf(' ');
        String at = String.format(Locale.ROOT, "+0x%x", offset);
        return module < 0 ? name + at : name.substring(0, module) + at + name.substring(module);
    }
}
