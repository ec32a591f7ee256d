/* rxpath receive-path programs, compiled at run time by bcc.
 *
 * Kernel ABI rule: read tracepoint fields, function arguments and pointer values only;
 * never dereference a kernel struct through the compile-time headers, which may not match
 * the running kernel.
 *
 * Two channels leave the kernel. Exact per-socket counters (rx_socks: bytes and segments
 * received, bytes delivered, reads, drops by reason, resets, retransmits, state) are kept
 * by every hook that knows the socket, whether or not the rings keep up. The perf ring
 * carries paths: the records of the segments sampled at their first stage, and of every
 * drop, reset and retransmit. A segment that is not sampled costs its later stages one
 * lookup each.
 *
 * The agent compiles this file once, with
 *   -DRX_HOOK_<category>__<event>        for each tracepoint the running kernel has,
 *   -DRX_FIELD_<category>__<event>__<f>  for each field of those tracepoints' formats,
 *   -DRX_KFUNCS                          when the kernel has BTF for fentry/fexit,
 *   -DRX_KPROBES                         when the kernel can attach kprobes,
 *   -DRX_RAW_TCP_PROBE                   when tcp_probe's raw tracepoint can be tried,
 *   -DRX_SKB_*, -DRX_SK_*, -DRX_TP_*     the struct members' offsets, from the kernel's BTF,
 *   -DRX_PATHS_ALL                       to record every segment's path (debugging sessions),
 *   -DRX_SAMPLE_INTERVAL_NS=N -DRX_SAMPLE_BURST_NS=B
 *                                        else: each CPU samples one segment per N ns, up to B ns of credit,
 *   -DRX_SAMPLE_RATIO=R                  or: a segment is sampled when a random u32 is below R,
 *   -DRX_MAX_SOCKETS=N                   the size of rx_socks,
 *   -DRX_WATCH(family,laddr,lport,raddr,rport)=EXPR
 *                                        the sockets to watch (the agent's filter): others are
 *                                        neither counted nor recorded,
 *   -DRX_CGROUPS=N                       and only those whose task is in one of the N cgroup v2
 *                                        subtrees the agent puts in rx_cgroups,
 *   -DRX_BENCH=<copies>                  instead of all these, for bin/rxpath bench ring,
 * so one file serves every kernel: a hook the kernel lacks is not compiled, and a field
 * an older kernel lacks reads as zero.
 */
#include <uapi/linux/ptrace.h>
/* Kernels before 6.x declare tcp_probe's addresses as "__u8 saddr[sizeof(struct
 * sockaddr_in6)]" in its format, and bcc copies that into the args struct: the uapi
 * struct (28 bytes on every kernel) must be complete. */
#include <linux/in6.h>
#include "rxpath.h"

#ifdef RX_FIELD_skb__kfree_skb__reason
/* bcc's generated args struct names this enum; the compile-time headers may not
 * define it. An enum field is 4 bytes whatever its enumerators. */
enum skb_drop_reason { RX_SKB_DROP_REASON_ANY };
#endif
#ifdef RX_FIELD_tcp__tcp_send_reset__reason
enum sk_rst_reason { RX_SK_RST_REASON_ANY };
#endif

#define RX_AF_INET 2
#define RX_AF_INET6 10
#define RX_IPPROTO_TCP 6
#define RX_MSG_PEEK 2

#ifndef RX_MAX_SOCKETS
#define RX_MAX_SOCKETS 131072
#endif

/* One perf output table for every record type, and the programs' own per-CPU counts (enum
 * rx_stat): what they submitted, what the ring refused, what they sampled. (bcc rewrites map
 * calls only in the main file, so these cannot move to a header.) */
BPF_PERF_OUTPUT(events);
BPF_PERCPU_ARRAY(rx_stats, u64, RX_STAT_MAX);

/* Allocated as sockets appear: a node with few sockets pays for few. */
BPF_F_TABLE("hash", u64, struct rx_sock, rx_socks, RX_MAX_SOCKETS, BPF_F_NO_PREALLOC);
BPF_F_TABLE("hash", struct rx_sock_gone_key, struct rx_sock, rx_socks_gone, 16384, BPF_F_NO_PREALLOC);
/* A new entry is built here: struct rx_sock beside a record would not fit the 512-byte stack. */
BPF_PERCPU_ARRAY(rx_sock_init, struct rx_sock, 1);

/* Time from DEV to the socket (tcp_probe) of every segment handled in one softirq, in
 * log2 buckets of nanoseconds: the one stage time the kernel side measures for every
 * segment at the cost of a per-CPU slot. */
BPF_PERCPU_ARRAY(rx_dev_to_socket, u64, 64);

static __always_inline void rx_count(u32 stat)
{
	u64 *v = rx_stats.lookup(&stat);
	if (v)
		*v += 1;
}

static __always_inline void rx_init_at(struct rx_header *h, u64 ts, u16 type, u32 size, u64 skb, u64 sk)
{
	h->ts_ns = ts;
	h->skb = skb;
	h->sk = sk;
	h->type = type;
	h->cpu = bpf_get_smp_processor_id();
	h->size = size;
}

static __always_inline void rx_init(struct rx_header *h, u16 type, u32 size, u64 skb, u64 sk)
{
	rx_init_at(h, bpf_ktime_get_ns(), type, size, skb, sk);
}

#define RX_ENOENT 2

static __always_inline void rx_submit(void *ctx, void *rec, u32 size)
{
	int rc = events.perf_submit(ctx, rec, size);
	if (rc == 0)
		rx_count(RX_STAT_SUBMITTED);
	else if (rc == -RX_ENOENT) /* the hooks attach before the agent opens the rings */
		rx_count(RX_STAT_UNREAD);
	else
		rx_count(RX_STAT_FAILED);
}

static __always_inline void rx_task(struct rx_task *t)
{
	u64 id = bpf_get_current_pid_tgid();
	t->tgid = id >> 32;
	t->pid = (u32)id;
	t->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(&t->comm, sizeof(t->comm));
}

/* A struct sockaddr_in / sockaddr_in6 as tracepoints store it in a 28-byte array:
 * family at 0, port (network order) at 2, IPv4 address at 4, IPv6 address at 8. */
static __always_inline void rx_sockaddr(const u8 *sa, u8 *addr, u16 *port, u16 *family)
{
	u16 fam = sa[0] | (sa[1] << 8);
	*family = fam;
	*port = (sa[2] << 8) | sa[3];
	if (fam == RX_AF_INET6)
		__builtin_memcpy(addr, sa + 8, 16);
	else
		__builtin_memcpy(addr, sa + 4, 4);
}

/* An IPv6 socket that talks IPv4 (a dual-stack socket connected to or accepted from an IPv4
 * peer) has its addresses stored v4-mapped (::ffff:a.b.c.d) where tracepoints report the
 * socket's own: told as the IPv4 they are on the wire, so a socket's tuple is the one its
 * segments show. In place; t is 4-aligned (at 32 in every record, 24 in struct rx_sock). */
static __always_inline void rx_tuple_unmap(struct rx_tuple *t)
{
	u32 *s = (u32 *)t->saddr, *d = (u32 *)t->daddr;
	if (t->family != RX_AF_INET6 || s[0] != 0 || s[1] != 0 || s[2] != bpf_htonl(0xffff))
		return;
	t->family = RX_AF_INET;
	s[0] = s[3];
	d[0] = d[3];
	s[1] = s[2] = s[3] = 0;
	d[1] = d[2] = d[3] = 0;
}

/* The tracepoints with separate v4 and v6 address fields and host-order ports. The addresses
 * are copied by a helper: clang would otherwise merge the two copies through a pointer into
 * the tracepoint's record chosen at run time, which the verifier refuses (modified ctx). These
 * tracepoints fire per connection, not per segment. */
#define RX_TUPLE_SPLIT(t, a)                                                        \
	do {                                                                        \
		(t).sport = (a)->sport;                                             \
		(t).dport = (a)->dport;                                             \
		(t).family = (a)->family;                                           \
		if ((a)->family == RX_AF_INET6) {                                   \
			bpf_probe_read_kernel((t).saddr, 16, (a)->saddr_v6);        \
			bpf_probe_read_kernel((t).daddr, 16, (a)->daddr_v6);        \
			rx_tuple_unmap(&(t));                                       \
		} else {                                                            \
			bpf_probe_read_kernel((t).saddr, 4, (a)->saddr);            \
			bpf_probe_read_kernel((t).daddr, 4, (a)->daddr);            \
		}                                                                   \
	} while (0)

/* The same tracepoints where they have no family field (5.10): the kernel stores an IPv4
 * socket's addresses in saddr_v6/daddr_v6 v4-mapped too. */
#define RX_TUPLE_V6(t, a)                                                 \
	do {                                                              \
		(t).sport = (a)->sport;                                   \
		(t).dport = (a)->dport;                                   \
		(t).family = RX_AF_INET6;                                 \
		bpf_probe_read_kernel((t).saddr, 16, (a)->saddr_v6);      \
		bpf_probe_read_kernel((t).daddr, 16, (a)->daddr_v6);      \
		rx_tuple_unmap(&(t));                                     \
	} while (0)

/* ---- the agent's filter ---- */

/* Word i of a 16-byte address, as the filter's masks are built (bpf/rxpath.h: network order). */
#define RX_W(a, i) (((const u32 *)(a))[i])

/* Whether the agent watches a connection, local end first; with no filter, every one. */
static __always_inline int rx_watched(struct rx_tuple *local_first)
{
#ifdef RX_WATCH
	struct rx_tuple *t = local_first;
	return RX_WATCH(t->family, t->saddr, t->sport, t->daddr, t->dport);
#else
	return 1;
#endif
}

/* With cgroups in the filter, a socket's cgroup is its task's, known only in a task: at its
 * connect(), or at its first read (an accepted socket is created in the softirq). Until then it
 * is counted but nothing of it is recorded, and the agent does not hand its counts over. */
#ifdef RX_CGROUPS
BPF_CGROUP_ARRAY(rx_cgroups, RX_CGROUPS);
#define RX_UNDECIDED_AT_BIRTH RX_OUT_UNDECIDED
#else
#define RX_UNDECIDED_AT_BIRTH 0
#endif

/* A socket that waits for its task decides by the current one's cgroup. */
static __always_inline void rx_decide_task(struct rx_sock *s)
{
#ifdef RX_CGROUPS
	if (!(s->ignored & RX_OUT_UNDECIDED))
		return;
	u32 out = RX_OUT_CGROUP;
#pragma unroll
	for (int i = 0; i < RX_CGROUPS; i++) {
		if (rx_cgroups.check_current_task(i) == 1)
			out = 0;
	}
	s->ignored = (s->ignored & ~RX_OUT_UNDECIDED) | out;
#endif
}

/* ---- per-socket counters ---- */

/*
 * A socket's entry begins at its first record with addresses. An entry whose socket closed
 * stays for the agent to collect (reads and queue purges still come after the close); a
 * new socket at that address first moves it to rx_socks_gone, keyed by address and birth.
 */
static __always_inline struct rx_sock *rx_sock_begin(u64 sk, struct rx_tuple *t, struct rx_sock *closed)
{
	if (!sk)
		return 0;
	if (closed) {
		struct rx_sock_gone_key k = {.sk = sk, .first_ns = closed->first_ns};
		if (rx_socks_gone.update(&k, closed) != 0)
			rx_count(RX_STAT_GONE_FULL);
	}
	u32 zero = 0;
	struct rx_sock *init = rx_sock_init.lookup(&zero);
	if (!init)
		return 0;
	__builtin_memset(init, 0, sizeof(*init));
	init->first_ns = bpf_ktime_get_ns();
	init->t = *t;
	init->state = -1;
	init->ignored = (rx_watched(t) ? 0 : RX_OUT_TUPLE) | RX_UNDECIDED_AT_BIRTH;
	/* insert, not update, where there was none: a racing CPU's entry wins and is kept */
	if (closed)
		rx_socks.update(&sk, init);
	else
		rx_socks.insert(&sk, init);
	struct rx_sock *s = rx_socks.lookup(&sk);
	if (!s)
		rx_count(RX_STAT_SOCKS_FULL);
	return s;
}

/* The entry of a socket a record with addresses names, begun if there is none or only a closed one's. */
static __always_inline struct rx_sock *rx_sock_with(u64 sk, struct rx_tuple *t)
{
	struct rx_sock *s = sk ? rx_socks.lookup(&sk) : 0;
	if (!s || s->closed_ns)
		s = rx_sock_begin(sk, t, s);
	return s;
}

/* An entry outside the filter: the hook that found it does no more (and counts that it skipped). */
static __always_inline int rx_ignored(struct rx_sock *s)
{
	if (s && (s->ignored & (RX_OUT_TUPLE | RX_OUT_CGROUP))) {
		rx_count(RX_STAT_FILTERED);
		return 1;
	}
	return 0;
}

/* An entry whose counts are kept but whose records are not: outside the filter, or its task not seen yet. */
static __always_inline int rx_quiet(struct rx_sock *s)
{
	return s && s->ignored;
}

/* The entry of a watched socket a record without addresses names; null (and counted) if there is none. */
static __always_inline struct rx_sock *rx_sock_known(u64 sk)
{
	struct rx_sock *s = sk ? rx_socks.lookup(&sk) : 0;
	if (!s)
		rx_count(RX_STAT_UNTRACKED);
	return rx_ignored(s) ? 0 : s;
}

static __always_inline void rx_reader(struct rx_task *t)
{
	u64 id = bpf_get_current_pid_tgid();
	if (t->tgid != id >> 32 || t->pid != (u32)id)
		rx_task(t);
}

static __always_inline void rx_sock_drop(struct rx_sock *s, u32 reason)
{
#pragma unroll
	for (int i = 0; i < RX_DROP_SLOTS; i++) {
		if (s->drop_count[i] == 0)
			s->drop_reason[i] = reason; /* claim a free slot */
		if (s->drop_reason[i] == reason) {
			__sync_fetch_and_add(&s->drop_count[i], 1);
			return;
		}
	}
	__sync_fetch_and_add(&s->drops_other, 1);
}

/* ---- which segments have a path ----
 *
 * Each CPU keeps its last few received skbs in slots (by address): their DEV time, length and
 * device, and whether they were sampled. Stages in the same softirq read the decision there;
 * stages later or elsewhere (a socket's backlog, the reader's copy, the free) look the skb up
 * in rx_sampled. A dropped or reset skb that was not sampled still gets its path: its DEV
 * stage comes from the slot.
 */
#define RX_RECENT_SLOTS 64
struct rx_recent {
	u64 skb;
	u64 dev_ns;
	u32 len;
	u8 decided; /* by the driver-entry tracepoint, for the DEV stage that follows it */
	u8 sampled;
	u8 ignored; /* a stage found it outside the agent's filter: its drop is not recorded either */
	u8 pad;
	/* no device name: copying it out of the record costs every segment about a quarter of its
	 * DEV program (bpf_stats, bench rr), so only sampled segments have it */
};
BPF_PERCPU_ARRAY(rx_recent, struct rx_recent, RX_RECENT_SLOTS);

static __always_inline struct rx_recent *rx_recent_slot(u64 skb)
{
	u32 i = (u32)((skb >> 8) ^ (skb >> 14)) & (RX_RECENT_SLOTS - 1); /* skbs are 256-byte slab objects */
	return rx_recent.lookup(&i);
}

/* Marks of the skbs whose stages are recorded, for the stages away from their softirq.
 * With --paths all every skb is, and no mark is needed, unless a filter is set: then a
 * segment's first stages wait in its mark until a stage shows its socket (pending). */
#if !defined(RX_PATHS_ALL) || defined(RX_WATCH)
#define RX_MARKS
#define RX_PENDING_DEV 1
#define RX_PENDING_IP 2
#define RX_PENDING_TCP 4
struct rx_mark {
	u64 dev_ns;
	u64 ip_ns;
	u64 tcp_ns;
	u32 len;
	u16 family;
	u8 pending;   /* RX_PENDING_*: stages kept here, not yet recorded */
	u8 pad;
	char ifname[16];
};
BPF_TABLE("lru_hash", u64, struct rx_mark, rx_sampled, 8192);
#endif

#ifdef RX_SAMPLE_INTERVAL_NS
struct rx_sampler {
	u64 credit_ns;
	u64 last_ns;
};
BPF_PERCPU_ARRAY(rx_sampler, struct rx_sampler, 1);
#endif

/* The first stage's decision: a token bucket per CPU (a rate), or a random ratio. */
static __always_inline int rx_decide(u64 now)
{
#ifdef RX_PATHS_ALL
	return 1;
#else
	int pick = 0;
#ifdef RX_SAMPLE_RATIO
	pick = bpf_get_prandom_u32() < (u32)RX_SAMPLE_RATIO;
#endif
#ifdef RX_SAMPLE_INTERVAL_NS
	u32 zero = 0;
	struct rx_sampler *b = rx_sampler.lookup(&zero);
	if (b) {
		u64 credit = b->credit_ns + (now - b->last_ns);
		b->last_ns = now;
		if (credit > RX_SAMPLE_BURST_NS)
			credit = RX_SAMPLE_BURST_NS;
		if (credit >= RX_SAMPLE_INTERVAL_NS) {
			credit -= RX_SAMPLE_INTERVAL_NS;
			pick = 1;
		}
		b->credit_ns = credit;
	}
#endif
	return pick;
#endif
}

/* Whether a stage of this skb is recorded, away from its receive softirq. */
static __always_inline int rx_traced(u64 skb)
{
#ifdef RX_MARKS
	return skb && rx_sampled.lookup(&skb) != 0;
#else
	return 1;
#endif
}

/* The same, for a stage that may still be in the softirq that received the skb. */
static __always_inline int rx_traced_here(u64 skb)
{
#ifdef RX_MARKS
	struct rx_recent *slot = rx_recent_slot(skb);
	if (slot && slot->skb == skb)
		return slot->sampled;
	return rx_traced(skb);
#else
	return 1;
#endif
}

static __always_inline void rx_untrace(u64 skb)
{
#ifdef RX_MARKS
	rx_sampled.delete(&skb);
#endif
}

/* A stage found the skb's connection outside the agent's filter: nothing more of it is recorded. */
static __always_inline void rx_ignore(u64 skb)
{
	rx_count(RX_STAT_FILTERED);
	rx_untrace(skb);
#ifdef RX_WATCH
	struct rx_recent *slot = rx_recent_slot(skb);
	if (slot && slot->skb == skb)
		slot->ignored = 1;
#endif
}

/* Whether a stage already found this skb outside the filter (in the softirq that received it). */
static __always_inline int rx_was_ignored(u64 skb)
{
#ifdef RX_WATCH
	struct rx_recent *slot = rx_recent_slot(skb);
	return slot && slot->skb == skb && slot->ignored;
#else
	return 0;
#endif
}

/* The device's name, a __data_loc string in the driver and DEV tracepoints' records: copied only
 * for the segments that get a path (it costs a helper call). */
#define RX_TP_NAME(args) ((const char *)(args) + ((args)->data_loc_name & 0xFFFF))
#define RX_DEV_NAME(dst, args) bpf_probe_read_kernel_str((dst), sizeof(dst), RX_TP_NAME(args))

/* The same from the skb itself (a raw tracepoint has no record): its device's name, at the
 * kernel's BTF offsets. tp_name: the tracepoint record's copy, where there is one. */
static __always_inline void rx_ifname(char *dst, const char *tp_name, u64 skb)
{
	if (!tp_name) {
#ifdef RX_SKB_DEV
		u64 dev = 0;
		bpf_probe_read_kernel(&dev, sizeof(dev), (void *)(skb + RX_SKB_DEV));
		if (dev)
			tp_name = (const char *)(dev + RX_NETDEV_NAME);
#endif
	}
	if (tp_name)
		bpf_probe_read_kernel_str(dst, 16, tp_name);
	else
		dst[0] = 0;
}

static __always_inline void rx_emit_dev(void *ctx, u64 ts, u32 len, char *ifname, u64 skb)
{
	struct rx_dev r = {};
	rx_init_at(&r.h, ts, RX_DEV, sizeof(r), skb, 0);
	r.len = len;
	__builtin_memcpy(r.ifname, ifname, sizeof(r.ifname));
	rx_submit(ctx, &r, sizeof(r));
}

static __always_inline void rx_emit_stage(void *ctx, u64 ts, u64 skb, u16 type, u16 family)
{
	struct rx_stage r = {};
	rx_init_at(&r.h, ts, type, sizeof(r), skb, 0);
	r.family = family;
	rx_submit(ctx, &r, sizeof(r));
}

/* ---- a segment's IP and TCP headers, where the kernel's BTF gave the sk_buff layout ----
 *
 * The agent compiles in where this kernel's struct sk_buff keeps head, data and
 * network_header (RX_SKB_*, from /sys/kernel/btf/vmlinux), so no layout comes from the
 * headers bcc compiles against. Read only for sampled segments, drops and resets. */
#ifdef RX_SKB_HEAD
#define RX_SKB_UNSET 0xffff
#define RX_BE16(b, i) (((u16)(b)[i] << 8) | (b)[(i) + 1])
#define RX_BE32(b, i) (((u32)RX_BE16(b, i) << 16) | RX_BE16(b, (i) + 2))

/* A SYN's options, copied here to be walked: a map value may be indexed by a bounded
 * variable, a stack buffer only from 5.12 on. */
struct rx_options { u8 o[64]; };
BPF_PERCPU_ARRAY(rx_options_buf, struct rx_options, 1);

static __always_inline void rx_segment_options(u64 at, u32 len, struct rx_segment *r)
{
	u32 zero = 0;
	struct rx_options *b = rx_options_buf.lookup(&zero);
	if (!b || bpf_probe_read_kernel(b->o, 40, (void *)at))
		return;
	u32 i = 0;
#pragma unroll
	for (int n = 0; n < 12; n++) {
		if (i >= len || i >= 40)
			break;
		u8 kind = b->o[i & 63];
		if (kind == 0) /* end of options */
			break;
		if (kind == 1) { /* no-op padding */
			i++;
			continue;
		}
		u8 l = b->o[(i + 1) & 63];
		if (l < 2)
			break;
		if (kind == 2 && l == 4) {
			r->options |= RX_OPT_MSS;
			r->mss = ((u16)b->o[(i + 2) & 63] << 8) | b->o[(i + 3) & 63];
		} else if (kind == 3 && l == 3) {
			r->options |= RX_OPT_WSCALE;
			r->wscale = b->o[(i + 2) & 63];
		} else if (kind == 4) {
			r->options |= RX_OPT_SACK_OK;
		} else if (kind == 8) {
			r->options |= RX_OPT_TIMESTAMP;
		}
		i += l;
	}
}

/* The headers of the segment in skb, from its IP header: at data where the core has not yet
 * set network_header (DEV), else at head + network_header. Returns the IP packet's length
 * (what DEV saw as the skb's; 1 where IP's length field is 0, a BIG TCP packet), or 0 when it
 * is not TCP over IP (or IPv6 with extension headers before TCP). The payload is IP's length
 * less both headers. */
static __always_inline u32 rx_segment_read(u64 skb, int ip_at_data, struct rx_segment *r)
{
	u64 ip = 0;
	if (ip_at_data) {
		bpf_probe_read_kernel(&ip, sizeof(ip), (void *)(skb + RX_SKB_DATA));
	} else {
		u64 head = 0;
		u16 nh = RX_SKB_UNSET;
		bpf_probe_read_kernel(&head, sizeof(head), (void *)(skb + RX_SKB_HEAD));
		bpf_probe_read_kernel(&nh, sizeof(nh), (void *)(skb + RX_SKB_NETWORK_HEADER));
		if (head && nh != RX_SKB_UNSET)
			ip = head + nh;
	}
	u8 b[40];
	if (!ip || bpf_probe_read_kernel(b, sizeof(b), (void *)ip))
		return 0;
	u32 iplen, thoff;
	if (b[0] >> 4 == 4) {
		if (b[9] != RX_IPPROTO_TCP)
			return 0;
		thoff = (b[0] & 15) * 4;
		iplen = RX_BE16(b, 2);
		r->t.family = RX_AF_INET;
		__builtin_memcpy(r->t.saddr, b + 12, 4);
		__builtin_memcpy(r->t.daddr, b + 16, 4);
	} else if (b[0] >> 4 == 6) {
		if (b[6] != RX_IPPROTO_TCP)
			return 0;
		thoff = 40;
		iplen = 40 + RX_BE16(b, 4);
		r->t.family = RX_AF_INET6;
		__builtin_memcpy(r->t.saddr, b + 8, 16);
		__builtin_memcpy(r->t.daddr, b + 24, 16);
	} else {
		return 0;
	}
	u8 th[20];
	if (bpf_probe_read_kernel(th, sizeof(th), (void *)(ip + thoff)))
		return 0;
	r->t.sport = RX_BE16(th, 0);
	r->t.dport = RX_BE16(th, 2);
	r->seq = RX_BE32(th, 4);
	r->ack = RX_BE32(th, 8);
	u32 doff = (th[12] >> 4) * 4;
	r->flags = th[13];
	r->window = RX_BE16(th, 14);
	r->payload = iplen > thoff + doff ? iplen - thoff - doff : 0;
	if ((r->flags & 2) && doff > 20)
		rx_segment_options(ip + thoff + 20, doff - 20, r);
	return iplen ? iplen : 1;
}
#endif

#if defined(RX_SKB_SK) && defined(RX_WATCH)
/* Whether the socket that owns skb (skb->sk: a queued skb's) is one the filter leaves out:
 * for drops the tracepoint names no socket for, a closing socket's purge among them. */
static __always_inline int rx_owner_quiet(u64 skb)
{
	u64 owner = 0;
	bpf_probe_read_kernel(&owner, sizeof(owner), (void *)(skb + RX_SKB_SK));
	struct rx_sock *s = owner ? rx_socks.lookup(&owner) : 0;
	if (rx_quiet(s)) {
		rx_count(RX_STAT_FILTERED);
		return 1;
	}
	return 0;
}
#endif

#ifdef RX_SKB_HEAD
static __always_inline void rx_segment_submit(void *ctx, u64 ts, u64 skb, u64 sk, u8 at, struct rx_segment *r)
{
	rx_init_at(&r->h, ts, RX_SEGMENT, sizeof(*r), skb, sk);
	r->at = at;
	rx_submit(ctx, r, sizeof(*r));
}
#endif

/* The segment's headers as an RX_SEGMENT record, where this kernel lets them be read. */
static __always_inline void rx_emit_segment(void *ctx, u64 ts, u64 skb, u64 sk, u8 at, int ip_at_data)
{
#ifdef RX_SKB_HEAD
	struct rx_segment r = {};
	if (skb && rx_segment_read(skb, ip_at_data, &r))
		rx_segment_submit(ctx, ts, skb, sk, at, &r);
#endif
}

/* Records the stages a filtered segment's mark kept: its socket is known now, and watched. */
static __always_inline void rx_flush(void *ctx, u64 skb)
{
#ifdef RX_WATCH
	struct rx_mark *m = rx_sampled.lookup(&skb);
	if (!m || !m->pending)
		return;
	if (m->pending & RX_PENDING_DEV)
		rx_emit_dev(ctx, m->dev_ns, m->len, m->ifname, skb);
	if (m->pending & RX_PENDING_IP)
		rx_emit_stage(ctx, m->ip_ns, skb, RX_IP, m->family);
	if (m->pending & RX_PENDING_TCP)
		rx_emit_stage(ctx, m->tcp_ns, skb, RX_TCP, m->family);
	if (m->pending & RX_PENDING_DEV)
		rx_emit_segment(ctx, m->dev_ns, skb, 0, RX_SEG_FIRST, 0);
	m->pending = 0;
#endif
}

/* A drop or reset of an skb that was not sampled: its DEV stage from this CPU's slot, if it is
 * there. With the skb's IP length (0 or 1: unknown), a slot whose DEV saw another length is
 * another skb's that had the address before (freed unseen, perhaps on another CPU): not this path's.
 * A slot's length is 0 where DEV did not read it (the raw tracepoint reads it for sampled skbs
 * only): then the address alone tells, and the IP length stands for it. */
static __always_inline void rx_emit_unsampled_dev(void *ctx, u64 skb, u32 iplen)
{
#ifdef RX_MARKS
	struct rx_recent *slot = rx_recent_slot(skb);
	if (skb && slot && slot->skb == skb && !slot->sampled && (iplen <= 1 || !slot->len || slot->len == iplen)) {
		char unnamed[16] = {};
		rx_emit_dev(ctx, slot->dev_ns, slot->len ? slot->len : (iplen > 1 ? iplen : 0), unnamed, skb);
		slot->sampled = 1; /* its later stages in this softirq are recorded too */
		rx_count(RX_STAT_PROMOTED);
	}
#endif
}

/* From a reset on, an unsampled skb's stages are recorded too: its drop follows. */
static __always_inline void rx_promote(void *ctx, u64 skb)
{
#ifdef RX_MARKS
	if (!skb)
		return;
	if (rx_traced(skb)) {
		rx_flush(ctx, skb);
		return;
	}
	rx_emit_unsampled_dev(ctx, skb, 0);
	struct rx_mark m = {};
	rx_sampled.update(&skb, &m);
#endif
}

#ifdef RX_BENCH
/* bin/rxpath bench ring: for every skb entering the core receive path, submit
 * RX_BENCH copies of a real struct rx_dev, so a loopback UDP flood offers the rings
 * millions of real-sized records per second through the same emit path as the hooks. */
TRACEPOINT_PROBE(net, netif_receive_skb)
{
	struct rx_dev r = {};
	rx_init(&r.h, RX_DEV, sizeof(r), (u64)args->skbaddr, 0);
	r.len = args->len;
#pragma unroll
	for (int i = 0; i < RX_BENCH; i++)
		rx_submit(args, &r, sizeof(r));
	return 0;
}
#endif

/* ---- DEV: the core receive path; every received skb, loopback and veth included ---- */

#ifdef RX_HOOK_net__netif_receive_skb
/* Every received skb: the sampling decision (unless a driver hook made it) and this CPU's slot.
 * len: the skb's, or 0 where it is read only if sampled; tp_name: the device's name in the
 * tracepoint's record; null on the raw tracepoint. */
static __always_inline int rx_dev_receive(void *ctx, u64 skb, u32 len, const char *tp_name)
{
	u64 now = bpf_ktime_get_ns();
	struct rx_recent *slot = rx_recent_slot(skb);
	if (!slot)
		return 0;
	int sampled = slot->skb == skb && slot->decided ? slot->sampled : rx_decide(now);
	/* the last skb at this address, if this slot still holds it, says whether a mark may be left */
	int marked = slot->skb == skb ? slot->sampled : 1;
	slot->skb = skb;
	slot->dev_ns = now;
	slot->len = len;
	slot->decided = 0;
	slot->sampled = sampled;
	slot->ignored = 0;
#ifdef RX_SKB_LEN
	if (sampled && !len) {
		bpf_probe_read_kernel(&len, sizeof(len), (void *)(skb + RX_SKB_LEN));
		slot->len = len;
	}
#endif
#ifdef RX_MARKS
	if (!sampled) {
		/* an earlier skb at this address may have been sampled and freed unseen: its mark must go */
		if (marked && rx_sampled.lookup(&skb))
			rx_sampled.delete(&skb);
		return 0;
	}
	struct rx_mark m = {};
#ifdef RX_WATCH
	/* its socket, and so whether anyone watches it, is not known yet: DEV waits in the mark */
	m.dev_ns = now;
	m.len = len;
	m.pending = RX_PENDING_DEV;
	rx_ifname(m.ifname, tp_name, skb);
#endif
	rx_sampled.update(&skb, &m);
	rx_count(RX_STAT_SAMPLED);
#ifdef RX_WATCH
	return 0;
#endif
#endif
	char ifname[16];
	rx_ifname(ifname, tp_name, skb);
	rx_emit_dev(ctx, now, len, ifname, skb);
	rx_emit_segment(ctx, now, skb, 0, RX_SEG_FIRST, 1);
	return 0;
}

/* The classic tracepoint builds its record (the device's name copied in) before the program
 * runs, for every skb; the raw one hands over the skb alone: its length and device are read
 * for sampled skbs only (a read costs about as much as the rest of the program). */
TRACEPOINT_PROBE(net, netif_receive_skb) { return rx_dev_receive(args, (u64)args->skbaddr, args->len, RX_TP_NAME(args)); }

#ifdef RX_SKB_LEN
RAW_TRACEPOINT_PROBE(netif_receive_skb) { return rx_dev_receive(ctx, ctx->args[0], 0, 0); }
#endif
#endif

/* Driver metadata, from drivers that hand skbs over with netif_receive_skb() or GRO. Both
 * tracepoints share one format. They come before DEV, so the sampling decision is made here.
 * With a filter it is not recorded: the socket, and so whether anyone watches, is not known. */
#ifdef RX_WATCH
#define RX_META_RECORDED 0
#else
#define RX_META_RECORDED 1
#endif
#define RX_DEV_META(r, gro)                                                                \
	u64 skb = (u64)args->skbaddr;                                                      \
	int sampled = rx_decide(bpf_ktime_get_ns());                                       \
	struct rx_recent *slot = rx_recent_slot(skb);                                      \
	if (slot) {                                                                        \
		slot->skb = skb;                                                           \
		slot->decided = 1;                                                         \
		slot->sampled = sampled;                                                   \
	}                                                                                  \
	if (!sampled || !RX_META_RECORDED)                                                 \
		return 0;                                                                  \
	struct rx_dev_meta r = {};                                                         \
	rx_init(&r.h, RX_DEV_META, sizeof(r), skb, 0);                                     \
	RX_DEV_NAME(r.ifname, args);                                                       \
	r.napi_id = args->napi_id;                                                         \
	r.hash = args->hash;                                                               \
	r.len = args->len;                                                                 \
	r.data_len = args->data_len;                                                       \
	r.truesize = args->truesize;                                                       \
	r.queue_mapping = args->queue_mapping;                                             \
	r.protocol = args->protocol;                                                       \
	r.gso_size = args->gso_size;                                                       \
	r.gso_type = args->gso_type;                                                       \
	r.l4_hash = args->l4_hash;                                                         \
	r.nr_frags = args->nr_frags;                                                       \
	r.via_gro = gro;                                                                   \
	rx_submit(args, &r, sizeof(r));

#ifdef RX_HOOK_net__netif_receive_skb_entry
TRACEPOINT_PROBE(net, netif_receive_skb_entry)
{
	RX_DEV_META(r, 0);
	return 0;
}
#endif

#ifdef RX_HOOK_net__napi_gro_receive_entry
TRACEPOINT_PROBE(net, napi_gro_receive_entry)
{
	RX_DEV_META(r, 1);
	return 0;
}
#endif

/* ---- SOCKET: a segment accepted by a TCP socket ---- */

#if !defined(RX_FIELD_tcp__tcp_probe__skbaddr) && !defined(RX_RAW_TCP_PROBE) && (defined(RX_KFUNCS) || defined(RX_KPROBES))
/* Older kernels' tcp_probe names neither the skb nor the socket (the raw tracepoint does, where
 * the kernel's BTF lets it be used). It fires inside
 * tcp_rcv_established, which tcp_v{4,6}_do_rcv call on the same CPU (from the softirq, or
 * from the socket's backlog in the reader's task): hooks on those record the pair here
 * and the tcp_probe program takes it. */
#define RX_SOCK_RCV
struct rx_sock_rcv {
	u64 skb;
	u64 sk;
};
BPF_PERCPU_ARRAY(rx_sock_rcv, struct rx_sock_rcv, 1);

static __always_inline int rx_sock_rcv_set(u64 sk, u64 skb)
{
	u32 zero = 0;
	struct rx_sock_rcv v = {.skb = skb, .sk = sk};
	rx_sock_rcv.update(&zero, &v);
	return 0;
}
#endif

#ifndef RX_HOOK_sock__sock_recv_length
/* Without sock_recv_length (before 6.2), bytes delivered are the bytes copied out of a
 * socket's skbs: tcp_probe notes each payload skb's socket for the copy program. Every
 * copied skb, merged ones' hosts included, was seen there under its own address. */
BPF_TABLE("lru_hash", u64, u64, rx_skb_sock, 16384);
#endif

#ifdef RX_HOOK_tcp__tcp_probe
#ifdef RX_FIELD_tcp__tcp_probe__family
#define RX_PROBE_FAMILY(a, from_sockaddr) ((a)->family)
#else
#define RX_PROBE_FAMILY(a, from_sockaddr) (from_sockaddr) /* no family field (5.10): the sockaddr's own */
#endif
/* tcp_probe's addresses are sockaddrs, local end first; built only when needed: a new socket, a recorded segment */
#define rx_probe_tuple(t, a)                                                         \
	do {                                                                          \
		u16 ignored_port, family;                                             \
		rx_sockaddr((a)->saddr, (t)->saddr, &ignored_port, &family);         \
		rx_sockaddr((a)->daddr, (t)->daddr, &ignored_port, &family);         \
		(t)->sport = (a)->sport;                                              \
		(t)->dport = (a)->dport;                                              \
		(t)->family = RX_PROBE_FAMILY(a, family);                             \
		rx_tuple_unmap(t);                                                    \
	} while (0)

/* What tcp_probe tells of a segment that every segment needs: from the classic tracepoint's
 * record, or on the raw tracepoint read from the socket and skb at the kernel's BTF offsets. */
struct rx_probe_seen {
	u64 skb;
	u64 sk;
	u64 cookie;   /* the kernel's socket cookie; 0 where it has not made one */
	u32 len;      /* TCP payload bytes */
	u32 rcv_wnd;
	u32 srtt;
	u32 snd_wnd;
	u32 snd_cwnd;
	u8 gauges;    /* rcv_wnd to snd_cwnd are filled: always from the record, on demand from the socket */
};

static __always_inline void rx_sock_gauges(struct rx_sock *s, struct rx_probe_seen *p)
{
	if (!s || !p->gauges)
		return;
	s->rcv_wnd = p->rcv_wnd;
	s->srtt = p->srtt;
	s->snd_wnd = p->snd_wnd;
	s->snd_cwnd = p->snd_cwnd;
}

#ifdef RX_SKB_LEN
/* A socket life's id where the kernel has no cookie for it: the kernel makes one only when
 * asked (SO_COOKIE, sock_diag, the classic tcp_probe's record), which the raw tracepoint does
 * not do. Bit 62 keeps it apart from the kernel's cookies (a counter from 1); the CPU keeps
 * two sockets seen in the same 64 ns apart. */
static __always_inline u64 rx_life_id(void)
{
	return (1ULL << 62) | ((bpf_ktime_get_ns() >> 6) << 8) | (bpf_get_smp_processor_id() & 0xff);
}

static __always_inline u32 rx_read_u32(u64 at)
{
	u32 v = 0;
	bpf_probe_read_kernel(&v, sizeof(v), (void *)at);
	return v;
}

/* A socket's tuple, local end first, from struct sock_common. */
static __always_inline void rx_sk_tuple(struct rx_tuple *t, u64 sk)
{
	u16 family = 0, num = 0, dport = 0;
	bpf_probe_read_kernel(&family, sizeof(family), (void *)(sk + RX_SK_FAMILY));
	bpf_probe_read_kernel(&num, sizeof(num), (void *)(sk + RX_SK_NUM));
	bpf_probe_read_kernel(&dport, sizeof(dport), (void *)(sk + RX_SK_DPORT));
	t->family = family;
	t->sport = num;
	t->dport = bpf_ntohs(dport);
	if (family == RX_AF_INET6) {
		bpf_probe_read_kernel(t->saddr, 16, (void *)(sk + RX_SK_V6_RCV_SADDR));
		bpf_probe_read_kernel(t->daddr, 16, (void *)(sk + RX_SK_V6_DADDR));
		rx_tuple_unmap(t);
	} else {
		bpf_probe_read_kernel(t->saddr, 4, (void *)(sk + RX_SK_RCV_SADDR));
		bpf_probe_read_kernel(t->daddr, 4, (void *)(sk + RX_SK_DADDR));
	}
}

/* The windows and RTT, read from the socket: four reads, so not for every segment. */
static __always_inline void rx_sk_gauges(struct rx_probe_seen *p)
{
	if (p->gauges)
		return;
	p->rcv_wnd = rx_read_u32(p->sk + RX_TP_RCV_WND);
	p->srtt = rx_read_u32(p->sk + RX_TP_SRTT_US) >> 3;
	p->snd_wnd = rx_read_u32(p->sk + RX_TP_SND_WND);
	p->snd_cwnd = rx_read_u32(p->sk + RX_TP_SND_CWND);
	p->gauges = 1;
}

/* On the raw tracepoint a socket's windows and RTT are read at its first segment, every 16th
 * payload after, and every sampled one: the counters' gauges trail by at most 15 segments. */
#define RX_GAUGES_EVERY 16

_Static_assert(RX_SKB_TCP_END_SEQ - RX_SKB_TCP_SEQ <= 12 && RX_SKB_TCP_FLAGS - RX_SKB_TCP_SEQ < 16,
	       "tcp_skb_cb's seq, end_seq and flags lie within 16 bytes");
#define RX_TCPHDR_FIN 1
#define RX_TCPHDR_SYN 2

/* The payload's length from TCP's control block, which tcp_v{4,6}_rcv filled: the sequence
 * space it spans, less one for a SYN and one for a FIN. One read. */
static __always_inline u32 rx_skb_payload(u64 skb)
{
	u8 cb[16] = {};
	bpf_probe_read_kernel(cb, sizeof(cb), (void *)(skb + RX_SKB_TCP_SEQ));
	u32 seq = *(u32 *)cb, end_seq = *(u32 *)(cb + (RX_SKB_TCP_END_SEQ - RX_SKB_TCP_SEQ));
	u8 flags = cb[RX_SKB_TCP_FLAGS - RX_SKB_TCP_SEQ];
	return end_seq - seq - !!(flags & RX_TCPHDR_SYN) - !!(flags & RX_TCPHDR_FIN);
}
#endif

/* bcc defines the classic tracepoint's record type where its program is: the program comes
 * first, so the body it shares with the raw one can read that record. */
static __always_inline int rx_sock_probe(void *ctx, struct rx_probe_seen *p, void *tp);

TRACEPOINT_PROBE(tcp, tcp_probe)
{
	struct rx_probe_seen p = {};
#ifdef RX_FIELD_tcp__tcp_probe__skbaddr
	p.skb = (u64)args->skbaddr;
#endif
#ifdef RX_FIELD_tcp__tcp_probe__skaddr
	p.sk = (u64)args->skaddr;
#endif
#ifdef RX_SOCK_RCV
	u32 zero = 0;
	struct rx_sock_rcv *cur = rx_sock_rcv.lookup(&zero);
	if (cur) {
		p.skb = cur->skb;
		p.sk = cur->sk;
	}
#endif
#ifdef RX_FIELD_tcp__tcp_probe__sock_cookie
	p.cookie = args->sock_cookie;
#endif
	p.len = args->data_len;
	p.rcv_wnd = args->rcv_wnd;
	p.srtt = args->srtt;
	p.snd_wnd = args->snd_wnd;
	p.snd_cwnd = args->snd_cwnd;
	p.gauges = 1;
	return rx_sock_probe(args, &p, args);
}

/* A segment accepted by a socket: its counters, and its record if its path is sampled. tp:
 * the classic tracepoint's record; null on the raw tracepoint, where what the record would
 * have carried is read from the socket. */
static __always_inline int rx_sock_probe(void *ctx, struct rx_probe_seen *p, void *tp)
{
	struct tracepoint__tcp__tcp_probe *args = tp;
	u64 skb = p->skb, sk = p->sk;
	struct rx_sock_queue r = {};
	u32 len = p->len;

	struct rx_sock *s = sk ? rx_socks.lookup(&sk) : 0;
	int fresh = 0;
	if (!s || s->closed_ns) { /* a closed socket receives no segments: its address is a new one's */
		if (args)
			rx_probe_tuple(&r.t, args);
#ifdef RX_SKB_LEN
		else
			rx_sk_tuple(&r.t, sk);
#endif
		s = rx_sock_begin(sk, &r.t, s);
		fresh = 1;
	}
	if (rx_ignored(s)) {
		rx_untrace(skb);
		return 0;
	}
	if (s) {
		/* one socket's segments are handled one at a time, under its lock */
		u64 start = s->bytes_in > s->delivered ? s->bytes_in : s->delivered;
		if (len) {
			s->segs++;
			s->bytes_in = start + len;
		}
		r.stream_end = start + len;
#ifdef RX_SKB_LEN
		if (!args && (fresh || (len && s->segs % RX_GAUGES_EVERY == 1)))
			rx_sk_gauges(p);
#endif
		rx_sock_gauges(s, p);
		/* the entry keeps one cookie for the socket's life, and its records carry it */
		if (!s->cookie) {
			s->cookie = p->cookie;
#ifdef RX_SKB_LEN
			if (!args) {
				bpf_probe_read_kernel(&s->cookie, sizeof(s->cookie), (void *)(sk + RX_SK_COOKIE));
				if (!s->cookie)
					s->cookie = rx_life_id();
			}
#endif
		}
	}
#ifndef RX_HOOK_sock__sock_recv_length
	if (len && skb)
		rx_skb_sock.update(&skb, &sk);
#endif
	if (rx_quiet(s)) {
		rx_ignore(skb);
		return 0;
	}

	u64 now = bpf_ktime_get_ns();
	int traced;
	struct rx_recent *slot = rx_recent_slot(skb);
	if (skb && slot && slot->skb == skb) {
		traced = slot->sampled;
		rx_dev_to_socket.increment(bpf_log2l(now - slot->dev_ns));
	} else {
		traced = rx_traced(skb);
	}
	if (!traced)
		return 0;
	rx_flush(ctx, skb);
	if (s && len && r.stream_end > s->sample_end)
		s->sample_end = r.stream_end;
	rx_init_at(&r.h, now, RX_SOCK_QUEUE, sizeof(r), skb, sk);
	r.cookie = s && s->cookie ? s->cookie : p->cookie;
	r.data_len = len;
#ifdef RX_SKB_LEN
	if (!args) {
		rx_sk_gauges(p);
		rx_sock_gauges(s, p);
	}
#endif
	r.snd_cwnd = p->snd_cwnd;
	r.snd_wnd = p->snd_wnd;
	r.srtt = p->srtt;
	r.rcv_wnd = p->rcv_wnd;
	if (args) {
		rx_probe_tuple(&r.t, args);
		r.mark = args->mark;
		r.snd_nxt = args->snd_nxt;
		r.snd_una = args->snd_una;
		r.ssthresh = args->ssthresh;
	}
#ifdef RX_SKB_LEN
	else {
		rx_sk_tuple(&r.t, sk);
		r.mark = rx_read_u32(skb + RX_SKB_MARK);
		r.snd_nxt = rx_read_u32(sk + RX_TP_SND_NXT);
		r.snd_una = rx_read_u32(sk + RX_TP_SND_UNA);
		r.ssthresh = rx_read_u32(sk + RX_TP_SND_SSTHRESH); /* as kept: the record's is tcp_current_ssthresh() */
	}
#endif
	rx_submit(ctx, &r, sizeof(r));
	return 0;
}

/* The classic tracepoint builds its whole record (addresses, windows, a cookie the kernel makes
 * for it) before the program runs; the raw one hands over the socket and the skb, and the program
 * reads what a segment needs: its payload's length (one read), and the rest only when wanted. */
#ifdef RX_SKB_LEN
RAW_TRACEPOINT_PROBE(tcp_probe)
{
	struct rx_probe_seen p = {};
	p.sk = ctx->args[0];
	p.skb = ctx->args[1];
	p.len = rx_skb_payload(p.skb);
	return rx_sock_probe(ctx, &p, 0);
}
#endif
#endif

/* Attached with --paths all only: a wakeup count is not worth a program run on every segment. */
#ifdef RX_HOOK_sock__sk_data_ready
TRACEPOINT_PROBE(sock, sk_data_ready)
{
	if (args->protocol != RX_IPPROTO_TCP)
		return 0;
	u64 sk = (u64)args->skaddr;
	struct rx_sock *s = rx_socks.lookup(&sk);
	if (rx_ignored(s))
		return 0;
	if (s)
		__sync_fetch_and_add(&s->wakeups, 1);
#ifdef RX_PATHS_ALL
	if (rx_quiet(s))
		return 0;
	struct rx_data_ready r = {};
	rx_init(&r.h, RX_DATA_READY, sizeof(r), 0, sk);
	r.caller = args->ip;
	r.family = args->family;
	r.protocol = args->protocol;
	rx_submit(args, &r, sizeof(r));
#endif
	return 0;
}
#endif

/* ---- USER: the copy to the application, in the reading task ----
 * A read is recorded while a sampled payload of its socket waits (its delivered count
 * tells which payloads it took), or always with --paths all. */

static __always_inline u64 rx_delivered(struct rx_sock *s, s32 bytes, int *waited)
{
	u64 before = s->delivered;
	rx_decide_task(s);
	__sync_fetch_and_add(&s->delivered, bytes);
	__sync_fetch_and_add(&s->reads, 1);
	rx_reader(&s->reader);
	if (s->sample_end > before)
		*waited = 1;
	return before + bytes;
}

#ifdef RX_HOOK_skb__skb_copy_datagram_iovec
static __always_inline int rx_copy(void *ctx, u64 skb, s32 len)
{
	u64 sk = 0, delivered = 0;
	int emit = rx_traced_here(skb);
#ifndef RX_HOOK_sock__sock_recv_length
	u64 *owner = rx_skb_sock.lookup(&skb);
	if (owner && len > 0) {
		sk = *owner;
		struct rx_sock *s = rx_sock_known(sk);
		if (s)
			delivered = rx_delivered(s, len, &emit);
		if (rx_quiet(s))
			return 0;
	}
#endif
	if (!emit)
		return 0;
	struct rx_copy r = {};
	rx_init(&r.h, RX_COPY, sizeof(r), skb, sk);
	rx_task(&r.task);
	r.len = len;
	r.delivered = delivered;
	rx_submit(ctx, &r, sizeof(r));
	return 0;
}

TRACEPOINT_PROBE(skb, skb_copy_datagram_iovec) { return rx_copy(args, (u64)args->skbaddr, args->len); }
/* (const struct sk_buff *skb, int len) */
RAW_TRACEPOINT_PROBE(skb_copy_datagram_iovec) { return rx_copy(ctx, ctx->args[0], (s32)ctx->args[1]); }
#endif

#ifdef RX_HOOK_sock__sock_recv_length
/* family: the tracepoint's, which says the socket is TCP, so one without an entry is one the kernel
 * does not count; 0 from the raw tracepoint, where only an entry says so */
static __always_inline int rx_recv(void *ctx, u64 sk, s32 ret, s32 flags, u16 family)
{
	u64 delivered = 0;
	struct rx_sock *s = rx_socks.lookup(&sk);
	if (rx_ignored(s))
		return 0;
	int tcp = family != 0;
	if (s && !family)
		family = s->t.family;
	int emit = 0;
#if defined(RX_PATHS_ALL) && !defined(RX_WATCH)
	emit = tcp || s != 0;
#endif
	if (ret > 0 && !(flags & RX_MSG_PEEK)) {
		if (s)
			delivered = rx_delivered(s, ret, &emit);
		else if (tcp)
			rx_count(RX_STAT_UNTRACKED);
	}
	if (!emit || rx_quiet(s))
		return 0;
	struct rx_recv r = {};
	rx_init(&r.h, RX_RECV, sizeof(r), 0, sk);
	rx_task(&r.task);
	r.ret = ret;
	r.flags = flags;
	r.family = family;
	r.protocol = RX_IPPROTO_TCP;
	r.delivered = delivered;
	rx_submit(ctx, &r, sizeof(r));
	return 0;
}

TRACEPOINT_PROBE(sock, sock_recv_length)
{
	return args->protocol == RX_IPPROTO_TCP ? rx_recv(args, (u64)args->sk, args->ret, args->flags, args->family) : 0;
}

/* (struct sock *sk, int ret, int flags): no protocol, but only TCP sockets have entries */
RAW_TRACEPOINT_PROBE(sock_recv_length) { return rx_recv(ctx, ctx->args[0], (s32)ctx->args[1], (s32)ctx->args[2], 0); }
#endif

/* ---- END: consumed, dropped, or answered with a reset ---- */

#ifdef RX_HOOK_skb__consume_skb
static __always_inline int rx_consume(void *ctx, u64 skb, u64 location)
{
	if (!rx_traced_here(skb))
		return 0;
	rx_untrace(skb);
	struct rx_consume r = {};
	rx_init(&r.h, RX_CONSUME, sizeof(r), skb, 0);
	r.location = location;
	rx_submit(ctx, &r, sizeof(r));
	return 0;
}

#ifdef RX_FIELD_skb__consume_skb__location /* since 6.3 */
TRACEPOINT_PROBE(skb, consume_skb) { return rx_consume(args, (u64)args->skbaddr, (u64)args->location); }
/* (struct sk_buff *skb, void *location) */
RAW_TRACEPOINT_PROBE(consume_skb) { return rx_consume(ctx, ctx->args[0], ctx->args[1]); }
#else
TRACEPOINT_PROBE(skb, consume_skb) { return rx_consume(args, (u64)args->skbaddr, 0); }
RAW_TRACEPOINT_PROBE(consume_skb) { return rx_consume(ctx, ctx->args[0], 0); }
#endif
#endif

#ifdef RX_HOOK_skb__kfree_skb
TRACEPOINT_PROBE(skb, kfree_skb)
{
	u64 skb = (u64)args->skbaddr;
	struct rx_drop r = {};
#ifdef RX_FIELD_skb__kfree_skb__reason
	r.reason = args->reason;
#endif
#ifdef RX_FIELD_skb__kfree_skb__rx_sk
	u64 sk = (u64)args->rx_sk;
	struct rx_sock *s = sk ? rx_socks.lookup(&sk) : 0;
	if (rx_ignored(s)) {
		rx_untrace(skb);
		return 0;
	}
	if (s)
		rx_sock_drop(s, r.reason);
	if (rx_quiet(s)) {
		rx_ignore(skb);
		return 0;
	}
	r.h.sk = sk;
#endif
	if (rx_was_ignored(skb)) {
		rx_count(RX_STAT_FILTERED);
		return 0;
	}
#if defined(RX_SKB_SK) && defined(RX_WATCH)
	if (!r.h.sk && rx_owner_quiet(skb)) {
		rx_untrace(skb);
		return 0;
	}
#endif
	/* a drop whose segment's socket no hook showed and no socket owns is kept even with a filter:
	 * nothing tells whose it was */
	u32 iplen = 0;
#ifdef RX_SKB_HEAD
	struct rx_segment seg = {};
	iplen = rx_segment_read(skb, 0, &seg);
#endif
	if (rx_traced(skb)) {
		rx_flush(args, skb);
		rx_untrace(skb);
	} else {
		rx_emit_unsampled_dev(args, skb, iplen);
	}
#ifdef RX_SKB_HEAD
	if (iplen)
		rx_segment_submit(args, bpf_ktime_get_ns(), skb, r.h.sk, RX_SEG_DROP, &seg);
#endif
	rx_init(&r.h, RX_DROP, sizeof(r), skb, r.h.sk);
	r.location = (u64)args->location;
	r.protocol = args->protocol;
	rx_submit(args, &r, sizeof(r));
	return 0;
}
#endif

#ifdef RX_HOOK_tcp__tcp_send_reset
TRACEPOINT_PROBE(tcp, tcp_send_reset)
{
	u64 skb = (u64)args->skbaddr, sk = (u64)args->skaddr;
	struct rx_reset_sent r = {};
#if defined(RX_FIELD_tcp__tcp_send_reset__saddr_v6)
	/* before 6.10 tcp_send_reset has the split layout (saddr[4] and saddr_v6[16]) */
#ifdef RX_FIELD_tcp__tcp_send_reset__family
	RX_TUPLE_SPLIT(r.t, args);
#else
	RX_TUPLE_V6(r.t, args);
#endif
#else
	rx_sockaddr(args->saddr, r.t.saddr, &r.t.sport, &r.t.family);
	rx_sockaddr(args->daddr, r.t.daddr, &r.t.dport, &r.t.family);
	rx_tuple_unmap(&r.t);
#endif
	if (!rx_watched(&r.t)) { /* with a socket or without, the segment's addresses tell */
		rx_ignore(skb);
		return 0;
	}
	struct rx_sock *s = sk ? rx_socks.lookup(&sk) : 0;
	if (s)
		__sync_fetch_and_add(&s->resets_sent, 1);
	if (rx_quiet(s)) {
		rx_ignore(skb);
		return 0;
	}
	rx_promote(args, skb);
	rx_emit_segment(args, bpf_ktime_get_ns(), skb, sk, RX_SEG_RESET, 0);
	rx_init(&r.h, RX_RESET_SENT, sizeof(r), skb, sk);
#ifdef RX_FIELD_tcp__tcp_send_reset__state
	r.state = args->state;
#endif
#ifdef RX_FIELD_tcp__tcp_send_reset__reason
	r.reason = args->reason;
#endif
	rx_submit(args, &r, sizeof(r));
	return 0;
}
#endif

/* ---- socket history outside a single segment's path ---- */

#ifdef RX_HOOK_tcp__tcp_receive_reset
TRACEPOINT_PROBE(tcp, tcp_receive_reset)
{
	struct rx_reset_recv r = {};
	u64 sk = (u64)args->skaddr;
	rx_init(&r.h, RX_RESET_RECV, sizeof(r), 0, sk);
#ifdef RX_FIELD_tcp__tcp_receive_reset__family
	RX_TUPLE_SPLIT(r.t, args);
#else
	RX_TUPLE_V6(r.t, args);
#endif
#ifdef RX_FIELD_tcp__tcp_receive_reset__sock_cookie
	r.cookie = args->sock_cookie;
#endif
	struct rx_sock *s = rx_sock_with(sk, &r.t);
	if (rx_ignored(s) || !rx_watched(&r.t))
		return 0;
	if (s) {
		__sync_fetch_and_add(&s->resets_recv, 1);
		/* the entry names the one cookie its records carry: the agent tells socket lives apart by it */
		if (s->cookie)
			r.cookie = s->cookie;
		else
			s->cookie = r.cookie;
	}
	if (rx_quiet(s))
		return 0;
	rx_submit(args, &r, sizeof(r));
	return 0;
}
#endif

#ifdef RX_HOOK_tcp__tcp_retransmit_skb
TRACEPOINT_PROBE(tcp, tcp_retransmit_skb)
{
	struct rx_retransmit r = {};
	u64 sk = (u64)args->skaddr;
	rx_init(&r.h, RX_RETRANSMIT, sizeof(r), (u64)args->skbaddr, sk);
#ifdef RX_FIELD_tcp__tcp_retransmit_skb__family
	RX_TUPLE_SPLIT(r.t, args);
#else
	RX_TUPLE_V6(r.t, args);
#endif
	r.state = args->state;
#ifdef RX_FIELD_tcp__tcp_retransmit_skb__err
	r.err = args->err;
#endif
	struct rx_sock *s = rx_sock_with(sk, &r.t);
	if (rx_ignored(s) || !rx_watched(&r.t))
		return 0;
	if (s)
		__sync_fetch_and_add(&s->retransmits, 1);
	if (rx_quiet(s))
		return 0;
	rx_submit(args, &r, sizeof(r));
	return 0;
}
#endif

#ifdef RX_HOOK_sock__inet_sock_set_state
#ifdef RX_TP_SRTT_US
/* A tcp_sock bitfield, at the bit offset and width the agent found in the kernel's BTF. */
#define RX_TP_BITS(sk, NAME) rx_tp_bits(sk, RX_TP_##NAME##_AT, RX_TP_##NAME##_BITS)
static __always_inline u32 rx_tp_bits(u64 sk, u32 at, u32 width)
{
	u16 v = 0;
	bpf_probe_read_kernel(&v, sizeof(v), (void *)(sk + at / 8));
	return (v >> (at % 8)) & ((1u << width) - 1);
}

/* Once per connection, as it becomes established: what its handshake agreed. */
static __always_inline void rx_emit_handshake(void *ctx, u64 sk, struct rx_tuple *t, int active)
{
	struct rx_handshake r = {};
	rx_init(&r.h, RX_HANDSHAKE, sizeof(r), 0, sk);
	__builtin_memcpy(&r.t, t, sizeof(r.t));
	bpf_probe_read_kernel(&r.rtt_us, sizeof(r.rtt_us), (void *)(sk + RX_TP_SRTT_US));
	r.rtt_us >>= 3; /* srtt_us is kept times 8 */
	bpf_probe_read_kernel(&r.peer_mss, sizeof(r.peer_mss), (void *)(sk + RX_TP_MSS_CLAMP));
	bpf_probe_read_kernel(&r.mss, sizeof(r.mss), (void *)(sk + RX_TP_ADVMSS));
	if (RX_TP_BITS(sk, WSCALE_OK)) {
		r.options |= RX_OPT_WSCALE;
		r.peer_wscale = RX_TP_BITS(sk, SND_WSCALE);
		r.wscale = RX_TP_BITS(sk, RCV_WSCALE);
	}
	if (RX_TP_BITS(sk, SACK_OK))
		r.options |= RX_OPT_SACK_OK;
	if (RX_TP_BITS(sk, TSTAMP_OK)) {
		r.options |= RX_OPT_TIMESTAMP;
		r.mss += 12; /* agreed timestamps took their option's 12 bytes off advmss after the SYN offered it */
	}
	r.active = active;
	bpf_probe_read_kernel(&r.isn, sizeof(r.isn), (void *)(sk + RX_TP_SND_UNA));
	bpf_probe_read_kernel(&r.peer_isn, sizeof(r.peer_isn), (void *)(sk + RX_TP_RCV_NXT));
	r.isn -= 1;
	r.peer_isn -= 1;
	rx_submit(ctx, &r, sizeof(r));
}
#endif

TRACEPOINT_PROBE(sock, inet_sock_set_state)
{
	if (args->protocol != RX_IPPROTO_TCP)
		return 0;
	struct rx_state r = {};
	u64 sk = (u64)args->skaddr;
	RX_TUPLE_SPLIT(r.t, args);
	/* a change after the close is a new life: connect() again, or a new socket at the address */
	struct rx_sock *s = rx_sock_with(sk, &r.t);
	if (s) {
		s->t = r.t; /* a connecting socket gets its port after its first change */
		s->ignored = (s->ignored & ~RX_OUT_TUPLE) | (rx_watched(&r.t) ? 0 : RX_OUT_TUPLE);
		if (args->newstate == RX_TCP_SYN_SENT || args->newstate == RX_TCP_LISTEN)
			rx_decide_task(s); /* connect() and listen() run in the socket's task */
		s->state = args->newstate;
		s->states++;
		if (args->newstate == RX_TCP_CLOSE)
			s->closed_ns = bpf_ktime_get_ns();
	}
	if (rx_quiet(s))
		return 0;
#ifdef RX_TP_SRTT_US
	if (args->newstate == RX_TCP_ESTABLISHED && (args->oldstate == RX_TCP_SYN_SENT || args->oldstate == RX_TCP_SYN_RECV))
		rx_emit_handshake(args, sk, &r.t, args->oldstate == RX_TCP_SYN_SENT);
#endif
#ifdef RX_PATHS_ALL
	rx_init(&r.h, RX_STATE, sizeof(r), 0, sk);
	r.oldstate = args->oldstate;
	r.newstate = args->newstate;
	rx_submit(args, &r, sizeof(r));
#endif
	return 0;
}
#endif

/* ---- IP, TCP and LOOKUP: functions without tracepoints ----
 * Each has an fentry/fexit version and a kprobe version; the agent attaches the first
 * that the kernel accepts (fentry is cheaper, and fexit sees a lookup's arguments and
 * result in one program), so both are compiled when both mechanisms can be tried. */

#if defined(RX_KFUNCS) || defined(RX_KPROBES)
/* The skb this CPU's receive softirq is handling, set at IP and again at TCP: the socket
 * lookups do not all receive the skb (the established lookup also runs from early demux,
 * between ip_rcv and tcp_v4_rcv), so their records borrow it from here. */
BPF_PERCPU_ARRAY(rx_rcv_skb, u64, 1);

static __always_inline int rx_stage(void *ctx, u64 skb, u16 type, u16 family)
{
	u32 zero = 0;
	rx_rcv_skb.update(&zero, &skb);
	if (!rx_traced_here(skb))
		return 0;
#ifdef RX_WATCH
	/* the socket is not known yet: the stage waits in the mark with DEV */
	struct rx_mark *m = rx_sampled.lookup(&skb);
	if (m && m->pending) {
		if (type == RX_IP)
			m->ip_ns = bpf_ktime_get_ns();
		else
			m->tcp_ns = bpf_ktime_get_ns();
		m->pending |= type == RX_IP ? RX_PENDING_IP : RX_PENDING_TCP;
		m->family = family;
		return 0;
	}
#endif
	rx_emit_stage(ctx, bpf_ktime_get_ns(), skb, type, family);
	return 0;
}

static __always_inline u64 rx_current_skb(void)
{
	u32 zero = 0;
	u64 *skb = rx_rcv_skb.lookup(&zero);
	return skb ? *skb : 0;
}

/* A lookup's tuple from its arguments: the packet's source (remote) and destination
 * (local) as the lookup functions take them, source port in network order, local port
 * in host order. */
static __always_inline void rx_lookup_v4(struct rx_tuple *t, u32 saddr, u16 sport, u32 daddr, u16 hnum)
{
	__builtin_memcpy(t->saddr, &saddr, 4);
	__builtin_memcpy(t->daddr, &daddr, 4);
	t->sport = bpf_ntohs(sport);
	t->dport = hnum;
	t->family = RX_AF_INET;
}

static __always_inline void rx_lookup_v6(struct rx_tuple *t, u64 saddr, u16 sport, u64 daddr, u16 hnum)
{
	bpf_probe_read_kernel(t->saddr, 16, (void *)saddr);
	bpf_probe_read_kernel(t->daddr, 16, (void *)daddr);
	t->sport = bpf_ntohs(sport);
	t->dport = hnum;
	t->family = RX_AF_INET6;
}

#ifdef RX_SK_ACK_BACKLOG
/* Whether the listener found for skb has a full accept queue (as sk_acceptq_is_full: more
 * waiting than listen()'s backlog): then the kernel consumes the SYN unanswered and names no
 * reason, so the path is kept and told why. */
static __always_inline void rx_listen_full_check(void *ctx, u64 skb, u64 sk)
{
	u32 backlog = 0, max_backlog = 0;
	bpf_probe_read_kernel(&backlog, sizeof(backlog), (void *)(sk + RX_SK_ACK_BACKLOG));
	bpf_probe_read_kernel(&max_backlog, sizeof(max_backlog), (void *)(sk + RX_SK_MAX_ACK_BACKLOG));
	if (backlog <= max_backlog)
		return;
	rx_promote(ctx, skb);
	struct rx_listen_full r = {};
	rx_init(&r.h, RX_LISTEN_FULL, sizeof(r), skb, sk);
	r.backlog = backlog;
	r.max_backlog = max_backlog;
	rx_submit(ctx, &r, sizeof(r));
}
#endif

static __always_inline int rx_lookup_emit(void *ctx, struct rx_tuple *t, u64 skb, u8 listener, u64 sk)
{
#ifdef RX_WATCH
	struct rx_tuple local = {.sport = t->dport, .dport = t->sport, .family = t->family};
	__builtin_memcpy(local.saddr, t->daddr, 16);
	__builtin_memcpy(local.daddr, t->saddr, 16);
	if (!rx_watched(&local)) {
		rx_ignore(skb);
		return 0;
	}
#endif
#ifdef RX_CGROUPS
	/* the socket found decides; a lookup that finds none (a SYN to a closed port) is kept */
	struct rx_sock *found = sk ? rx_socks.lookup(&sk) : 0;
	if (sk && (!found || found->ignored)) {
		rx_ignore(skb);
		return 0;
	}
#endif
	if (listener && !sk)
		rx_promote(ctx, skb); /* no socket for it: it will be dropped or reset, and its path kept */
#ifdef RX_SK_ACK_BACKLOG
	if (listener && sk)
		rx_listen_full_check(ctx, skb, sk);
#endif
	if (!rx_traced_here(skb))
		return 0;
	rx_flush(ctx, skb);
	struct rx_lookup r = {};
	rx_init(&r.h, RX_LOOKUP, sizeof(r), skb, sk);
	r.t = *t;
	r.listener = listener;
	r.found = sk != 0;
	rx_submit(ctx, &r, sizeof(r));
	return 0;
}
#endif

#ifdef RX_KFUNCS
/* Arguments arrive as the BTF prototype's 64-bit slots; pointers are kept as values. */
KFUNC_PROBE(ip_rcv, u64 skb) { return rx_stage(ctx, skb, RX_IP, RX_AF_INET); }
KFUNC_PROBE(ipv6_rcv, u64 skb) { return rx_stage(ctx, skb, RX_IP, RX_AF_INET6); }
KFUNC_PROBE(tcp_v4_rcv, u64 skb) { return rx_stage(ctx, skb, RX_TCP, RX_AF_INET); }
KFUNC_PROBE(tcp_v6_rcv, u64 skb) { return rx_stage(ctx, skb, RX_TCP, RX_AF_INET6); }
#ifdef RX_SOCK_RCV
KFUNC_PROBE(tcp_v4_do_rcv, u64 sk, u64 skb) { return rx_sock_rcv_set(sk, skb); }
KFUNC_PROBE(tcp_v6_do_rcv, u64 sk, u64 skb) { return rx_sock_rcv_set(sk, skb); }
#endif

KRETFUNC_PROBE(__inet_lookup_established, u64 net, u64 hashinfo, u32 saddr, u16 sport, u32 daddr, u16 hnum,
	       int dif, int sdif, u64 sk)
{
	struct rx_tuple t = {};
	rx_lookup_v4(&t, saddr, sport, daddr, hnum);
	return rx_lookup_emit(ctx, &t, rx_current_skb(), 0, sk);
}

KRETFUNC_PROBE(__inet_lookup_listener, u64 net, u64 hashinfo, u64 skb, int doff, u32 saddr, u16 sport,
	       u32 daddr, u16 hnum, int dif, int sdif, u64 sk)
{
	struct rx_tuple t = {};
	rx_lookup_v4(&t, saddr, sport, daddr, hnum);
	return rx_lookup_emit(ctx, &t, skb, 1, sk);
}

KRETFUNC_PROBE(__inet6_lookup_established, u64 net, u64 hashinfo, u64 saddr, u16 sport, u64 daddr, u16 hnum,
	       int dif, int sdif, u64 sk)
{
	struct rx_tuple t = {};
	rx_lookup_v6(&t, saddr, sport, daddr, hnum);
	return rx_lookup_emit(ctx, &t, rx_current_skb(), 0, sk);
}

KRETFUNC_PROBE(inet6_lookup_listener, u64 net, u64 hashinfo, u64 skb, int doff, u64 saddr, u16 sport,
	       u64 daddr, u16 hnum, int dif, int sdif, u64 sk)
{
	struct rx_tuple t = {};
	rx_lookup_v6(&t, saddr, sport, daddr, hnum);
	return rx_lookup_emit(ctx, &t, skb, 1, sk);
}
#endif /* RX_KFUNCS */

#ifdef RX_KPROBES
int kprobe__ip_rcv(struct pt_regs *ctx) { return rx_stage(ctx, PT_REGS_PARM1(ctx), RX_IP, RX_AF_INET); }
int kprobe__ipv6_rcv(struct pt_regs *ctx) { return rx_stage(ctx, PT_REGS_PARM1(ctx), RX_IP, RX_AF_INET6); }
int kprobe__tcp_v4_rcv(struct pt_regs *ctx) { return rx_stage(ctx, PT_REGS_PARM1(ctx), RX_TCP, RX_AF_INET); }
int kprobe__tcp_v6_rcv(struct pt_regs *ctx) { return rx_stage(ctx, PT_REGS_PARM1(ctx), RX_TCP, RX_AF_INET6); }
#ifdef RX_SOCK_RCV
int kprobe__tcp_v4_do_rcv(struct pt_regs *ctx) { return rx_sock_rcv_set(PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx)); }
int kprobe__tcp_v6_do_rcv(struct pt_regs *ctx) { return rx_sock_rcv_set(PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx)); }
#endif

/* Entry arguments, held until the lookup returns (keyed by thread). */
struct rx_lookup_args {
	struct rx_tuple t;
	u64 skb;
	u8 listener;
};
BPF_HASH(rx_lookup_pending, u64, struct rx_lookup_args, 4096);

/* x86-64: arguments past the sixth are on the stack, above the return address. */
static __always_inline u64 rx_stack_arg(struct pt_regs *ctx, int n)
{
	u64 v = 0;
	bpf_probe_read_kernel(&v, sizeof(v), (void *)(PT_REGS_SP(ctx) + 8 * (n - 6)));
	return v;
}

static __always_inline void rx_lookup_stash(struct rx_lookup_args *a)
{
	u64 id = bpf_get_current_pid_tgid();
	rx_lookup_pending.update(&id, a);
}

/* __inet_lookup_established(net, hashinfo, saddr, sport, daddr, hnum, dif, sdif) */
int kprobe____inet_lookup_established(struct pt_regs *ctx)
{
	struct rx_lookup_args a = {};
	rx_lookup_v4(&a.t, PT_REGS_PARM3(ctx), PT_REGS_PARM4(ctx), PT_REGS_PARM5(ctx), PT_REGS_PARM6(ctx));
	a.skb = rx_current_skb();
	rx_lookup_stash(&a);
	return 0;
}

/* __inet_lookup_listener(net, hashinfo, skb, doff, saddr, sport, daddr, hnum, dif, sdif) */
int kprobe____inet_lookup_listener(struct pt_regs *ctx)
{
	struct rx_lookup_args a = {};
	rx_lookup_v4(&a.t, PT_REGS_PARM5(ctx), PT_REGS_PARM6(ctx), rx_stack_arg(ctx, 7), rx_stack_arg(ctx, 8));
	a.skb = PT_REGS_PARM3(ctx);
	a.listener = 1;
	rx_lookup_stash(&a);
	return 0;
}

/* __inet6_lookup_established(net, hashinfo, *saddr, sport, *daddr, hnum, dif, sdif) */
int kprobe____inet6_lookup_established(struct pt_regs *ctx)
{
	struct rx_lookup_args a = {};
	rx_lookup_v6(&a.t, PT_REGS_PARM3(ctx), PT_REGS_PARM4(ctx), PT_REGS_PARM5(ctx), PT_REGS_PARM6(ctx));
	a.skb = rx_current_skb();
	rx_lookup_stash(&a);
	return 0;
}

/* inet6_lookup_listener(net, hashinfo, skb, doff, *saddr, sport, *daddr, hnum, dif, sdif) */
int kprobe__inet6_lookup_listener(struct pt_regs *ctx)
{
	struct rx_lookup_args a = {};
	rx_lookup_v6(&a.t, PT_REGS_PARM5(ctx), PT_REGS_PARM6(ctx), rx_stack_arg(ctx, 7), rx_stack_arg(ctx, 8));
	a.skb = PT_REGS_PARM3(ctx);
	a.listener = 1;
	rx_lookup_stash(&a);
	return 0;
}

/* One return probe serves all four lookups: the entry stashed what distinguishes them. */
static __always_inline int rx_lookup_return(struct pt_regs *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	struct rx_lookup_args *a = rx_lookup_pending.lookup(&id);
	if (!a)
		return 0;
	struct rx_lookup_args args = *a;
	rx_lookup_pending.delete(&id);
	return rx_lookup_emit(ctx, &args.t, args.skb, args.listener, PT_REGS_RC(ctx));
}

int kretprobe____inet_lookup_established(struct pt_regs *ctx) { return rx_lookup_return(ctx); }
int kretprobe____inet_lookup_listener(struct pt_regs *ctx) { return rx_lookup_return(ctx); }
int kretprobe____inet6_lookup_established(struct pt_regs *ctx) { return rx_lookup_return(ctx); }
int kretprobe__inet6_lookup_listener(struct pt_regs *ctx) { return rx_lookup_return(ctx); }
#endif /* RX_KPROBES */
