/* rxpath receive-path programs, compiled at run time by bcc.
 *
 * Kernel ABI rule (design.md): read tracepoint fields, function arguments and pointer
 * values only; never dereference a kernel struct through the compile-time headers,
 * which may not match the running kernel.
 *
 * The agent compiles this file once, with
 *   -DRX_HOOK_<category>__<event>        for each tracepoint the running kernel has,
 *   -DRX_FIELD_<category>__<event>__<f>  for each field of those tracepoints' formats,
 *   -DRX_KFUNCS                          when the kernel has BTF for fentry/fexit,
 *   -DRX_KPROBES                         when the kernel can attach kprobes,
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
 * define it. An enum field is 4 bytes whatever its enumerators (kernel-notes.md). */
enum skb_drop_reason { RX_SKB_DROP_REASON_ANY };
#endif
#ifdef RX_FIELD_tcp__tcp_send_reset__reason
enum sk_rst_reason { RX_SK_RST_REASON_ANY };
#endif

#define RX_AF_INET 2
#define RX_AF_INET6 10
#define RX_IPPROTO_TCP 6

/* One perf output table for every record type, and the programs' own per-CPU count of
 * what they submitted and what the ring refused: the agent reads it beside the ring's
 * LOST records, so no loss goes unseen. (bcc rewrites map calls only in the main file,
 * so these cannot move to a header.) */
BPF_PERF_OUTPUT(events);
BPF_PERCPU_ARRAY(rx_stats, u64, RX_STAT_MAX);

static __always_inline void rx_count(u32 stat)
{
	u64 *v = rx_stats.lookup(&stat);
	if (v)
		*v += 1;
}

static __always_inline void rx_init(struct rx_header *h, u16 type, u32 size, u64 skb, u64 sk)
{
	h->ts_ns = bpf_ktime_get_ns();
	h->skb = skb;
	h->sk = sk;
	h->type = type;
	h->cpu = bpf_get_smp_processor_id();
	h->size = size;
}

static __always_inline void rx_submit(void *ctx, void *rec, u32 size)
{
	if (events.perf_submit(ctx, rec, size) == 0)
		rx_count(RX_STAT_SUBMITTED);
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

/* The tracepoints with separate v4 and v6 address fields and host-order ports. */
#define RX_TUPLE_SPLIT(t, a)                                              \
	do {                                                              \
		(t).sport = (a)->sport;                                   \
		(t).dport = (a)->dport;                                   \
		(t).family = (a)->family;                                 \
		if ((a)->family == RX_AF_INET6) {                         \
			__builtin_memcpy((t).saddr, (a)->saddr_v6, 16);   \
			__builtin_memcpy((t).daddr, (a)->daddr_v6, 16);   \
		} else {                                                  \
			__builtin_memcpy((t).saddr, (a)->saddr, 4);       \
			__builtin_memcpy((t).daddr, (a)->daddr, 4);       \
		}                                                         \
	} while (0)

/* The same tracepoints where they have no family field (5.10): the kernel stores an IPv4
 * socket's addresses in saddr_v6/daddr_v6 v4-mapped (::ffff:a.b.c.d), an IPv6 socket's as
 * they are. Both are copied whole and the family is decided on the copies: deciding it
 * on the context made clang keep &args->saddr_v6 in a register for the copy, and the
 * verifier refuses a load through a moved context pointer ("dereference of modified ctx
 * ptr R2 off=40 disallowed"). */
static __always_inline void rx_tuple_unmap(struct rx_tuple *t)
{
	u32 *s = (u32 *)t->saddr, *d = (u32 *)t->daddr; /* 4-aligned: at 32 in every record */
	t->family = RX_AF_INET6;
	if (s[0] != 0 || s[1] != 0 || s[2] != bpf_htonl(0xffff))
		return;
	t->family = RX_AF_INET;
	s[0] = s[3];
	d[0] = d[3];
	s[1] = s[2] = s[3] = 0;
	d[1] = d[2] = d[3] = 0;
}

#define RX_TUPLE_V6(t, a)                                                 \
	do {                                                              \
		(t).sport = (a)->sport;                                   \
		(t).dport = (a)->dport;                                   \
		__builtin_memcpy((t).saddr, (a)->saddr_v6, 16);           \
		__builtin_memcpy((t).daddr, (a)->daddr_v6, 16);           \
		rx_tuple_unmap(&(t));                                     \
	} while (0)

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
TRACEPOINT_PROBE(net, netif_receive_skb)
{
	struct rx_dev r = {};
	rx_init(&r.h, RX_DEV, sizeof(r), (u64)args->skbaddr, 0);
	r.len = args->len;
	bpf_probe_read_kernel_str(r.ifname, sizeof(r.ifname), (char *)args + (args->data_loc_name & 0xFFFF));
	rx_submit(args, &r, sizeof(r));
	return 0;
}
#endif

/* Driver metadata, from drivers that hand skbs over with netif_receive_skb() or GRO.
 * Both tracepoints share one format. */
#define RX_DEV_META_FILL(r, gro)                                                           \
	rx_init(&r.h, RX_DEV_META, sizeof(r), (u64)args->skbaddr, 0);                      \
	bpf_probe_read_kernel_str(r.ifname, sizeof(r.ifname), (char *)args + (args->data_loc_name & 0xFFFF)); \
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
	r.via_gro = gro;

#ifdef RX_HOOK_net__netif_receive_skb_entry
TRACEPOINT_PROBE(net, netif_receive_skb_entry)
{
	struct rx_dev_meta r = {};
	RX_DEV_META_FILL(r, 0);
	rx_submit(args, &r, sizeof(r));
	return 0;
}
#endif

#ifdef RX_HOOK_net__napi_gro_receive_entry
TRACEPOINT_PROBE(net, napi_gro_receive_entry)
{
	struct rx_dev_meta r = {};
	RX_DEV_META_FILL(r, 1);
	rx_submit(args, &r, sizeof(r));
	return 0;
}
#endif

/* ---- SOCKET: a segment accepted by a TCP socket ---- */

#if !defined(RX_FIELD_tcp__tcp_probe__skbaddr) && (defined(RX_KFUNCS) || defined(RX_KPROBES))
/* Older kernels' tcp_probe names neither the skb nor the socket. It fires inside
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

#ifdef RX_HOOK_tcp__tcp_probe
TRACEPOINT_PROBE(tcp, tcp_probe)
{
	struct rx_sock_queue r = {};
	u64 skb = 0, sk = 0;
#ifdef RX_FIELD_tcp__tcp_probe__skbaddr
	skb = (u64)args->skbaddr;
#endif
#ifdef RX_FIELD_tcp__tcp_probe__skaddr
	sk = (u64)args->skaddr;
#endif
#ifdef RX_SOCK_RCV
	u32 zero = 0;
	struct rx_sock_rcv *cur = rx_sock_rcv.lookup(&zero);
	if (cur) {
		skb = cur->skb;
		sk = cur->sk;
	}
#endif
	rx_init(&r.h, RX_SOCK_QUEUE, sizeof(r), skb, sk);
	u16 ignored_port, family;
	rx_sockaddr(args->saddr, r.t.saddr, &ignored_port, &family);
	rx_sockaddr(args->daddr, r.t.daddr, &ignored_port, &family);
	r.t.sport = args->sport;
	r.t.dport = args->dport;
#ifdef RX_FIELD_tcp__tcp_probe__family
	r.t.family = args->family;
#else
	r.t.family = family; /* no family field (5.10): the sockaddr's own */
#endif
#ifdef RX_FIELD_tcp__tcp_probe__sock_cookie
	r.cookie = args->sock_cookie;
#endif
	r.mark = args->mark;
	r.data_len = args->data_len;
	r.snd_nxt = args->snd_nxt;
	r.snd_una = args->snd_una;
	r.snd_cwnd = args->snd_cwnd;
	r.ssthresh = args->ssthresh;
	r.snd_wnd = args->snd_wnd;
	r.srtt = args->srtt;
	r.rcv_wnd = args->rcv_wnd;
	rx_submit(args, &r, sizeof(r));
	return 0;
}
#endif

#ifdef RX_HOOK_sock__sk_data_ready
TRACEPOINT_PROBE(sock, sk_data_ready)
{
	if (args->protocol != RX_IPPROTO_TCP)
		return 0;
	struct rx_data_ready r = {};
	rx_init(&r.h, RX_DATA_READY, sizeof(r), 0, (u64)args->skaddr);
	r.caller = args->ip;
	r.family = args->family;
	r.protocol = args->protocol;
	rx_submit(args, &r, sizeof(r));
	return 0;
}
#endif

/* ---- USER: the copy to the application, in the reading task ---- */

#ifdef RX_HOOK_skb__skb_copy_datagram_iovec
TRACEPOINT_PROBE(skb, skb_copy_datagram_iovec)
{
	struct rx_copy r = {};
	rx_init(&r.h, RX_COPY, sizeof(r), (u64)args->skbaddr, 0);
	rx_task(&r.task);
	r.len = args->len;
	rx_submit(args, &r, sizeof(r));
	return 0;
}
#endif

#ifdef RX_HOOK_sock__sock_recv_length
TRACEPOINT_PROBE(sock, sock_recv_length)
{
	if (args->protocol != RX_IPPROTO_TCP)
		return 0;
	struct rx_recv r = {};
	rx_init(&r.h, RX_RECV, sizeof(r), 0, (u64)args->sk);
	rx_task(&r.task);
	r.ret = args->ret;
	r.flags = args->flags;
	r.family = args->family;
	r.protocol = args->protocol;
	rx_submit(args, &r, sizeof(r));
	return 0;
}
#endif

/* ---- END: consumed, dropped, or answered with a reset ---- */

#ifdef RX_HOOK_skb__consume_skb
TRACEPOINT_PROBE(skb, consume_skb)
{
	struct rx_consume r = {};
	rx_init(&r.h, RX_CONSUME, sizeof(r), (u64)args->skbaddr, 0);
#ifdef RX_FIELD_skb__consume_skb__location /* since 6.3 */
	r.location = (u64)args->location;
#endif
	rx_submit(args, &r, sizeof(r));
	return 0;
}
#endif

#ifdef RX_HOOK_skb__kfree_skb
TRACEPOINT_PROBE(skb, kfree_skb)
{
	struct rx_drop r = {};
	rx_init(&r.h, RX_DROP, sizeof(r), (u64)args->skbaddr, 0);
#ifdef RX_FIELD_skb__kfree_skb__rx_sk
	r.h.sk = (u64)args->rx_sk;
#endif
	r.location = (u64)args->location;
	r.protocol = args->protocol;
#ifdef RX_FIELD_skb__kfree_skb__reason
	r.reason = args->reason;
#endif
	rx_submit(args, &r, sizeof(r));
	return 0;
}
#endif

#ifdef RX_HOOK_tcp__tcp_send_reset
TRACEPOINT_PROBE(tcp, tcp_send_reset)
{
	struct rx_reset_sent r = {};
	rx_init(&r.h, RX_RESET_SENT, sizeof(r), (u64)args->skbaddr, (u64)args->skaddr);
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
#endif
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
	rx_init(&r.h, RX_RESET_RECV, sizeof(r), 0, (u64)args->skaddr);
#ifdef RX_FIELD_tcp__tcp_receive_reset__family
	RX_TUPLE_SPLIT(r.t, args);
#else
	RX_TUPLE_V6(r.t, args);
#endif
#ifdef RX_FIELD_tcp__tcp_receive_reset__sock_cookie
	r.cookie = args->sock_cookie;
#endif
	rx_submit(args, &r, sizeof(r));
	return 0;
}
#endif

#ifdef RX_HOOK_tcp__tcp_retransmit_skb
TRACEPOINT_PROBE(tcp, tcp_retransmit_skb)
{
	struct rx_retransmit r = {};
	rx_init(&r.h, RX_RETRANSMIT, sizeof(r), (u64)args->skbaddr, (u64)args->skaddr);
#ifdef RX_FIELD_tcp__tcp_retransmit_skb__family
	RX_TUPLE_SPLIT(r.t, args);
#else
	RX_TUPLE_V6(r.t, args);
#endif
	r.state = args->state;
#ifdef RX_FIELD_tcp__tcp_retransmit_skb__err
	r.err = args->err;
#endif
	rx_submit(args, &r, sizeof(r));
	return 0;
}
#endif

#ifdef RX_HOOK_sock__inet_sock_set_state
TRACEPOINT_PROBE(sock, inet_sock_set_state)
{
	if (args->protocol != RX_IPPROTO_TCP)
		return 0;
	struct rx_state r = {};
	rx_init(&r.h, RX_STATE, sizeof(r), 0, (u64)args->skaddr);
	RX_TUPLE_SPLIT(r.t, args);
	r.oldstate = args->oldstate;
	r.newstate = args->newstate;
	rx_submit(args, &r, sizeof(r));
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
	struct rx_stage r = {};
	u32 zero = 0;
	rx_init(&r.h, type, sizeof(r), skb, 0);
	r.family = family;
	rx_rcv_skb.update(&zero, &skb);
	rx_submit(ctx, &r, sizeof(r));
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

static __always_inline int rx_lookup_emit(void *ctx, struct rx_tuple *t, u64 skb, u8 listener, u64 sk)
{
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
