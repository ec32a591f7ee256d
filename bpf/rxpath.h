/* rxpath record ABI: the one definition of every record the BPF programs emit.
 *
 * The Java decoder (agent: dev.rxpath.agent.event.EventDecoder, RecordType) mirrors these
 * structs byte for byte; RecordLayoutKernelTest loads a program that fills one record of
 * each type with known values (agent/src/test/resources/bpf/layout_check.c) and checks
 * that the decoder reads back exactly those.
 *
 * Rules that keep the two sides in step:
 *   - fixed-width fields only, every field naturally aligned, explicit padding, no
 *     implicit holes: the layout is the same for clang's BPF target and for Java;
 *   - every record starts with struct rx_header and has a size that is a multiple of 8;
 *   - ports are in host byte order; addresses are in network byte order, IPv4 in the
 *     first 4 bytes of the 16-byte field;
 *   - append fields, never reorder; bump RX_ABI_VERSION when an existing record changes.
 *     A new record type needs no bump: recordings made without it still decode.
 */
#ifndef RXPATH_H
#define RXPATH_H

#define RX_ABI_VERSION 2

enum rx_record_type {
	RX_DEV = 1,          /* net:netif_receive_skb: every skb entering the core receive path */
	RX_DEV_META = 2,     /* net:netif_receive_skb_entry / napi_gro_receive_entry: driver metadata */
	RX_IP = 3,           /* kprobe ip_rcv / ipv6_rcv */
	RX_TCP = 4,          /* kprobe tcp_v4_rcv / tcp_v6_rcv */
	RX_LOOKUP = 5,       /* kretprobe on the established / listener socket lookups */
	RX_SOCK_QUEUE = 6,   /* tcp:tcp_probe: a segment accepted by a TCP socket */
	RX_DATA_READY = 7,   /* sock:sk_data_ready: the socket woke its reader */
	RX_COPY = 8,         /* skb:skb_copy_datagram_iovec: bytes of an skb copied to the reader */
	RX_RECV = 9,         /* sock:sock_recv_length: one recvmsg returned on a TCP socket */
	RX_CONSUME = 10,     /* skb:consume_skb */
	RX_DROP = 11,        /* skb:kfree_skb, with the kernel's drop reason */
	RX_RESET_SENT = 12,  /* tcp:tcp_send_reset */
	RX_RESET_RECV = 13,  /* tcp:tcp_receive_reset */
	RX_RETRANSMIT = 14,  /* tcp:tcp_retransmit_skb */
	RX_STATE = 15,       /* sock:inet_sock_set_state (TCP only) */
	RX_SOCK = 16,        /* not emitted by a program: the agent's read of one rx_socks entry (struct rx_sock_record) */
	RX_SEGMENT = 17,     /* a segment's IP and TCP headers (kernels with BTF), read where enum rx_segment_at says */
	RX_HANDSHAKE = 18,   /* sock:inet_sock_set_state to ESTABLISHED: what the handshake agreed (kernels with BTF) */
	RX_LISTEN_FULL = 19, /* the listener lookup found a listener whose accept queue is full (kernels with BTF) */
};

/* Per-CPU counters the programs keep about themselves (BPF_PERCPU_ARRAY rx_stats). */
enum rx_stat {
	RX_STAT_SUBMITTED = 0,   /* perf_submit succeeded */
	RX_STAT_FAILED = 1,      /* perf_submit failed: the ring was full (the reader sees LOST) */
	RX_STAT_SAMPLED = 2,     /* segments chosen at their first stage for a full path */
	RX_STAT_PROMOTED = 3,    /* segments not sampled whose path was kept because they were dropped or reset */
	RX_STAT_SOCKS_FULL = 4,  /* sockets left uncounted: rx_socks was full */
	RX_STAT_GONE_FULL = 5,   /* a closed socket's counters lost: its address was reused and rx_socks_gone was full */
	RX_STAT_UNTRACKED = 6,   /* reads, copies and drops on a socket rx_socks does not hold (it predates the agent) */
	RX_STAT_UNREAD = 7,      /* perf_submit found no ring for its CPU: the agent was still opening them */
	RX_STAT_FILTERED = 8,    /* hook hits skipped: their socket is outside the agent's filter */
	RX_STAT_MAX = 9,
};

/* The states in include/net/tcp_states.h: they are uapi (ss and /proc/net/tcp print them)
 * and have not changed since they were defined. */
#define RX_TCP_ESTABLISHED 1
#define RX_TCP_SYN_SENT 2
#define RX_TCP_SYN_RECV 3
#define RX_TCP_CLOSE 7
#define RX_TCP_LISTEN 10

struct rx_header {
	__u64 ts_ns;   /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 skb;     /* skb address, the per-segment key; 0 where the hook has none */
	__u64 sk;      /* socket address; 0 where the hook has none */
	__u16 type;    /* enum rx_record_type */
	__u16 cpu;     /* CPU the hook ran on */
	__u32 size;    /* sizeof the whole record */
};                     /* 32 bytes */

struct rx_tuple {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u16 family;  /* AF_INET 2, AF_INET6 10 */
	__u16 pad;
};                     /* 40 bytes */

/* The task a hook ran in; only recorded where that task is the reader (copy, recv),
 * never at softirq time, when `current` is whoever was interrupted. */
struct rx_task {
	__u32 tgid;
	__u32 pid;
	__u64 cgroup_id;
	char comm[16];
};                     /* 32 bytes */

struct rx_dev {
	struct rx_header h;
	char ifname[16];
	__u32 len;
	__u32 pad;
};                      /* 56 bytes */

struct rx_dev_meta {
	struct rx_header h;
	char ifname[16];
	__u32 napi_id;
	__u32 hash;
	__u32 len;
	__u32 data_len;
	__u32 truesize;
	__u16 queue_mapping;
	__u16 protocol;
	__u16 gso_size;
	__u16 gso_type;
	__u8 l4_hash;
	__u8 nr_frags;
	__u8 via_gro;   /* 1: napi_gro_receive_entry, 0: netif_receive_skb_entry */
	__u8 pad;
};                      /* 80 bytes */

/* RX_IP and RX_TCP: the function's only argument that matters is the skb. */
struct rx_stage {
	struct rx_header h;
	__u16 family;
	__u16 pad0;
	__u32 pad1;
};                      /* 40 bytes */

struct rx_lookup {
	struct rx_header h;   /* skb: the one tcp_v{4,6}_rcv is handling on this CPU; sk: result */
	struct rx_tuple t;    /* s = packet source (remote), d = local */
	__u8 listener;        /* 0 established table, 1 listener table */
	__u8 found;
	__u16 pad0;
	__u32 pad1;
};                        /* 80 bytes */

struct rx_sock_queue {
	struct rx_header h;
	struct rx_tuple t;    /* s = local end of the socket, d = remote */
	__u64 cookie;
	__u32 mark;
	__u32 data_len;       /* tcp_probe's u16, widened: wraps on merged skbs over 64 KiB */
	__u32 snd_nxt;
	__u32 snd_una;
	__u32 snd_cwnd;
	__u32 ssthresh;
	__u32 snd_wnd;
	__u32 srtt;           /* smoothed RTT in microseconds (tcp_sock keeps eight times it; tcp_probe shifts) */
	__u32 rcv_wnd;
	__u32 pad;
	__u64 stream_end;     /* the socket's stream offset after this payload (struct rx_sock bytes_in) */
};                        /* 128 bytes */

struct rx_data_ready {
	struct rx_header h;
	__u64 caller;         /* the data_ready function (ip) */
	__u16 family;
	__u16 protocol;
	__u32 pad;
};                        /* 48 bytes */

struct rx_copy {
	struct rx_header h;   /* sk: the socket, where the program knows it (kernels without sock_recv_length) */
	struct rx_task task;
	__s32 len;
	__u32 pad;
	__u64 delivered;      /* the socket's delivered bytes after this copy, where sk is known; else 0 */
};                        /* 80 bytes */

struct rx_recv {
	struct rx_header h;
	struct rx_task task;
	__s32 ret;            /* bytes returned, or -errno */
	__s32 flags;
	__u16 family;
	__u16 protocol;
	__u32 pad;
	__u64 delivered;      /* the socket's delivered bytes after this read (struct rx_sock delivered) */
};                        /* 88 bytes */

struct rx_consume {
	struct rx_header h;
	__u64 location;
};                        /* 40 bytes */

struct rx_drop {
	struct rx_header h;   /* sk: rx_sk where the kernel gives it */
	__u64 location;
	__u32 reason;         /* enum skb_drop_reason, named from the running kernel */
	__u16 protocol;
	__u16 pad;
};                        /* 48 bytes */

struct rx_reset_sent {
	struct rx_header h;
	struct rx_tuple t;    /* as the kernel stores it: s = the received segment's destination */
	__s32 state;
	__u32 reason;         /* enum sk_rst_reason where the kernel has it, else 0 */
};                        /* 80 bytes */

struct rx_reset_recv {
	struct rx_header h;
	struct rx_tuple t;
	__u64 cookie;
};                        /* 80 bytes */

struct rx_retransmit {
	struct rx_header h;
	struct rx_tuple t;
	__s32 state;
	__s32 err;
};                        /* 80 bytes */

struct rx_state {
	struct rx_header h;
	struct rx_tuple t;
	__s32 oldstate;
	__s32 newstate;
};                        /* 80 bytes */

/* Where an rx_segment was read; it follows the first stage's record (same timestamp) and
 * precedes a drop's or reset's, so it always finds its path open. */
enum rx_segment_at {
	RX_SEG_FIRST = 1,     /* the DEV stage of a sampled segment */
	RX_SEG_DROP = 2,      /* kfree_skb */
	RX_SEG_RESET = 3,     /* tcp_send_reset: the segment answered with a reset */
};

/* rx_segment.options: TCP options a SYN carried */
#define RX_OPT_MSS 1
#define RX_OPT_WSCALE 2
#define RX_OPT_SACK_OK 4
#define RX_OPT_TIMESTAMP 8

struct rx_segment {
	struct rx_header h;   /* skb: the segment's */
	struct rx_tuple t;    /* s = the segment's source, d = its destination */
	__u32 seq;
	__u32 ack;
	__u16 window;         /* as sent: unscaled */
	__u16 payload;        /* TCP payload bytes: the IP length less the IP and TCP headers */
	__u8 flags;           /* the TCP header's flag byte: FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32, ECE 64, CWR 128 */
	__u8 at;              /* enum rx_segment_at */
	__u8 options;         /* RX_OPT_* a SYN carried; options are parsed on SYNs only */
	__u8 wscale;          /* the window scale option's shift */
	__u16 mss;            /* the MSS option */
	__u16 pad;
	__u32 pad2;
};                        /* 96 bytes */

/* A connection's handshake, read from its tcp_sock as it becomes established. */
struct rx_handshake {
	struct rx_header h;   /* sk: the socket */
	struct rx_tuple t;    /* s = local end, d = remote */
	__u32 rtt_us;         /* its round trip, the socket's first RTT sample: SYN sent to SYN-ACK received
	                         where this end connected, SYN-ACK sent to ACK received where it accepted */
	__u16 peer_mss;       /* the MSS the peer offered (rx_opt.mss_clamp: its option, lowered by TCP_MAXSEG) */
	__u16 mss;            /* the MSS this end offered (advmss) */
	__u8 peer_wscale;     /* the peer's window scale shift, with RX_OPT_WSCALE */
	__u8 wscale;          /* this end's */
	__u8 options;         /* RX_OPT_WSCALE, RX_OPT_SACK_OK, RX_OPT_TIMESTAMP: what both ends agreed */
	__u8 active;          /* 1: this end connected; 0: it accepted */
	__u32 isn;            /* this end's initial sequence number (snd_una - 1: its SYN is acknowledged) */
	__u32 peer_isn;       /* the peer's (rcv_nxt - 1: its SYN is received) */
	__u32 pad;
};                        /* 96 bytes */

/* A segment (a SYN) whose listener's accept queue was full when the lookup found it: the
 * kernel consumes such a SYN unanswered, counting a listen overflow, with no drop reason. */
struct rx_listen_full {
	struct rx_header h;   /* skb: the segment; sk: the listener */
	__u32 backlog;        /* connections waiting for accept() (sk_ack_backlog) */
	__u32 max_backlog;    /* listen()'s backlog: more than this waiting is full (sk_max_ack_backlog) */
};                        /* 40 bytes */

/* ---- per-socket counters: the exact channel, independent of the rings ----
 *
 * One rx_socks entry per TCP socket seen since the agent attached, keyed by the socket's
 * address, updated by every hook that knows the socket. The agent reads the map
 * periodically and deletes an entry some time after its socket closed; a closed entry
 * whose address a new socket takes first is moved to rx_socks_gone (key: address and
 * first_ns), which the agent empties. Counters are cumulative since first_ns.
 */
#define RX_DROP_SLOTS 4

struct rx_sock {
	__u64 cookie;          /* socket cookie where a record carried one (tcp_probe, tcp_receive_reset), else 0 */
	__u64 first_ns;        /* when this entry began: the socket's first record since the agent attached */
	__u64 closed_ns;       /* when it changed to TCP_CLOSE; 0 while open */
	struct rx_tuple t;     /* s = local end, d = remote; family 0 until a record with addresses */
	__u64 segs;            /* segments with payload the socket accepted (tcp_probe data_len > 0) */
	__u64 bytes_in;        /* stream offset after the last payload: max(bytes_in, delivered) + data_len */
	__u64 delivered;       /* bytes the application took: recvmsg returns without MSG_PEEK, or, where
	                          the kernel has no sock_recv_length, bytes copied out of the socket's skbs */
	__u64 reads;           /* recvmsg calls that took bytes (copies, where there is no sock_recv_length) */
	__u64 sample_end;      /* stream offset up to which a sampled payload waits: reads before it are recorded */
	__u32 drop_reason[RX_DROP_SLOTS]; /* the first reasons its skbs were dropped with ... */
	__u32 drop_count[RX_DROP_SLOTS];  /* ... and how often */
	__u32 drops_other;     /* drops with a reason beyond those slots */
	__u32 resets_sent;
	__u32 resets_recv;
	__u32 retransmits;
	__u32 wakeups;         /* sk_data_ready (attached with --paths all only) */
	__u32 states;          /* state changes */
	__s32 state;           /* the last TCP state, -1 until a change is seen */
	__u32 rcv_wnd;         /* from the last tcp_probe */
	__u32 srtt;            /* smoothed RTT in microseconds, as in struct rx_sock_queue */
	__u32 snd_wnd;
	__u32 snd_cwnd;
	__u32 ignored;         /* RX_OUT_*: why the agent does not watch it; 0: watched */
	struct rx_task reader; /* the task that last read */
};                         /* 216 bytes */

/* rx_sock.ignored, bits: the agent hands over only entries with none */
#define RX_OUT_TUPLE 1     /* its addresses or ports are outside the filter: neither counted nor recorded */
#define RX_OUT_CGROUP 2    /* its task is in none of the filter's cgroups: the same */
#define RX_OUT_UNDECIDED 4 /* the filter has cgroups and no task of it was seen yet: counted, not recorded */

struct rx_sock_gone_key {
	__u64 sk;
	__u64 first_ns;
};

/* How the agent hands an rx_sock entry to its decoder and recordings: a record like the
 * programs' own (h.sk = the key, h.ts_ns = when the agent read it, h.cpu = 0xffff). */
struct rx_sock_record {
	struct rx_header h;
	struct rx_sock s;
};                         /* 248 bytes */

#endif /* RXPATH_H */
