package dev.rxpath.agent.export;

import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.EventSink;
import dev.rxpath.agent.event.KernelClock;
import dev.rxpath.agent.event.TcpHandshake;
import dev.rxpath.agent.probe.KernelNames;
import dev.rxpath.agent.path.Endpoints;
import dev.rxpath.agent.ring.Handoff;
import dev.rxpath.api.IpText;
import java.io.PrintStream;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * {@code rxpath agent --print}: one line per event as it arrives, pwru-style: time, CPU,
 * stage, record, skb, then what the record says (device or 4-tuple, length, reason names).
 * Received segments print as remote → local.
 */
public final class EventPrinter implements EventSink {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS", Locale.ROOT).withZone(ZoneId.systemDefault());

    private final PrintStream out;
    private final KernelClock clock;
    private final KernelNames names;
    private final EventSink next;

    /** Prints each event, then passes it on to {@code next}. */
    public EventPrinter(PrintStream out, KernelClock clock, KernelNames names, EventSink next) {
        this.out = out;
        this.clock = clock;
        this.names = names;
        this.next = next;
    }

    @Override
    public void event(Event e) {
        out.println(format(e));
        next.event(e);
    }

    @Override
    public void lost(int cpu, long count) {
        out.println(lostLine(cpu, count));
        next.lost(cpu, count);
    }

    @Override
    public void drained(long monotonicNs) {
        next.drained(monotonicNs);
    }

    static String lostLine(int cpu, long count) {
        if (cpu == Handoff.CPU) {
            return String.format(Locale.ROOT, "LOST                  %d records: the agent's buffer was full (raise --buffer-mib, or print less)", count);
        }
        return String.format(Locale.ROOT, "LOST            cpu%-2d %d records: the ring was full (raise --pages, or read faster)", cpu, count);
    }

    public String format(Event e) {
        Event.Header h = e.header();
        return String.format(Locale.ROOT, "%s cpu%-2d %-12s %-11s %-20s %s", TIME.format(clock.toInstant(h.tsNs())), h.cpu(),
                h.type().stage, h.type().name().toLowerCase(Locale.ROOT), h.skb() == 0 ? "-" : String.format(Locale.ROOT, "skb=%x", h.skb()), details(e));
    }

    private String details(Event e) {
        if (e instanceof Event.Dev d) return String.format(Locale.ROOT, "dev=%s len=%d", d.ifname(), d.len());
        if (e instanceof Event.DevMeta d) {
            return String.format(Locale.ROOT, "dev=%s len=%d napi=%#x queue=%d hash=%08x gso=%d/%#x%s", d.ifname(), d.len(), d.napiId(),
                    d.queueMapping(), d.hash(), d.gsoSize(), d.gsoType(), d.viaGro() ? " gro" : "");
        }
        if (e instanceof Event.StageEntry s) return "family=" + (s.family() == 10 ? "inet6" : "inet");
        if (e instanceof Event.Lookup l) {
            return String.format(Locale.ROOT, "%s %s %s sk=%x", flow(l.tuple()), l.listener() ? "listener" : "established",
                    l.found() ? "found" : "NOT FOUND", l.header().sk());
        }
        if (e instanceof Event.SockQueue q) {
            return String.format(Locale.ROOT, "%s len=%d sk=%x cookie=%d rcv_wnd=%d srtt=%dus", reversed(q.tuple()), q.dataLen(),
                    q.header().sk(), q.cookie(), q.rcvWnd(), q.srtt());
        }
        if (e instanceof Event.DataReady r) return String.format(Locale.ROOT, "sk=%x", r.header().sk());
        if (e instanceof Event.Copy c) {
            return String.format(Locale.ROOT, "len=%d pid=%d comm=%s cgroup=%d", c.len(), c.task().tgid(), c.task().comm(), c.task().cgroupId());
        }
        if (e instanceof Event.Recv r) {
            return String.format(Locale.ROOT, "sk=%x ret=%d pid=%d comm=%s", r.header().sk(), r.ret(), r.task().tgid(), r.task().comm());
        }
        if (e instanceof Event.Consume c) return String.format(Locale.ROOT, "location=%x", c.location());
        if (e instanceof Event.Drop d) {
            return String.format(Locale.ROOT, "reason=%s proto=0x%04x location=%x sk=%x", names.dropReason(d.reason()), d.protocol(),
                    d.location(), d.header().sk());
        }
        if (e instanceof Event.ResetSent r) {
            return String.format("%s reason=%s state=%s", reversed(r.tuple()), names.resetReason(r.reason()),
                    r.state() == 0 ? "-" : names.tcpState(r.state()));
        }
        if (e instanceof Event.ResetReceived r) {
            return String.format(Locale.ROOT, "%s sk=%x cookie=%d", reversed(r.tuple()), r.header().sk(), r.cookie());
        }
        if (e instanceof Event.Retransmit r) {
            return String.format(Locale.ROOT, "%s state=%s sk=%x", flow(r.tuple()), names.tcpState(r.state()), r.header().sk());
        }
        if (e instanceof Event.SockCounters s) {
            Event.SocketCounts c = s.counts();
            return String.format(Locale.ROOT, "%s segs=%d in=%d delivered=%d reads=%d drops=%d state=%s%s sk=%x",
                    s.tuple() == null ? "-" : reversed(s.tuple()), c.segments(), c.bytesIn(), c.delivered(), c.reads(), c.dropsTotal(),
                    c.state() < 0 ? "-" : names.tcpState(c.state()), c.closed() ? " closed" : "", s.header().sk());
        }
        if (e instanceof Event.Segment g) {
            String at = switch (g.at()) {
                case Event.Segment.AT_FIRST -> "first";
                case Event.Segment.AT_DROP -> "drop";
                case Event.Segment.AT_RESET -> "reset";
                default -> String.valueOf(g.at());
            };
            return String.format(Locale.ROOT, "%s %s tcplen=%d at=%s", flow(g.tuple()), g.tcp(), g.tcp().payload(), at);
        }
        if (e instanceof Event.ListenFull l) {
            return String.format(Locale.ROOT, "listener sk=%x accept queue %d waiting, backlog %d: full", l.header().sk(), l.backlog(), l.maxBacklog());
        }
        if (e instanceof Event.Handshake h) {
            TcpHandshake t = h.handshake();
            return String.format(Locale.ROOT, "%s %s rtt=%dus peer_mss=%d mss=%d wscale=%d/%d%s%s isn=%d peer_isn=%d sk=%x", flow(h.tuple()),
                    t.active() ? "connected" : "accepted", t.rttUs(), t.peerMss(), t.mss(), t.peerWscale(), t.wscale(),
                    t.sackOk() ? " sackOK" : "", t.timestamps() ? " TS" : "", t.isn(), t.peerIsn(), h.header().sk());
        }
        Event.StateChange s = (Event.StateChange) e;
        return String.format(Locale.ROOT, "%s %s -> %s sk=%x", flow(s.tuple()), names.tcpState(s.oldState()), names.tcpState(s.newState()),
                s.header().sk());
    }

    /** A tuple whose source is the local end, printed as the segment travelled: remote → local. */
    private static String reversed(Event.Tuple t) {
        return Endpoints.localFirst(t).toString();
    }

    private static String flow(Event.Tuple t) {
        return IpText.endpoint(t.saddr(), t.sport()) + " -> " + IpText.endpoint(t.daddr(), t.dport());
    }
}
