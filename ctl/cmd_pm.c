// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl pm: FlowOS processing modules. list and info (GET_PM dump and
 * do), attach (ATTACH), detach (DETACH), show (GET_ATTACH dump).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "flowctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void usage(FILE *fp)
{
	fputs("Usage: flowctl pm list\n"
	      "       flowctl pm info NAME\n"
	      "       flowctl pm attach FLOW PM [ order N ] [ args STRING ]\n"
	      "       flowctl pm detach FLOW ID\n"
	      "       flowctl pm show [ FLOW ]\n"
	      "       flowctl pm help\n"
	      "A processing module (PM) attached to a flow processes each of\n"
	      "its sessions' stream; PMs run in increasing order, read-only PMs\n"
	      "of equal order side by side. attach prints the attachment's id.\n",
	      fp);
}

static int check_name(const char *arg, const char *what)
{
	if (fos_name_ok(arg))
		return 0;
	return usage_error("pm",
			   "invalid %s name \"%s\": 1 to %d characters of A-Z a-z 0-9 _ . : -",
			   what, arg, FOS_NAME_MAX);
}

/* "pm attach FLOW PM [order N] [args STRING]" into @a; 0 or EXIT_USAGE. */
int pm_attach_parse_args(int argc, char **argv, struct fos_attach *a)
{
	enum parse_err err;
	char msg[256];
	uint64_t val;
	int i, ret;

	memset(a, 0, sizeof(*a));
	if (argc < 2)
		return usage_error("pm", "\"attach\" needs a flow and a PM");
	ret = check_name(argv[0], "flow");
	if (!ret)
		ret = check_name(argv[1], "PM");
	if (ret)
		return ret;
	snprintf(a->flow, sizeof(a->flow), "%s", argv[0]);
	snprintf(a->pm, sizeof(a->pm), "%s", argv[1]);
	a->seen = FOS_BIT(FLOWSTREAM_ATT_A_FLOW) | FOS_BIT(FLOWSTREAM_ATT_A_PM);
	for (i = 2; i < argc; i += 2) {
		uint16_t attr;

		if (!strcmp(argv[i], "order"))
			attr = FLOWSTREAM_ATT_A_ORDER;
		else if (!strcmp(argv[i], "args"))
			attr = FLOWSTREAM_ATT_A_ARGS;
		else
			return usage_error("pm", "unknown argument \"%s\"",
					   argv[i]);
		if (a->seen & FOS_BIT(attr))
			return usage_error("pm", "duplicate \"%s\"", argv[i]);
		if (i + 1 >= argc)
			return usage_error("pm", "missing value for \"%s\"",
					   argv[i]);
		if (attr == FLOWSTREAM_ATT_A_ARGS) {
			if (strlen(argv[i + 1]) > FOS_ARGS_MAX)
				return usage_error("pm",
						   "\"args\" longer than %d characters",
						   FOS_ARGS_MAX);
			snprintf(a->args, sizeof(a->args), "%s", argv[i + 1]);
		} else {
			err = parse_uint(argv[i + 1], UINT16_MAX, &val);
			if (err != PARSE_OK) {
				parse_errmsg(msg, sizeof(msg), "order",
					     argv[i + 1], err, UINT16_MAX);
				return usage_error("pm", "%s", msg);
			}
			a->order = val;
		}
		a->seen |= FOS_BIT(attr);
	}
	return 0;
}

static int attach_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fos_attach *a = data;
	struct fos_attach tmp;
	int ret;

	ret = fos_attach_msg_parse(nlh, &tmp);
	if (ret < 0)
		return MNL_CB_ERROR;
	if (ret > 0)
		*a = tmp;
	return MNL_CB_OK;
}

static int pm_attach(struct flowctl *fc, int argc, char **argv)
{
	struct fos_attach a, reply = { 0 };
	struct fs_ext_ack ack;
	struct nlmsghdr *nlh;
	char what[64];
	int ret;

	ret = pm_attach_parse_args(argc, argv, &a);
	if (ret)
		return ret;
	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_ATTACH);
	if (!nlh)
		return 1;
	fos_attach_put(nlh, &a);
	ret = fs_nl_transact(fc->nl, nlh, attach_reply_cb, &reply, &ack);
	snprintf(what, sizeof(what), "flow \"%s\"", a.flow);
	ret = fos_report(ret, &ack, what);
	if (ret)
		return ret;
	if (!(reply.seen & FOS_BIT(FLOWSTREAM_ATT_A_ID)))
		return fs_nl_incomplete();
	out_u64(fc->out, "id", "id", reply.id);
	return out_finish(fc->out) ? 1 : 0;
}

static int pm_detach(struct flowctl *fc, int argc, char **argv)
{
	struct fos_attach a = { 0 };
	struct fs_ext_ack ack;
	struct nlmsghdr *nlh;
	enum parse_err err;
	char msg[256];
	uint32_t id;
	int ret;

	if (argc != 2)
		return argc < 2 ?
		       usage_error("pm", "\"detach\" needs a flow and an attachment id") :
		       usage_error("pm", "unexpected argument \"%s\"", argv[2]);
	ret = check_name(argv[0], "flow");
	if (ret)
		return ret;
	err = parse_u32(argv[1], &id);
	if (err != PARSE_OK) {
		parse_errmsg(msg, sizeof(msg), "ID", argv[1], err, UINT32_MAX);
		return usage_error("pm", "%s", msg);
	}
	snprintf(a.flow, sizeof(a.flow), "%s", argv[0]);
	a.id = id;
	a.seen = FOS_BIT(FLOWSTREAM_ATT_A_FLOW) | FOS_BIT(FLOWSTREAM_ATT_A_ID);
	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_DETACH);
	if (!nlh)
		return 1;
	fos_attach_put(nlh, &a);
	ret = fs_nl_transact(fc->nl, nlh, NULL, NULL, &ack);
	snprintf(msg, sizeof(msg), "attachment %u of flow \"%s\"", id,
		 argv[0]);
	return fos_report(ret, &ack, msg);
}

/* mnl_cb_t printing each attachment of a GET_ATTACH dump at once. */
static int attach_show_cb(const struct nlmsghdr *nlh, void *data)
{
	struct output *o = data;
	struct fos_attach a;
	int ret;

	ret = fos_attach_msg_parse(nlh, &a);
	if (ret < 0)
		return MNL_CB_ERROR;
	if (ret > 0) {
		out_obj_begin(o, NULL);
		fos_attach_print(o, &a);
		out_obj_end(o);
	}
	return MNL_CB_OK;
}

static int pm_show(struct flowctl *fc, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	char what[64];
	int ret;

	if (argc > 1)
		return usage_error("pm", "unexpected argument \"%s\"", argv[1]);
	if (argc) {
		ret = check_name(argv[0], "flow");
		if (ret)
			return ret;
	}
	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_GET_ATTACH);
	if (!nlh)
		return 1;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	if (argc)
		fos_flow_ref_put(nlh, argv[0], 0);
	snprintf(what, sizeof(what), "flow \"%s\"", argc ? argv[0] : "");
	return fos_run_list(fc, nlh, attach_show_cb, fc->out, what);
}

static int pm_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct output *o = data;
	struct fos_pm pm;
	int ret;

	ret = fos_pm_msg_parse(nlh, &pm);
	if (ret < 0)
		return MNL_CB_ERROR;
	if (ret > 0) {
		out_obj_begin(o, NULL);
		fos_pm_print_line(o, &pm);
		out_obj_end(o);
	}
	fos_pm_free(&pm);
	return MNL_CB_OK;
}

static int pm_list(struct flowctl *fc, int argc, char **argv)
{
	struct nlmsghdr *nlh;

	if (argc)
		return usage_error("pm", "unexpected argument \"%s\"", argv[0]);
	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_GET_PM);
	if (!nlh)
		return 1;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	return fos_run_list(fc, nlh, pm_list_cb, fc->out, "PM");
}

static int pm_info_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fos_pm *pm = data;
	struct fos_pm tmp;
	int ret;

	ret = fos_pm_msg_parse(nlh, &tmp);
	if (ret < 0)
		return MNL_CB_ERROR;
	if (ret > 0) {
		fos_pm_free(pm);
		*pm = tmp;
	}
	return MNL_CB_OK;
}

static int pm_info(struct flowctl *fc, int argc, char **argv)
{
	struct fos_pm pm = { 0 };
	struct fs_ext_ack ack;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	char what[64];
	int ret;

	if (argc != 1)
		return argc ? usage_error("pm", "unexpected argument \"%s\"",
					  argv[1]) :
		       usage_error("pm", "\"info\" needs a PM name");
	ret = check_name(argv[0], "PM");
	if (ret)
		return ret;
	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_GET_PM);
	if (!nlh)
		return 1;
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_PM);
	mnl_attr_put_strz(nlh, FLOWSTREAM_PM_A_NAME, argv[0]);
	mnl_attr_nest_end(nlh, nest);
	ret = fs_nl_transact(fc->nl, nlh, pm_info_cb, &pm, &ack);
	snprintf(what, sizeof(what), "PM \"%s\"", argv[0]);
	ret = fos_report(ret, &ack, what);
	if (!ret && !pm.name[0])
		ret = fs_nl_incomplete();
	if (!ret) {
		fos_pm_print_info(fc->out, &pm);
		ret = out_finish(fc->out) ? 1 : 0;
	}
	fos_pm_free(&pm);
	return ret;
}

int cmd_pm(struct flowctl *fc, int argc, char **argv)
{
	static const struct subcmd cmds[] = {
		{ "list",	pm_list },
		{ "info",	pm_info },
		{ "attach",	pm_attach },
		{ "detach",	pm_detach },
		{ "show",	pm_show },
	};

	return subcmd_run(fc, "pm", cmds, ARRAY_SIZE(cmds), usage, argc, argv);
}
