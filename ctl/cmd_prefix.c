// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl prefix add|del: the monitored prefixes of the prefix sampler;
 * flowctl prefixes: their counters (the GET_PREFIX dump), optionally read
 * and reset.
 *
 * A prefix may span several dump messages, each repeating its identity
 * (family, address, length, depth); its SUB nests come in index order.
 * They are appended to the prefix the previous message ended with, so a
 * dump costs time and memory linear in its sub-prefixes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "flowctl.h"

#define PFX_BIT(t)	REC_BIT(t)

_Static_assert(__FLOWSTREAM_PFX_A_MAX <= 32, "struct fs_prefix.seen");

static void prefix_usage(FILE *fp)
{
	fputs("Usage: flowctl prefix add PREFIX [depth D]\n"
	      "       flowctl prefix del PREFIX\n"
	      "       flowctl prefix help\n"
	      "where  PREFIX := { IPV4ADDR[/LEN] | IPV6ADDR[/LEN] }\n"
	      "Monitor PREFIX, split into 2^D sub-prefixes of length LEN + D\n"
	      "(D 0..16, default 0), or stop monitoring it. The address must have\n"
	      "no bits set past LEN; the module checks that and the ranges.\n",
	      fp);
}

static void prefixes_usage(FILE *fp)
{
	fputs("Usage: flowctl prefixes [ --reset | reset | --window N ]\n"
	      "                        [ -j[son] | -p[retty] ]\n"
	      "       flowctl prefixes ack N\n"
	      "       flowctl prefixes help\n"
	      "Show the window (its number first), the unmatched counts and each\n"
	      "monitored prefix with its sub-prefixes: sampled packets and bytes,\n"
	      "estimated packets and bytes with 95% intervals. --reset reads and\n"
	      "resets: the window ends and the next one starts. The window so\n"
	      "taken is kept: --window N reads it again, the same counts, until\n"
	      "the next --reset or \"ack N\", which drops it.\n", fp);
}

static unsigned int family_bits(uint8_t family)
{
	return family == AF_INET ? 32 : 128;
}

/* "ADDR/LEN" or "ADDR" into @args, the address as given; 0 or EXIT_USAGE. */
static int parse_pfx(const char *arg, struct prefix_args *args)
{
	const char *slash = strchr(arg, '/');
	size_t alen = slash ? (size_t)(slash - arg) : strlen(arg);
	char addr[INET6_ADDRSTRLEN + 1];
	unsigned int bits;
	uint64_t len;

	if (alen >= sizeof(addr))
		goto bad;
	memcpy(addr, arg, alen);
	addr[alen] = '\0';
	if (parse_addr(addr, &args->family, args->addr) < 0)
		goto bad;
	bits = family_bits(args->family);
	if (!slash)
		len = bits;
	else if (parse_uint(slash + 1, bits, &len) != PARSE_OK)
		return usage_error("prefix",
				   "invalid prefix length in \"%s\": not a number 0..%u",
				   arg, bits);
	args->len = len;
	return 0;
bad:
	return usage_error("prefix",
			   "invalid prefix \"%s\": not an IPv4 or IPv6 ADDR/LEN",
			   arg);
}

static int parse_depth(const char *arg, struct prefix_args *args)
{
	enum parse_err err;
	char msg[256];
	uint64_t val;

	if (args->has_depth)
		return usage_error("prefix", "duplicate \"depth\"");
	err = parse_uint(arg, UINT8_MAX, &val);
	if (err != PARSE_OK) {
		parse_errmsg(msg, sizeof(msg), "depth", arg, err, UINT8_MAX);
		return usage_error("prefix", "%s", msg);
	}
	args->has_depth = true;
	args->depth = val;
	return 0;
}

/*
 * Parse "add PREFIX [depth D]" or "del PREFIX" (argv[0] is the command)
 * into @args; returns 0 or EXIT_USAGE after a message.
 */
int prefix_parse_args(int argc, char **argv, struct prefix_args *args)
{
	int i, ret;

	memset(args, 0, sizeof(*args));
	if (argc < 1)
		return usage_error("prefix", "missing command");
	if (!strcmp(argv[0], "del"))
		args->del = true;
	else if (strcmp(argv[0], "add"))
		return usage_error("prefix", "unknown command \"%s\"", argv[0]);
	if (argc < 2)
		return usage_error("prefix", "missing PREFIX");
	ret = parse_pfx(argv[1], args);
	if (ret)
		return ret;
	for (i = 2; i < argc; i += 2) {
		if (args->del || strcmp(argv[i], "depth"))
			return usage_error("prefix", "unexpected argument \"%s\"",
					   argv[i]);
		if (i + 1 >= argc)
			return usage_error("prefix", "missing value for \"depth\"");
		ret = parse_depth(argv[i + 1], args);
		if (ret)
			return ret;
	}
	return 0;
}

/* Append FLOWSTREAM_A_PREFIX (FAMILY, ADDR, LEN and DEPTH if given). */
void prefix_put(struct nlmsghdr *nlh, const struct prefix_args *args)
{
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_PREFIX);
	mnl_attr_put_u8(nlh, FLOWSTREAM_PFX_A_FAMILY, args->family);
	mnl_attr_put(nlh, FLOWSTREAM_PFX_A_ADDR,
		     family_bits(args->family) / 8, args->addr);
	mnl_attr_put_u8(nlh, FLOWSTREAM_PFX_A_LEN, args->len);
	if (args->has_depth)
		mnl_attr_put_u8(nlh, FLOWSTREAM_PFX_A_DEPTH, args->depth);
	mnl_attr_nest_end(nlh, nest);
}

static void put_bit(uint8_t *addr, unsigned int pos, bool set)
{
	uint8_t mask = 0x80 >> (pos % 8);

	if (set)
		addr[pos / 8] |= mask;
	else
		addr[pos / 8] &= ~mask;
}

/*
 * The address of sub-prefix @index of @addr/@len split by @depth: @addr
 * with @index in the @depth bits after the first @len (most significant
 * first), bits past @len + @depth cleared. Returns 0, or -1 if the
 * arguments do not describe a sub-prefix.
 */
int pfx_sub_addr(uint8_t family, const uint8_t *addr, unsigned int len,
		 unsigned int depth, uint32_t index, uint8_t out[16])
{
	unsigned int bits, i;

	if (family != AF_INET && family != AF_INET6)
		return -1;
	bits = family_bits(family);
	if (depth > 32 || len > bits || len + depth > bits ||
	    (depth < 32 && index >> depth))
		return -1;
	memset(out, 0, 16);
	memcpy(out, addr, bits / 8);
	for (i = 0; i < depth; i++)
		put_bit(out, len + i, index >> (depth - 1 - i) & 1);
	for (i = len + depth; i < bits; i++)
		put_bit(out, i, false);
	return 0;
}

/* "10.0.0.0/8", "fd00::/16". */
char *fmt_prefix(uint8_t family, const uint8_t *addr, unsigned int len,
		 char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(family, addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, size, "%s/%u", a, len);
	return buf;
}

/* --- the GET_PREFIX dump ---------------------------------------------- */

/* What one message says of its prefix, SUB nests aside. */
struct pfx_msg {
	struct fs_prefix id;
	unsigned int addr_len;
	size_t nsubs;			/* SUB nests in the message */
};

static int pfx_u8(const struct nlattr *attr, uint8_t *val)
{
	if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
		return MNL_CB_ERROR;
	*val = mnl_attr_get_u8(attr);
	return MNL_CB_OK;
}

static int pfx_u64(const struct nlattr *attr, uint64_t *val)
{
	if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
		return MNL_CB_ERROR;
	*val = mnl_attr_get_u64(attr);
	return MNL_CB_OK;
}

static int pfx_ident_cb(const struct nlattr *attr, void *data)
{
	struct pfx_msg *m = data;
	struct fs_prefix *p = &m->id;
	uint16_t type = mnl_attr_get_type(attr);

	if (type >= __FLOWSTREAM_PFX_A_MAX || type == FLOWSTREAM_PFX_A_PAD)
		return MNL_CB_OK;	/* a newer module's, or padding */
	p->seen |= PFX_BIT(type);
	switch (type) {
	case FLOWSTREAM_PFX_A_FAMILY:
		return pfx_u8(attr, &p->family);
	case FLOWSTREAM_PFX_A_ADDR:
		m->addr_len = mnl_attr_get_payload_len(attr);
		if (m->addr_len != 4 && m->addr_len != 16)
			return MNL_CB_ERROR;
		memcpy(p->addr, mnl_attr_get_payload(attr), m->addr_len);
		return MNL_CB_OK;
	case FLOWSTREAM_PFX_A_LEN:
		return pfx_u8(attr, &p->len);
	case FLOWSTREAM_PFX_A_DEPTH:
		return pfx_u8(attr, &p->depth);
	case FLOWSTREAM_PFX_A_WINDOW_START_MS:
		return pfx_u64(attr, &p->window_start_ms);
	case FLOWSTREAM_PFX_A_WINDOW_END_MS:
		return pfx_u64(attr, &p->window_end_ms);
	case FLOWSTREAM_PFX_A_TOTAL:
		return counts_parse_nest(attr, &p->total) < 0 ?
		       MNL_CB_ERROR : MNL_CB_OK;
	case FLOWSTREAM_PFX_A_SUB:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		m->nsubs++;
		return MNL_CB_OK;
	}
	return MNL_CB_OK;
}

/* The identity of a prefix is complete and consistent. */
static bool pfx_valid(const struct pfx_msg *m)
{
	const struct fs_prefix *p = &m->id;
	uint32_t need = PFX_BIT(FLOWSTREAM_PFX_A_FAMILY) |
			PFX_BIT(FLOWSTREAM_PFX_A_ADDR) |
			PFX_BIT(FLOWSTREAM_PFX_A_LEN);

	if ((p->seen & need) != need ||
	    (p->family != AF_INET && p->family != AF_INET6))
		return false;
	return m->addr_len == family_bits(p->family) / 8 &&
	       p->depth <= 32 && p->len + p->depth <= family_bits(p->family);
}

static bool pfx_same(const struct fs_prefix *a, const struct fs_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       a->depth == b->depth &&
	       !memcmp(a->addr, b->addr, family_bits(a->family) / 8);
}

/* Make room for @n more elements of @size in *@v; 0 or -ENOMEM. */
static int grow(void **v, size_t *cap, size_t used, size_t n, size_t size)
{
	size_t want = *cap ? *cap : 4;
	void *p;

	if (used + n <= *cap)
		return 0;
	while (want < used + n)
		want *= 2;
	p = realloc(*v, want * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = want;
	return 0;
}

/* The prefix @m continues, or a new one at the end of @d; NULL on error. */
static struct fs_prefix *pfx_target(struct pfx_dump *d,
				    const struct pfx_msg *m)
{
	struct fs_prefix *last = d->n ? &d->v[d->n - 1] : NULL;

	if (last && pfx_same(last, &m->id)) {
		/* TOTAL comes in the first message of a prefix only. */
		if (m->id.seen & PFX_BIT(FLOWSTREAM_PFX_A_TOTAL)) {
			d->err = EBADMSG;
			return NULL;
		}
		return last;
	}
	if (grow((void **)&d->v, &d->cap, d->n, 1, sizeof(*d->v))) {
		d->err = ENOMEM;
		return NULL;
	}
	last = &d->v[d->n++];
	*last = m->id;
	last->subs = NULL;
	last->nsubs = last->cap = 0;
	return last;
}

/* Append the SUB nests of @nest to @p, checking their order. */
static int pfx_add_subs(struct pfx_dump *d, struct fs_prefix *p,
			const struct nlattr *nest, size_t n)
{
	const struct nlattr *pos;
	struct fs_counts *c;

	if (grow((void **)&p->subs, &p->cap, p->nsubs, n, sizeof(*p->subs))) {
		d->err = ENOMEM;
		return -1;
	}
	mnl_attr_for_each_nested(pos, nest) {
		if (mnl_attr_get_type(pos) != FLOWSTREAM_PFX_A_SUB)
			continue;
		c = &p->subs[p->nsubs];
		if (counts_parse_nest(pos, c) < 0 || !c->has_index ||
		    (p->depth < 32 && c->index >> p->depth) ||
		    (p->nsubs && c->index <= p->subs[p->nsubs - 1].index)) {
			d->err = EBADMSG;
			return -1;
		}
		p->nsubs++;
	}
	return 0;
}

static int pfx_parse_nest(struct pfx_dump *d, const struct nlattr *nest)
{
	struct pfx_msg m;
	struct fs_prefix *p;

	memset(&m, 0, sizeof(m));
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(nest, pfx_ident_cb, &m) < 0 ||
	    !pfx_valid(&m)) {
		d->err = EBADMSG;
		return -1;
	}
	p = pfx_target(d, &m);
	if (!p)
		return -1;
	return m.nsubs ? pfx_add_subs(d, p, nest, m.nsubs) : 0;
}

static int pfx_top_cb(const struct nlattr *attr, void *data)
{
	struct pfx_dump *d = data;

	switch (mnl_attr_get_type(attr)) {
	case FLOWSTREAM_A_SAMPLER:
		if (sampler_parse_nest(attr, &d->smp) < 0) {
			d->err = EBADMSG;
			return MNL_CB_ERROR;
		}
		break;
	case FLOWSTREAM_A_PREFIX:
		if (pfx_parse_nest(d, attr) < 0)
			return MNL_CB_ERROR;
		break;
	}
	return MNL_CB_OK;
}

/*
 * mnl_cb_t for the GET_PREFIX dump; @data is a struct pfx_dump, zeroed
 * before the first message and freed with pfx_dump_free(). Fails with
 * errno EBADMSG (malformed or out of order) or ENOMEM.
 */
int pfx_dump_msg(const struct nlmsghdr *nlh, void *data)
{
	struct pfx_dump *d = data;

	d->err = 0;
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN ||
	    mnl_attr_parse(nlh, GENL_HDRLEN, pfx_top_cb, d) < 0) {
		errno = d->err ? d->err : EBADMSG;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

void pfx_dump_free(struct pfx_dump *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].subs);
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

/* --- printing --------------------------------------------------------- */

static const char *smp_enum(const struct fs_sampler *smp, uint16_t attr,
			    char *buf, size_t len)
{
	return fs_cfg_enum_name(fs_smp_key_by_attr(attr), smp->val[attr],
				buf, len);
}

static void sub_label(const struct fs_prefix *p, const struct fs_counts *c,
		      char *buf, size_t len)
{
	uint8_t a[16];

	if (pfx_sub_addr(p->family, p->addr, p->len, p->depth, c->index, a))
		snprintf(buf, len, "?");
	else
		fmt_prefix(p->family, a, p->len + p->depth, buf, len);
}

static void json_prefix(struct output *o, const struct fs_prefix *p)
{
	char buf[64];
	size_t i;

	out_obj_begin(o, NULL);
	out_str(o, "prefix", NULL,
		fmt_prefix(p->family, p->addr, p->len, buf, sizeof(buf)));
	out_str(o, "family", NULL, fs_family_name(p->family));
	out_u64(o, "depth", NULL, p->depth);
	out_u64(o, "window_start_ms", NULL, p->window_start_ms);
	out_u64(o, "window_end_ms", NULL, p->window_end_ms);
	out_obj_begin(o, "total");
	counts_print_json(o, &p->total);
	out_obj_end(o);
	out_list_begin(o, "subprefixes", NULL);
	for (i = 0; i < p->nsubs; i++) {
		out_obj_begin(o, NULL);
		sub_label(p, &p->subs[i], buf, sizeof(buf));
		out_str(o, "prefix", NULL, buf);
		out_u64(o, "index", NULL, p->subs[i].index);
		counts_print_json(o, &p->subs[i]);
		out_obj_end(o);
	}
	out_list_end(o);
	out_obj_end(o);
}

static void json_print(struct output *o, const struct pfx_dump *d)
{
	const struct fs_sampler *smp = &d->smp;
	char buf[32];
	size_t i;

	out_obj_begin(o, "window");
	if (smp->present & (1ULL << FLOWSTREAM_SMP_A_WINDOW))
		out_u64(o, "number", NULL, smp->val[FLOWSTREAM_SMP_A_WINDOW]);
	out_u64(o, "start_ms", NULL,
		smp->val[FLOWSTREAM_SMP_A_WINDOW_START_MS]);
	out_u64(o, "end_ms", NULL, smp->val[FLOWSTREAM_SMP_A_WINDOW_END_MS]);
	out_u64(o, "rate", NULL, smp->val[FLOWSTREAM_SMP_A_RATE]);
	out_str(o, "mode", NULL,
		smp_enum(smp, FLOWSTREAM_SMP_A_MODE, buf, sizeof(buf)));
	out_str(o, "key", NULL,
		smp_enum(smp, FLOWSTREAM_SMP_A_KEY, buf, sizeof(buf)));
	out_obj_end(o);
	out_obj_begin(o, "unmatched");
	counts_print_json(o, &smp->unmatched);
	out_obj_end(o);
	out_list_begin(o, "prefixes", NULL);
	for (i = 0; i < d->n; i++)
		json_prefix(o, &d->v[i]);
	out_list_end(o);
}

/*
 * The text table: a label column, then sampled packets and bytes (right
 * aligned), estimated packets and bytes with intervals (left aligned),
 * and a note after the last column. Widths fit the widest cell.
 */
enum { COL_LABEL, COL_PKTS, COL_BYTES, COL_EST_PKTS, COL_EST_BYTES, NCOLS };

struct table {
	struct output *o;
	bool measure;			/* only widths, print nothing */
	int width[NCOLS];
};

static const char *const table_head[NCOLS] = {
	"PREFIX", "SAMPLED-PKTS", "SAMPLED-BYTES", "EST-PKTS [95%]",
	"EST-BYTES [95%]",
};

static void table_cells(struct table *t, char cell[NCOLS][64],
			const char *note)
{
	int i, n;

	if (t->measure) {
		for (i = 0; i < NCOLS; i++) {
			n = strlen(cell[i]);
			if (n > t->width[i])
				t->width[i] = n;
		}
		return;
	}
	out_text(t->o, "%-*s  %*s  %*s  %-*s  %-*s%s%s\n",
		 t->width[COL_LABEL], cell[COL_LABEL],
		 t->width[COL_PKTS], cell[COL_PKTS],
		 t->width[COL_BYTES], cell[COL_BYTES],
		 t->width[COL_EST_PKTS], cell[COL_EST_PKTS],
		 note ? t->width[COL_EST_BYTES] : 0, cell[COL_EST_BYTES],
		 note ? "  " : "", note ? note : "");
}

static void table_row(struct table *t, const char *label,
		      const struct fs_counts *c, const char *note)
{
	char cell[NCOLS][64];

	snprintf(cell[COL_LABEL], sizeof(cell[0]), "%s", label);
	snprintf(cell[COL_PKTS], sizeof(cell[0]), "%" PRIu64,
		 FS_CNT(c, PACKETS));
	snprintf(cell[COL_BYTES], sizeof(cell[0]), "%" PRIu64,
		 FS_CNT(c, BYTES));
	fmt_est(c, false, cell[COL_EST_PKTS], sizeof(cell[0]));
	fmt_est(c, true, cell[COL_EST_BYTES], sizeof(cell[0]));
	table_cells(t, cell, note);
}

static void table_prefix(struct table *t, const struct pfx_dump *d,
			 const struct fs_prefix *p)
{
	uint64_t start = d->smp.val[FLOWSTREAM_SMP_A_WINDOW_START_MS];
	char label[64], note[96], time[48];
	size_t i;

	fmt_prefix(p->family, p->addr, p->len, label, sizeof(label));
	if ((p->seen & PFX_BIT(FLOWSTREAM_PFX_A_WINDOW_START_MS)) &&
	    p->window_start_ms != start)
		snprintf(note, sizeof(note), "depth %u, window from %s",
			 p->depth, fmt_time_ms(p->window_start_ms, time,
					       sizeof(time)));
	else
		snprintf(note, sizeof(note), "depth %u", p->depth);
	table_row(t, label, &p->total, note);
	for (i = 0; i < p->nsubs; i++) {
		label[0] = label[1] = ' ';
		sub_label(p, &p->subs[i], label + 2, sizeof(label) - 2);
		table_row(t, label, &p->subs[i], NULL);
	}
}

static void table_pass(struct table *t, const struct pfx_dump *d)
{
	char cell[NCOLS][64];
	size_t i;

	for (i = 0; i < NCOLS; i++)
		snprintf(cell[i], sizeof(cell[0]), "%s", table_head[i]);
	table_cells(t, cell, NULL);
	table_row(t, "unmatched", &d->smp.unmatched, NULL);
	for (i = 0; i < d->n; i++)
		table_prefix(t, d, &d->v[i]);
}

static void text_window(struct output *o, const struct fs_sampler *smp)
{
	uint64_t start = smp->val[FLOWSTREAM_SMP_A_WINDOW_START_MS];
	uint64_t end = smp->val[FLOWSTREAM_SMP_A_WINDOW_END_MS];
	char s[48], e[48], dur[32], mode[32], key[32];

	if (smp->present & (1ULL << FLOWSTREAM_SMP_A_WINDOW))
		out_text(o, "window %" PRIu64 " from", smp->val[FLOWSTREAM_SMP_A_WINDOW]);
	else
		out_text(o, "window");
	out_text(o, " %s .. %s (%s) rate %" PRIu64 " mode %s key %s\n",
		 fmt_time_ms(start, s, sizeof(s)),
		 fmt_time_ms(end, e, sizeof(e)),
		 fmt_tenths(end > start ? end - start : 0, dur, sizeof(dur)),
		 smp->val[FLOWSTREAM_SMP_A_RATE],
		 smp_enum(smp, FLOWSTREAM_SMP_A_MODE, mode, sizeof(mode)),
		 smp_enum(smp, FLOWSTREAM_SMP_A_KEY, key, sizeof(key)));
}

/*
 * Text: a window line and a table with a row for the unmatched counts,
 * one per prefix (its total) and one, indented, per sub-prefix. JSON: the
 * "window", "unmatched" and "prefixes" members of the current object.
 */
void prefixes_print(struct output *o, const struct pfx_dump *d)
{
	struct table t = { .o = o, .measure = true };

	if (out_is_json(o)) {
		json_print(o, d);
		return;
	}
	text_window(o, &d->smp);
	table_pass(&t, d);
	t.measure = false;
	table_pass(&t, d);
}

/* A window number, 1 and up. */
static int parse_window(const char *what, const char *arg, uint64_t *val)
{
	enum parse_err err;
	char msg[256];

	if (!arg)
		return usage_error("prefixes", "missing window number after \"%s\"",
				   what);
	err = parse_uint(arg, UINT64_MAX, val);
	if (err == PARSE_OK && !*val)
		return usage_error("prefixes",
				   "invalid window \"%s\": windows are numbered from 1",
				   arg);
	if (err != PARSE_OK) {
		parse_errmsg(msg, sizeof(msg), "window", arg, err, UINT64_MAX);
		return usage_error("prefixes", "%s", msg);
	}
	return 0;
}

/* Parse "prefixes" arguments; returns 0 or EXIT_USAGE after a message. */
int prefixes_parse_args(int argc, char **argv, struct prefixes_args *args)
{
	int i, ret;

	memset(args, 0, sizeof(*args));
	if (argc > 0 && !strcmp(argv[0], "ack")) {
		args->ack = true;
		ret = parse_window("ack", argc > 1 ? argv[1] : NULL,
				   &args->window);
		if (ret)
			return ret;
		if (argc > 2)
			return usage_error("prefixes",
					   "unexpected argument \"%s\"", argv[2]);
		return 0;
	}
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--reset") || !strcmp(argv[i], "reset")) {
			args->reset = true;
		} else if (!strcmp(argv[i], "--window") ||
			   !strcmp(argv[i], "window")) {
			ret = parse_window(argv[i], i + 1 < argc ? argv[i + 1] :
					   NULL, &args->window);
			if (ret)
				return ret;
			i++;
		} else if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "-json") ||
			   !strcmp(argv[i], "--json")) {
			args->json = true;
		} else if (!strcmp(argv[i], "-p") ||
			   !strcmp(argv[i], "-pretty") ||
			   !strcmp(argv[i], "--pretty")) {
			args->json = args->pretty = true;
		} else {
			return usage_error("prefixes",
					   "unknown argument \"%s\"", argv[i]);
		}
	}
	if (args->reset && args->window)
		return usage_error("prefixes",
				   "--reset reads the current window: give --reset or --window, not both");
	return 0;
}

/*
 * Make @nlh (a GET_PREFIX request) a dump, with FLOWSTREAM_A_RESET or
 * FLOWSTREAM_A_WINDOW; or the ACK_WINDOW request's attribute.
 */
void prefixes_request(struct nlmsghdr *nlh, const struct prefixes_args *args)
{
	if (!args->ack)
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	if (args->reset)
		mnl_attr_put(nlh, FLOWSTREAM_A_RESET, 0, NULL);
	if (args->window)
		mnl_attr_put_u64(nlh, FLOWSTREAM_A_WINDOW, args->window);
}

static int prefix_cmd(struct flowctl *fc, int argc, char **argv)
{
	struct prefix_args args;
	struct nlmsghdr *nlh;
	int ret;

	ret = prefix_parse_args(argc, argv, &args);
	if (ret)
		return ret;
	nlh = fs_nl_req(fc->nl, args.del ? FLOWSTREAM_CMD_DEL_PREFIX :
			FLOWSTREAM_CMD_ADD_PREFIX);
	if (!nlh)
		return 1;
	prefix_put(nlh, &args);
	return fs_nl_run(fc->nl, nlh, NULL, NULL);
}

int cmd_prefix(struct flowctl *fc, int argc, char **argv)
{
	if (argc == 0) {
		prefix_usage(stderr);
		return EXIT_USAGE;
	}
	if (is_help(argv[0])) {
		if (argc > 1)
			return usage_error("prefix", "unexpected argument \"%s\"",
					   argv[1]);
		prefix_usage(stdout);
		return 0;
	}
	return prefix_cmd(fc, argc, argv);
}

/* A JSON output for "-j" or "-p" after the object. */
static int prefixes_output(struct flowctl *fc, const struct prefixes_args *a)
{
	struct output *o;

	if (!a->json || (out_is_json(fc->out) && !a->pretty))
		return 0;
	o = out_new(stdout, OUT_JSON | (a->pretty ? OUT_PRETTY : 0));
	if (!o) {
		fputs("Error: out of memory\n", stderr);
		return 1;
	}
	out_free(fc->out);
	fc->out = o;
	return 0;
}

int cmd_prefixes(struct flowctl *fc, int argc, char **argv)
{
	struct pfx_dump d = { .n = 0 };
	struct prefixes_args args;
	struct fs_ext_ack ack;
	struct nlmsghdr *nlh;
	int ret;

	if (argc > 0 && is_help(argv[0])) {
		if (argc > 1)
			return usage_error("prefixes",
					   "unexpected argument \"%s\"",
					   argv[1]);
		prefixes_usage(stdout);
		return 0;
	}
	ret = prefixes_parse_args(argc, argv, &args);
	if (ret)
		return ret;
	if (args.ack) {
		nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_ACK_WINDOW);
		if (!nlh)
			return 1;
		prefixes_request(nlh, &args);
		return fs_nl_run(fc->nl, nlh, NULL, NULL);
	}
	if (prefixes_output(fc, &args))
		return 1;
	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_GET_PREFIX);
	if (!nlh)
		return 1;
	prefixes_request(nlh, &args);
	ret = fs_nl_transact(fc->nl, nlh, pfx_dump_msg, &d, &ack);
	if (fs_nl_report(ret, &ack)) {
		pfx_dump_free(&d);
		return 1;
	}
	if (!d.smp.seen) {
		pfx_dump_free(&d);
		return fs_nl_incomplete();
	}
	prefixes_print(fc->out, &d);
	pfx_dump_free(&d);
	return out_finish(fc->out) ? 1 : 0;
}
