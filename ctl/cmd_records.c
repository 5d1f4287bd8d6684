// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl records: list (dump) and flush flow records; flowctl record get:
 * one flow record by its key. "flows" and "flow get" are the deprecated
 * names of both (a "flow" is now a FlowOS flow, see cmd_fos_flow.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowctl.h"

#define FILTER_USAGE \
	"where  FILTER := { family { inet | inet6 } | prefix ADDR[/LEN] |\n" \
	"                   proto PROTO | port PORT | dev IFNAME | ifindex N } ...\n" \
	"       PROTO := { tcp | udp | icmp | icmpv6 | sctp | udplite | dccp |\n" \
	"                  gre | esp | ah | NUMBER }\n"

static void records_usage(FILE *fp)
{
	fputs("Usage: flowctl records [show] [FILTER] [top N] [by { bytes | packets }]\n"
	      "       flowctl records flush [FILTER]\n"
	      "       flowctl records help\n"
	      FILTER_USAGE
	      "List the live flow records, or only the N with the most bytes (or\n"
	      "packets); flush ends the matching records.\n", fp);
}

static void record_usage(FILE *fp)
{
	fputs("Usage: flowctl record get proto PROTO src ADDR dst ADDR\n"
	      "                          [ sport PORT dport PORT | type TYPE code CODE ]\n"
	      "                          [ iif IFNAME | ifindex N ]\n"
	      "       flowctl record help\n"
	      "       PROTO := { tcp | udp | icmp | icmpv6 | sctp | udplite | dccp |\n"
	      "                  gre | esp | ah | NUMBER }\n"
	      "Show the live flow record with this key. Ports, type, code and the\n"
	      "ingress interface default to 0 (0: locally generated packets).\n",
	      fp);
}

/* Parse "records" arguments; returns 0 or EXIT_USAGE after a message. */
int records_parse_args(int argc, char **argv, struct records_args *args)
{
	enum parse_err err;
	bool by = false;
	char msg[256];
	uint64_t val;
	int i = 0, n;

	memset(args, 0, sizeof(*args));
	if (argc > 0 && !strcmp(argv[0], "flush")) {
		args->flush = true;
		i = 1;
	} else if (argc > 0 && !strcmp(argv[0], "show")) {
		i = 1;
	}
	while (i < argc) {
		n = filter_parse_word(argc - i, argv + i, &args->flt, "records");
		if (n < 0)
			return EXIT_USAGE;
		if (n > 0) {
			i += n;
			continue;
		}
		if (args->flush || (strcmp(argv[i], "top") &&
				    strcmp(argv[i], "by")))
			return usage_error("records", "unknown argument \"%s\"",
					   argv[i]);
		if (i + 1 >= argc)
			return usage_error("records", "missing value for \"%s\"",
					   argv[i]);
		if (!strcmp(argv[i], "top")) {
			if (args->top)
				return usage_error("records", "duplicate \"top\"");
			err = parse_uint(argv[i + 1], UINT32_MAX, &val);
			if (err == PARSE_OK && !val)
				return usage_error("records",
						   "invalid value \"%s\" for \"top\": must be at least 1",
						   argv[i + 1]);
			if (err != PARSE_OK) {
				parse_errmsg(msg, sizeof(msg), "top", argv[i + 1],
					     err, UINT32_MAX);
				return usage_error("records", "%s", msg);
			}
			args->top = val;
		} else {
			if (by)
				return usage_error("records", "duplicate \"by\"");
			by = true;
			if (!strcmp(argv[i + 1], "bytes"))
				args->by = REC_BY_BYTES;
			else if (!strcmp(argv[i + 1], "packets"))
				args->by = REC_BY_PACKETS;
			else
				return usage_error("records",
						   "invalid value \"%s\" for \"by\": expected \"bytes\" or \"packets\"",
						   argv[i + 1]);
		}
		i += 2;
	}
	if (args->top && args->by == REC_BY_NONE)
		args->by = REC_BY_BYTES;
	return 0;
}

/* mnl_cb_t for a GET_RECORD dump: each record into a struct rec_list. */
int records_collect(const struct nlmsghdr *nlh, void *data)
{
	struct rec_list *l = data;
	struct fs_record rec;
	int ret;

	ret = record_msg_parse(nlh, &rec);
	if (ret < 0)
		return MNL_CB_ERROR;
	if (ret > 0 && rec_list_add(l, &rec) < 0) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static void print_one(struct output *o, const struct fs_record *rec,
		      const struct rec_fmt *fmt)
{
	out_obj_begin(o, NULL);
	record_print(o, rec, fmt);
	out_obj_end(o);
}

/* Text: a line per record; JSON: an object per record, in an array. */
void records_print(struct output *o, const struct rec_list *l,
		   const struct rec_fmt *fmt)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		print_one(o, &l->v[i], fmt);
}

struct records_ctx {
	struct output *o;
	const struct rec_fmt *fmt;
};

/* mnl_cb_t for a GET_RECORD dump in the kernel's order: print at once. */
static int records_stream(const struct nlmsghdr *nlh, void *data)
{
	struct records_ctx *ctx = data;
	struct fs_record rec;
	int ret;

	ret = record_msg_parse(nlh, &rec);
	if (ret < 0)
		return MNL_CB_ERROR;
	if (ret > 0)
		print_one(ctx->o, &rec, ctx->fmt);
	return MNL_CB_OK;
}

static int records_flushed_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) != FLOWSTREAM_A_FLUSHED)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_ERROR;
	*(int64_t *)data = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

/* mnl_cb_t for the FLUSH_RECORDS reply; @data is an int64_t, -1 if unseen. */
int flushed_parse(const struct nlmsghdr *nlh, void *data)
{
	return fs_nl_parse_genl(nlh, records_flushed_cb, data);
}

static int records_flush(struct flowctl *fc, struct nlmsghdr *nlh)
{
	int64_t flushed = -1;
	int ret;

	ret = fs_nl_run(fc->nl, nlh, flushed_parse, &flushed);
	if (ret)
		return ret;
	if (flushed < 0)
		return fs_nl_incomplete();
	out_u64(fc->out, "flushed", "flushed", flushed);
	return out_finish(fc->out) ? 1 : 0;
}

static int records_dump(struct flowctl *fc, struct nlmsghdr *nlh,
			const struct records_args *args)
{
	struct rec_list l = { .top = args->top, .by = args->by };
	struct rec_fmt fmt = { .now_ms = now_ms() };
	struct records_ctx ctx = { .o = fc->out, .fmt = &fmt };
	struct fs_ext_ack ack;
	int ret;

	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	if (out_root_array(fc->out) < 0) {
		fputs("Error: out of memory\n", stderr);
		return 1;
	}
	if (args->by == REC_BY_NONE && !args->top)
		ret = fs_nl_transact(fc->nl, nlh, records_stream, &ctx, &ack);
	else
		ret = fs_nl_transact(fc->nl, nlh, records_collect, &l, &ack);
	if (ret) {
		/* The records printed so far, then what went wrong. */
		fflush(stdout);
	}
	if (fs_nl_report(ret, &ack)) {
		rec_list_free(&l);
		return 1;
	}
	rec_list_finish(&l);
	records_print(fc->out, &l, &fmt);
	rec_list_free(&l);
	return out_finish(fc->out) ? 1 : 0;
}

int cmd_records(struct flowctl *fc, int argc, char **argv)
{
	struct records_args args;
	struct nlmsghdr *nlh;
	int ret;

	if (argc > 0 && is_help(argv[0])) {
		if (argc > 1)
			return usage_error("records", "unexpected argument \"%s\"",
					   argv[1]);
		records_usage(stdout);
		return 0;
	}
	ret = records_parse_args(argc, argv, &args);
	if (ret)
		return ret;
	nlh = fs_nl_req(fc->nl, args.flush ? FLOWSTREAM_CMD_FLUSH_RECORDS :
			FLOWSTREAM_CMD_GET_RECORD);
	if (!nlh)
		return 1;
	/* Only now: fs_nl_req() entered the network namespace. */
	if (args.flt.dev && resolve_dev(args.flt.dev, &args.flt.ifindex))
		return 1;
	filter_put(nlh, &args.flt);
	if (args.flush)
		return records_flush(fc, nlh);
	return records_dump(fc, nlh, &args);
}

struct record_reply {
	bool found;
	struct fs_record rec;
};

static int record_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct record_reply *reply = data;
	int ret;

	ret = record_msg_parse(nlh, &reply->rec);
	if (ret < 0)
		return MNL_CB_ERROR;
	reply->found |= ret > 0;
	return MNL_CB_OK;
}

int record_get(struct flowctl *fc, int argc, char **argv)
{
	struct record_reply reply = { .found = false };
	struct rec_fmt fmt = { .now_ms = 0 };
	struct fs_rec_key key;
	struct fs_ext_ack ack;
	struct nlmsghdr *nlh;
	int ret;

	ret = rec_key_parse_args(argc, argv, &key);
	if (ret)
		return ret;
	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_GET_RECORD);
	if (!nlh)
		return 1;
	if (key.dev && resolve_dev(key.dev, &key.rec.iif))
		return 1;
	rec_key_put(nlh, &key.rec);
	ret = fs_nl_transact(fc->nl, nlh, record_get_cb, &reply, &ack);
	if (ret == -ENOENT && ack.error == ENOENT && !ack.msg[0]) {
		fputs("Error: no such flow record\n", stderr);
		return 1;
	}
	if (fs_nl_report(ret, &ack))
		return 1;
	if (!reply.found)
		return fs_nl_incomplete();
	fmt.now_ms = now_ms();
	record_print(fc->out, &reply.rec, &fmt);
	return out_finish(fc->out) ? 1 : 0;
}

int cmd_record(struct flowctl *fc, int argc, char **argv)
{
	if (argc == 0) {
		record_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "get"))
		return record_get(fc, argc - 1, argv + 1);
	if (is_help(argv[0])) {
		record_usage(stdout);
		return 0;
	}
	return usage_error("record", "unknown command \"%s\"", argv[0]);
}

/*
 * A one-line note on stderr for a deprecated command in text mode (JSON
 * readers get the same document as from the new name, nothing more).
 */
void deprecated_note(struct flowctl *fc, const char *old, const char *now)
{
	if (!out_is_json(fc->out))
		fprintf(stderr, "Note: \"flowctl %s\" is deprecated, use \"flowctl %s\"\n",
			old, now);
}

/* "flowctl flows": the name of "flowctl records" until this release. */
int cmd_flows(struct flowctl *fc, int argc, char **argv)
{
	deprecated_note(fc, "flows", "records");
	return cmd_records(fc, argc, argv);
}
