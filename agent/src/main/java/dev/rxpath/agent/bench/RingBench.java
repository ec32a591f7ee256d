package dev.rxpath.agent.bench;

import dev.rxpath.agent.bcc.BpfModule;
import dev.rxpath.agent.bcc.BpfSource;
import dev.rxpath.agent.event.EventDecoder;
import dev.rxpath.agent.probe.Hook;
import dev.rxpath.agent.probe.Mechanism;
import dev.rxpath.agent.probe.ReceiveHooks;
import dev.rxpath.agent.ring.PerfRings;
import dev.rxpath.agent.ring.RecordSink;
import dev.rxpath.agent.maps.SubmitCounters;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Floods loopback with UDP for a bounded time while bpf/receive.c's bench program submits
 * {@code --copies} records per packet, and prints what the kernel offered, what the reader
 * received and lost, and the reader's CPU.
 */
@Command(name = "ring", mixinStandardHelpOptions = true,
        description = "Perf-ring throughput: kernel records/s offered, received/s, lost, reader CPU.")
final class RingBench implements Callable<Integer> {
    @Option(names = "--seconds", description = "How long to flood (default: ${DEFAULT-VALUE}).")
    int seconds = 10;

    @Option(names = "--copies", description = "Records submitted per received packet (default: ${DEFAULT-VALUE}).")
    int copies = 20;

    @Option(names = "--pages", description = "Ring pages per CPU (default: ${DEFAULT-VALUE}).")
    int pages = 1024;

    @Option(names = "--watermark", description = "Wakeup watermark in bytes; 0 wakes per record (default: ${DEFAULT-VALUE}).")
    int watermark = 64 * 1024;

    @Option(names = "--decode", description = "Decode every record into a typed event, as the agent does.")
    boolean decode;

    @Override
    public Integer call() throws Exception {
        BpfSource source = BpfSource.packaged();
        try (BpfModule module = source.compile(ReceiveHooks.SOURCE, List.of("-DRX_BENCH=" + copies))) {
            module.load(Hook.NETIF_RECEIVE_SKB.functions(Mechanism.TRACEPOINT).get(0)).attach();
            SubmitCounters counters = new SubmitCounters(module);
            try (PerfRings rings = PerfRings.open(module, ReceiveHooks.EVENTS_TABLE, pages, watermark)) {
                EventDecoder decoder = new EventDecoder();
                long[] decoded = new long[1];
                RecordSink sink = new RecordSink() {
                    @Override
                    public void record(int cpu, ByteBuffer b, int off, int len) {
                        if (decode && decoder.decode(b, off, len) != null) decoded[0]++;
                    }

                    @Override
                    public void lost(int cpu, long count) {}

                    @Override
                    public void drained(long monotonicNs) {}
                };
                AtomicBoolean running = new AtomicBoolean(true);
                Thread reader = new Thread(() -> {
                    while (running.get()) rings.poll(100, sink);
                }, "bench-reader");
                reader.start();
                SubmitCounters.Totals before = counters.read();
                long received0 = rings.received();
                ProcessCpu cpu = new ProcessCpu(reader);
                long t0 = System.nanoTime();
                long packets = flood(seconds);
                double elapsed = (System.nanoTime() - t0) / 1e9;
                double readerCpu = cpu.threadPercent(), processCpu = cpu.processPercent();
                Thread.sleep(300); // let the reader drain what the flood left in the rings
                running.set(false);
                reader.join();
                rings.drain(sink);
                SubmitCounters.Totals after = counters.read();
                long offered = after.submitted() - before.submitted() + after.failed() - before.failed();
                long received = rings.received() - received0;
                long lost = after.failed() - before.failed(); // the kernel's count; LOST records report the same
                long lostReported = rings.lost();
                System.out.printf(Locale.ROOT, "bench ring: %d s, %d copies per packet, %d pages per CPU x %d CPUs, watermark %d B%s%n",
                        seconds, copies, pages, rings.cpuCount(), watermark, decode ? ", decoding" : "");
                System.out.printf(Locale.ROOT, "  packets sent        %,d (%,.0f/s)%n", packets, packets / elapsed);
                System.out.printf(Locale.ROOT, "  kernel records/s    %,.0f%n", offered / elapsed);
                System.out.printf(Locale.ROOT, "  received/s          %,.0f%n", received / elapsed);
                System.out.printf(Locale.ROOT, "  received            %,d of %,d%n", received, offered);
                System.out.printf(Locale.ROOT, "  lost                %,d (%.3f%%; the rings' LOST records reported %,d)%n", lost,
                        offered == 0 ? 0 : 100.0 * lost / offered, lostReported);
                System.out.printf(Locale.ROOT, "  reader CPU          %.1f%% of one core (whole process %.1f%%, sender included)%n", readerCpu, processCpu);
                if (decode) System.out.printf(Locale.ROOT, "  decoded             %,d (%d malformed)%n", decoded[0], decoder.malformed());
                System.out.printf(Locale.ROOT, "  RSS                 %,d KiB%n", ProcessCpu.rssKiB());
            }
        }
        return 0;
    }

    /** Sends small UDP datagrams to a bound socket on 127.0.0.1 that nobody reads. */
    private static long flood(int seconds) throws Exception {
        try (DatagramChannel sink = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             DatagramChannel src = DatagramChannel.open()) {
            src.connect(sink.getLocalAddress());
            ByteBuffer payload = ByteBuffer.allocateDirect(16);
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            long sent = 0;
            while (System.nanoTime() < deadline) {
                for (int i = 0; i < 256; i++) {
                    payload.clear();
                    src.write(payload);
                }
                sent += 256;
            }
            return sent;
        }
    }
}
