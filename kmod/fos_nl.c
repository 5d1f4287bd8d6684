// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream FlowOS: netlink operations (ADD_FLOW, DEL_FLOW, GET_FLOW,
 * GET_SESSION, GET_PM, ATTACH, DETACH, GET_ATTACH).
 */
#include <linux/ctype.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "acct.h"
#include "compat.h"
#include "fos.h"
#include "netlink.h"
#include "netns.h"

#define FOS_RO(name) {						\
	.type = NLA_REJECT,					\
	.reject_message = name " is read-only",		\
}

static struct netlink_range_validation fos_sessions_range = {
	.min = 1, .max = 1 << 22,
};

static struct netlink_range_validation fos_held_range = {
	.min = 1, .max = 1 << 20,
};

static struct netlink_range_validation fos_held_bytes_range = {
	.min = 4096, .max = 1 << 30,
};

static struct netlink_range_validation fos_idle_range = {
	.min = 1, .max = 86400,
};

static struct netlink_range_validation fos_hole_range = {
	.min = 1, .max = 60000,
};

static struct netlink_range_validation fos_order_range = {
	.min = 0, .max = 65535,
};

static const struct nla_policy fos_match_policy[FLOWSTREAM_MATCH_A_MAX + 1] = {
	[FLOWSTREAM_MATCH_A_IIF] = NLA_POLICY_MIN(NLA_U32, 1),
	[FLOWSTREAM_MATCH_A_FAMILY] = { .type = NLA_U8 },
	[FLOWSTREAM_MATCH_A_PROTO] = { .type = NLA_U8 },
	[FLOWSTREAM_MATCH_A_SRC] = { .type = NLA_BINARY, .len = 16 },
	[FLOWSTREAM_MATCH_A_SRC_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[FLOWSTREAM_MATCH_A_DST] = { .type = NLA_BINARY, .len = 16 },
	[FLOWSTREAM_MATCH_A_DST_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[FLOWSTREAM_MATCH_A_SPORT] = { .type = NLA_U16 },
	[FLOWSTREAM_MATCH_A_DPORT] = { .type = NLA_U16 },
	[FLOWSTREAM_MATCH_A_DSCP] = NLA_POLICY_MAX(NLA_U8, 63),
};

static const struct nla_policy fos_att_policy[FLOWSTREAM_ATT_A_MAX + 1] = {
	[FLOWSTREAM_ATT_A_FLOW] = { .type = NLA_NUL_STRING,
				    .len = FOS_NAME_MAX - 1 },
	[FLOWSTREAM_ATT_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[FLOWSTREAM_ATT_A_PM] = { .type = NLA_NUL_STRING,
				  .len = FOS_PM_NAME_MAX - 1 },
	[FLOWSTREAM_ATT_A_ORDER] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &fos_order_range),
	[FLOWSTREAM_ATT_A_ARGS] = { .type = NLA_NUL_STRING,
				    .len = FOS_PM_ARGS_MAX - 1 },
	[FLOWSTREAM_ATT_A_MODE] = FOS_RO("mode"),
	[FLOWSTREAM_ATT_A_STATS] = FOS_RO("stats"),
	[FLOWSTREAM_ATT_A_RESULT] = FOS_RO("result"),
};

static const struct nla_policy fos_pipe_policy[FLOWSTREAM_A_MAX + 1] = {
	[FLOWSTREAM_A_ATTACH] = NLA_POLICY_NESTED(fos_att_policy),
};

static const struct nla_policy fos_flow_policy[FLOWSTREAM_FLOW_A_MAX + 1] = {
	[FLOWSTREAM_FLOW_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[FLOWSTREAM_FLOW_A_NAME] = { .type = NLA_NUL_STRING,
				     .len = FOS_NAME_MAX - 1 },
	[FLOWSTREAM_FLOW_A_PRIO] = { .type = NLA_U32 },
	[FLOWSTREAM_FLOW_A_MATCH] = NLA_POLICY_NESTED(fos_match_policy),
	[FLOWSTREAM_FLOW_A_STREAM] =
		NLA_POLICY_MAX(NLA_U8, __FLOWSTREAM_STREAM_MAX - 1),
	[FLOWSTREAM_FLOW_A_POLICY] =
		NLA_POLICY_MAX(NLA_U8, __FLOWSTREAM_FOS_POLICY_MAX - 1),
	[FLOWSTREAM_FLOW_A_MAX_SESSIONS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &fos_sessions_range),
	[FLOWSTREAM_FLOW_A_MAX_HELD] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &fos_held_range),
	[FLOWSTREAM_FLOW_A_MAX_HELD_BYTES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &fos_held_bytes_range),
	[FLOWSTREAM_FLOW_A_MAX_SESSION_HELD] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &fos_held_range),
	[FLOWSTREAM_FLOW_A_IDLE_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &fos_idle_range),
	[FLOWSTREAM_FLOW_A_HOLE_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &fos_hole_range),
	[FLOWSTREAM_FLOW_A_PIPELINE] = NLA_POLICY_NESTED(fos_pipe_policy),
	[FLOWSTREAM_FLOW_A_STATS] = FOS_RO("stats"),
};

static const struct nla_policy fos_pm_policy[FLOWSTREAM_PM_A_MAX + 1] = {
	[FLOWSTREAM_PM_A_NAME] = { .type = NLA_NUL_STRING,
				   .len = FOS_PM_NAME_MAX - 1 },
	[FLOWSTREAM_PM_A_DESC] = FOS_RO("description"),
	[FLOWSTREAM_PM_A_PARAMS] = FOS_RO("params"),
	[FLOWSTREAM_PM_A_STREAM] = FOS_RO("stream"),
	[FLOWSTREAM_PM_A_MODE] = FOS_RO("mode"),
	[FLOWSTREAM_PM_A_STATE_SIZE] = FOS_RO("state size"),
	[FLOWSTREAM_PM_A_ATTACHED] = FOS_RO("attached"),
	[FLOWSTREAM_PM_A_MIGRATABLE] = FOS_RO("migratable"),
	[FLOWSTREAM_PM_A_STREAMS] = FOS_RO("streams"),
};

/* ADD_FLOW, DEL_FLOW, GET_FLOW, GET_SESSION */
static const struct nla_policy fos_flow_ops_policy[FLOWSTREAM_A_MAX + 1] = {
	[FLOWSTREAM_A_FLOW] = NLA_POLICY_NESTED(fos_flow_policy),
};

/* GET_PM */
static const struct nla_policy fos_pm_ops_policy[FLOWSTREAM_A_MAX + 1] = {
	[FLOWSTREAM_A_PM] = NLA_POLICY_NESTED(fos_pm_policy),
};

/* ATTACH, DETACH, GET_ATTACH */
static const struct nla_policy fos_att_ops_policy[FLOWSTREAM_A_MAX + 1] = {
	[FLOWSTREAM_A_ATTACH] = NLA_POLICY_NESTED(fos_att_policy),
	[FLOWSTREAM_A_FLOW] = NLA_POLICY_NESTED(fos_flow_policy),
};

static const char *const fos_stream_names[] = {
	[FLOWSTREAM_STREAM_IP] = "ip",
	[FLOWSTREAM_STREAM_TCP] = "tcp",
	[FLOWSTREAM_STREAM_UDP] = "udp",
};

const char *fos_stream_name(unsigned int stream)
{
	return stream < ARRAY_SIZE(fos_stream_names) ?
	       fos_stream_names[stream] : "?";
}

static bool fos_name_ok(const char *name)
{
	if (!*name)
		return false;
	for (; *name; name++)
		if (!isalnum(*name) && !strchr("_.:-", *name))
			return false;
	return true;
}

static int fos_parse_addr(struct nlattr **tb, int addr, int len, u8 family,
			  union nf_inet_addr *a, u8 *plen, u32 bit, u32 *fields,
			  struct netlink_ext_ack *extack)
{
	unsigned int alen = family == AF_INET ? 4 : 16;

	if (!tb[addr]) {
		if (tb[len]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[len],
					    "prefix length without an address");
			return -EINVAL;
		}
		return 0;
	}
	if (!family) {
		NL_SET_ERR_MSG_ATTR(extack, tb[addr],
				    "an address needs the family");
		return -EINVAL;
	}
	if (nla_len(tb[addr]) != alen) {
		NL_SET_ERR_MSG_ATTR(extack, tb[addr],
				    "address length does not match the family");
		return -EINVAL;
	}
	nla_memcpy(a, tb[addr], alen);
	*plen = tb[len] ? nla_get_u8(tb[len]) : alen * 8;
	*fields |= bit;
	return 0;
}

static int fos_parse_match(struct nlattr *nest, struct fos_match *m,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FLOWSTREAM_MATCH_A_MAX + 1];
	const char *why = NULL;
	int err;

	memset(m, 0, sizeof(*m));
	if (!nest)
		return 0;
	err = nla_parse_nested(tb, FLOWSTREAM_MATCH_A_MAX, nest,
			       fos_match_policy, extack);
	if (err)
		return err;
	if (tb[FLOWSTREAM_MATCH_A_IIF]) {
		m->fields |= FOS_M_IFINDEX;
		m->ifindex = nla_get_u32(tb[FLOWSTREAM_MATCH_A_IIF]);
	}
	if (tb[FLOWSTREAM_MATCH_A_FAMILY]) {
		m->family = nla_get_u8(tb[FLOWSTREAM_MATCH_A_FAMILY]);
		if (m->family != AF_INET && m->family != AF_INET6) {
			NL_SET_ERR_MSG_ATTR(extack, tb[FLOWSTREAM_MATCH_A_FAMILY],
					    "family must be AF_INET or AF_INET6");
			return -EINVAL;
		}
		m->fields |= FOS_M_FAMILY;
	}
	if (tb[FLOWSTREAM_MATCH_A_PROTO]) {
		m->proto = nla_get_u8(tb[FLOWSTREAM_MATCH_A_PROTO]);
		m->fields |= FOS_M_PROTO;
	}
	err = fos_parse_addr(tb, FLOWSTREAM_MATCH_A_SRC,
			     FLOWSTREAM_MATCH_A_SRC_LEN, m->family, &m->src,
			     &m->src_len, FOS_M_SRC, &m->fields, extack);
	if (!err)
		err = fos_parse_addr(tb, FLOWSTREAM_MATCH_A_DST,
				     FLOWSTREAM_MATCH_A_DST_LEN, m->family,
				     &m->dst, &m->dst_len, FOS_M_DST,
				     &m->fields, extack);
	if (err)
		return err;
	if (tb[FLOWSTREAM_MATCH_A_SPORT]) {
		m->sport = htons(nla_get_u16(tb[FLOWSTREAM_MATCH_A_SPORT]));
		m->fields |= FOS_M_SPORT;
	}
	if (tb[FLOWSTREAM_MATCH_A_DPORT]) {
		m->dport = htons(nla_get_u16(tb[FLOWSTREAM_MATCH_A_DPORT]));
		m->fields |= FOS_M_DPORT;
	}
	if (tb[FLOWSTREAM_MATCH_A_DSCP]) {
		m->dscp = nla_get_u8(tb[FLOWSTREAM_MATCH_A_DSCP]);
		m->fields |= FOS_M_DSCP;
	}
	err = fos_match_check(m, &why);
	if (err) {
		NL_SET_BAD_ATTR(extack, nest);
		NL_SET_ERR_MSG_FMT_MOD(extack, "%s", why ? why : "invalid match");
	}
	return err;
}

static void fos_get_u32(struct nlattr **tb, int type, u32 *v)
{
	if (tb[type])
		*v = nla_get_u32(tb[type]);
}

/* Parse one FLOWSTREAM_A_ATTACH of a request into an attachment. */
static struct fos_att *fos_parse_att(struct nlattr **tb, u32 default_order,
				     struct netlink_ext_ack *extack)
{
	struct fos_pm *pm;
	u32 order = default_order;

	if (!tb[FLOWSTREAM_ATT_A_PM]) {
		NL_SET_ERR_MSG_MOD(extack, "missing PM name");
		return ERR_PTR(-EINVAL);
	}
	fos_get_u32(tb, FLOWSTREAM_ATT_A_ORDER, &order);
	pm = fos_pm_get(nla_data(tb[FLOWSTREAM_ATT_A_PM]), extack);
	if (IS_ERR(pm))
		return ERR_CAST(pm);
	return fos_att_new(pm, order,
			   tb[FLOWSTREAM_ATT_A_ARGS] ?
			   nla_data(tb[FLOWSTREAM_ATT_A_ARGS]) : "", extack);
}

static int fos_parse_pipeline(struct nlattr *nest, struct fos_att **atts,
			      unsigned int *n, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FLOWSTREAM_ATT_A_MAX + 1];
	struct nlattr *pos;
	int rem, err;

	*n = 0;
	nla_for_each_nested(pos, nest, rem) {
		if (nla_type(pos) != FLOWSTREAM_A_ATTACH)
			continue;
		if (*n == FOS_WIN_MAX) {
			NL_SET_ERR_MSG_FMT_MOD(extack,
					       "a flow takes at most %d PMs",
					       FOS_WIN_MAX);
			return -ENOSPC;
		}
		err = nla_parse_nested(tb, FLOWSTREAM_ATT_A_MAX, pos,
				       fos_att_policy, extack);
		if (err)
			return err;
		atts[*n] = fos_parse_att(tb, (*n + 1) * 10, extack);
		if (IS_ERR(atts[*n]))
			return PTR_ERR(atts[*n]);
		(*n)++;
	}
	return 0;
}

static int fos_parse_flow(struct nlattr **tb, struct fos_flow *f,
			  struct netlink_ext_ack *extack)
{
	int err;

	if (!tb[FLOWSTREAM_FLOW_A_NAME]) {
		NL_SET_ERR_MSG_MOD(extack, "missing flow name");
		return -EINVAL;
	}
	if (tb[FLOWSTREAM_FLOW_A_ID]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FLOWSTREAM_FLOW_A_ID],
				    "the id is assigned by the kernel");
		return -EINVAL;
	}
	nla_strscpy(f->name, tb[FLOWSTREAM_FLOW_A_NAME], sizeof(f->name));
	if (!fos_name_ok(f->name)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FLOWSTREAM_FLOW_A_NAME],
				    "a flow name is made of letters, digits and _.:-");
		return -EINVAL;
	}
	err = fos_parse_match(tb[FLOWSTREAM_FLOW_A_MATCH], &f->m, extack);
	if (err)
		return err;
	fos_get_u32(tb, FLOWSTREAM_FLOW_A_PRIO, &f->prio);
	if (tb[FLOWSTREAM_FLOW_A_STREAM])
		f->stream = nla_get_u8(tb[FLOWSTREAM_FLOW_A_STREAM]);
	if (tb[FLOWSTREAM_FLOW_A_POLICY])
		f->policy = nla_get_u8(tb[FLOWSTREAM_FLOW_A_POLICY]);
	fos_get_u32(tb, FLOWSTREAM_FLOW_A_MAX_SESSIONS, &f->max_sessions);
	fos_get_u32(tb, FLOWSTREAM_FLOW_A_MAX_HELD, &f->max_held);
	fos_get_u32(tb, FLOWSTREAM_FLOW_A_MAX_HELD_BYTES, &f->max_held_bytes);
	fos_get_u32(tb, FLOWSTREAM_FLOW_A_MAX_SESSION_HELD,
		    &f->max_session_held);
	fos_get_u32(tb, FLOWSTREAM_FLOW_A_IDLE_TIMEOUT, &f->idle_timeout);
	fos_get_u32(tb, FLOWSTREAM_FLOW_A_HOLE_TIMEOUT, &f->hole_timeout);
	return 0;
}

static int fos_fill_match(struct sk_buff *msg, const struct fos_match *m)
{
	unsigned int alen = m->family == AF_INET ? 4 : 16;
	struct nlattr *nest = nla_nest_start(msg, FLOWSTREAM_FLOW_A_MATCH);

	if (!nest)
		return -EMSGSIZE;
	if (((m->fields & FOS_M_IFINDEX) &&
	     nla_put_u32(msg, FLOWSTREAM_MATCH_A_IIF, m->ifindex)) ||
	    ((m->fields & FOS_M_FAMILY) &&
	     nla_put_u8(msg, FLOWSTREAM_MATCH_A_FAMILY, m->family)) ||
	    ((m->fields & FOS_M_PROTO) &&
	     nla_put_u8(msg, FLOWSTREAM_MATCH_A_PROTO, m->proto)) ||
	    ((m->fields & FOS_M_SRC) &&
	     (nla_put(msg, FLOWSTREAM_MATCH_A_SRC, alen, &m->src) ||
	      nla_put_u8(msg, FLOWSTREAM_MATCH_A_SRC_LEN, m->src_len))) ||
	    ((m->fields & FOS_M_DST) &&
	     (nla_put(msg, FLOWSTREAM_MATCH_A_DST, alen, &m->dst) ||
	      nla_put_u8(msg, FLOWSTREAM_MATCH_A_DST_LEN, m->dst_len))) ||
	    ((m->fields & FOS_M_SPORT) &&
	     nla_put_u16(msg, FLOWSTREAM_MATCH_A_SPORT, ntohs(m->sport))) ||
	    ((m->fields & FOS_M_DPORT) &&
	     nla_put_u16(msg, FLOWSTREAM_MATCH_A_DPORT, ntohs(m->dport))) ||
	    ((m->fields & FOS_M_DSCP) &&
	     nla_put_u8(msg, FLOWSTREAM_MATCH_A_DSCP, m->dscp)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int fos_fill_stats(struct sk_buff *msg, int type, const u64 *v,
			  unsigned int n)
{
	struct nlattr *nest = nla_nest_start(msg, type);
	unsigned int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 1; i < n; i++)
		if (nla_put_u64_64bit(msg, i, v[i], 0))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int fos_fill_flow(struct sk_buff *msg, struct fos_flow *f)
{
	u64 v[__FLOWSTREAM_FOS_STAT_MAX];
	struct nlattr *nest = nla_nest_start(msg, FLOWSTREAM_A_FLOW);

	if (!nest)
		return -EMSGSIZE;
	fos_flow_read(f, v);
	if (nla_put_u32(msg, FLOWSTREAM_FLOW_A_ID, f->id) ||
	    nla_put_string(msg, FLOWSTREAM_FLOW_A_NAME, f->name) ||
	    nla_put_u32(msg, FLOWSTREAM_FLOW_A_PRIO, f->prio) ||
	    fos_fill_match(msg, &f->m) ||
	    nla_put_u8(msg, FLOWSTREAM_FLOW_A_STREAM, f->stream) ||
	    nla_put_u8(msg, FLOWSTREAM_FLOW_A_POLICY, f->policy) ||
	    nla_put_u32(msg, FLOWSTREAM_FLOW_A_MAX_SESSIONS, f->max_sessions) ||
	    nla_put_u32(msg, FLOWSTREAM_FLOW_A_MAX_HELD, f->max_held) ||
	    nla_put_u32(msg, FLOWSTREAM_FLOW_A_MAX_HELD_BYTES,
			f->max_held_bytes) ||
	    nla_put_u32(msg, FLOWSTREAM_FLOW_A_MAX_SESSION_HELD,
			f->max_session_held) ||
	    nla_put_u32(msg, FLOWSTREAM_FLOW_A_IDLE_TIMEOUT, f->idle_timeout) ||
	    nla_put_u32(msg, FLOWSTREAM_FLOW_A_HOLE_TIMEOUT, f->hole_timeout) ||
	    fos_fill_stats(msg, FLOWSTREAM_FLOW_A_STATS, v,
			   __FLOWSTREAM_FOS_STAT_MAX))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int fos_fill_att(struct sk_buff *msg, struct fos_att *att)
{
	u64 v[__FLOWSTREAM_ATT_STAT_MAX];
	struct nlattr *nest = nla_nest_start(msg, FLOWSTREAM_A_ATTACH);
	struct fos_flow *f = att->flow;
	unsigned int i, p;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < __FLOWSTREAM_ATT_STAT_MAX; i++)
		v[i] = atomic64_read(&att->st[i]);
	/* Units waiting in its windows and its states, over every session. */
	v[FLOWSTREAM_ATT_STAT_QUEUED] = 0;
	v[FLOWSTREAM_ATT_STAT_SESSIONS] = 0;
	for (p = 0; p < f->pipe.l.n && f->pipe.att[p] != att; p++)
		;
	if (p < f->pipe.l.n) {
		struct fos_session *s;
		u64 head, tail;

		spin_lock_bh(&f->sess_lock);
		list_for_each_entry(s, &f->sess_list, all) {
			spin_lock(&s->lock);
			if (fos_win_window(&f->pipe.l, &s->w, p, &head, &tail))
				v[FLOWSTREAM_ATT_STAT_QUEUED] += tail - head;
			if (s->state[p])
				v[FLOWSTREAM_ATT_STAT_SESSIONS]++;
			spin_unlock(&s->lock);
		}
		spin_unlock_bh(&f->sess_lock);
	}
	if (nla_put_string(msg, FLOWSTREAM_ATT_A_FLOW, f->name) ||
	    nla_put_u32(msg, FLOWSTREAM_ATT_A_ID, att->id) ||
	    nla_put_string(msg, FLOWSTREAM_ATT_A_PM, att->pm->name) ||
	    nla_put_u32(msg, FLOWSTREAM_ATT_A_ORDER, att->order) ||
	    nla_put_string(msg, FLOWSTREAM_ATT_A_ARGS, att->args) ||
	    nla_put_u8(msg, FLOWSTREAM_ATT_A_MODE, att->pm->mode) ||
	    fos_fill_stats(msg, FLOWSTREAM_ATT_A_STATS, v,
			   __FLOWSTREAM_ATT_STAT_MAX))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int fos_nl_add_flow(struct sk_buff *req, struct genl_info *info)
{
	struct fs_net *fsn = fs_nl_begin(info);
	struct nlattr *tb[FLOWSTREAM_FLOW_A_MAX + 1];
	struct fos_att *atts[FOS_WIN_MAX];
	struct fos_net *fn = fsn->fos;
	unsigned int n = 0, i;
	struct sk_buff *msg;
	struct fos_flow *f;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, FLOWSTREAM_A_FLOW)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing flow attribute");
		return fs_nl_reject(fsn, info, -EINVAL);
	}
	err = nla_parse_nested(tb, FLOWSTREAM_FLOW_A_MAX,
			       info->attrs[FLOWSTREAM_A_FLOW],
			       fos_flow_policy, info->extack);
	if (err)
		return fs_nl_reject(fsn, info, err);
	f = fos_flow_new(fn);
	if (!f)
		return -ENOMEM;
	err = fos_parse_flow(tb, f, info->extack);
	/* PM modules are loaded here, outside the namespace's lock. */
	if (!err && tb[FLOWSTREAM_FLOW_A_PIPELINE])
		err = fos_parse_pipeline(tb[FLOWSTREAM_FLOW_A_PIPELINE], atts,
					 &n, info->extack);
	if (err)
		goto fail;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto fail;
	}
	mutex_lock(&fsn->lock);
	err = fos_flow_add(fn, f, atts, n, info->extack);
	if (!err) {
		hdr = genlmsg_put_reply(msg, info, &fs_genl_family, 0,
					FLOWSTREAM_CMD_ADD_FLOW);
		if (hdr) {
			struct nlattr *nest = nla_nest_start(msg,
							     FLOWSTREAM_A_FLOW);

			if (nest &&
			    !nla_put_u32(msg, FLOWSTREAM_FLOW_A_ID, f->id) &&
			    !nla_put_string(msg, FLOWSTREAM_FLOW_A_NAME, f->name))
				nla_nest_end(msg, nest);
			genlmsg_end(msg, hdr);
		}
		mod_delayed_work(fs_wq, &fn->reap, HZ);
	}
	mutex_unlock(&fsn->lock);
	if (err) {
		nlmsg_free(msg);
		goto fail;
	}
	return genlmsg_reply(msg, info);
fail:
	for (i = 0; i < n; i++)
		fos_att_free(atts[i]);
	fos_flow_free(f);
	return err == -ENOMEM ? err : fs_nl_reject(fsn, info, err);
}

/* The flow a request names in FLOWSTREAM_A_FLOW (NAME or ID). */
static struct fos_flow *fos_nl_flow(struct fs_net *fsn, struct nlattr *nest,
				    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FLOWSTREAM_FLOW_A_MAX + 1];
	struct fos_flow *f;
	char name[FOS_NAME_MAX];
	int err;

	if (!nest) {
		NL_SET_ERR_MSG_MOD(extack, "missing flow attribute");
		return ERR_PTR(-EINVAL);
	}
	err = nla_parse_nested(tb, FLOWSTREAM_FLOW_A_MAX, nest,
			       fos_flow_policy, extack);
	if (err)
		return ERR_PTR(err);
	if (tb[FLOWSTREAM_FLOW_A_NAME]) {
		nla_strscpy(name, tb[FLOWSTREAM_FLOW_A_NAME], sizeof(name));
		f = fos_flow_find(fsn->fos, name, 0);
	} else if (tb[FLOWSTREAM_FLOW_A_ID]) {
		f = fos_flow_find(fsn->fos, NULL,
				  nla_get_u32(tb[FLOWSTREAM_FLOW_A_ID]));
	} else {
		NL_SET_ERR_MSG_MOD(extack, "name the flow (name or id)");
		return ERR_PTR(-EINVAL);
	}
	if (!f) {
		NL_SET_ERR_MSG_MOD(extack, "no such flow");
		return ERR_PTR(-ENOENT);
	}
	return f;
}

static int fos_nl_del_flow(struct sk_buff *req, struct genl_info *info)
{
	struct fs_net *fsn = fs_nl_begin(info);
	struct fos_flow *f;

	mutex_lock(&fsn->lock);
	f = fos_nl_flow(fsn, info->attrs[FLOWSTREAM_A_FLOW], info->extack);
	if (IS_ERR(f)) {
		mutex_unlock(&fsn->lock);
		return fs_nl_reject(fsn, info, PTR_ERR(f));
	}
	fos_flow_del(fsn->fos, f);
	if (!fsn->fos->nflows)
		fos_hook_unregister(fsn->fos);
	mutex_unlock(&fsn->lock);
	return 0;
}

static int fos_nl_get_flow(struct sk_buff *req, struct genl_info *info)
{
	struct fs_net *fsn = fs_nl_begin(info);
	struct sk_buff *msg;
	struct fos_flow *f;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&fsn->lock);
	f = fos_nl_flow(fsn, info->attrs[FLOWSTREAM_A_FLOW], info->extack);
	if (IS_ERR(f)) {
		mutex_unlock(&fsn->lock);
		nlmsg_free(msg);
		return fs_nl_reject(fsn, info, PTR_ERR(f));
	}
	hdr = genlmsg_put_reply(msg, info, &fs_genl_family, 0,
				FLOWSTREAM_CMD_GET_FLOW);
	err = hdr ? fos_fill_flow(msg, f) : -EMSGSIZE;
	mutex_unlock(&fsn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* A dump request's top-level attributes (validated by the policy). */
static int fos_dump_attrs(struct netlink_callback *cb, struct nlattr **attrs,
			  const struct nla_policy *policy)
{
	return nlmsg_parse(cb->nlh, GENL_HDRLEN, attrs, FLOWSTREAM_A_MAX,
			   policy, cb->extack);
}

static void *fos_dump_hdr(struct sk_buff *skb, struct netlink_callback *cb,
			  u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   &fs_genl_family, NLM_F_MULTI, cmd);
}

/* cb->args[0]: flows done */
static int fos_nl_dump_flows(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct fs_net *fsn = fs_net(sock_net(skb->sk));
	struct fos_flow *f;
	long i = 0;
	void *hdr;

	mutex_lock(&fsn->lock);
	list_for_each_entry(f, &fsn->fos->flows, list) {
		if (i++ < cb->args[0])
			continue;
		hdr = fos_dump_hdr(skb, cb, FLOWSTREAM_CMD_GET_FLOW);
		if (!hdr || fos_fill_flow(skb, f)) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			i--;
			break;
		}
		genlmsg_end(skb, hdr);
	}
	mutex_unlock(&fsn->lock);
	cb->args[0] = i;
	return skb->len;
}

static int fos_fill_session(struct sk_buff *msg, struct fos_session *s)
{
	struct fos_flow *f = s->flow;
	unsigned int alen = s->key.family == AF_INET ? 4 : 16;
	struct nlattr *nest = nla_nest_start(msg, FLOWSTREAM_A_SESSION);
	unsigned int p;
	int err = -EMSGSIZE;

	if (!nest)
		return -EMSGSIZE;
	spin_lock_bh(&s->lock);
	if (nla_put_u8(msg, FLOWSTREAM_SESS_A_FAMILY, s->key.family) ||
	    nla_put_u8(msg, FLOWSTREAM_SESS_A_PROTO, s->key.proto) ||
	    nla_put(msg, FLOWSTREAM_SESS_A_ADDR_A, alen, &s->key.addr_a) ||
	    nla_put(msg, FLOWSTREAM_SESS_A_ADDR_B, alen, &s->key.addr_b) ||
	    nla_put_u16(msg, FLOWSTREAM_SESS_A_PORT_A, ntohs(s->key.port_a)) ||
	    nla_put_u16(msg, FLOWSTREAM_SESS_A_PORT_B, ntohs(s->key.port_b)) ||
	    nla_put_u64_64bit(msg, FLOWSTREAM_SESS_A_PACKETS_AB, s->pkts[0],
			      FLOWSTREAM_SESS_A_PAD) ||
	    nla_put_u64_64bit(msg, FLOWSTREAM_SESS_A_BYTES_AB, s->bytes[0],
			      FLOWSTREAM_SESS_A_PAD) ||
	    nla_put_u64_64bit(msg, FLOWSTREAM_SESS_A_PACKETS_BA, s->pkts[1],
			      FLOWSTREAM_SESS_A_PAD) ||
	    nla_put_u64_64bit(msg, FLOWSTREAM_SESS_A_BYTES_BA, s->bytes[1],
			      FLOWSTREAM_SESS_A_PAD) ||
	    nla_put_u32(msg, FLOWSTREAM_SESS_A_HELD, s->held +
			fos_tcp_held(&s->tcp[0]) + fos_tcp_held(&s->tcp[1])) ||
	    nla_put_u64_64bit(msg, FLOWSTREAM_SESS_A_AGE_MS,
			      jiffies_to_msecs(jiffies - s->first),
			      FLOWSTREAM_SESS_A_PAD) ||
	    nla_put_u64_64bit(msg, FLOWSTREAM_SESS_A_IDLE_MS,
			      jiffies_to_msecs(jiffies - s->last),
			      FLOWSTREAM_SESS_A_PAD) ||
	    nla_put_u64_64bit(msg, FLOWSTREAM_SESS_A_GAPS, s->gaps,
			      FLOWSTREAM_SESS_A_PAD))
		goto out;
	/* pipe_sem is held for reading: the pipeline and states are stable. */
	for (p = 0; p < f->pipe.l.n; p++) {
		struct fos_att *att = f->pipe.att[p];
		struct nlattr *r, *res;

		if (!s->state[p] || !att->pm->fill_session)
			continue;
		r = nla_nest_start(msg, FLOWSTREAM_SESS_A_RESULT);
		if (!r || nla_put_u32(msg, FLOWSTREAM_ATT_A_ID, att->id))
			goto out;
		res = nla_nest_start(msg, FLOWSTREAM_ATT_A_RESULT);
		if (!res || att->pm->fill_session(att, s, s->state[p], msg))
			goto out;
		nla_nest_end(msg, res);
		nla_nest_end(msg, r);
	}
	err = 0;
out:
	spin_unlock_bh(&s->lock);
	if (!err)
		nla_nest_end(msg, nest);
	return err;
}

/*
 * GET_SESSION dump: cb->args[0] flow id, [1] sessions done. Sessions are
 * walked in list order; one that ends between two parts of the dump may
 * shift the rest by one (a dump is not a snapshot).
 */
static int fos_nl_dump_sessions(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct fs_net *fsn = fs_net(sock_net(skb->sk));
	struct nlattr *attrs[FLOWSTREAM_A_MAX + 1];
	struct fos_session *s;
	struct fos_flow *f;
	long i = 0;
	void *hdr;
	int err;

	err = fos_dump_attrs(cb, attrs, fos_flow_ops_policy);
	if (err)
		return err;
	mutex_lock(&fsn->lock);
	f = fos_nl_flow(fsn, attrs[FLOWSTREAM_A_FLOW], cb->extack);
	if (IS_ERR(f)) {
		mutex_unlock(&fsn->lock);
		return PTR_ERR(f);
	}
	down_read(&f->pipe_sem);
	spin_lock_bh(&f->sess_lock);
	list_for_each_entry(s, &f->sess_list, all) {
		if (i++ < cb->args[1])
			continue;
		hdr = fos_dump_hdr(skb, cb, FLOWSTREAM_CMD_GET_SESSION);
		if (!hdr || fos_fill_session(skb, s)) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			i--;
			break;
		}
		genlmsg_end(skb, hdr);
	}
	spin_unlock_bh(&f->sess_lock);
	up_read(&f->pipe_sem);
	mutex_unlock(&fsn->lock);
	cb->args[1] = i;
	return skb->len;
}

static int fos_nl_get_pm(struct sk_buff *req, struct genl_info *info)
{
	struct fs_net *fsn = fs_nl_begin(info);
	struct nlattr *tb[FLOWSTREAM_PM_A_MAX + 1];
	struct sk_buff *msg;
	struct fos_pm *pm;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, FLOWSTREAM_A_PM)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing PM attribute");
		return fs_nl_reject(fsn, info, -EINVAL);
	}
	err = nla_parse_nested(tb, FLOWSTREAM_PM_A_MAX,
			       info->attrs[FLOWSTREAM_A_PM], fos_pm_policy,
			       info->extack);
	if (err)
		return fs_nl_reject(fsn, info, err);
	if (!tb[FLOWSTREAM_PM_A_NAME]) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing PM name");
		return fs_nl_reject(fsn, info, -EINVAL);
	}
	pm = fos_pm_get(nla_data(tb[FLOWSTREAM_PM_A_NAME]), info->extack);
	if (IS_ERR(pm))
		return fs_nl_reject(fsn, info, PTR_ERR(pm));
	err = -ENOMEM;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (msg) {
		hdr = genlmsg_put_reply(msg, info, &fs_genl_family, 0,
					FLOWSTREAM_CMD_GET_PM);
		err = hdr ? fos_pm_fill(msg, pm) : -EMSGSIZE;
		if (!err)
			genlmsg_end(msg, hdr);
	}
	fos_pm_put(pm);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int fos_nl_dump_pms(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct fos_pm *pm;
	void *hdr;

	for (;;) {
		pm = fos_pm_nth(cb->args[0]);
		if (!pm)
			break;
		if (IS_ERR(pm)) {	/* going away: skip it */
			cb->args[0]++;
			continue;
		}
		hdr = fos_dump_hdr(skb, cb, FLOWSTREAM_CMD_GET_PM);
		if (!hdr || fos_pm_fill(skb, pm)) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			fos_pm_put(pm);
			break;
		}
		genlmsg_end(skb, hdr);
		fos_pm_put(pm);
		cb->args[0]++;
	}
	return skb->len;
}

/* The FLOWSTREAM_A_ATTACH of ATTACH and DETACH, required, into @tb. */
static int fos_nl_att_req(struct genl_info *info, struct nlattr **tb)
{
	if (GENL_REQ_ATTR_CHECK(info, FLOWSTREAM_A_ATTACH)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing attach attribute");
		return -EINVAL;
	}
	return nla_parse_nested(tb, FLOWSTREAM_ATT_A_MAX,
				info->attrs[FLOWSTREAM_A_ATTACH],
				fos_att_policy, info->extack);
}

/* The flow ATTACH or DETACH names, or NULL and why; fsn->lock held. */
static struct fos_flow *fos_nl_flow_named(struct fs_net *fsn, const char *name,
					  struct netlink_ext_ack *extack)
{
	struct fos_flow *f = fos_flow_find(fsn->fos, name, 0);

	if (!f)
		NL_SET_ERR_MSG_FMT_MOD(extack, "no flow named %s", name);
	return f;
}

static int fos_nl_attach(struct sk_buff *req, struct genl_info *info)
{
	struct fs_net *fsn = fs_nl_begin(info);
	struct nlattr *tb[FLOWSTREAM_ATT_A_MAX + 1];
	struct fos_att *att;
	struct sk_buff *msg;
	struct fos_flow *f;
	char name[FOS_NAME_MAX];
	void *hdr;
	int err;

	err = fos_nl_att_req(info, tb);
	if (err)
		return fs_nl_reject(fsn, info, err);
	if (!tb[FLOWSTREAM_ATT_A_FLOW]) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing flow name");
		return fs_nl_reject(fsn, info, -EINVAL);
	}
	if (tb[FLOWSTREAM_ATT_A_ID]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[FLOWSTREAM_ATT_A_ID],
				    "the id is assigned by the kernel");
		return fs_nl_reject(fsn, info, -EINVAL);
	}
	nla_strscpy(name, tb[FLOWSTREAM_ATT_A_FLOW], sizeof(name));
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	/* Loads the PM's module: outside the namespace's lock. */
	att = fos_parse_att(tb, U32_MAX, info->extack);
	if (IS_ERR(att)) {
		nlmsg_free(msg);
		return fs_nl_reject(fsn, info, PTR_ERR(att));
	}
	mutex_lock(&fsn->lock);
	f = fos_nl_flow_named(fsn, name, info->extack);
	if (!f) {
		err = -ENOENT;
	} else {
		if (att->order == U32_MAX)
			att->order = f->pipe.l.n ?
				     min(f->pipe.att[f->pipe.l.n - 1]->order + 10,
					 65535U) : 10;
		err = fos_flow_attach(f, att, info->extack);
	}
	if (!err) {
		hdr = genlmsg_put_reply(msg, info, &fs_genl_family, 0,
					FLOWSTREAM_CMD_ATTACH);
		if (hdr) {
			struct nlattr *nest = nla_nest_start(msg,
							     FLOWSTREAM_A_ATTACH);

			if (nest && !nla_put_u32(msg, FLOWSTREAM_ATT_A_ID,
						 att->id))
				nla_nest_end(msg, nest);
			genlmsg_end(msg, hdr);
		}
	}
	mutex_unlock(&fsn->lock);
	if (err) {
		fos_att_free(att);
		nlmsg_free(msg);
		return fs_nl_reject(fsn, info, err);
	}
	return genlmsg_reply(msg, info);
}

static int fos_nl_detach(struct sk_buff *req, struct genl_info *info)
{
	struct fs_net *fsn = fs_nl_begin(info);
	struct nlattr *tb[FLOWSTREAM_ATT_A_MAX + 1];
	struct fos_flow *f;
	char name[FOS_NAME_MAX];
	int err;

	err = fos_nl_att_req(info, tb);
	if (err)
		return fs_nl_reject(fsn, info, err);
	if (!tb[FLOWSTREAM_ATT_A_FLOW] || !tb[FLOWSTREAM_ATT_A_ID]) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "detach needs the flow name and the attachment id");
		return fs_nl_reject(fsn, info, -EINVAL);
	}
	nla_strscpy(name, tb[FLOWSTREAM_ATT_A_FLOW], sizeof(name));
	mutex_lock(&fsn->lock);
	f = fos_nl_flow_named(fsn, name, info->extack);
	if (!f) {
		err = -ENOENT;
	} else {
		err = fos_flow_detach(f, nla_get_u32(tb[FLOWSTREAM_ATT_A_ID]),
				      info->extack);
	}
	mutex_unlock(&fsn->lock);
	return err ? fs_nl_reject(fsn, info, err) : 0;
}

/* GET_ATTACH dump: cb->args[0] flows done, [1] attachments done in it */
static int fos_nl_dump_atts(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct fs_net *fsn = fs_net(sock_net(skb->sk));
	struct nlattr *attrs[FLOWSTREAM_A_MAX + 1];
	struct fos_flow *f, *only = NULL;
	long fi = 0, p;
	void *hdr;
	int err;

	err = fos_dump_attrs(cb, attrs, fos_att_ops_policy);
	if (err)
		return err;
	mutex_lock(&fsn->lock);
	if (attrs[FLOWSTREAM_A_FLOW]) {
		only = fos_nl_flow(fsn, attrs[FLOWSTREAM_A_FLOW], cb->extack);
		if (IS_ERR(only)) {
			mutex_unlock(&fsn->lock);
			return PTR_ERR(only);
		}
	}
	list_for_each_entry(f, &fsn->fos->flows, list) {
		if ((only && f != only) || fi++ < cb->args[0])
			continue;
		for (p = cb->args[1]; p < f->pipe.l.n; p++) {
			hdr = fos_dump_hdr(skb, cb, FLOWSTREAM_CMD_GET_ATTACH);
			if (!hdr || fos_fill_att(skb, f->pipe.att[p])) {
				if (hdr)
					genlmsg_cancel(skb, hdr);
				cb->args[1] = p;
				goto out;
			}
			genlmsg_end(skb, hdr);
		}
		cb->args[0] = fi;
		cb->args[1] = 0;
	}
out:
	mutex_unlock(&fsn->lock);
	return skb->len;
}

static const struct genl_ops fos_nl_ops[] = {
	{
		.cmd = FLOWSTREAM_CMD_ADD_FLOW,
		.doit = fos_nl_add_flow,
		.policy = fos_flow_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_DEL_FLOW,
		.doit = fos_nl_del_flow,
		.policy = fos_flow_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_GET_FLOW,
		.doit = fos_nl_get_flow,
		.dumpit = fos_nl_dump_flows,
		.policy = fos_flow_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_GET_SESSION,
		.dumpit = fos_nl_dump_sessions,
		.policy = fos_flow_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_GET_PM,
		.doit = fos_nl_get_pm,
		.dumpit = fos_nl_dump_pms,
		.policy = fos_pm_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_ATTACH,
		.doit = fos_nl_attach,
		.policy = fos_att_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_DETACH,
		.doit = fos_nl_detach,
		.policy = fos_att_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_GET_ATTACH,
		.dumpit = fos_nl_dump_atts,
		.policy = fos_att_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

/* FlowOS's operations, a row of netlink.c's fs_nl_parts[]. */
const struct fs_nl_part fos_nl = {
	.name = "flowos",
	.ops = fos_nl_ops,
	.n_ops = ARRAY_SIZE(fos_nl_ops),
};
