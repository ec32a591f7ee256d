package dev.rxpath.agent.path;

import dev.rxpath.agent.event.Event;
import dev.rxpath.agent.event.Stage;

/** A path being assembled: mutable, owned by the correlator's thread, never handed out. */
final class OpenPath {
    private static final int STAGES = Stage.END.ordinal() + 1;

    final long skb;
    final long[] ts = new long[STAGES];
    final int[] cpu = new int[STAGES];
    private int seen; // bit per Stage ordinal
    Stage last;
    boolean devRecord;    // net:netif_receive_skb itself, not only driver metadata
    boolean userInferred; // USER came from the byte stream, not this skb's own copy
    long lastNs;

    String device;
    int napiId;
    int queue = -1;
    long sk;
    long cookie;
    Endpoints endpoints;
    boolean lookupFound;
    int payload;
    boolean socketSeen;

    long copied;
    Event.Task reader;
    Event.Drop drop;
    Event.ResetSent reset;
    /** The listener found for it had a full accept queue: the kernel consumes such a SYN unanswered. */
    boolean listenFull;
    /** Its headers, as the kernel last read them. */
    Event.Segment segment;

    boolean skbOpen = true;
    CloseReason closedBy;
    /** Waiting for its payload to be read: holds its place in the socket's byte stream. */
    SocketStream stream;
    long streamEnd;
    long queuedAtNs;
    boolean delivered;

    // intrusive list links (PathQueue)
    PathQueue owner;
    OpenPath prev, next;

    OpenPath(long skb) {
        this.skb = skb;
    }

    boolean seen(Stage s) {
        return (seen & (1 << s.ordinal())) != 0;
    }

    /** Keeps a stage's first time; USER keeps the time its payload finished reaching the application. */
    void mark(Stage s, long tsNs, int onCpu) {
        if (!seen(s) || s == Stage.USER) {
            ts[s.ordinal()] = tsNs;
            cpu[s.ordinal()] = onCpu;
        }
        seen |= 1 << s.ordinal();
        if (last == null || s.ordinal() > last.ordinal()) last = s;
    }

    boolean waiting() {
        return stream != null;
    }
}
