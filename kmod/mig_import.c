// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: state migration, MIG_IMPORT: a batch of flow records from
 * another host, carried on here. Input from the network: every attribute
 * of every record is checked before anything changes, and a batch is
 * taken whole or not at all.
 */
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/genetlink.h>
#include <net/tcp.h>

#include "acct.h"
#include "compat.h"
#include "mig.h"
#include "netlink.h"
#include "stats.h"

/* A record as MIG_IMPORT takes it. */
static const struct nla_policy fs_mrec_policy[FLOWSTREAM_REC_A_MAX + 1] = {
	[FLOWSTREAM_REC_A_FAMILY] = { .type = NLA_U8 },
	[FLOWSTREAM_REC_A_SRC] = { .type = NLA_BINARY, .len = 16 },
	[FLOWSTREAM_REC_A_DST] = { .type = NLA_BINARY, .len = 16 },
	[FLOWSTREAM_REC_A_PROTO] = { .type = NLA_U8 },
	[FLOWSTREAM_REC_A_SPORT] = { .type = NLA_U16 },
	[FLOWSTREAM_REC_A_DPORT] = { .type = NLA_U16 },
	[FLOWSTREAM_REC_A_ICMP_TYPE] = { .type = NLA_U8 },
	[FLOWSTREAM_REC_A_ICMP_CODE] = { .type = NLA_U8 },
	[FLOWSTREAM_REC_A_IIF] = { .type = NLA_U32 },
	[FLOWSTREAM_REC_A_OIF] = { .type = NLA_U32 },
	[FLOWSTREAM_REC_A_PACKETS] = { .type = NLA_U64 },
	[FLOWSTREAM_REC_A_BYTES] = { .type = NLA_U64 },
	[FLOWSTREAM_REC_A_FIRST_MS] = { .type = NLA_U64 },
	[FLOWSTREAM_REC_A_LAST_MS] = { .type = NLA_U64 },
	[FLOWSTREAM_REC_A_DSCP] = NLA_POLICY_MAX(NLA_U8, 63),
	[FLOWSTREAM_REC_A_TCP_FLAGS] = { .type = NLA_U8 },
	[FLOWSTREAM_REC_A_END] = { .type = NLA_U8 },
	/* nla_put_u64_64bit()'s alignment, where the exporter needs it */
	[FLOWSTREAM_REC_A_PAD] = NLA_POLICY_EXACT_LEN(0),
};

const struct nla_policy fs_batch_policy[FLOWSTREAM_BATCH_A_MAX + 1] = {
	[FLOWSTREAM_BATCH_A_RECORD] = NLA_POLICY_NESTED(fs_mrec_policy),
};

/* Epoch milliseconds of another host to jiffies here, never in the future. */
static u64 fs_mig_ms_to_jiffies(u64 ms, u64 now_ms, u64 now_j)
{
	u64 ago;

	if (ms >= now_ms)
		return now_j;
	ago = msecs_to_jiffies(min_t(u64, now_ms - ms, UINT_MAX));
	return ago < now_j ? now_j - ago : 0;
}

static bool fs_mig_has_ports(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE || proto == IPPROTO_SCTP ||
	       proto == IPPROTO_DCCP;
}

static int fs_mig_ifindex(struct net *net, const struct nlattr *attr,
			  u32 *ifindex, struct netlink_ext_ack *extack)
{
	bool found;

	*ifindex = attr ? nla_get_u32(attr) : 0;
	if (!*ifindex)
		return 0;
	rcu_read_lock();
	found = dev_get_by_index_rcu(net, *ifindex);
	rcu_read_unlock();
	if (!found) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "no interface with this index here");
		return -ENODEV;
	}
	return 0;
}

/* One record of a batch, checked whole. */
static int fs_mig_parse_rec(struct net *net, const struct nlattr *nest,
			    struct fs_rec_snap *s, u64 now_ms, u64 now_j,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FLOWSTREAM_REC_A_MAX + 1];
	struct fs_acct_key *k = &s->key;
	u64 first, last, min_bytes;
	int err;
	u8 end;

	err = nla_parse_nested(tb, FLOWSTREAM_REC_A_MAX, nest, fs_mrec_policy,
			       extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, FLOWSTREAM_REC_A_FAMILY) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, FLOWSTREAM_REC_A_SRC) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, FLOWSTREAM_REC_A_DST) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, FLOWSTREAM_REC_A_PROTO) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, FLOWSTREAM_REC_A_PACKETS) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, FLOWSTREAM_REC_A_BYTES) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, FLOWSTREAM_REC_A_FIRST_MS) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, FLOWSTREAM_REC_A_LAST_MS)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "an imported record needs family, src, dst, proto, packets, bytes, first and last");
		return -EINVAL;
	}
	memset(s, 0, sizeof(*s));
	err = fs_nl_rec_key_head(tb, k, extack);
	if (err)
		return err;
	if (fs_is_icmp(k->proto)) {
		if (tb[FLOWSTREAM_REC_A_SPORT] || tb[FLOWSTREAM_REC_A_DPORT]) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "an ICMP record has no ports");
			return -EINVAL;
		}
		k->sport = htons((tb[FLOWSTREAM_REC_A_ICMP_TYPE] ?
				  nla_get_u8(tb[FLOWSTREAM_REC_A_ICMP_TYPE]) : 0) << 8 |
				 (tb[FLOWSTREAM_REC_A_ICMP_CODE] ?
				  nla_get_u8(tb[FLOWSTREAM_REC_A_ICMP_CODE]) : 0));
	} else {
		if (tb[FLOWSTREAM_REC_A_ICMP_TYPE] ||
		    tb[FLOWSTREAM_REC_A_ICMP_CODE]) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "ICMP type and code in a record of another protocol");
			return -EINVAL;
		}
		if (tb[FLOWSTREAM_REC_A_SPORT])
			k->sport = htons(nla_get_u16(tb[FLOWSTREAM_REC_A_SPORT]));
		if (tb[FLOWSTREAM_REC_A_DPORT])
			k->dport = htons(nla_get_u16(tb[FLOWSTREAM_REC_A_DPORT]));
		if ((k->sport || k->dport) && !fs_mig_has_ports(k->proto)) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "ports in a record of a protocol without ports");
			return -EINVAL;
		}
	}
	err = fs_mig_ifindex(net, tb[FLOWSTREAM_REC_A_IIF], &k->iif, extack) ?:
	      fs_mig_ifindex(net, tb[FLOWSTREAM_REC_A_OIF], &s->oif, extack);
	if (err)
		return err;

	/*
	 * The counts and times (Documentation/migration.rst, MIG_IMPORT):
	 * a record with packets has at least 20 (IPv4) or 40 (IPv6) bytes
	 * for each and its first time is not after its last. A record with
	 * no packets is one the active timeout has reset (its interval began
	 * at first, its last packet was before): no bytes, no TCP flags, and
	 * any first and last.
	 */
	s->packets = nla_get_u64(tb[FLOWSTREAM_REC_A_PACKETS]);
	s->bytes = nla_get_u64(tb[FLOWSTREAM_REC_A_BYTES]);
	if (check_mul_overflow(s->packets,
			       (u64)(k->family == AF_INET ? 20 : 40), &min_bytes) ||
	    s->bytes < min_bytes || (!s->packets && s->bytes)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FLOWSTREAM_REC_A_BYTES],
				    "bytes do not fit the packets' count");
		return -EINVAL;
	}
	first = nla_get_u64(tb[FLOWSTREAM_REC_A_FIRST_MS]);
	last = nla_get_u64(tb[FLOWSTREAM_REC_A_LAST_MS]);
	if (s->packets && first > last) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FLOWSTREAM_REC_A_FIRST_MS],
				    "first packet after the last one");
		return -EINVAL;
	}
	s->first = fs_mig_ms_to_jiffies(first, now_ms, now_j);
	s->last = fs_mig_ms_to_jiffies(last, now_ms, now_j);
	if (tb[FLOWSTREAM_REC_A_DSCP])
		s->dscp = nla_get_u8(tb[FLOWSTREAM_REC_A_DSCP]);
	if (tb[FLOWSTREAM_REC_A_TCP_FLAGS]) {
		s->tcp_flags = nla_get_u8(tb[FLOWSTREAM_REC_A_TCP_FLAGS]);
		if (s->tcp_flags && k->proto != IPPROTO_TCP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[FLOWSTREAM_REC_A_TCP_FLAGS],
					    "TCP flags in a record of another protocol");
			return -EINVAL;
		}
		if (s->tcp_flags && !s->packets) {
			NL_SET_ERR_MSG_ATTR(extack, tb[FLOWSTREAM_REC_A_TCP_FLAGS],
					    "TCP flags in a record without packets");
			return -EINVAL;
		}
	}
	if (tb[FLOWSTREAM_REC_A_END]) {
		end = nla_get_u8(tb[FLOWSTREAM_REC_A_END]);
		if (end != FLOWSTREAM_END_NONE &&
		    end != FLOWSTREAM_END_MIGRATED) {
			NL_SET_ERR_MSG_ATTR(extack, tb[FLOWSTREAM_REC_A_END],
					    "only a live or migrated record can be imported");
			return -EINVAL;
		}
	}
	return 0;
}

static int fs_mig_key_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct fs_rec_snap *)a)->key,
		      &((const struct fs_rec_snap *)b)->key,
		      sizeof(struct fs_acct_key));
}

/*
 * Every record of FLOWSTREAM_A_BATCH into a new array (*@out, *@n), each
 * checked, no key twice.
 */
static int fs_mig_parse_batch(struct net *net, struct nlattr *batch,
			      const struct fs_mig *mig,
			      struct fs_rec_snap **out, u32 *n,
			      struct netlink_ext_ack *extack)
{
	u64 now_ms = ktime_get_real_ns() / NSEC_PER_MSEC;
	u64 now_j = get_jiffies_64();
	u32 max = READ_ONCE(fs_mig_max_batch), i = 0;
	struct fs_rec_snap *v;
	struct nlattr *attr;
	int rem, err;

	*n = 0;
	nla_for_each_nested(attr, batch, rem) {
		if (nla_type(attr) != FLOWSTREAM_BATCH_A_RECORD) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "a batch holds records only");
			return -EINVAL;
		}
		if (++*n > max) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "more records than mig_max_batch");
			return -E2BIG;
		}
	}
	if (!*n) {
		NL_SET_ERR_MSG_ATTR(extack, batch, "an empty batch");
		return -EINVAL;
	}
	v = kvcalloc(*n, sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	nla_for_each_nested(attr, batch, rem) {
		err = fs_mig_parse_rec(net, attr, &v[i], now_ms, now_j,
				       extack);
		if (err)
			goto fail;
		if (mig && !fs_mig_wants(mig, &v[i].key)) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, attr,
						"record %u is outside the prefixes of migration %u",
						i + 1, mig->id);
			err = -EINVAL;
			goto fail;
		}
		i++;
	}
	sort(v, *n, sizeof(*v), fs_mig_key_cmp, NULL);
	for (i = 1; i < *n; i++) {
		if (!fs_mig_key_cmp(&v[i - 1], &v[i])) {
			NL_SET_ERR_MSG_ATTR(extack, batch,
					    "a flow is twice in the batch");
			err = -EINVAL;
			goto fail;
		}
	}
	*out = v;
	return 0;
fail:
	kvfree(v);
	return err;
}

/*
 * A copy of the migration an import names, to check its records against
 * without fs_net.lock (a migration's prefixes never change).
 */
static int fs_mig_import_set(struct fs_net *fsn, struct nlattr *nest,
			     struct fs_mig **out, struct netlink_ext_ack *extack)
{
	struct fs_mig *mig;
	u32 id;
	int err;

	err = fs_mig_req_id(nest, &id, NULL, NULL, NULL, extack);
	if (err)
		return err;
	mutex_lock(&fsn->lock);
	mig = fs_mig_find(fsn->mig, id);
	if (mig)
		*out = kmemdup(mig, struct_size(mig, pfx, mig->n_pfx),
			       GFP_KERNEL);
	mutex_unlock(&fsn->lock);
	if (!mig) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "no such migration");
		return -ENOENT;
	}
	return *out ? 0 : -ENOMEM;
}

int fs_nl_mig_import(struct sk_buff *req, struct genl_info *info)
{
	struct fs_net *fsn = fs_nl_begin(info);
	struct fs_rec_snap *v = NULL;
	struct fs_mig *mig = NULL;
	struct fs_acct *acct;
	u32 n, merged, id = 0;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, FLOWSTREAM_A_BATCH)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing batch attribute");
		err = -EINVAL;
		goto reject;
	}
	if (info->attrs[FLOWSTREAM_A_MIGRATION]) {
		err = fs_mig_import_set(fsn, info->attrs[FLOWSTREAM_A_MIGRATION],
					&mig, info->extack);
		if (err)
			goto reject;
	}
	err = fs_mig_parse_batch(fsn->net, info->attrs[FLOWSTREAM_A_BATCH],
				 mig, &v, &n, info->extack);
	if (mig)
		id = mig->id;
	kfree(mig);
	if (err)
		goto reject;
	mutex_lock(&fsn->lock);
	acct = rcu_dereference_protected(fsn->acct,
					 lockdep_is_held(&fsn->lock));
	if (!acct) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "flow accounting is off in this namespace");
		err = -ENOENT;
	} else {
		err = fs_acct_import(acct, v, n, &merged, info->extack);
	}
	/* The migration named may have been deleted since: then no count. */
	mig = !err && id ? fs_mig_find(fsn->mig, id) : NULL;
	if (mig) {
		mig->imported += n;
		fs_mig_notify(fsn, mig, FLOWSTREAM_MIG_EV_IMPORTED);
	}
	mutex_unlock(&fsn->lock);
	kvfree(v);
	if (err)
		goto reject;
	fs_stat_add(fsn, FLOWSTREAM_STAT_MIG_IMPORTED, n);
	fs_stat_add(fsn, FLOWSTREAM_STAT_MIG_MERGED, merged);
	return 0;
reject:
	fs_stat_inc(fsn, FLOWSTREAM_STAT_MIG_BATCHES_REFUSED);
	return fs_nl_reject(fsn, info, err);
}
