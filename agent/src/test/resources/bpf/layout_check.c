/* Test fixture for RecordLayoutKernelTest: when the test's own process calls getppid(),
 * emit one record of every type in bpf/rxpath.h with every field set to a known value,
 * through the same perf ring the agent reads. The Java side expects the same values. */
#include "rxpath.h"

BPF_PERF_OUTPUT(events);
/* The agent's counter maps, as bpf/receive.c declares them: the test reads one entry back. */
BPF_F_TABLE("hash", u64, struct rx_sock, rx_socks, 16, BPF_F_NO_PREALLOC);
BPF_F_TABLE("hash", struct rx_sock_gone_key, struct rx_sock, rx_socks_gone, 16, BPF_F_NO_PREALLOC);

/* All the records do not fit the 512-byte BPF stack: build each in one scratch slot. */
union rx_any {
	struct rx_dev dev;
	struct rx_dev_meta meta;
	struct rx_stage stage;
	struct rx_lookup lookup;
	struct rx_sock_queue q;
	struct rx_data_ready ready;
	struct rx_copy copy;
	struct rx_recv recv;
	struct rx_consume consume;
	struct rx_drop drop;
	struct rx_reset_sent rs;
	struct rx_reset_recv rr;
	struct rx_retransmit rt;
	struct rx_state st;
	struct rx_segment seg;
	struct rx_handshake hs;
	struct rx_listen_full lf;
	struct rx_sock sock;
};
BPF_PERCPU_ARRAY(scratch, union rx_any, 1);

static __always_inline void hdr(struct rx_header *h, u16 type, u32 size)
{
	h->ts_ns = 0x0102030405060708ULL;
	h->skb = 0xffff888000000000ULL + type;
	h->sk = 0xffff888100000000ULL + type;
	h->type = type;
	h->cpu = 0x0a0b;
	h->size = size;
}

static __always_inline void tuple6(struct rx_tuple *t)
{
	for (int i = 0; i < 16; i++) {
		t->saddr[i] = 0x20 + i;
		t->daddr[i] = 0x40 + i;
	}
	t->sport = 0xa1a2;
	t->dport = 0xb1b2;
	t->family = 10;
}

static __always_inline void task(struct rx_task *k)
{
	k->tgid = 0x11121314;
	k->pid = 0x15161718;
	k->cgroup_id = 0x2122232425262728ULL;
	__builtin_memcpy(k->comm, "layout-comm\0\0\0\0", 16);
}

TRACEPOINT_PROBE(syscalls, sys_enter_getppid)
{
	if ((bpf_get_current_pid_tgid() >> 32) != RX_TEST_TGID)
		return 0;
	int zero = 0;
	union rx_any *u = scratch.lookup(&zero);
	if (!u)
		return 0;

	__builtin_memset(u, 0, sizeof(*u));
	struct rx_dev *dev = (struct rx_dev *)u;
	hdr(&dev->h, RX_DEV, sizeof(*dev));
	__builtin_memcpy(dev->ifname, "veth-layout0\0\0\0\0", 16);
	dev->len = 0x31323334;
	events.perf_submit(args, dev, sizeof(*dev));

	__builtin_memset(u, 0, sizeof(*u));
	struct rx_dev_meta *meta = (struct rx_dev_meta *)u;
	hdr(&meta->h, RX_DEV_META, sizeof(*meta));
	__builtin_memcpy(meta->ifname, "eth-meta\0\0\0\0\0\0\0\0", 16);
	meta->napi_id = 0x41; meta->hash = 0x42434445; meta->len = 0x46; meta->data_len = 0x47;
	meta->truesize = 0x48; meta->queue_mapping = 0x49; meta->protocol = 0x86dd; meta->gso_size = 0x4a;
	meta->gso_type = 0x4b; meta->l4_hash = 1; meta->nr_frags = 0x4c; meta->via_gro = 1;
	events.perf_submit(args, meta, sizeof(*meta));

	__builtin_memset(u, 0, sizeof(*u));
	struct rx_stage *ip = (struct rx_stage *)u;
	hdr(&ip->h, RX_IP, sizeof(*ip));
	ip->family = 10;
	events.perf_submit(args, ip, sizeof(*ip));

	__builtin_memset(u, 0, sizeof(*u));
	struct rx_stage *tcp = (struct rx_stage *)u;
	hdr(&tcp->h, RX_TCP, sizeof(*tcp));
	tcp->family = 2;
	events.perf_submit(args, tcp, sizeof(*tcp));

	__builtin_memset(u, 0, sizeof(*u));
	struct rx_lookup *lookup = (struct rx_lookup *)u;
	hdr(&lookup->h, RX_LOOKUP, sizeof(*lookup));
	tuple6(&lookup->t);
	lookup->listener = 1; lookup->found = 1;
	events.perf_submit(args, lookup, sizeof(*lookup));

	__builtin_memset(u, 0, sizeof(*u));
	struct rx_sock_queue *q = (struct rx_sock_queue *)u;
	hdr(&q->h, RX_SOCK_QUEUE, sizeof(*q));
	tuple6(&q->t);
	q->cookie = 0x5152535455565758ULL; q->mark = 0x59; q->data_len = 0x5a; q->snd_nxt = 0x5b; q->snd_una = 0x5c;
	q->snd_cwnd = 0x5d; q->ssthresh = 0x5e; q->snd_wnd = 0x5f; q->srtt = 0x60; q->rcv_wnd = 0x61;
	q->stream_end = 0x6263646566676869ULL;
	events.perf_submit(args, q, sizeof(*q));

	__builtin_memset(u, 0, sizeof(*u));
	struct rx_data_ready *ready = (struct rx_data_ready *)u;
	hdr(&ready->h, RX_DATA_READY, sizeof(*ready));
	ready->caller = 0xffffffff81000000ULL; ready->family = 2; ready->protocol = 6;
	events.perf_submit(args, ready, sizeof(*ready));

	__builtin_memset(u, 0, sizeof(*u));
	struct rx_copy *copy = (struct rx_copy *)u;
	hdr(&copy->h, RX_COPY, sizeof(*copy));
	task(&copy->task);
	copy->len = -7;
	copy->delivered = 0x7172737475767778ULL;
	events.perf_submit(args, copy, sizeof(*copy));

	__builtin_memset(u, 0, sizeof(*u));
	struct rx_recv *recv = (struct rx_recv *)u;
	hdr(&recv->h, RX_RECV, sizeof(*recv));
	task(&recv->task);
	recv->ret = 0x71; recv->flags = 0x72; recv->family = 10; recv->protocol = 6;
	recv->delivered = 0x7a7b7c7d7e7f8081ULL;
	events.perf_submit(args, recv, sizeof(*recv));

	__builtin_memset(u, 0, sizeof(*u));
	struct rx_consume *consume = (struct rx_consume *)u;
	hdr(&consume->h, RX_CONSUME, sizeof(*consume));
	consume->location = 0xffffffff82000000ULL;
	events.perf_submit(args, consume, sizeof(*consume));

	__builtin_memset(u, 0, sizeof(*u));
	struct rx_drop *drop = (struct rx_drop *)u;
	hdr(&drop->h, RX_DROP, sizeof(*drop));
	drop->location = 0xffffffff83000000ULL; drop->reason = 0x81; drop->protocol = 0x0800;
	events.perf_submit(args, drop, sizeof(*drop));

	__builtin_memset(u, 0, sizeof(*u));
	struct rx_reset_sent *rs = (struct rx_reset_sent *)u;
	hdr(&rs->h, RX_RESET_SENT, sizeof(*rs));
	tuple6(&rs->t);
	rs->state = 0x91; rs->reason = 0x92;
	events.perf_submit(args, rs, sizeof(*rs));

	__builtin_memset(u, 0, sizeof(*u));
	struct rx_reset_recv *rr = (struct rx_reset_recv *)u;
	hdr(&rr->h, RX_RESET_RECV, sizeof(*rr));
	tuple6(&rr->t);
	rr->cookie = 0x93;
	events.perf_submit(args, rr, sizeof(*rr));

	__builtin_memset(u, 0, sizeof(*u));
	struct rx_retransmit *rt = (struct rx_retransmit *)u;
	hdr(&rt->h, RX_RETRANSMIT, sizeof(*rt));
	tuple6(&rt->t);
	rt->state = 0x94; rt->err = -0x95;
	events.perf_submit(args, rt, sizeof(*rt));

	__builtin_memset(u, 0, sizeof(*u));
	struct rx_state *st = (struct rx_state *)u;
	hdr(&st->h, RX_STATE, sizeof(*st));
	tuple6(&st->t);
	st->oldstate = 0x96; st->newstate = 0x97;
	events.perf_submit(args, st, sizeof(*st));

	__builtin_memset(u, 0, sizeof(*u));
	struct rx_segment *seg = (struct rx_segment *)u;
	hdr(&seg->h, RX_SEGMENT, sizeof(*seg));
	tuple6(&seg->t);
	seg->seq = 0xf1f2f3f4; seg->ack = 0xf5f6f7f8; seg->window = 0xf9fa; seg->payload = 0x0fb0; seg->flags = 0x12;
	seg->at = RX_SEG_RESET; seg->options = RX_OPT_MSS | RX_OPT_WSCALE | RX_OPT_TIMESTAMP; seg->wscale = 7; seg->mss = 0xfcfd;
	events.perf_submit(args, seg, sizeof(*seg));

	__builtin_memset(u, 0, sizeof(*u));
	struct rx_handshake *hs = (struct rx_handshake *)u;
	hdr(&hs->h, RX_HANDSHAKE, sizeof(*hs));
	tuple6(&hs->t);
	hs->rtt_us = 0xe1e2e3e4; hs->peer_mss = 0xe5e6; hs->mss = 0xe7e8; hs->peer_wscale = 9; hs->wscale = 14;
	hs->options = RX_OPT_WSCALE | RX_OPT_SACK_OK; hs->active = 1; hs->isn = 0xd1d2d3d4; hs->peer_isn = 0xd5d6d7d8;
	events.perf_submit(args, hs, sizeof(*hs));

	__builtin_memset(u, 0, sizeof(*u));
	struct rx_listen_full *lf = (struct rx_listen_full *)u;
	hdr(&lf->h, RX_LISTEN_FULL, sizeof(*lf));
	lf->backlog = 0xc1c2c3c4; lf->max_backlog = 0xc5c6c7c8;
	events.perf_submit(args, lf, sizeof(*lf));

	/* a closed socket's entry: the agent's pass hands it over and deletes it */
	__builtin_memset(u, 0, sizeof(*u));
	struct rx_sock *s = (struct rx_sock *)u;
	s->cookie = 0xc1c2c3c4c5c6c7c8ULL; s->first_ns = 0x0102; s->closed_ns = 0x0103;
	tuple6(&s->t);
	s->segs = 0xd1; s->bytes_in = 0xd2d3d4d5d6ULL; s->delivered = 0xd7d8d9ULL; s->reads = 0xda; s->sample_end = 0xdb;
	s->drop_reason[0] = 3; s->drop_count[0] = 0xe1; s->drop_reason[1] = 0x1002; s->drop_count[1] = 0xe2;
	s->drops_other = 0xe3; s->resets_sent = 0xe4; s->resets_recv = 0xe5; s->retransmits = 0xe6; s->wakeups = 0xe7;
	s->states = 0xe8; s->state = 7; s->rcv_wnd = 0xe9; s->srtt = 0xea; s->snd_wnd = 0xeb; s->snd_cwnd = 0xec;
	task(&s->reader);
	u64 sk = 0xffff888100000010ULL;
	rx_socks.update(&sk, s);
	return 0;
}
