// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl flow: FlowOS flows. add (ADD_FLOW), del (DEL_FLOW), show
 * (GET_FLOW, do or dump), sessions (GET_ATTACH then GET_SESSION dumps).
 * "flow get" is the deprecated name of "record get".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "flowctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define MATCH_USAGE \
	"where  MATCH := { iif DEV | family { inet | inet6 } | proto PROTO |\n" \
	"                  src PREFIX | dst PREFIX | sport PORT | dport PORT |\n" \
	"                  dscp N } ...\n" \
	"       SETTINGS := { stream { ip | tcp | udp } | policy { drop | bypass } |\n" \
	"                     max-sessions N | max-held N | max-held-bytes N |\n" \
	"                     max-session-held N | idle-timeout SECONDS |\n" \
	"                     hole-timeout MS } ...\n" \
	"       PREFIX := ADDR[/LEN]   PROTO := { tcp | udp | icmp | ... | NUMBER }\n"

static void usage(FILE *fp)
{
	fputs("Usage: flowctl flow add NAME [ prio N ] [ MATCH ] [ SETTINGS ]\n"
	      "       flowctl flow del NAME\n"
	      "       flowctl flow show [ NAME ]\n"
	      "       flowctl flow sessions NAME\n"
	      "       flowctl flow help\n"
	      MATCH_USAGE
	      "A FlowOS flow takes the forwarded packets its MATCH selects (the\n"
	      "highest prio wins) and has the PMs attached to it (flowctl pm)\n"
	      "process each session's stream.\n", fp);
}

/* "flow add NAME WORDS..." into @f; returns 0 or EXIT_USAGE. */
int fos_add_parse_args(int argc, char **argv, struct fos_flow *f)
{
	char msg[256];
	int i, n;

	memset(f, 0, sizeof(*f));
	if (argc < 1)
		return usage_error("flow", "missing flow name");
	if (!fos_name_ok(argv[0]))
		return usage_error("flow",
				   "invalid flow name \"%s\": 1 to %d characters of A-Z a-z 0-9 _ . : -",
				   argv[0], FOS_NAME_MAX);
	snprintf(f->name, sizeof(f->name), "%s", argv[0]);
	for (i = 1; i < argc; i += n) {
		n = fos_match_word(argc - i, argv + i, &f->match, msg,
				   sizeof(msg));
		if (!n)
			n = fos_flow_word(argc - i, argv + i, f, msg,
					  sizeof(msg));
		if (n < 0)
			return usage_error("flow", "%s", msg);
		if (!n)
			return usage_error("flow", "unknown argument \"%s\"",
					   argv[i]);
	}
	if (fos_match_check(&f->match, msg, sizeof(msg)) < 0)
		return usage_error("flow", "%s", msg);
	return 0;
}

/* Resolve "iif DEV" once in the target namespace; 0 or exit status 1. */
int fos_match_resolve(struct fos_match *m)
{
	if (!m->dev[0])
		return 0;
	if (resolve_dev(m->dev, &m->iif))
		return 1;
	m->present |= FOS_BIT(FLOWSTREAM_MATCH_A_IIF);
	return 0;
}

static int flow_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fos_flow *f = data;
	struct fos_flow tmp;
	int ret;

	ret = fos_flow_msg_parse(nlh, &tmp);
	if (ret < 0)
		return MNL_CB_ERROR;
	if (ret > 0)
		*f = tmp;
	return MNL_CB_OK;
}

/*
 * Send the ADD_FLOW @f (flow add, alloc install) and print the new flow's
 * id and name. Returns an exit status.
 */
int fos_flow_add(struct flowctl *fc, struct fos_flow *f)
{
	struct fos_flow reply = { 0 };
	struct nlmsghdr *nlh;
	int ret;

	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_ADD_FLOW);
	if (!nlh)
		return 1;
	/* Only now: fs_nl_req() entered the network namespace. */
	if (fos_match_resolve(&f->match))
		return 1;
	fos_flow_put(nlh, f);
	ret = fs_nl_run(fc->nl, nlh, flow_reply_cb, &reply);
	if (ret)
		return ret;
	if (!(reply.seen & FOS_BIT(FLOWSTREAM_FLOW_A_ID)))
		return fs_nl_incomplete();
	out_u64(fc->out, "id", "id", reply.id);
	out_str(fc->out, "name", "name", reply.name[0] ? reply.name : f->name);
	return out_finish(fc->out) ? 1 : 0;
}

/*
 * Report the outcome of a request that named a flow; a bare ENOENT (no
 * message from the module) becomes "no such flow". Returns an exit status.
 */
int fos_report(int ret, const struct fs_ext_ack *ack, const char *what)
{
	if (ret == -ENOENT && ack->error == ENOENT && !ack->msg[0]) {
		fprintf(stderr, "Error: no such %s\n", what);
		return 1;
	}
	return fs_nl_report(ret, ack);
}

static int flow_add(struct flowctl *fc, int argc, char **argv)
{
	struct fos_flow f;
	int ret;

	ret = fos_add_parse_args(argc, argv, &f);
	if (ret)
		return ret;
	return fos_flow_add(fc, &f);
}

/* Exactly one argument, a flow name; 0 or EXIT_USAGE. */
static int one_name(int argc, char **argv, const char *cmd)
{
	if (argc < 1)
		return usage_error("flow", "\"%s\" needs a flow name", cmd);
	if (argc > 1)
		return usage_error("flow", "unexpected argument \"%s\"",
				   argv[1]);
	if (!fos_name_ok(argv[0]))
		return usage_error("flow",
				   "invalid flow name \"%s\": 1 to %d characters of A-Z a-z 0-9 _ . : -",
				   argv[0], FOS_NAME_MAX);
	return 0;
}

static int flow_del(struct flowctl *fc, int argc, char **argv)
{
	struct fs_ext_ack ack;
	struct nlmsghdr *nlh;
	char what[64];
	int ret;

	ret = one_name(argc, argv, "del");
	if (ret)
		return ret;
	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_DEL_FLOW);
	if (!nlh)
		return 1;
	fos_flow_ref_put(nlh, argv[0], 0);
	ret = fs_nl_transact(fc->nl, nlh, NULL, NULL, &ack);
	snprintf(what, sizeof(what), "flow \"%s\"", argv[0]);
	return fos_report(ret, &ack, what);
}

/* mnl_cb_t printing each flow of a GET_FLOW reply or dump at once. */
static int flow_show_cb(const struct nlmsghdr *nlh, void *data)
{
	struct output *o = data;
	struct fos_flow f;
	int ret;

	ret = fos_flow_msg_parse(nlh, &f);
	if (ret < 0)
		return MNL_CB_ERROR;
	if (ret > 0) {
		out_obj_begin(o, NULL);
		fos_flow_print(o, &f, NULL);
		out_obj_end(o);
	}
	return MNL_CB_OK;
}

/*
 * Run dump or do @nlh printing what @cb prints into a JSON array; what
 * was printed stays printed when the request fails part way. A bare
 * ENOENT is "no such @what". Returns an exit status.
 */
int fos_run_list(struct flowctl *fc, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data, const char *what)
{
	struct fs_ext_ack ack;
	int ret;

	if (out_root_array(fc->out) < 0) {
		fputs("Error: out of memory\n", stderr);
		return 1;
	}
	ret = fs_nl_transact(fc->nl, nlh, cb, data, &ack);
	if (ret)
		fflush(stdout);
	if (fos_report(ret, &ack, what))
		return 1;
	return out_finish(fc->out) ? 1 : 0;
}

static int flow_show(struct flowctl *fc, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	char what[64];
	int ret;

	if (argc > 0) {
		ret = one_name(argc, argv, "show");
		if (ret)
			return ret;
	}
	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_GET_FLOW);
	if (!nlh)
		return 1;
	if (argc > 0)
		fos_flow_ref_put(nlh, argv[0], 0);
	else
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	snprintf(what, sizeof(what), "flow \"%s\"", argc > 0 ? argv[0] : "");
	return fos_run_list(fc, nlh, flow_show_cb, fc->out, what);
}

struct sessions_ctx {
	struct output *o;
	const struct fos_att_names *names;
};

static int sessions_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sessions_ctx *ctx = data;
	struct fos_session s;
	int ret;

	ret = fos_session_msg_parse(nlh, &s);
	if (ret < 0)
		return MNL_CB_ERROR;
	if (ret > 0) {
		out_obj_begin(ctx->o, NULL);
		fos_session_print(ctx->o, &s, ctx->names);
		out_obj_end(ctx->o);
	}
	return MNL_CB_OK;
}

/* The PM names of @flow's attachments (GET_ATTACH dump); exit status. */
int fos_att_names_get(struct flowctl *fc, const char *flow,
		      struct fos_att_names *names)
{
	struct fs_ext_ack ack;
	struct nlmsghdr *nlh;
	char what[64];
	int ret;

	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_GET_ATTACH);
	if (!nlh)
		return 1;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	fos_flow_ref_put(nlh, flow, 0);
	ret = fs_nl_transact(fc->nl, nlh, fos_att_names_msg, names, &ack);
	snprintf(what, sizeof(what), "flow \"%s\"", flow);
	return fos_report(ret, &ack, what);
}

static int flow_sessions(struct flowctl *fc, int argc, char **argv)
{
	struct fos_att_names names = { 0 };
	struct sessions_ctx ctx = { .o = fc->out, .names = &names };
	struct nlmsghdr *nlh;
	char what[64];
	int ret;

	ret = one_name(argc, argv, "sessions");
	if (ret)
		return ret;
	ret = fos_att_names_get(fc, argv[0], &names);
	if (ret)
		goto out;
	ret = 1;
	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_GET_SESSION);
	if (!nlh)
		goto out;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	fos_flow_ref_put(nlh, argv[0], 0);
	snprintf(what, sizeof(what), "flow \"%s\"", argv[0]);
	ret = fos_run_list(fc, nlh, sessions_cb, &ctx, what);
out:
	fos_att_names_free(&names);
	return ret;
}

/* Deprecated: "record get". */
static int flow_get(struct flowctl *fc, int argc, char **argv)
{
	deprecated_note(fc, "flow get", "record get");
	return record_get(fc, argc, argv);
}

int cmd_flow(struct flowctl *fc, int argc, char **argv)
{
	static const struct subcmd cmds[] = {
		{ "add",	flow_add },
		{ "del",	flow_del },
		{ "show",	flow_show },
		{ "sessions",	flow_sessions },
		{ "get",	flow_get },
	};

	return subcmd_run(fc, "flow", cmds, ARRAY_SIZE(cmds), usage, argc,
			  argv);
}
