// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream FlowOS: the forward-path hook that gives packets to flows.
 *
 * At NF_INET_FORWARD (IPv4 and IPv6, last priority) each packet is
 * classified; a packet that matches a flow is taken (NF_STOLEN) into its
 * session's stream and queued for the flow's first PM, or for the merger
 * when the flow has none. A packet of a flow without PMs whose session
 * holds nothing passes at once (counted in and out). Non-first fragments
 * and packets whose headers cannot be read pass untouched.
 */
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/dsfield.h>
#include <net/ipv6.h>

#include "fos.h"
#include "mig.h"
#include "netns.h"

/*
 * Parse @skb (of @pf, come in on @ifindex) into @k; its L4 header offset in
 * *l4off. False: pass it.
 */
static bool fos_parse(struct sk_buff *skb, u8 pf, int ifindex,
		      struct fos_pkt_key *k, unsigned int *l4off)
{
	__be16 ports[2], *pp;

	memset(k, 0, sizeof(*k));
	k->ifindex = ifindex;
	if (pf == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		if (ip_is_fragment(iph) && (iph->frag_off & htons(IP_OFFSET)))
			return false;
		k->family = AF_INET;
		k->proto = iph->protocol;
		k->dscp = ipv4_get_dsfield(iph) >> 2;
		k->src.ip = iph->saddr;
		k->dst.ip = iph->daddr;
		*l4off = skb_network_offset(skb) + iph->ihl * 4;
	} else {
		const struct ipv6hdr *ip6 = ipv6_hdr(skb);
		__be16 frag_off = 0;
		u8 nexthdr = ip6->nexthdr;
		int off;

		off = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
				       sizeof(*ip6), &nexthdr, &frag_off);
		if (off < 0 || (frag_off & htons(~0x7)))
			return false;
		k->family = AF_INET6;
		k->proto = nexthdr;
		k->dscp = ipv6_get_dsfield(ip6) >> 2;
		k->src.in6 = ip6->saddr;
		k->dst.in6 = ip6->daddr;
		*l4off = off;
	}
	switch (k->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
		pp = skb_header_pointer(skb, *l4off, sizeof(ports), ports);
		if (!pp)
			return false;
		k->sport = pp[0];
		k->dport = pp[1];
		break;
	}
	return true;
}

/* Gives up @skb by @f's policy, counted by @why (a DROP_* counter). */
static unsigned int fos_give_up(struct fos_flow *f, int why)
{
	if (f->policy == FLOWSTREAM_FOS_POLICY_BYPASS) {
		static const u8 bypass[] = {
			[FLOWSTREAM_FOS_STAT_DROP_SESSIONS] =
				FLOWSTREAM_FOS_STAT_BYPASS_SESSIONS,
			[FLOWSTREAM_FOS_STAT_DROP_HELD] =
				FLOWSTREAM_FOS_STAT_BYPASS_HELD,
			[FLOWSTREAM_FOS_STAT_DROP_NOMEM] =
				FLOWSTREAM_FOS_STAT_BYPASS_NOMEM,
		};

		fos_flow_stat_add(f, bypass[why], 1);
		return NF_ACCEPT;
	}
	fos_flow_stat_add(f, why, 1);
	return NF_DROP;
}

static void fos_cb_set(struct sk_buff *skb, u8 dir, u32 off, u32 len,
		       u64 stream_off, u64 gap, u8 flags)
{
	struct fos_cb *cb = fos_cb(skb);

	cb->dir = dir;
	cb->off = off;
	cb->len = len;
	cb->stream_off = stream_off;
	cb->gap = min_t(u64, gap, U32_MAX);
	cb->flags = flags;
}

struct fos_emit_ctx {
	struct fos_session *s;
	u8 dir;
};

/* A unit of a TCP stream came out in order: append it to the ring. */
static void fos_tcp_emit(void *arg, const struct fos_tcp_unit *u)
{
	struct fos_emit_ctx *ctx = arg;
	struct fos_session *s = ctx->s;
	struct fos_flow *f = s->flow;
	int err;

	/* The stream's flags are the units' (include/flowstream/pm.h). */
	BUILD_BUG_ON((FOS_TCP_F_SYN ^ FOS_UNIT_SYN) |
		     (FOS_TCP_F_FIN ^ FOS_UNIT_FIN) |
		     (FOS_TCP_F_RST ^ FOS_UNIT_RST) |
		     (FOS_TCP_F_DUP ^ FOS_UNIT_DUP) |
		     (FOS_TCP_F_AHEAD ^ FOS_UNIT_AHEAD));
	fos_cb_set(u->skb, ctx->dir, u->off, u->len, u->stream_off, u->gap,
		   u->flags);
	if (u->gap) {
		s->gaps++;
		fos_flow_stat_add(f, FLOWSTREAM_FOS_STAT_TCP_GAPS, 1);
	}
	/* The ring was grown for every unit fos_tcp_input() can emit. */
	err = fos_sess_push(s, u->skb);
	if (WARN_ON_ONCE(err)) {
		fos_flow_stat_add(f, FLOWSTREAM_FOS_STAT_DROP_NOMEM, 1);
		fos_held_sub(f, 1, fos_cb(u->skb)->charged);
		kfree_skb(u->skb);
	}
}

/*
 * Queue @skb as units of @s's stream; under s->lock. Returns 0 when the
 * packet is taken, or the counter saying why it is not.
 */
static int fos_take(struct fos_flow *f, struct fos_session *s,
		    struct sk_buff *skb, int dir, unsigned int l4off,
		    u8 proto)
{
	struct fos_emit_ctx ctx = { .s = s, .dir = dir };
	struct fos_net *fn = f->fn;
	unsigned int held = s->held + fos_tcp_held(&s->tcp[0]) +
			    fos_tcp_held(&s->tcp[1]);
	struct fos_tcp_limits lim;
	u32 off = 0, len = skb->len;
	unsigned int ooo;
	int err;

	if (held >= f->max_session_held ||
	    atomic_read(&f->held) >= f->max_held ||
	    atomic_read(&f->held_bytes) + skb->truesize > f->max_held_bytes ||
	    atomic_read(&fn->held) >= READ_ONCE(fn->max_held) ||
	    atomic_read(&fn->held_bytes) + skb->truesize >
	    READ_ONCE(fn->max_held_bytes))
		return FLOWSTREAM_FOS_STAT_DROP_HELD;
	/* Room in the ring for this unit and all TCP may release with it. */
	err = fos_sess_reserve(s, held + 1, f->max_session_held);
	if (err)
		return err == -ENOMEM ? FLOWSTREAM_FOS_STAT_DROP_NOMEM :
					FLOWSTREAM_FOS_STAT_DROP_HELD;
	fos_cb(skb)->charged = skb->truesize;
	fos_held_add(f, 1, skb->truesize);

	if (f->stream == FLOWSTREAM_STREAM_TCP && proto == IPPROTO_TCP) {
		ooo = fos_tcp_held(&s->tcp[dir]);
		lim.max_pkts = f->max_session_held;
		lim.max_bytes = f->max_held_bytes;
		err = fos_tcp_input(&s->tcp[dir], skb, l4off, ktime_get_ns(),
				    &lim, fos_tcp_emit, &ctx);
		if (!err) {
			if (fos_tcp_held(&s->tcp[dir]) > ooo)
				fos_flow_stat_add(f, FLOWSTREAM_FOS_STAT_TCP_OOO,
						  1);
			return 0;
		}
		fos_held_sub(f, 1, fos_cb(skb)->charged);
		return err == -ENOMEM ? FLOWSTREAM_FOS_STAT_DROP_NOMEM :
					FLOWSTREAM_FOS_STAT_DROP_HELD;
	}
	if (f->stream == FLOWSTREAM_STREAM_UDP && proto == IPPROTO_UDP &&
	    skb->len >= l4off + sizeof(struct udphdr)) {
		off = l4off + sizeof(struct udphdr);
		len = skb->len - off;
	}
	fos_cb_set(skb, dir, off, len, s->pkts[dir] - 1, 0, 0);
	fos_sess_push(s, skb);
	return 0;
}

/*
 * The idle phase of a state migration (Documentation/migration.rst): a
 * packet of a daisy-chaining migration's set (either of its directions in
 * it, as for the session that would hold it) that has no live session of
 * @f here gets none; it is sent to the migration's next hop, the host
 * taking the set over, which creates the session and runs the PMs there.
 * Packets of the sessions already here stay. Packet path, under RCU.
 * Return: whether @skb was sent on that way (counted in mig_chained); if
 * the next hop has no route it is taken here as usual (mig_noroute).
 */
static bool fos_mig_pass(struct fos_flow *f, struct sk_buff *skb,
			 const struct fos_pkt_key *k)
{
	struct fs_net *fsn = f->fn->fsn;
	struct fs_mig *mig;

	/* A session holds both directions: either may name it. */
	mig = fs_mig_chainer(fsn, k->family, &k->src.in6, &k->dst.in6) ?:
	      fs_mig_chainer(fsn, k->family, &k->dst.in6, &k->src.in6);
	if (!mig || fos_sess_live(f, k))
		return false;
	if (fs_mig_send(fsn, mig, skb, k->family)) {
		fos_flow_stat_add(f, FLOWSTREAM_FOS_STAT_MIG_CHAINED, 1);
		return true;
	}
	fos_flow_stat_add(f, FLOWSTREAM_FOS_STAT_MIG_NOROUTE, 1);
	return false;
}

/**
 * fos_mig_state() - what FlowOS holds here of a packet
 * @fsn: the namespace
 * @skb: a forwarded packet of a daisy-chaining migration's set, at
 *	POST_ROUTING (after FlowOS's FORWARD hook; with the addresses it saw
 *	there unless NAT changed them since)
 * @pf: NFPROTO_IPV4 or NFPROTO_IPV6
 *
 * Packet path, under RCU. Return: FS_MIG_FOS_NONE if no live flow takes
 * @skb, FS_MIG_FOS_HERE if its flow has a live session of it here,
 * FS_MIG_FOS_GONE if not (fos_mig_pass() sent it on).
 */
enum fs_mig_fos fos_mig_state(struct fs_net *fsn, struct sk_buff *skb, u8 pf)
{
	struct fos_net *fn = fsn->fos;
	struct fos_pkt_key k;
	unsigned int l4off;
	struct fos_flow *f;

	if (!fn || !READ_ONCE(fn->hooked) ||
	    !fos_parse(skb, pf, skb->skb_iif, &k, &l4off))
		return FS_MIG_FOS_NONE;
	f = fos_cls_lookup(rcu_dereference(fn->cls), &k);
	if (!f || !READ_ONCE(f->live))
		return FS_MIG_FOS_NONE;
	return fos_sess_live(f, &k) ? FS_MIG_FOS_HERE : FS_MIG_FOS_GONE;
}

/*
 * Is a session of @sk in @mig's set? Either of its directions may be (an
 * IPv4 key's addresses are zero past their 4 bytes).
 */
static bool fos_mig_has(const struct fs_mig *mig,
			const struct fos_session_key *sk)
{
	return fs_mig_wants_addr(mig, sk->family, &sk->addr_a.a6,
				 &sk->addr_b.a6) ||
	       fs_mig_wants_addr(mig, sk->family, &sk->addr_b.a6,
				 &sk->addr_a.a6);
}

/*
 * The live sessions of @mig's set in every flow of @fn: the FlowOS states
 * left on this host. fs_net.lock held (the flows' list).
 */
u64 fos_mig_sessions(struct fos_net *fn, const struct fs_mig *mig)
{
	struct fos_session *s;
	struct fos_flow *f;
	u64 n = 0;

	list_for_each_entry(f, &fn->flows, list) {
		spin_lock_bh(&f->sess_lock);
		list_for_each_entry(s, &f->sess_list, all)
			if (!READ_ONCE(s->dead) && fos_mig_has(mig, &s->key))
				n++;
		spin_unlock_bh(&f->sess_lock);
	}
	return n;
}

static unsigned int fos_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *st)
{
	struct fos_net *fn = priv;
	struct fos_session *s;
	struct fos_pkt_key k;
	struct fos_flow *f;
	unsigned int l4off;
	int dir, why, tries;
	bool fast;

	if (!fos_parse(skb, st->pf, st->in ? st->in->ifindex : 0, &k, &l4off))
		return NF_ACCEPT;
	f = fos_cls_lookup(rcu_dereference(fn->cls), &k);
	if (!f || !READ_ONCE(f->live))
		return NF_ACCEPT;
	if (unlikely(fs_mig_chaining(fn->fsn->mig)) && fos_mig_pass(f, skb, &k))
		return NF_ACCEPT;

	for (tries = 0;; tries++) {
		s = fos_sess_get(f, &k, &dir, &why);
		if (!s)
			goto give_up;
		spin_lock(&s->lock);
		if (likely(!s->dead))
			break;
		/* Reaped between lookup and lock: it is out of the table. */
		spin_unlock(&s->lock);
		fos_sess_put(s);
		if (tries) {
			why = FLOWSTREAM_FOS_STAT_DROP_NOMEM;
			goto give_up;
		}
	}
	s->pkts[dir]++;
	s->bytes[dir] += skb->len;
	s->last = jiffies;
	fast = !READ_ONCE(f->npms) && s->w.sent == s->w.tail &&
	       f->stream != FLOWSTREAM_STREAM_TCP;
	fos_flow_stat_pkt(f, skb->len, true, fast);
	if (fast) {
		spin_unlock(&s->lock);
		fos_sess_put(s);
		return NF_ACCEPT;
	}
	skb_dst_force(skb);
	if (!skb_dst(skb)) {
		spin_unlock(&s->lock);
		fos_sess_put(s);
		fos_flow_stat_add(f, FLOWSTREAM_FOS_STAT_DROP_OUTPUT, 1);
		return NF_DROP;
	}
	if (unlikely(!fn->okfn[st->pf == NFPROTO_IPV6]))
		WRITE_ONCE(fn->okfn[st->pf == NFPROTO_IPV6], st->okfn);
	why = fos_take(f, s, skb, dir, l4off, k.proto);
	spin_unlock(&s->lock);
	if (why) {
		fos_sess_put(s);
		return fos_give_up(f, why);
	}
	fos_kick(s, READ_ONCE(f->npms) ? 0 : FOS_MERGER);
	fos_sess_put(s);
	return NF_STOLEN;

give_up:
	fos_flow_stat_pkt(f, skb->len, true, false);
	return fos_give_up(f, why);
}

int fos_hook_register(struct fos_net *fn)
{
	int i, err;

	for (i = 0; i < 2; i++) {
		fn->ops[i].hook = fos_hook;
		fn->ops[i].priv = fn;
		fn->ops[i].pf = i ? NFPROTO_IPV6 : NFPROTO_IPV4;
		fn->ops[i].hooknum = NF_INET_FORWARD;
		fn->ops[i].priority = i ? NF_IP6_PRI_LAST : NF_IP_PRI_LAST;
	}
	err = nf_register_net_hooks(fn->net, fn->ops, 2);
	if (!err)
		fn->hooked = true;
	return err;
}

void fos_hook_unregister(struct fos_net *fn)
{
	if (fn->hooked)
		nf_unregister_net_hooks(fn->net, fn->ops, 2);
	fn->hooked = false;
}

/*
 * Give up on TCP holes older than @f's hole-timeout: the segments held
 * behind them go on, the first with the gap. Process context.
 */
void fos_sess_expire(struct fos_flow *f)
{
	u64 timeout = (u64)f->hole_timeout * NSEC_PER_MSEC;
	u64 now = ktime_get_ns();
	struct fos_session *s;
	int d;

	spin_lock_bh(&f->sess_lock);
	list_for_each_entry(s, &f->sess_list, all) {
		u64 tail;

		spin_lock(&s->lock);
		tail = s->w.tail;
		for (d = 0; d < 2; d++) {
			struct fos_emit_ctx ctx = { .s = s, .dir = d };
			unsigned int held = fos_tcp_held(&s->tcp[d]);

			if (!held || fos_sess_reserve(s, s->held + held,
						      U32_MAX))
				continue;
			fos_tcp_expire(&s->tcp[d], now, timeout, fos_tcp_emit,
				       &ctx);
		}
		if (s->w.tail != tail && !s->dead)
			fos_kick(s, READ_ONCE(f->npms) ? 0 : FOS_MERGER);
		spin_unlock(&s->lock);
	}
	spin_unlock_bh(&f->sess_lock);
}

/*
 * Units a PM has kept waiting for more data are flushed once no data has
 * come for fos_kept_max(): the stage runs again with flush set. Returns
 * whether any session of @f still has units kept.
 */
bool fos_sess_flush(struct fos_flow *f)
{
	struct fos_session *s;
	bool any = false;

	spin_lock_bh(&f->sess_lock);
	list_for_each_entry(s, &f->sess_list, all) {
		if (!READ_ONCE(s->kept))
			continue;
		any = true;
		if (time_after(jiffies, READ_ONCE(s->kept_since) +
			       fos_kept_max(f)))
			fos_kick(s, 0);
	}
	spin_unlock_bh(&f->sess_lock);
	return any;
}
