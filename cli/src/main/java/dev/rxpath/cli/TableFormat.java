package dev.rxpath.cli;

import dev.rxpath.api.Display;
import dev.rxpath.api.EnumText;
import dev.rxpath.api.TcpText;
import dev.rxpath.api.v1.Flow;
import dev.rxpath.api.v1.ReceivePath;
import dev.rxpath.api.v1.Stage;
import java.time.ZoneId;
import java.util.List;

/** -o table: paths and flows in aligned columns under a header. */
final class TableFormat {
    private final ZoneId zone;

    TableFormat(ZoneId zone) {
        this.zone = zone;
    }

    static Table paths() {
        return new Table("TIME", "REMOTE -> LOCAL", "FLAGS", "VERDICT", "TOTAL", "STAGES", "DEV", "LEN", "COPIED", "PID", "COMM", "REASON");
    }

    void addPath(Table table, ReceivePath p) {
        table.add(Display.entered(p, zone), Display.tuple(p), p.hasTcp() ? TcpText.flags(p.getTcp().getFlags()) : "",
                EnumText.of(p.getVerdict()), Display.duration(p.getTotal()),
                Display.stages(p), p.getDevice(), String.valueOf(p.getPayload()), String.valueOf(p.getCopied()),
                p.hasReader() ? String.valueOf(p.getReader().getPid()) : "", p.getReader().getComm(),
                (p.getDiedAt() == Stage.STAGE_UNSPECIFIED ? p.getReason() : p.getReason() + " at " + EnumText.of(p.getDiedAt()))
                        + (p.getDropSite().isEmpty() ? "" : " in " + p.getDropSite()) + (p.getAtClose() ? " (at close)" : ""));
    }

    Table flows(List<Flow> flows) {
        Table table = new Table("REMOTE", "LOCAL", "STATE", "PID", "COMM", "SEGS", "RECEIVED", "DELIVERED", "QUEUED",
                "DROPS", "RST IN/OUT", "RETRANS", "P99 TO APP", "SRTT", "LAST ACTIVE");
        for (Flow f : flows) {
            table.add(Display.remote(f.getEndpoints()), Display.local(f.getEndpoints()), Display.state(f),
                    f.hasReader() ? String.valueOf(f.getReader().getPid()) : "", f.getReader().getComm(),
                    String.valueOf(f.getSegments()), Display.bytes(f.getBytesReceived()), Display.bytes(f.getBytesDelivered()),
                    Display.bytes(f.getBytesQueued()), String.valueOf(Display.drops(f)),
                    f.getResetsReceived() + "/" + f.getResetsSent(), String.valueOf(f.getRetransmits()),
                    Display.p99(f), f.getSrttUs() + "us", Display.time(f.getLastActive(), zone));
        }
        return table;
    }
}
