package dev.rxpath.agent.event;

/** enum rx_record_type in bpf/rxpath.h, with each record's size and the stage it reports. */
public enum RecordType {
    DEV(1, 56, Stage.DEV),
    DEV_META(2, 80, Stage.DEV),
    IP(3, 40, Stage.IP),
    TCP(4, 40, Stage.TCP),
    LOOKUP(5, 80, Stage.LOOKUP),
    SOCK_QUEUE(6, 128, Stage.SOCKET),
    DATA_READY(7, 48, Stage.SOCKET),
    COPY(8, 80, Stage.USER),
    RECV(9, 88, Stage.USER),
    CONSUME(10, 40, Stage.END),
    DROP(11, 48, Stage.END),
    RESET_SENT(12, 80, Stage.END),
    RESET_RECV(13, 80, Stage.SOCKET_EVENT),
    RETRANSMIT(14, 80, Stage.SOCKET_EVENT),
    STATE(15, 80, Stage.SOCKET_EVENT),
    /** Not from a ring: one rx_socks entry as the agent read it (struct rx_sock_record). */
    SOCK(16, 248, Stage.SOCKET_EVENT),
    /** A segment's headers; its stage is TCP's, the header it carries, not one of the path's. */
    SEGMENT(17, 96, Stage.TCP),
    HANDSHAKE(18, 96, Stage.SOCKET_EVENT),
    LISTEN_FULL(19, 40, Stage.LOOKUP);

    /** RX_ABI_VERSION in bpf/rxpath.h, the layout these sizes and the decoder's offsets describe. */
    public static final int ABI_VERSION = 2;

    private static final RecordType[] BY_ID = new RecordType[20];

    static {
        for (RecordType t : values()) BY_ID[t.id] = t;
    }

    public final int id;
    /** sizeof the C struct; the kernel writes it in every record's header and the decoder checks it. */
    public final int size;
    public final Stage stage;

    RecordType(int id, int size, Stage stage) {
        this.id = id;
        this.size = size;
        this.stage = stage;
    }

    /** The type with this id, or null for an id this agent does not know. */
    public static RecordType byId(int id) {
        return id > 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
