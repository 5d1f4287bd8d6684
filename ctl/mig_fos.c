// SPDX-License-Identifier: GPL-2.0
/*
 * State migration: the FlowOS flows and attachments both hosts must share
 * (Documentation/migration.rst, "The stream", HELLO). Each side
 * describes its flows in a canonical text: the match and settings that
 * decide which packets a flow takes, and its PMs in pipeline order; A
 * sends its description in the HELLO, B compares it with its own and
 * refuses the migration, naming what differs. B treats A's description as
 * untrusted: bounded, printable, no flow twice.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowctl.h"
#include "fos.h"
#include "mig.h"
#include "names.h"

static int mig_fos_add(struct mig_fos *m, const char *name)
{
	struct mig_fos_flow *v;

	if (m->n >= MIGS_FOS_FLOWS_MAX) {
		errno = E2BIG;
		return -1;
	}
	v = realloc(m->v, (m->n + 1) * sizeof(*v));
	if (!v)
		return -1;
	m->v = v;
	memset(&v[m->n], 0, sizeof(v[0]));
	snprintf(v[m->n].name, sizeof(v[0].name), "%s", name);
	m->n++;
	return 0;
}

static struct mig_fos_flow *mig_fos_find(const struct mig_fos *m,
					 const char *name)
{
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].name, name))
			return &m->v[i];
	return NULL;
}

void mig_fos_free(struct mig_fos *m)
{
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

/* Append to @buf (of @len, NUL-terminated) what the format says. */
static void cat(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static void cat_prefix(char *buf, size_t len, const char *key, uint8_t family,
		       const uint8_t *addr, uint8_t plen)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(family, addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	cat(buf, len, " %s %s/%u", key, a, plen);
}

/*
 * The canonical text of a flow's match and settings: the match's words
 * (the interface by name, as interface numbers differ between hosts), its
 * stream and priority.
 */
void mig_fos_match_text(const struct fos_flow *f, char *buf, size_t len)
{
	const struct fos_match *m = &f->match;
	char dev[IF_NAMESIZE];

	buf[0] = 0;
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_IIF))
		cat(buf, len, " iif %s", if_indextoname(m->iif, dev) ?
		    dev : "?");
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_FAMILY))
		cat(buf, len, " family %u", m->family);
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_PROTO))
		cat(buf, len, " proto %u", m->proto);
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_SRC))
		cat_prefix(buf, len, "src", m->family, m->src, m->src_len);
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_DST))
		cat_prefix(buf, len, "dst", m->family, m->dst, m->dst_len);
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_SPORT))
		cat(buf, len, " sport %u", m->sport);
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_DPORT))
		cat(buf, len, " dport %u", m->dport);
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_DSCP))
		cat(buf, len, " dscp %u", m->dscp);
	cat(buf, len, " stream %" PRIu64 " prio %" PRIu64,
	    f->val[FLOWSTREAM_FLOW_A_STREAM], f->val[FLOWSTREAM_FLOW_A_PRIO]);
	memmove(buf, buf + 1, strlen(buf));	/* the first space */
}

/* The attachments of a GET_ATTACH dump, to be put in pipeline order. */
struct mig_atts {
	struct fos_attach *v;
	size_t n;
};

static int atts_cb(const struct nlmsghdr *nlh, void *data)
{
	struct mig_atts *a = data;
	struct fos_attach *v;
	int ret;

	if (a->n >= MIGS_FOS_FLOWS_MAX * 16) {
		errno = E2BIG;
		return MNL_CB_ERROR;
	}
	v = realloc(a->v, (a->n + 1) * sizeof(*v));
	if (!v)
		return MNL_CB_ERROR;
	a->v = v;
	ret = fos_attach_msg_parse(nlh, &v[a->n]);
	if (ret < 0)
		return MNL_CB_ERROR;
	if (ret)
		a->n++;
	return MNL_CB_OK;
}

/* Pipeline order: by order, then (for PMs side by side) PM and args. */
static int att_cmp(const void *x, const void *y)
{
	const struct fos_attach *a = x, *b = y;
	int c = strcmp(a->flow, b->flow);

	if (c)
		return c;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	c = strcmp(a->pm, b->pm);
	return c ? c : strcmp(a->args, b->args);
}

static int flows_cb(const struct nlmsghdr *nlh, void *data)
{
	struct mig_fos *m = data;
	struct fos_flow f;
	int ret;

	memset(&f, 0, sizeof(f));
	ret = fos_flow_msg_parse(nlh, &f);
	if (ret < 0 || (ret && !(f.seen & FOS_BIT(FLOWSTREAM_FLOW_A_NAME)))) {
		fos_flow_free(&f);
		return MNL_CB_ERROR;
	}
	if (ret) {
		if (mig_fos_add(m, f.name)) {
			fos_flow_free(&f);
			return MNL_CB_ERROR;
		}
		mig_fos_match_text(&f, m->v[m->n - 1].match,
				   sizeof(m->v[0].match));
	}
	fos_flow_free(&f);
	return MNL_CB_OK;
}

/*
 * This host's flows and their PMs (GET_FLOW and GET_ATTACH dumps) into
 * @m. 0, or -1 with the reason in @err.
 */
int mig_fos_local(struct fs_nl *nl, struct mig_fos *m, char *err, size_t len)
{
	struct mig_atts atts = { 0 };
	struct mig_fos_flow *fl;
	struct fs_ext_ack ack;
	struct nlmsghdr *nlh;
	const char *last = "";
	uint32_t last_order = 0;
	size_t i;
	int ret;

	memset(m, 0, sizeof(*m));
	nlh = fs_nl_req(nl, FLOWSTREAM_CMD_GET_FLOW);
	if (!nlh)
		goto fail;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ret = fs_nl_transact(nl, nlh, flows_cb, m, &ack);
	if (ret) {
		snprintf(err, len, "cannot list the FlowOS flows: %s",
			 ack.msg[0] ? ack.msg : strerror(-ret));
		goto out;
	}
	nlh = fs_nl_req(nl, FLOWSTREAM_CMD_GET_ATTACH);
	if (!nlh)
		goto fail;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ret = fs_nl_transact(nl, nlh, atts_cb, &atts, &ack);
	if (ret) {
		snprintf(err, len, "cannot list the PM attachments: %s",
			 ack.msg[0] ? ack.msg : strerror(-ret));
		goto out;
	}
	if (atts.n)
		qsort(atts.v, atts.n, sizeof(atts.v[0]), att_cmp);
	for (i = 0; i < atts.n; i++) {
		const struct fos_attach *a = &atts.v[i];

		fl = mig_fos_find(m, a->flow);
		if (!fl)
			continue;	/* a flow added since the dump */
		if (fl->pms[0])
			cat(fl->pms, sizeof(fl->pms), "%s",
			    !strcmp(last, a->flow) && last_order == a->order ?
			    " + " : ", ");
		cat(fl->pms, sizeof(fl->pms), "%s", a->pm);
		if (a->args[0])
			cat(fl->pms, sizeof(fl->pms), " \"%s\"", a->args);
		last = a->flow;
		last_order = a->order;
	}
	free(atts.v);
	return 0;
fail:
	/* fs_nl_req() has said why on standard error. */
	snprintf(err, len, "cannot list the FlowOS flows: no netlink connection to the flowstream module");
out:
	free(atts.v);
	mig_fos_free(m);
	return -1;
}

/* HELLO: the number of flows, then each flow. */
void mig_fos_put(struct nlmsghdr *nlh, const struct mig_fos *m)
{
	struct nlattr *nest;
	unsigned int i;

	mnl_attr_put_u32(nlh, MIGS_A_FOS_FLOWS, m->n);
	for (i = 0; i < m->n; i++) {
		nest = mnl_attr_nest_start(nlh, MIGS_A_FOS_FLOW);
		mnl_attr_put_strz(nlh, MIGS_FOS_A_NAME, m->v[i].name);
		mnl_attr_put_strz(nlh, MIGS_FOS_A_MATCH, m->v[i].match);
		mnl_attr_put_strz(nlh, MIGS_FOS_A_PMS, m->v[i].pms);
		mnl_attr_nest_end(nlh, nest);
	}
}

/* A string attribute of the peer's: NUL-terminated, printable, short. */
static bool peer_str(const struct nlattr *attr, size_t max)
{
	const char *s = mnl_attr_get_payload(attr);
	uint16_t len = mnl_attr_get_payload_len(attr);
	uint16_t i;

	if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 || len > max)
		return false;
	for (i = 0; i + 1 < len; i++)
		if (!isprint((unsigned char)s[i]))
			return false;
	return s[len - 1] == 0 && strlen(s) + 1 == len;
}

static int fos_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == MIGS_FOS_A_UNSPEC || type >= __MIGS_FOS_A_MAX || tb[type])
		return MNL_CB_ERROR;
	tb[type] = attr;
	return MNL_CB_OK;
}

/*
 * A's flows from its HELLO (@in, already parsed into @tb): untrusted. 0,
 * or -1 with why in @msg.
 */
int mig_fos_get(const struct migs_in *in, const struct nlattr **tb,
		struct mig_fos *m, char *msg, size_t len)
{
	const struct nlattr *attr, *ftb[__MIGS_FOS_A_MAX];
	struct mig_fos_flow *fl;
	uint32_t n;

	memset(m, 0, sizeof(*m));
	if (!tb[MIGS_A_FOS_FLOWS]) {
		snprintf(msg, len, "the hello does not describe A's FlowOS flows");
		return -1;
	}
	n = mnl_attr_get_u32(tb[MIGS_A_FOS_FLOWS]);
	if (n > MIGS_FOS_FLOWS_MAX) {
		snprintf(msg, len, "more than %u FlowOS flows", MIGS_FOS_FLOWS_MAX);
		return -1;
	}
	mnl_attr_for_each_payload((const struct nlattr *)(const void *)in->buf,
				  in->len) {
		if (mnl_attr_get_type(attr) != MIGS_A_FOS_FLOW)
			continue;
		memset(ftb, 0, sizeof(ftb));
		if (mnl_attr_parse_nested(attr, fos_attr_cb, ftb) < 0 ||
		    !ftb[MIGS_FOS_A_NAME] || !ftb[MIGS_FOS_A_MATCH] ||
		    !ftb[MIGS_FOS_A_PMS] ||
		    !peer_str(ftb[MIGS_FOS_A_NAME], sizeof(fl->name)) ||
		    !peer_str(ftb[MIGS_FOS_A_MATCH], sizeof(fl->match)) ||
		    !peer_str(ftb[MIGS_FOS_A_PMS], sizeof(fl->pms))) {
			snprintf(msg, len, "a malformed FlowOS flow");
			goto fail;
		}
		if (m->n >= n) {
			snprintf(msg, len, "more FlowOS flows than announced");
			goto fail;
		}
		if (mig_fos_find(m, mnl_attr_get_str(ftb[MIGS_FOS_A_NAME]))) {
			snprintf(msg, len, "FlowOS flow \"%s\" twice",
				 mnl_attr_get_str(ftb[MIGS_FOS_A_NAME]));
			goto fail;
		}
		if (mig_fos_add(m, mnl_attr_get_str(ftb[MIGS_FOS_A_NAME]))) {
			snprintf(msg, len, "%s", strerror(errno));
			goto fail;
		}
		fl = &m->v[m->n - 1];
		snprintf(fl->match, sizeof(fl->match), "%s",
			 mnl_attr_get_str(ftb[MIGS_FOS_A_MATCH]));
		snprintf(fl->pms, sizeof(fl->pms), "%s",
			 mnl_attr_get_str(ftb[MIGS_FOS_A_PMS]));
	}
	if (m->n != n) {
		snprintf(msg, len, "fewer FlowOS flows than announced");
		goto fail;
	}
	return 0;
fail:
	mig_fos_free(m);
	return -1;
}

/*
 * Does B (@b) have A's (@a) flows, with the same match and PMs, and no
 * other? 0, or -1 with the first difference in @msg.
 */
int mig_fos_compare(const struct mig_fos *a, const struct mig_fos *b,
		    char *msg, size_t len)
{
	const struct mig_fos_flow *fa, *fb;
	unsigned int i;

	for (i = 0; i < a->n; i++) {
		fa = &a->v[i];
		fb = mig_fos_find(b, fa->name);
		if (!fb) {
			snprintf(msg, len, "FlowOS flow \"%s\" of A does not exist on B",
				 fa->name);
			return -1;
		}
		if (strcmp(fa->match, fb->match)) {
			snprintf(msg, len, "FlowOS flow \"%s\": match on A \"%s\", on B \"%s\"",
				 fa->name, fa->match, fb->match);
			return -1;
		}
		if (strcmp(fa->pms, fb->pms)) {
			snprintf(msg, len, "FlowOS flow \"%s\": PMs on A \"%s\", on B \"%s\"",
				 fa->name, fa->pms[0] ? fa->pms : "none",
				 fb->pms[0] ? fb->pms : "none");
			return -1;
		}
	}
	for (i = 0; i < b->n; i++) {
		if (!mig_fos_find(a, b->v[i].name)) {
			snprintf(msg, len, "FlowOS flow \"%s\" of B does not exist on A",
				 b->v[i].name);
			return -1;
		}
	}
	return 0;
}
