// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl sampler: show and set the prefix sampler of the namespace. Keys
 * come from fs_smp_keys[] (names.c). The counts of a window
 * (FLOWSTREAM_CNT_A_*) are parsed and printed here for cmd_prefix.c too.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "flowctl.h"
#include "settings.h"

static void usage(FILE *fp)
{
	const char *sep = " ";
	size_t i;

	fputs("Usage: flowctl sampler [show]\n"
	      "       flowctl sampler set KEY VALUE [KEY VALUE]...\n"
	      "       flowctl sampler help\n"
	      "where  KEY VALUE := {", fp);
	for (i = 0; i < fs_smp_nkeys; i++) {
		if (fs_smp_keys[i].readonly)
			continue;
		fprintf(fp, "%s%s %s", sep, fs_smp_keys[i].name,
			fs_smp_keys[i].value);
		sep = "\n                    | ";
	}
	fputs(" }\n"
	      "Numbers are decimal or 0x-prefixed hexadecimal. Keys not given\n"
	      "keep their value; the change is all or nothing. The module checks\n"
	      "the ranges. Changing enable, rate, mode or key starts a new window\n"
	      "and zeroes every counter: read with \"flowctl prefixes --reset\"\n"
	      "first to keep them. Giving the values in force changes nothing.\n",
	      fp);
}

/* JSON keys of struct fs_counts.v[], in FLOWSTREAM_CNT_A_* order. */
static const char *const cnt_json[FS_CNT_N] = {
	[FLOWSTREAM_CNT_A_PACKETS - FS_CNT_FIRST]	 = "sampled_packets",
	[FLOWSTREAM_CNT_A_BYTES - FS_CNT_FIRST]		 = "sampled_bytes",
	[FLOWSTREAM_CNT_A_EST_PACKETS - FS_CNT_FIRST]	 = "packets",
	[FLOWSTREAM_CNT_A_EST_PACKETS_LO - FS_CNT_FIRST] = "packets_low",
	[FLOWSTREAM_CNT_A_EST_PACKETS_HI - FS_CNT_FIRST] = "packets_high",
	[FLOWSTREAM_CNT_A_EST_BYTES - FS_CNT_FIRST]	 = "bytes",
	[FLOWSTREAM_CNT_A_EST_BYTES_LO - FS_CNT_FIRST]	 = "bytes_low",
	[FLOWSTREAM_CNT_A_EST_BYTES_HI - FS_CNT_FIRST]	 = "bytes_high",
};

static int counts_attr_cb(const struct nlattr *attr, void *data)
{
	struct fs_counts *c = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == FLOWSTREAM_CNT_A_INDEX) {
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		c->index = mnl_attr_get_u32(attr);
		c->has_index = true;
		return MNL_CB_OK;
	}
	if (type < FS_CNT_FIRST || type >= FS_CNT_FIRST + FS_CNT_N)
		return MNL_CB_OK;	/* padding, or a newer module's */
	if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
		return MNL_CB_ERROR;
	c->v[type - FS_CNT_FIRST] = mnl_attr_get_u64(attr);
	return MNL_CB_OK;
}

/* Parse a nest of FLOWSTREAM_CNT_A_* into @c; returns 0 or -1. */
int counts_parse_nest(const struct nlattr *nest, struct fs_counts *c)
{
	memset(c, 0, sizeof(*c));
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(nest, counts_attr_cb, c) < 0)
		return -1;
	return 0;
}

/* JSON "sampled_packets":.., ... "bytes_high":.. members. */
void counts_print_json(struct output *o, const struct fs_counts *c)
{
	unsigned int i;

	for (i = 0; i < FS_CNT_N; i++)
		out_u64(o, cnt_json[i], NULL, c->v[i]);
}

/* "1200 [980, 1450]": the estimated packets (or bytes) and interval. */
char *fmt_est(const struct fs_counts *c, bool bytes, char *buf, size_t len)
{
	if (bytes)
		snprintf(buf, len, "%" PRIu64 " [%" PRIu64 ", %" PRIu64 "]",
			 FS_CNT(c, EST_BYTES), FS_CNT(c, EST_BYTES_LO),
			 FS_CNT(c, EST_BYTES_HI));
	else
		snprintf(buf, len, "%" PRIu64 " [%" PRIu64 ", %" PRIu64 "]",
			 FS_CNT(c, EST_PACKETS), FS_CNT(c, EST_PACKETS_LO),
			 FS_CNT(c, EST_PACKETS_HI));
	return buf;
}

/* Milliseconds since the epoch as local "2023-11-14 22:13:20.000". */
char *fmt_time_ms(uint64_t ms, char *buf, size_t len)
{
	time_t t = ms / 1000;
	struct tm tm;
	size_t n;

	n = localtime_r(&t, &tm) ?
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) : 0;
	if (!n) {
		snprintf(buf, len, "%" PRIu64, ms);
		return buf;
	}
	snprintf(buf + n, len - n, ".%03u", (unsigned int)(ms % 1000));
	return buf;
}

static int smp_store(struct fs_sampler *smp, uint16_t type, uint64_t val)
{
	smp->present |= 1ULL << type;
	smp->val[type] = val;
	return MNL_CB_OK;
}

static int smp_attr_cb(const struct nlattr *attr, void *data)
{
	struct fs_sampler *smp = data;
	uint16_t type = mnl_attr_get_type(attr);
	const struct fs_cfg_key *key;
	uint64_t val;

	switch (type) {
	case FLOWSTREAM_SMP_A_WINDOW_START_MS:
	case FLOWSTREAM_SMP_A_WINDOW_END_MS:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		return smp_store(smp, type, mnl_attr_get_u64(attr));
	case FLOWSTREAM_SMP_A_UNMATCHED:
		if (counts_parse_nest(attr, &smp->unmatched) < 0)
			return MNL_CB_ERROR;
		return smp_store(smp, type, 0);
	}
	key = fs_smp_key_by_attr(type);
	if (!key)
		return MNL_CB_OK;	/* padding, or a newer module's */
	if (keys_attr(key, attr, &val) != MNL_CB_OK)
		return MNL_CB_ERROR;
	return smp_store(smp, type, val);
}

/* Parse a FLOWSTREAM_A_SAMPLER nest into @smp; returns 0 or -1. */
int sampler_parse_nest(const struct nlattr *nest, struct fs_sampler *smp)
{
	memset(smp, 0, sizeof(*smp));
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(nest, smp_attr_cb, smp) < 0)
		return -1;
	smp->seen = true;
	return 0;
}

static int sampler_msg_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) != FLOWSTREAM_A_SAMPLER)
		return MNL_CB_OK;
	return sampler_parse_nest(attr, data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

/* mnl_cb_t for the GET_SAMPLER reply; @data is a struct fs_sampler. */
int sampler_parse(const struct nlmsghdr *nlh, void *data)
{
	return fs_nl_parse_genl(nlh, sampler_msg_cb, data);
}

static bool smp_has(const struct fs_sampler *smp, uint16_t type)
{
	return smp->present & (1ULL << type);
}

static void print_window_ms(struct output *o, const struct fs_sampler *smp,
			    uint16_t type, const char *json,
			    const char *label)
{
	char buf[64];

	if (!smp_has(smp, type))
		return;
	out_u64(o, json, NULL, smp->val[type]);
	out_text(o, "%s %" PRIu64 " (%s)\n", label, smp->val[type],
		 fmt_time_ms(smp->val[type], buf, sizeof(buf)));
}

/*
 * Text "enable on", "rate 100", ..., "window-start MS (TIME)" and an
 * "unmatched" line; JSON "enable":true, ..., "window_start_ms":..,
 * "unmatched":{COUNTS} members of the current object.
 */
void sampler_print(struct output *o, const struct fs_sampler *smp)
{
	const struct fs_counts *c = &smp->unmatched;
	char pk[80], by[80];
	size_t i;

	for (i = 0; i < fs_smp_nkeys; i++)
		if (smp_has(smp, fs_smp_keys[i].attr))
			keys_print(o, &fs_smp_keys[i],
				   smp->val[fs_smp_keys[i].attr]);
	print_window_ms(o, smp, FLOWSTREAM_SMP_A_WINDOW_START_MS,
			"window_start_ms", "window-start");
	print_window_ms(o, smp, FLOWSTREAM_SMP_A_WINDOW_END_MS,
			"window_end_ms", "window-end");
	if (!smp_has(smp, FLOWSTREAM_SMP_A_UNMATCHED))
		return;
	out_obj_begin(o, "unmatched");
	counts_print_json(o, c);
	out_obj_end(o);
	out_text(o, "unmatched sampled %" PRIu64 " packets %" PRIu64
		 " bytes, estimated %s packets %s bytes\n",
		 FS_CNT(c, PACKETS), FS_CNT(c, BYTES), fmt_est(c, false, pk, sizeof(pk)),
		 fmt_est(c, true, by, sizeof(by)));
}

static struct fs_keyset sampler_keyset(void)
{
	return (struct fs_keyset){
		.object = "sampler",
		.what = "sampler key",
		.keys = fs_smp_keys,
		.nkeys = fs_smp_nkeys,
	};
}

/*
 * Parse "sampler set" arguments "KEY VALUE..." into @smp; returns 0 or
 * EXIT_USAGE after a message.
 */
int sampler_parse_args(int argc, char **argv, struct fs_sampler *smp)
{
	struct fs_keyset ks = sampler_keyset();

	memset(smp, 0, sizeof(*smp));
	return keys_parse_args(&ks, argc, argv, &smp->present, smp->val);
}

/* Append FLOWSTREAM_A_SAMPLER with the settable keys in @smp to @nlh. */
void sampler_put(struct nlmsghdr *nlh, const struct fs_sampler *smp)
{
	struct fs_keyset ks = sampler_keyset();
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_SAMPLER);
	keys_put(nlh, &ks, smp->present, smp->val);
	mnl_attr_nest_end(nlh, nest);
}

static int sampler_show(struct flowctl *fc)
{
	struct fs_sampler smp = { .seen = false };
	struct nlmsghdr *nlh;
	int ret;

	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_GET_SAMPLER);
	if (!nlh)
		return 1;
	ret = fs_nl_run(fc->nl, nlh, sampler_parse, &smp);
	if (ret)
		return ret;
	if (!smp.seen)
		return fs_nl_incomplete();
	sampler_print(fc->out, &smp);
	return out_finish(fc->out) ? 1 : 0;
}

static int sampler_set(struct flowctl *fc, int argc, char **argv)
{
	struct fs_sampler smp;
	struct nlmsghdr *nlh;
	int ret;

	ret = sampler_parse_args(argc, argv, &smp);
	if (ret)
		return ret;
	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_SET_SAMPLER);
	if (!nlh)
		return 1;
	sampler_put(nlh, &smp);
	return fs_nl_run(fc->nl, nlh, NULL, NULL);
}

int cmd_sampler(struct flowctl *fc, int argc, char **argv)
{
	if (argc == 0 || !strcmp(argv[0], "show")) {
		if (argc > 1)
			return usage_error("sampler",
					   "unexpected argument \"%s\"",
					   argv[1]);
		return sampler_show(fc);
	}
	if (!strcmp(argv[0], "set"))
		return sampler_set(fc, argc - 1, argv + 1);
	if (is_help(argv[0])) {
		if (argc > 1)
			return usage_error("sampler",
					   "unexpected argument \"%s\"",
					   argv[1]);
		usage(stdout);
		return 0;
	}
	return usage_error("sampler", "unknown command \"%s\"", argv[0]);
}
