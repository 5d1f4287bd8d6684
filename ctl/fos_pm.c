// SPDX-License-Identifier: GPL-2.0
/*
 * Processing modules (FLOWSTREAM_A_PM) and their attachments to flows
 * (FLOWSTREAM_A_ATTACH): requests, replies, printing, and the id -> PM
 * name table that "flow sessions" labels results with.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowctl.h"
#include "fos.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Append a FLOWSTREAM_A_ATTACH nest with the attributes of @a->seen among
 * FLOW, ID, PM, ORDER and ARGS, in that order (ATTACH: FLOW, PM, maybe
 * ORDER and ARGS; DETACH: FLOW and ID; a PIPELINE entry: PM, ORDER and
 * maybe ARGS).
 */
void fos_attach_put(struct nlmsghdr *nlh, const struct fos_attach *a)
{
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_ATTACH);
	if (a->seen & FOS_BIT(FLOWSTREAM_ATT_A_FLOW))
		mnl_attr_put_strz(nlh, FLOWSTREAM_ATT_A_FLOW, a->flow);
	if (a->seen & FOS_BIT(FLOWSTREAM_ATT_A_ID))
		mnl_attr_put_u32(nlh, FLOWSTREAM_ATT_A_ID, a->id);
	if (a->seen & FOS_BIT(FLOWSTREAM_ATT_A_PM))
		mnl_attr_put_strz(nlh, FLOWSTREAM_ATT_A_PM, a->pm);
	if (a->seen & FOS_BIT(FLOWSTREAM_ATT_A_ORDER))
		mnl_attr_put_u32(nlh, FLOWSTREAM_ATT_A_ORDER, a->order);
	if (a->seen & FOS_BIT(FLOWSTREAM_ATT_A_ARGS))
		mnl_attr_put_strz(nlh, FLOWSTREAM_ATT_A_ARGS, a->args);
	mnl_attr_nest_end(nlh, nest);
}

static const enum mnl_attr_data_type att_types[] = {
	[FLOWSTREAM_ATT_A_FLOW]		= MNL_TYPE_NUL_STRING,
	[FLOWSTREAM_ATT_A_ID]		= MNL_TYPE_U32,
	[FLOWSTREAM_ATT_A_PM]		= MNL_TYPE_NUL_STRING,
	[FLOWSTREAM_ATT_A_ORDER]	= MNL_TYPE_U32,
	[FLOWSTREAM_ATT_A_ARGS]		= MNL_TYPE_NUL_STRING,
	[FLOWSTREAM_ATT_A_MODE]		= MNL_TYPE_U8,
	[FLOWSTREAM_ATT_A_STATS]	= MNL_TYPE_NESTED,
	[FLOWSTREAM_ATT_A_RESULT]	= MNL_TYPE_UNSPEC,	/* sessions only */
};

_Static_assert(ARRAY_SIZE(att_types) == __FLOWSTREAM_ATT_A_MAX,
	       "a type for every FLOWSTREAM_ATT_A_*");

static int att_attr_cb(const struct nlattr *attr, void *data)
{
	struct fos_attach *a = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type >= ARRAY_SIZE(att_types) || att_types[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;	/* padding, or a newer module's */
	if (mnl_attr_validate(attr, att_types[type]) < 0)
		return MNL_CB_ERROR;
	switch (type) {
	case FLOWSTREAM_ATT_A_FLOW:
		snprintf(a->flow, sizeof(a->flow), "%s", mnl_attr_get_str(attr));
		break;
	case FLOWSTREAM_ATT_A_ID:
		a->id = mnl_attr_get_u32(attr);
		break;
	case FLOWSTREAM_ATT_A_PM:
		snprintf(a->pm, sizeof(a->pm), "%s", mnl_attr_get_str(attr));
		break;
	case FLOWSTREAM_ATT_A_ORDER:
		a->order = mnl_attr_get_u32(attr);
		break;
	case FLOWSTREAM_ATT_A_ARGS:
		snprintf(a->args, sizeof(a->args), "%s", mnl_attr_get_str(attr));
		break;
	case FLOWSTREAM_ATT_A_MODE:
		a->mode = mnl_attr_get_u8(attr);
		break;
	case FLOWSTREAM_ATT_A_STATS:
		if (fos_stats_parse(attr, a->stats, &a->nstats,
				    FLOWSTREAM_ATT_STAT_MAX) < 0)
			return MNL_CB_ERROR;
		break;
	}
	a->seen |= FOS_BIT(type);
	return MNL_CB_OK;
}

/* A FLOWSTREAM_A_ATTACH of a reply into @a (cleared); 0 or -EBADMSG. */
int fos_attach_parse_nest(const struct nlattr *nest, struct fos_attach *a)
{
	memset(a, 0, sizeof(*a));
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(nest, att_attr_cb, a) < 0)
		return -EBADMSG;
	return 0;
}

static int att_msg_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) != FLOWSTREAM_A_ATTACH)
		return MNL_CB_OK;
	return fos_attach_parse_nest(attr, data) < 0 ? MNL_CB_ERROR :
	       MNL_CB_OK;
}

/*
 * The attachment of an ATTACH or GET_ATTACH reply. Returns 1 and fills
 * @a, 0 if the message has none, or -1 with errno EBADMSG.
 */
int fos_attach_msg_parse(const struct nlmsghdr *nlh, struct fos_attach *a)
{
	memset(a, 0, sizeof(*a));
	if (fs_nl_parse_genl(nlh, att_msg_cb, a) != MNL_CB_OK) {
		errno = EBADMSG;
		return -1;
	}
	return a->seen ? 1 : 0;
}

/*
 * Text, a block:
 *   flow FLOW id ID pm PM order N mode M args "ARGS"
 *     units N bytes N dropped N windows N queued N sessions N cpu_ns N
 * JSON: flow, id, pm, order, args, mode, stats {}.
 */
void fos_attach_print(struct output *o, const struct fos_attach *a)
{
	char buf[32];
	const char *mode = fs_enum_name(fs_pm_mode_names,
					__FLOWSTREAM_PM_MODE_MAX, "mode",
					a->mode, buf, sizeof(buf));

	out_text(o, "flow %s id %u pm %s", a->flow, a->id, a->pm);
	out_str(o, "flow", NULL, a->flow);
	out_u64(o, "id", NULL, a->id);
	out_str(o, "pm", NULL, a->pm);
	if (a->seen & FOS_BIT(FLOWSTREAM_ATT_A_ORDER)) {
		out_text(o, " order %u", a->order);
		out_u64(o, "order", NULL, a->order);
	}
	if (a->seen & FOS_BIT(FLOWSTREAM_ATT_A_MODE)) {
		out_text(o, " mode %s", mode);
		out_str(o, "mode", NULL, mode);
	}
	if (a->seen & FOS_BIT(FLOWSTREAM_ATT_A_ARGS)) {
		if (a->args[0])
			out_text(o, " args \"%s\"", a->args);
		out_str(o, "args", NULL, a->args);
	}
	out_text(o, "\n");
	if (a->seen & FOS_BIT(FLOWSTREAM_ATT_A_STATS)) {
		out_obj_begin(o, "stats");
		fos_stats_print(o, a->stats, a->nstats, fs_att_stat_name,
				NULL, 0);
		out_obj_end(o);
	}
}

static const enum mnl_attr_data_type pm_types[] = {
	[FLOWSTREAM_PM_A_NAME]		= MNL_TYPE_NUL_STRING,
	[FLOWSTREAM_PM_A_DESC]		= MNL_TYPE_NUL_STRING,
	[FLOWSTREAM_PM_A_PARAMS]	= MNL_TYPE_NUL_STRING,
	[FLOWSTREAM_PM_A_STREAM]	= MNL_TYPE_U8,
	[FLOWSTREAM_PM_A_MODE]		= MNL_TYPE_U8,
	[FLOWSTREAM_PM_A_STATE_SIZE]	= MNL_TYPE_U32,
	[FLOWSTREAM_PM_A_ATTACHED]	= MNL_TYPE_U32,
	[FLOWSTREAM_PM_A_MIGRATABLE]	= MNL_TYPE_FLAG,
	[FLOWSTREAM_PM_A_STREAMS]	= MNL_TYPE_U32,
};

_Static_assert(ARRAY_SIZE(pm_types) == __FLOWSTREAM_PM_A_MAX,
	       "a type for every FLOWSTREAM_PM_A_*");

static int pm_attr_cb(const struct nlattr *attr, void *data)
{
	struct fos_pm *pm = data;
	uint16_t type = mnl_attr_get_type(attr);
	char **str = NULL;

	if (type >= ARRAY_SIZE(pm_types) || pm_types[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, pm_types[type]) < 0)
		return MNL_CB_ERROR;
	switch (type) {
	case FLOWSTREAM_PM_A_NAME:
		snprintf(pm->name, sizeof(pm->name), "%s",
			 mnl_attr_get_str(attr));
		break;
	case FLOWSTREAM_PM_A_DESC:
		str = &pm->desc;
		break;
	case FLOWSTREAM_PM_A_PARAMS:
		str = &pm->params;
		break;
	case FLOWSTREAM_PM_A_STREAM:
		pm->stream = mnl_attr_get_u8(attr);
		break;
	case FLOWSTREAM_PM_A_MODE:
		pm->mode = mnl_attr_get_u8(attr);
		break;
	case FLOWSTREAM_PM_A_STATE_SIZE:
		pm->state_size = mnl_attr_get_u32(attr);
		break;
	case FLOWSTREAM_PM_A_ATTACHED:
		pm->attached = mnl_attr_get_u32(attr);
		break;
	case FLOWSTREAM_PM_A_MIGRATABLE:
		pm->migratable = true;
		break;
	case FLOWSTREAM_PM_A_STREAMS:
		pm->streams = mnl_attr_get_u32(attr);
		break;
	}
	if (str) {
		free(*str);
		*str = strdup(mnl_attr_get_str(attr));
		if (!*str) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
	}
	pm->seen |= FOS_BIT(type);
	return MNL_CB_OK;
}

static int pm_msg_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) != FLOWSTREAM_A_PM)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
		return MNL_CB_ERROR;
	return mnl_attr_parse_nested(attr, pm_attr_cb, data);
}

/*
 * The PM of a GET_PM reply into @pm (cleared: fos_pm_free() it first if
 * it was used). Returns 1, 0 if the message has none or no name, or -1
 * with errno EBADMSG or ENOMEM.
 */
int fos_pm_msg_parse(const struct nlmsghdr *nlh, struct fos_pm *pm)
{
	memset(pm, 0, sizeof(*pm));
	errno = 0;
	if (fs_nl_parse_genl(nlh, pm_msg_cb, pm) != MNL_CB_OK) {
		if (errno != ENOMEM)
			errno = EBADMSG;
		fos_pm_free(pm);
		return -1;
	}
	return pm->seen & FOS_BIT(FLOWSTREAM_PM_A_NAME) ? 1 : 0;
}

void fos_pm_free(struct fos_pm *pm)
{
	free(pm->desc);
	free(pm->params);
	pm->desc = NULL;
	pm->params = NULL;
}

static const char *pm_stream(const struct fos_pm *pm, char *buf, size_t len)
{
	return fs_enum_name(fs_stream_names, __FLOWSTREAM_STREAM_MAX, "stream",
			    pm->stream, buf, len);
}

/*
 * The streams @pm can be attached to, as a mask: STREAMS, or from a module
 * that does not send it, STREAM alone.
 */
static uint32_t pm_streams(const struct fos_pm *pm)
{
	if ((pm->seen & FOS_BIT(FLOWSTREAM_PM_A_STREAMS)) && pm->streams)
		return pm->streams;
	if (pm->seen & FOS_BIT(FLOWSTREAM_PM_A_STREAM) && pm->stream < 32)
		return UINT32_C(1) << pm->stream;
	return 0;
}

/* Those streams' names, comma-separated ("ip,tcp,udp"). */
static const char *pm_streams_text(const struct fos_pm *pm, char *buf,
				   size_t len)
{
	uint32_t streams = pm_streams(pm);
	size_t used = 0;
	unsigned int i;
	char nb[32];

	buf[0] = '\0';
	for (i = 0; i < 32 && used < len; i++) {
		if (!(streams & (UINT32_C(1) << i)))
			continue;
		used += snprintf(buf + used, len - used, "%s%s",
				 used ? "," : "",
				 fs_enum_name(fs_stream_names,
					      __FLOWSTREAM_STREAM_MAX, "stream",
					      i, nb, sizeof(nb)));
	}
	return buf;
}

static const char *pm_mode(const struct fos_pm *pm, char *buf, size_t len)
{
	return fs_enum_name(fs_pm_mode_names, __FLOWSTREAM_PM_MODE_MAX, "mode",
			    pm->mode, buf, len);
}

/*
 * The members of "pm list" and "pm info" in JSON: "stream" the one the PM
 * is made for, "streams" every one it can be attached to.
 */
static void pm_json(struct output *o, const struct fos_pm *pm)
{
	char buf[32];
	uint32_t streams = pm_streams(pm);
	unsigned int i;

	out_str(o, "name", NULL, pm->name);
	if (pm->desc)
		out_str(o, "desc", NULL, pm->desc);
	if (pm->params)
		out_str(o, "params", NULL, pm->params);
	if (pm->seen & FOS_BIT(FLOWSTREAM_PM_A_STREAM))
		out_str(o, "stream", NULL, pm_stream(pm, buf, sizeof(buf)));
	if (streams) {
		out_list_begin(o, "streams", NULL);
		for (i = 0; i < 32; i++)
			if (streams & (UINT32_C(1) << i))
				out_list_item(o, fs_enum_name(fs_stream_names,
							      __FLOWSTREAM_STREAM_MAX,
							      "stream", i, buf,
							      sizeof(buf)));
		out_list_end(o);
	}
	if (pm->seen & FOS_BIT(FLOWSTREAM_PM_A_MODE))
		out_str(o, "mode", NULL, pm_mode(pm, buf, sizeof(buf)));
	if (pm->seen & FOS_BIT(FLOWSTREAM_PM_A_STATE_SIZE))
		out_u64(o, "state_size", NULL, pm->state_size);
	if (pm->seen & FOS_BIT(FLOWSTREAM_PM_A_ATTACHED))
		out_u64(o, "attached", NULL, pm->attached);
	out_bool(o, "migratable", NULL, pm->migratable);
}

/*
 * "pm list": text one line, NAME stream S mode M attached N[ migratable]
 * then two spaces and the description, S every stream the PM can be
 * attached to ("ip,tcp,udp"); JSON an object (see pm_json()).
 */
void fos_pm_print_line(struct output *o, const struct fos_pm *pm)
{
	char b1[64], b2[32];

	if (out_is_json(o)) {
		pm_json(o, pm);
		return;
	}
	out_text(o, "%s stream %s mode %s attached %u%s", pm->name,
		 pm_streams_text(pm, b1, sizeof(b1)),
		 pm_mode(pm, b2, sizeof(b2)),
		 pm->attached, pm->migratable ? " migratable" : "");
	if (pm->desc && pm->desc[0])
		out_text(o, "  %s", pm->desc);
	out_text(o, "\n");
}

/*
 * "pm info": text one item a line (name, desc, stream as in "pm list",
 * mode, state-size, attached, migratable, then "params" and each parameter
 * line indented, or "params none"); JSON an object.
 */
void fos_pm_print_info(struct output *o, const struct fos_pm *pm)
{
	const char *p, *nl;
	char buf[64];

	if (out_is_json(o)) {
		pm_json(o, pm);
		return;
	}
	out_text(o, "name %s\n", pm->name);
	out_text(o, "desc %s\n", pm->desc ? pm->desc : "");
	out_text(o, "stream %s\n", pm_streams_text(pm, buf, sizeof(buf)));
	out_text(o, "mode %s\n", pm_mode(pm, buf, sizeof(buf)));
	out_text(o, "state-size %u\n", pm->state_size);
	out_text(o, "attached %u\n", pm->attached);
	out_text(o, "migratable %s\n", pm->migratable ? "yes" : "no");
	if (!pm->params || !pm->params[0]) {
		out_text(o, "params none\n");
		return;
	}
	out_text(o, "params\n");
	for (p = pm->params; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl) {
			out_text(o, "  %s\n", p);
			break;
		}
		out_text(o, "  %.*s\n", (int)(nl - p), p);
	}
}

/* mnl_cb_t for a GET_ATTACH dump: each attachment's id and PM name. */
int fos_att_names_msg(const struct nlmsghdr *nlh, void *data)
{
	struct fos_att_names *names = data;
	struct fos_att_name *v;
	struct fos_attach a;
	int ret;

	ret = fos_attach_msg_parse(nlh, &a);
	if (ret < 0)
		return MNL_CB_ERROR;
	if (!ret || !(a.seen & FOS_BIT(FLOWSTREAM_ATT_A_ID)))
		return MNL_CB_OK;
	if (names->n == names->cap) {
		size_t cap = names->cap ? 2 * names->cap : 16;

		v = realloc(names->v, cap * sizeof(*v));
		if (!v) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		names->v = v;
		names->cap = cap;
	}
	names->v[names->n].id = a.id;
	snprintf(names->v[names->n].pm, sizeof(names->v[0].pm), "%s", a.pm);
	names->n++;
	return MNL_CB_OK;
}

/* The PM name of attachment @id, or NULL. */
const char *fos_att_names_find(const struct fos_att_names *names,
			       uint32_t id)
{
	size_t i;

	for (i = 0; names && i < names->n; i++)
		if (names->v[i].id == id)
			return names->v[i].pm;
	return NULL;
}

void fos_att_names_free(struct fos_att_names *names)
{
	free(names->v);
	names->v = NULL;
	names->n = 0;
	names->cap = 0;
}
