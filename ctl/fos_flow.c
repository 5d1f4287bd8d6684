// SPDX-License-Identifier: GPL-2.0
/*
 * A FlowOS flow (FLOWSTREAM_A_FLOW): its settings words ("prio N",
 * "stream tcp", "max-held N", ...), the ADD_FLOW request, the nest that
 * names a flow in other requests, GET_FLOW replies and how they print.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowctl.h"
#include "fos.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The settings of a flow: u32 numbers, or u8 enums with @names. */
static const struct flow_key {
	const char *word;		/* command line and text */
	const char *json;
	uint16_t attr;			/* FLOWSTREAM_FLOW_A_* */
	const char *const *names;	/* an enum's keywords, or NULL */
	unsigned int nnames;
} flow_keys[] = {
	{ "prio", "prio", FLOWSTREAM_FLOW_A_PRIO, NULL, 0 },
	{ "stream", "stream", FLOWSTREAM_FLOW_A_STREAM, fs_stream_names,
	  __FLOWSTREAM_STREAM_MAX },
	{ "policy", "policy", FLOWSTREAM_FLOW_A_POLICY, fs_fos_policy_names,
	  __FLOWSTREAM_FOS_POLICY_MAX },
	{ "max-sessions", "max_sessions", FLOWSTREAM_FLOW_A_MAX_SESSIONS,
	  NULL, 0 },
	{ "max-held", "max_held", FLOWSTREAM_FLOW_A_MAX_HELD, NULL, 0 },
	{ "max-held-bytes", "max_held_bytes", FLOWSTREAM_FLOW_A_MAX_HELD_BYTES,
	  NULL, 0 },
	{ "max-session-held", "max_session_held",
	  FLOWSTREAM_FLOW_A_MAX_SESSION_HELD, NULL, 0 },
	{ "idle-timeout", "idle_timeout", FLOWSTREAM_FLOW_A_IDLE_TIMEOUT,
	  NULL, 0 },
	{ "hole-timeout", "hole_timeout", FLOWSTREAM_FLOW_A_HOLE_TIMEOUT,
	  NULL, 0 },
};

static const struct flow_key *key_by_attr(uint16_t attr)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(flow_keys); i++)
		if (flow_keys[i].attr == attr)
			return &flow_keys[i];
	return NULL;
}

/* 1..31 characters of [A-Za-z0-9_.:-]: flow names (and PM names). */
bool fos_name_ok(const char *name)
{
	size_t n = strlen(name), i;

	if (n < 1 || n > FOS_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!isascii((unsigned char)name[i]) ||
		    (!isalnum((unsigned char)name[i]) && !strchr("_.:-", name[i])))
			return false;
	return true;
}

static int enum_value(const struct flow_key *key, const char *arg,
		      uint64_t *val, char *err, size_t errlen)
{
	unsigned int i;
	int v, len;

	v = fs_enum_parse(key->names, key->nnames, arg);
	if (v >= 0) {
		*val = v;
		return 0;
	}
	len = snprintf(err, errlen, "invalid value \"%s\" for \"%s\": expected ",
		       arg, key->word);
	for (i = 0; i < key->nnames && len > 0 && (size_t)len < errlen; i++)
		len += snprintf(err + len, errlen - len, "%s\"%s\"",
				!i ? "" : i + 1 < key->nnames ? ", " : " or ",
				key->names[i]);
	return -1;
}

/*
 * Parse the settings word argv[0] ("prio", "stream", "policy", the limits
 * and timeouts) and its value into @f. Returns 2, 0 if argv[0] is no
 * settings word, or -1 with a message. Numbers are checked for syntax and
 * the u32 range only; the module checks its own limits.
 */
int fos_flow_word(int argc, char **argv, struct fos_flow *f,
		  char *err, size_t errlen)
{
	const struct flow_key *key;
	enum parse_err perr;
	uint64_t val;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(flow_keys); k++)
		if (!strcmp(argv[0], flow_keys[k].word))
			break;
	if (k == ARRAY_SIZE(flow_keys))
		return 0;
	key = &flow_keys[k];
	if (f->words & (1u << k)) {
		snprintf(err, errlen, "duplicate \"%s\"", argv[0]);
		return -1;
	}
	if (argc < 2) {
		snprintf(err, errlen, "missing value for \"%s\"", argv[0]);
		return -1;
	}
	if (key->names) {
		if (enum_value(key, argv[1], &val, err, errlen) < 0)
			return -1;
	} else {
		perr = parse_uint(argv[1], UINT32_MAX, &val);
		if (perr != PARSE_OK) {
			parse_errmsg(err, errlen, key->word, argv[1], perr,
				     UINT32_MAX);
			return -1;
		}
	}
	f->words |= 1u << k;
	f->seen |= FOS_BIT(key->attr);
	f->val[key->attr] = val;
	return 2;
}

/*
 * Append the ADD_FLOW request's FLOWSTREAM_A_FLOW: NAME, the settings
 * given and MATCH (if it has anything) in attribute order, then PIPELINE
 * with one FLOWSTREAM_A_ATTACH nest per entry (if there are any).
 */
void fos_flow_put(struct nlmsghdr *nlh, const struct fos_flow *f)
{
	const struct flow_key *key;
	struct nlattr *nest, *pipe;
	uint16_t attr;
	size_t i;

	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_FLOW);
	mnl_attr_put_strz(nlh, FLOWSTREAM_FLOW_A_NAME, f->name);
	for (attr = FLOWSTREAM_FLOW_A_PRIO; attr < FLOWSTREAM_FLOW_A_PIPELINE;
	     attr++) {
		if (attr == FLOWSTREAM_FLOW_A_MATCH) {
			if (f->match.present)
				fos_match_put(nlh, &f->match);
			continue;
		}
		key = key_by_attr(attr);
		if (!key || !(f->seen & FOS_BIT(attr)))
			continue;
		if (key->names)
			mnl_attr_put_u8(nlh, attr, f->val[attr]);
		else
			mnl_attr_put_u32(nlh, attr, f->val[attr]);
	}
	if (f->npipe) {
		pipe = mnl_attr_nest_start(nlh, FLOWSTREAM_FLOW_A_PIPELINE);
		for (i = 0; i < f->npipe; i++)
			fos_attach_put(nlh, &f->pipe[i]);
		mnl_attr_nest_end(nlh, pipe);
	}
	mnl_attr_nest_end(nlh, nest);
}

/* FLOWSTREAM_A_FLOW naming a flow: NAME if @name, else ID. */
void fos_flow_ref_put(struct nlmsghdr *nlh, const char *name, uint32_t id)
{
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_FLOW);
	if (name)
		mnl_attr_put_strz(nlh, FLOWSTREAM_FLOW_A_NAME, name);
	else
		mnl_attr_put_u32(nlh, FLOWSTREAM_FLOW_A_ID, id);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * u64 counters of a stats nest, in the order sent. Type 0 is padding; a
 * type up to @max_known must be a u64, a newer one is kept if it is one
 * and skipped if not. At most FOS_STATS_MAX are kept. 0 or -EBADMSG.
 */
int fos_stats_parse(const struct nlattr *nest, struct fos_stat *v,
		    unsigned int *n, uint16_t max_known)
{
	const struct nlattr *attr;
	uint16_t type;

	*n = 0;
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -EBADMSG;
	mnl_attr_for_each_nested(attr, nest) {
		type = mnl_attr_get_type(attr);
		if (!type)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0) {
			if (type <= max_known)
				return -EBADMSG;
			continue;
		}
		if (*n == FOS_STATS_MAX)
			continue;
		v[*n].type = type;
		v[*n].value = mnl_attr_get_u64(attr);
		(*n)++;
	}
	return 0;
}

/*
 * Text: "  name value name value" lines, a new line where @groups (by
 * type; types past @ngroups are a group of their own) changes. JSON:
 * "name":value members in the current object.
 */
void fos_stats_print(struct output *o, const struct fos_stat *v,
		     unsigned int n,
		     const char *(*name)(uint16_t, char *, size_t),
		     const unsigned char *groups, size_t ngroups)
{
	unsigned int i, group, last = 0;
	const char *s;
	char buf[32];

	for (i = 0; i < n; i++) {
		s = name(v[i].type, buf, sizeof(buf));
		group = v[i].type < ngroups ? groups[v[i].type] : 256;
		if (!i)
			out_text(o, " ");
		else if (group != last)
			out_text(o, "\n ");
		last = group;
		out_text(o, " %s %" PRIu64, s, v[i].value);
		out_u64(o, s, NULL, v[i].value);
	}
	if (n)
		out_text(o, "\n");
}

static const enum mnl_attr_data_type flow_types[] = {
	[FLOWSTREAM_FLOW_A_ID]			= MNL_TYPE_U32,
	[FLOWSTREAM_FLOW_A_NAME]		= MNL_TYPE_NUL_STRING,
	[FLOWSTREAM_FLOW_A_PRIO]		= MNL_TYPE_U32,
	[FLOWSTREAM_FLOW_A_MATCH]		= MNL_TYPE_NESTED,
	[FLOWSTREAM_FLOW_A_STREAM]		= MNL_TYPE_U8,
	[FLOWSTREAM_FLOW_A_POLICY]		= MNL_TYPE_U8,
	[FLOWSTREAM_FLOW_A_MAX_SESSIONS]	= MNL_TYPE_U32,
	[FLOWSTREAM_FLOW_A_MAX_HELD]		= MNL_TYPE_U32,
	[FLOWSTREAM_FLOW_A_MAX_HELD_BYTES]	= MNL_TYPE_U32,
	[FLOWSTREAM_FLOW_A_MAX_SESSION_HELD]	= MNL_TYPE_U32,
	[FLOWSTREAM_FLOW_A_IDLE_TIMEOUT]	= MNL_TYPE_U32,
	[FLOWSTREAM_FLOW_A_HOLE_TIMEOUT]	= MNL_TYPE_U32,
	[FLOWSTREAM_FLOW_A_PIPELINE]		= MNL_TYPE_UNSPEC,	/* request only */
	[FLOWSTREAM_FLOW_A_STATS]		= MNL_TYPE_NESTED,
};

_Static_assert(ARRAY_SIZE(flow_types) == __FLOWSTREAM_FLOW_A_MAX,
	       "a type for every FLOWSTREAM_FLOW_A_*");

static int flow_attr_cb(const struct nlattr *attr, void *data)
{
	struct fos_flow *f = data;
	uint16_t type = mnl_attr_get_type(attr);
	const struct flow_key *key;

	if (type >= ARRAY_SIZE(flow_types) ||
	    flow_types[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;	/* padding, or a newer module's */
	if (mnl_attr_validate(attr, flow_types[type]) < 0)
		return MNL_CB_ERROR;
	switch (type) {
	case FLOWSTREAM_FLOW_A_ID:
		f->id = mnl_attr_get_u32(attr);
		break;
	case FLOWSTREAM_FLOW_A_NAME:
		snprintf(f->name, sizeof(f->name), "%s",
			 mnl_attr_get_str(attr));
		break;
	case FLOWSTREAM_FLOW_A_MATCH:
		if (fos_match_parse_nest(attr, &f->match) < 0)
			return MNL_CB_ERROR;
		break;
	case FLOWSTREAM_FLOW_A_STATS:
		if (fos_stats_parse(attr, f->stats, &f->nstats,
				    FLOWSTREAM_FOS_STAT_MAX) < 0)
			return MNL_CB_ERROR;
		break;
	default:
		key = key_by_attr(type);
		if (!key)
			return MNL_CB_OK;
		f->val[type] = key->names ? mnl_attr_get_u8(attr) :
			       mnl_attr_get_u32(attr);
		break;
	}
	f->seen |= FOS_BIT(type);
	return MNL_CB_OK;
}

/* A FLOWSTREAM_A_FLOW of a reply into @f (cleared first); 0 or -EBADMSG. */
int fos_flow_parse_nest(const struct nlattr *nest, struct fos_flow *f)
{
	memset(f, 0, sizeof(*f));
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(nest, flow_attr_cb, f) < 0)
		return -EBADMSG;
	return 0;
}

static int flow_msg_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) != FLOWSTREAM_A_FLOW)
		return MNL_CB_OK;
	return fos_flow_parse_nest(attr, data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

/*
 * The flow of an ADD_FLOW or GET_FLOW reply. Returns 1 and fills @f, 0 if
 * the message has none, or -1 with errno EBADMSG.
 */
int fos_flow_msg_parse(const struct nlmsghdr *nlh, struct fos_flow *f)
{
	memset(f, 0, sizeof(*f));
	if (fs_nl_parse_genl(nlh, flow_msg_cb, f) != MNL_CB_OK) {
		errno = EBADMSG;
		return -1;
	}
	return f->seen ? 1 : 0;
}

/* Counters on one text line each: in/out, sessions, bypass, drops, TCP. */
static const unsigned char fos_stat_groups[] = {
	[FLOWSTREAM_FOS_STAT_PACKETS_IN]	= 0,
	[FLOWSTREAM_FOS_STAT_BYTES_IN]		= 0,
	[FLOWSTREAM_FOS_STAT_PACKETS_OUT]	= 0,
	[FLOWSTREAM_FOS_STAT_BYTES_OUT]		= 0,
	[FLOWSTREAM_FOS_STAT_BYPASS_SESSIONS]	= 2,
	[FLOWSTREAM_FOS_STAT_BYPASS_HELD]	= 2,
	[FLOWSTREAM_FOS_STAT_BYPASS_NOMEM]	= 2,
	[FLOWSTREAM_FOS_STAT_DROP_SESSIONS]	= 3,
	[FLOWSTREAM_FOS_STAT_DROP_HELD]		= 3,
	[FLOWSTREAM_FOS_STAT_DROP_NOMEM]	= 3,
	[FLOWSTREAM_FOS_STAT_DROP_PM]		= 3,
	[FLOWSTREAM_FOS_STAT_DROP_TEARDOWN]	= 3,
	[FLOWSTREAM_FOS_STAT_DROP_DEV]		= 3,
	[FLOWSTREAM_FOS_STAT_DROP_OUTPUT]	= 3,
	[FLOWSTREAM_FOS_STAT_HELD]		= 1,
	[FLOWSTREAM_FOS_STAT_HELD_BYTES]	= 1,
	[FLOWSTREAM_FOS_STAT_SESSIONS]		= 1,
	[FLOWSTREAM_FOS_STAT_SESSIONS_CREATED]	= 1,
	[FLOWSTREAM_FOS_STAT_SESSIONS_ENDED]	= 1,
	[FLOWSTREAM_FOS_STAT_TCP_GAPS]		= 4,
	[FLOWSTREAM_FOS_STAT_TCP_OOO]		= 4,
	[FLOWSTREAM_FOS_STAT_SPLIT]		= 4,
	[FLOWSTREAM_FOS_STAT_MIG_CHAINED]	= 5,
	[FLOWSTREAM_FOS_STAT_MIG_NOROUTE]	= 5,
};

/* Print the settings of @attrs (those present) on one text line. */
static void print_keys(struct output *o, const struct fos_flow *f,
		       const uint16_t *attrs, size_t n)
{
	const struct flow_key *key;
	bool any = false;
	char buf[32];
	size_t i;

	for (i = 0; i < n; i++) {
		key = key_by_attr(attrs[i]);
		if (!(f->seen & FOS_BIT(attrs[i])))
			continue;
		out_text(o, "%s%s ", any ? " " : "  ", key->word);
		any = true;
		if (key->names) {
			const char *s = fs_enum_name(key->names, key->nnames,
						     key->json, f->val[attrs[i]],
						     buf, sizeof(buf));

			out_text(o, "%s", s);
			out_str(o, key->json, NULL, s);
		} else {
			out_text(o, "%" PRIu64, f->val[attrs[i]]);
			out_u64(o, key->json, NULL, f->val[attrs[i]]);
		}
	}
	if (any)
		out_text(o, "\n");
}

/*
 * Text, a block:
 *   flow NAME id ID prio N
 *     match WORDS
 *     stream S policy P idle-timeout S hole-timeout MS
 *     max-sessions N max-held N max-held-bytes N max-session-held N
 *     COUNTER N ... (a line per group)
 * JSON: id, name, prio, match {}, stream, policy, the limits, stats {}.
 */
void fos_flow_print(struct output *o, const struct fos_flow *f,
		    const char *(*ifname)(unsigned int, char *))
{
	static const uint16_t line1[] = {
		FLOWSTREAM_FLOW_A_STREAM, FLOWSTREAM_FLOW_A_POLICY,
		FLOWSTREAM_FLOW_A_IDLE_TIMEOUT, FLOWSTREAM_FLOW_A_HOLE_TIMEOUT,
	};
	static const uint16_t line2[] = {
		FLOWSTREAM_FLOW_A_MAX_SESSIONS, FLOWSTREAM_FLOW_A_MAX_HELD,
		FLOWSTREAM_FLOW_A_MAX_HELD_BYTES,
		FLOWSTREAM_FLOW_A_MAX_SESSION_HELD,
	};

	out_text(o, "flow %s", f->name);
	if (f->seen & FOS_BIT(FLOWSTREAM_FLOW_A_ID)) {
		out_text(o, " id %u", f->id);
		out_u64(o, "id", NULL, f->id);
	}
	out_str(o, "name", NULL, f->name);
	if (f->seen & FOS_BIT(FLOWSTREAM_FLOW_A_PRIO)) {
		out_text(o, " prio %" PRIu64, f->val[FLOWSTREAM_FLOW_A_PRIO]);
		out_u64(o, "prio", NULL, f->val[FLOWSTREAM_FLOW_A_PRIO]);
	}
	out_text(o, "\n  match");
	out_obj_begin(o, "match");
	fos_match_print(o, &f->match, ifname);
	out_obj_end(o);
	out_text(o, "\n");
	print_keys(o, f, line1, ARRAY_SIZE(line1));
	print_keys(o, f, line2, ARRAY_SIZE(line2));
	if (f->seen & FOS_BIT(FLOWSTREAM_FLOW_A_STATS)) {
		out_obj_begin(o, "stats");
		fos_stats_print(o, f->stats, f->nstats, fs_fos_stat_name,
				fos_stat_groups, ARRAY_SIZE(fos_stat_groups));
		out_obj_end(o);
	}
}

void fos_flow_free(struct fos_flow *f)
{
	free(f->pipe);
	f->pipe = NULL;
	f->npipe = 0;
}
