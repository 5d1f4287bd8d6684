// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl agent: the HTTP server (libmicrohttpd, one internal polling
 * thread, so requests are handled one at a time and share one netlink
 * socket). Routes:
 *
 *	GET  /metrics			Prometheus text
 *	GET  /status			JSON: versions, namespace, capabilities
 *	GET  /sampler[?window=N]	JSON: the current window, or kept N
 *	POST /sampler/reset		JSON: read-and-reset, the window taken
 *	POST /sampler/ack?window=N	drop kept window N
 *	PUT  /sampler/prefixes		JSON body: the monitored prefixes,
 *					replaced all or nothing (agent_pfx.c)
 *
 * Every request is first checked against the allowed prefixes and, with
 * a key, its "Authorization: Bearer KEY" header: 403 and counted if not.
 * The server listens in the namespace flowctl started in; with -n, the
 * server's thread enters NETNS for netlink (setns() is per thread).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <microhttpd.h>

#include "agent.h"
#include "flowctl.h"

enum method { M_GET, M_POST, M_PUT, M_OTHER };

/* A request's state between calls: its body, read up to AGENT_BODY_MAX. */
struct req {
	char *buf;
	size_t len;
	size_t cap;
	bool too_big;
	bool nomem;
};

struct agent {
	struct fs_nl *nl;
	const struct agent_opts *opts;
	const char *key;		/* NULL: no key */
	size_t keylen;
	struct agent_counters cnt;
};

/* A response body being built: a memory stream. */
struct body {
	char *buf;
	size_t len;
	FILE *fp;
};

static int body_open(struct body *b)
{
	memset(b, 0, sizeof(*b));
	b->fp = open_memstream(&b->buf, &b->len);
	return b->fp ? 0 : -1;
}

/* Close the stream; returns 0, or -1 (and frees) if writing failed. */
static int body_close(struct body *b)
{
	int err = ferror(b->fp);

	if (fclose(b->fp) || err) {
		free(b->buf);
		b->buf = NULL;
		return -1;
	}
	return 0;
}

/* Send @b (freed in any case); @allow: the Allow header of a 405. */
static enum MHD_Result send_body(struct MHD_Connection *conn,
				 unsigned int status, const char *type,
				 struct body *b, const char *allow)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (body_close(b))
		return MHD_NO;
	resp = MHD_create_response_from_buffer(b->len, b->buf,
					       MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(b->buf);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				"no-store");
	if (allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

#ifndef MHD_HTTP_CONTENT_TOO_LARGE
#define MHD_HTTP_CONTENT_TOO_LARGE	413	/* before 0.9.75 */
#endif

#define JSON_TYPE	"application/json"
#define PROM_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/* JSON output into the new body @b, or NULL (and nothing left open). */
static struct output *json_open(struct body *b)
{
	struct output *o;

	if (body_open(b))
		return NULL;
	o = out_new(b->fp, OUT_JSON);
	if (!o) {
		body_close(b);
		free(b->buf);
	}
	return o;
}

/* Finish and free @o, then send its body @b as send_body() does. */
static enum MHD_Result json_send(struct MHD_Connection *conn,
				 unsigned int status, struct output *o,
				 struct body *b, const char *allow)
{
	out_finish(o);
	out_free(o);
	return send_body(conn, status, JSON_TYPE, b, allow);
}

/* {"error":"MSG"} with @status (and Allow: @allow, if not NULL). */
static enum MHD_Result send_error_allow(struct MHD_Connection *conn,
					unsigned int status, const char *msg,
					const char *allow)
{
	struct output *o;
	struct body b;

	o = json_open(&b);
	if (!o)
		return MHD_NO;
	out_str(o, "error", NULL, msg);
	return json_send(conn, status, o, &b, allow);
}

static enum MHD_Result send_error(struct MHD_Connection *conn,
				  unsigned int status, const char *msg)
{
	return send_error_allow(conn, status, msg, NULL);
}

/*
 * One netlink request, built by @put (may be NULL) into a @cmd request
 * (a dump if @dump), replies to @cb. Returns an HTTP status: 200, or an
 * error with @err set. A failure that is not the kernel's answer closes
 * the socket: the next request opens it again (and resolves the family
 * again, after a module reload).
 */
static unsigned int agent_nl(struct agent *a, uint8_t cmd, bool dump,
			     void (*put)(struct nlmsghdr *, const void *),
			     const void *arg, mnl_cb_t cb, void *data,
			     char *err, size_t errlen)
{
	struct fs_ext_ack ack;
	struct nlmsghdr *nlh;
	int ret;

	if (!a->nl->sock) {
		ret = fs_nl_open(a->nl, err, errlen);
		if (ret) {
			fs_nl_close(a->nl);
			a->cnt.errors++;
			return MHD_HTTP_SERVICE_UNAVAILABLE;
		}
	}
	nlh = fs_nl_req(a->nl, cmd);
	if (!nlh) {
		snprintf(err, errlen, "cannot build a netlink request");
		a->cnt.errors++;
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	if (dump)
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	if (put)
		put(nlh, arg);
	ret = fs_nl_transact(a->nl, nlh, cb, data, &ack);
	if (!ret)
		return MHD_HTTP_OK;
	if (ack.error) {
		snprintf(err, errlen, "%s",
			 ack.msg[0] ? ack.msg : strerror(ack.error));
		switch (ack.error) {
		case ENOENT:
			return MHD_HTTP_NOT_FOUND;
		case EINVAL:
		case ERANGE:
			return MHD_HTTP_BAD_REQUEST;
		case EPERM:
			a->cnt.errors++;
			return MHD_HTTP_INTERNAL_SERVER_ERROR;
		}
		a->cnt.errors++;
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	}
	snprintf(err, errlen, "%s", ret == -EINTR ?
		 "dump interrupted by a concurrent change, try again" :
		 ret == -EBADMSG ? "malformed reply from the module" :
		 strerror(-ret));
	fs_nl_close(a->nl);
	a->cnt.errors++;
	return MHD_HTTP_SERVICE_UNAVAILABLE;
}

/* --- GET /metrics ------------------------------------------------------- */

static enum MHD_Result do_metrics(struct agent *a,
				  struct MHD_Connection *conn, struct req *rq)
{
	struct fs_status st = { 0 };
	const unsigned int need = SEEN(FLOWSTREAM_A_UPTIME_MS) |
		SEEN(FLOWSTREAM_A_FEATURES) | SEEN(FLOWSTREAM_A_STATS);
	unsigned int status;
	struct body b;
	char err[FS_EXTACK_MSG_MAX];
	bool up;

	(void)rq;

	status = agent_nl(a, FLOWSTREAM_CMD_GET_STATUS, false, NULL, NULL,
			  status_parse, &st, err, sizeof(err));
	up = status == MHD_HTTP_OK && (st.seen & need) == need;
	if (status != MHD_HTTP_OK)
		fprintf(stderr, "flowctl agent: /metrics: %s\n", err);
	if (body_open(&b)) {
		status_free(&st);
		return MHD_NO;
	}
	prom_write(b.fp, up ? &st : NULL, &a->cnt);
	status_free(&st);
	return send_body(conn, MHD_HTTP_OK, PROM_TYPE, &b, NULL);
}

/* --- GET /status -------------------------------------------------------- */

static void status_agent(struct agent *a, struct output *o)
{
	struct stat sb;
	char host[256];

	out_obj_begin(o, "agent");
	out_str(o, "version", NULL, FLOWCTL_VERSION);
	out_u64(o, "protocol", NULL, AGENT_PROTOCOL);
	out_str(o, "listen", NULL, a->opts->listen_text);
	out_bool(o, "key", NULL, a->key != NULL);
	out_u64(o, "requests", NULL, a->cnt.requests);
	out_obj_begin(o, "refused");
	out_u64(o, "address", NULL, a->cnt.refused[AGENT_REFUSED_ADDRESS]);
	out_u64(o, "key", NULL, a->cnt.refused[AGENT_REFUSED_KEY]);
	out_obj_end(o);
	out_u64(o, "module_errors", NULL, a->cnt.errors);
	out_obj_begin(o, "prefix_sets");
	out_u64(o, "applied", NULL, a->cnt.pfx_sets[AGENT_PFX_APPLIED]);
	out_u64(o, "invalid", NULL, a->cnt.pfx_sets[AGENT_PFX_INVALID]);
	out_u64(o, "failed", NULL, a->cnt.pfx_sets[AGENT_PFX_FAILED]);
	out_u64(o, "undo_failed", NULL, a->cnt.pfx_undo_failed);
	out_obj_end(o);
	out_obj_end(o);
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		out_str(o, "hostname", NULL, host);
	}
	out_obj_begin(o, "netns");
	if (a->nl->netns)
		out_str(o, "name", NULL, a->nl->netns);
	if (stat("/proc/thread-self/ns/net", &sb) == 0)
		out_u64(o, "inode", NULL, sb.st_ino);
	out_obj_end(o);
}

static enum MHD_Result do_status(struct agent *a, struct MHD_Connection *conn,
				 struct req *rq)
{
	const unsigned int vneed = SEEN(FLOWSTREAM_A_VERSION) |
		SEEN(FLOWSTREAM_A_API_VERSION) | SEEN(FLOWSTREAM_A_FEATURES);
	const unsigned int sneed = SEEN(FLOWSTREAM_A_UPTIME_MS) |
		SEEN(FLOWSTREAM_A_FEATURES) | SEEN(FLOWSTREAM_A_CONFIG) |
		SEEN(FLOWSTREAM_A_STATS);
	struct fs_sampler smp = { .seen = false };
	struct fs_version ver = { 0 };
	struct fs_status st = { 0 };
	char err[FS_EXTACK_MSG_MAX];
	unsigned int status;
	struct output *o;
	enum MHD_Result ret;
	struct body b;

	(void)rq;

	status = agent_nl(a, FLOWSTREAM_CMD_GET_VERSION, false, NULL, NULL,
			  version_parse, &ver, err, sizeof(err));
	if (status == MHD_HTTP_OK)
		status = agent_nl(a, FLOWSTREAM_CMD_GET_STATUS, false, NULL,
				  NULL, status_parse, &st, err, sizeof(err));
	if (status == MHD_HTTP_OK)
		status = agent_nl(a, FLOWSTREAM_CMD_GET_SAMPLER, false, NULL,
				  NULL, sampler_parse, &smp, err, sizeof(err));
	if (status == MHD_HTTP_OK && ((ver.seen & vneed) != vneed ||
				      (st.seen & sneed) != sneed || !smp.seen)) {
		snprintf(err, sizeof(err), "incomplete reply from the module");
		status = MHD_HTTP_SERVICE_UNAVAILABLE;
	}
	if (status != MHD_HTTP_OK) {
		status_free(&st);
		return send_error(conn, status, err);
	}
	o = json_open(&b);
	if (!o) {
		status_free(&st);
		return MHD_NO;
	}
	status_agent(a, o);
	out_obj_begin(o, "version");
	version_print(o, &ver);
	out_obj_end(o);
	status_print(o, &st);
	out_obj_begin(o, "sampler");
	sampler_print(o, &smp);
	out_obj_end(o);
	ret = json_send(conn, MHD_HTTP_OK, o, &b, NULL);
	status_free(&st);
	return ret;
}

/* --- the sampler -------------------------------------------------------- */

static void put_prefixes(struct nlmsghdr *nlh, const void *arg)
{
	prefixes_request(nlh, arg);
}

/* ?window=N: 0 if absent, -1 if not a window number. */
static int window_arg(struct MHD_Connection *conn, uint64_t *win)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND,
						    "window");

	*win = 0;
	if (!v)
		return 0;
	if (parse_uint(v, UINT64_MAX, win) != PARSE_OK || !*win)
		return -1;
	return 0;
}

static enum MHD_Result do_sampler(struct agent *a, struct MHD_Connection *conn,
				  bool reset)
{
	struct prefixes_args args = { .reset = reset };
	struct pfx_dump d = { .n = 0 };
	char err[FS_EXTACK_MSG_MAX];
	unsigned int status;
	struct output *o;
	enum MHD_Result ret;
	struct body b;

	if (window_arg(conn, &args.window))
		return send_error(conn, MHD_HTTP_BAD_REQUEST,
				  "window: a number from 1");
	if (reset && args.window)
		return send_error(conn, MHD_HTTP_BAD_REQUEST,
				  "a reset reads the current window: no window argument");
	status = agent_nl(a, FLOWSTREAM_CMD_GET_PREFIX, true, put_prefixes,
			  &args, pfx_dump_msg, &d, err, sizeof(err));
	if (status == MHD_HTTP_OK && !d.smp.seen) {
		snprintf(err, sizeof(err), "incomplete reply from the module");
		status = MHD_HTTP_SERVICE_UNAVAILABLE;
	}
	if (status != MHD_HTTP_OK) {
		pfx_dump_free(&d);
		return send_error(conn, status, err);
	}
	o = json_open(&b);
	if (!o) {
		pfx_dump_free(&d);
		return MHD_NO;
	}
	prefixes_print(o, &d);
	ret = json_send(conn, MHD_HTTP_OK, o, &b, NULL);
	pfx_dump_free(&d);
	return ret;
}

static enum MHD_Result do_sampler_get(struct agent *a,
				      struct MHD_Connection *conn,
				      struct req *rq)
{
	(void)rq;
	return do_sampler(a, conn, false);
}

static enum MHD_Result do_sampler_reset(struct agent *a,
					struct MHD_Connection *conn,
					struct req *rq)
{
	(void)rq;
	return do_sampler(a, conn, true);
}

static enum MHD_Result do_ack(struct agent *a, struct MHD_Connection *conn,
			      struct req *rq)
{
	struct prefixes_args args = { .ack = true };
	char err[FS_EXTACK_MSG_MAX];
	unsigned int status;
	struct output *o;
	struct body b;

	(void)rq;

	if (window_arg(conn, &args.window) || !args.window)
		return send_error(conn, MHD_HTTP_BAD_REQUEST,
				  "window: a number from 1");
	status = agent_nl(a, FLOWSTREAM_CMD_ACK_WINDOW, false, put_prefixes,
			  &args, NULL, NULL, err, sizeof(err));
	if (status != MHD_HTTP_OK)
		return send_error(conn, status, err);
	o = json_open(&b);
	if (!o)
		return MHD_NO;
	out_u64(o, "acked", NULL, args.window);
	return json_send(conn, MHD_HTTP_OK, o, &b, NULL);
}

/* --- PUT /sampler/prefixes ---------------------------------------------- */

/* The prefix of ADD_PREFIX (with its depth) or DEL_PREFIX (without). */
static void put_prefix(struct nlmsghdr *nlh, const struct agent_pfx *p,
		       bool add)
{
	struct prefix_args pa = {
		.family = p->family, .len = p->len, .depth = p->depth,
		.has_depth = add,
	};

	memcpy(pa.addr, p->addr, sizeof(pa.addr));
	prefix_put(nlh, &pa);
}

/* ADD_PREFIX or DEL_PREFIX of @p: 0 or a negative errno with @msg set. */
static int pfx_op(struct agent *a, uint8_t cmd, const struct agent_pfx *p,
		  char *msg, size_t msglen)
{
	struct fs_ext_ack ack;
	struct nlmsghdr *nlh;
	int ret;

	if (!a->nl->sock && fs_nl_open(a->nl, msg, msglen)) {
		fs_nl_close(a->nl);
		a->cnt.errors++;
		return -EIO;
	}
	nlh = fs_nl_req(a->nl, cmd);
	if (!nlh) {
		snprintf(msg, msglen, "cannot build a netlink request");
		return -ENOMEM;
	}
	put_prefix(nlh, p, cmd == FLOWSTREAM_CMD_ADD_PREFIX);
	ret = fs_nl_transact(a->nl, nlh, NULL, NULL, &ack);
	if (!ret)
		return 0;
	if (ack.error) {
		snprintf(msg, msglen, "%s", ack.msg[0] ? ack.msg :
			 strerror(ack.error));
		return -ack.error;
	}
	snprintf(msg, msglen, "%s", strerror(-ret));
	fs_nl_close(a->nl);
	a->cnt.errors++;
	return ret;
}

static int pfx_add_op(void *ctx, const struct agent_pfx *p, char *msg,
		      size_t msglen)
{
	return pfx_op(ctx, FLOWSTREAM_CMD_ADD_PREFIX, p, msg, msglen);
}

static int pfx_del_op(void *ctx, const struct agent_pfx *p, char *msg,
		      size_t msglen)
{
	return pfx_op(ctx, FLOWSTREAM_CMD_DEL_PREFIX, p, msg, msglen);
}

static const struct agent_pfx_ops pfx_nl_ops = {
	.add = pfx_add_op,
	.del = pfx_del_op,
};

/* The monitored prefixes now (a GET_PREFIX dump): an HTTP status. */
static unsigned int pfx_current(struct agent *a, struct agent_pfx **v,
				size_t *n, char *err, size_t errlen)
{
	struct prefixes_args args = { .reset = false };
	struct pfx_dump d = { .n = 0 };
	unsigned int status;
	size_t i;

	*v = NULL;
	*n = 0;
	status = agent_nl(a, FLOWSTREAM_CMD_GET_PREFIX, true, put_prefixes,
			  &args, pfx_dump_msg, &d, err, errlen);
	if (status != MHD_HTTP_OK) {
		pfx_dump_free(&d);
		return status;
	}
	*v = calloc(d.n ? d.n : 1, sizeof(**v));
	if (!*v) {
		pfx_dump_free(&d);
		snprintf(err, errlen, "out of memory");
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	for (i = 0; i < d.n; i++) {
		(*v)[i].family = d.v[i].family;
		(*v)[i].len = d.v[i].len;
		(*v)[i].depth = d.v[i].depth;
		memcpy((*v)[i].addr, d.v[i].addr,
		       d.v[i].family == AF_INET ? 4 : 16);
	}
	*n = d.n;
	pfx_dump_free(&d);
	return MHD_HTTP_OK;
}

/*
 * The body {"prefixes": [{"prefix": "10.0.0.0/16", "depth": 8}, ...]}
 * is the whole set: what is not in it stops being monitored. 400 and
 * nothing changed for a body that is not that; 409 (the module refused,
 * a limit) or 503 with everything undone; 200 with the counts.
 */
static enum MHD_Result do_prefixes_put(struct agent *a,
				       struct MHD_Connection *conn,
				       struct req *rq)
{
	struct agent_pfx *want = NULL, *cur = NULL;
	struct agent_pfx_result res;
	size_t nwant, ncur;
	char err[512];
	unsigned int status;
	struct output *o;
	struct body b;
	int ret;

	if (rq->too_big) {
		a->cnt.pfx_sets[AGENT_PFX_INVALID]++;
		snprintf(err, sizeof(err), "body longer than %u bytes",
			 AGENT_BODY_MAX);
		return send_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, err);
	}
	if (rq->nomem)
		return send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "out of memory");
	ret = agent_pfx_parse(rq->buf ? rq->buf : "", rq->len, &want, &nwant,
			      err, sizeof(err));
	if (ret) {
		if (ret == -ENOMEM)
			return send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
					  err);
		a->cnt.pfx_sets[AGENT_PFX_INVALID]++;
		return send_error(conn, MHD_HTTP_BAD_REQUEST, err);
	}
	status = pfx_current(a, &cur, &ncur, err, sizeof(err));
	if (status != MHD_HTTP_OK) {
		a->cnt.pfx_sets[AGENT_PFX_FAILED]++;
		free(want);
		return send_error(conn, status, err);
	}
	ret = agent_pfx_apply(cur, ncur, want, nwant, &pfx_nl_ops, a, &res,
			      err, sizeof(err));
	free(cur);
	free(want);
	a->cnt.pfx_undo_failed += res.undo_failed;
	if (ret) {
		a->cnt.pfx_sets[AGENT_PFX_FAILED]++;
		fprintf(stderr, "flowctl agent: PUT /sampler/prefixes: %s\n",
			err);
		switch (-ret) {
		case EEXIST:
		case ENOSPC:
		case EINVAL:
		case ERANGE:
			status = MHD_HTTP_CONFLICT;
			break;
		default:
			status = MHD_HTTP_SERVICE_UNAVAILABLE;
		}
		return send_error(conn, status, err);
	}
	a->cnt.pfx_sets[AGENT_PFX_APPLIED]++;
	o = json_open(&b);
	if (!o)
		return MHD_NO;
	out_u64(o, "prefixes", NULL, nwant);
	out_u64(o, "added", NULL, res.added);
	out_u64(o, "removed", NULL, res.removed);
	out_u64(o, "kept", NULL, res.kept);
	return json_send(conn, MHD_HTTP_OK, o, &b, NULL);
}

/* --- routing ------------------------------------------------------------ */

static const struct {
	const char *path;
	enum method method;
	enum MHD_Result (*fn)(struct agent *a, struct MHD_Connection *conn,
			      struct req *rq);
} routes[] = {
	{ "/metrics",		M_GET,	do_metrics },
	{ "/status",		M_GET,	do_status },
	{ "/sampler",		M_GET,	do_sampler_get },
	{ "/sampler/reset",	M_POST,	do_sampler_reset },
	{ "/sampler/ack",	M_POST,	do_ack },
	{ "/sampler/prefixes",	M_PUT,	do_prefixes_put },
};

static enum MHD_Result route(struct agent *a, struct MHD_Connection *conn,
			     const char *url, enum method m, struct req *rq)
{
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(url, routes[i].path))
			continue;
		if (m == routes[i].method)
			return routes[i].fn(a, conn, rq);
		return send_error_allow(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
					"method not allowed here",
					routes[i].method == M_GET ?
					"GET, HEAD" : routes[i].method == M_PUT ?
					"PUT" : "POST");
	}
	return send_error(conn, MHD_HTTP_NOT_FOUND, "no such resource");
}

/* Allowed address, and the key if there is one; else why not. */
static int refusal(struct agent *a, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;
	const char *auth;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !agent_acl_allows(&a->opts->acl, ci->client_addr))
		return AGENT_REFUSED_ADDRESS;
	if (!a->key)
		return -1;
	auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					   MHD_HTTP_HEADER_AUTHORIZATION);
	if (!agent_auth_ok(a->key, a->keylen, auth))
		return AGENT_REFUSED_KEY;
	return -1;
}

static int marker;

/* Keep @len more bytes of the body, or note why not. */
static void req_append(struct req *rq, const char *data, size_t len)
{
	size_t cap;
	char *nb;

	if (rq->too_big || rq->nomem)
		return;
	if (len > AGENT_BODY_MAX - rq->len) {
		rq->too_big = true;
		return;
	}
	if (rq->len + len + 1 > rq->cap) {
		cap = rq->cap ? rq->cap : 4096;
		while (cap < rq->len + len + 1)
			cap *= 2;
		nb = realloc(rq->buf, cap);
		if (!nb) {
			rq->nomem = true;
			return;
		}
		rq->buf = nb;
		rq->cap = cap;
	}
	memcpy(rq->buf + rq->len, data, len);
	rq->len += len;
	rq->buf[rq->len] = '\0';
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct agent *a = cls;
	struct req *rq;
	enum method m;
	int why;

	(void)version;
	if (!*con_cls) {
		/* Headers are in: refuse now, before any body is read. */
		why = refusal(a, conn);
		if (why < 0) {
			rq = calloc(1, sizeof(*rq));
			if (!rq)
				return MHD_NO;
			*con_cls = rq;
			return MHD_YES;
		}
		*con_cls = &marker;
		a->cnt.requests++;
		a->cnt.refused[why]++;
		return send_error(conn, MHD_HTTP_FORBIDDEN,
				  why == AGENT_REFUSED_ADDRESS ?
				  "client address not allowed" :
				  "missing or wrong key");
	}
	if (*con_cls == &marker) {
		*upload_data_size = 0;	/* refused: the body is dropped */
		return MHD_YES;
	}
	rq = *con_cls;
	if (*upload_data_size) {
		/* Only a PUT's body is kept; others mean nothing. */
		if (!strcmp(method, MHD_HTTP_METHOD_PUT))
			req_append(rq, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	a->cnt.requests++;
	if (!strcmp(method, MHD_HTTP_METHOD_GET) ||
	    !strcmp(method, MHD_HTTP_METHOD_HEAD))
		m = M_GET;
	else if (!strcmp(method, MHD_HTTP_METHOD_POST))
		m = M_POST;
	else if (!strcmp(method, MHD_HTTP_METHOD_PUT))
		m = M_PUT;
	else
		m = M_OTHER;
	return route(a, conn, url, m, rq);
}

static void request_done(void *cls, struct MHD_Connection *conn,
			 void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct req *rq = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (rq && *con_cls != (void *)&marker) {
		free(rq->buf);
		free(rq);
	}
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("flowctl agent: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/*
 * Serve until SIGTERM or SIGINT (SIGHUP is ignored); returns an exit
 * status. Each request, on a kept-alive connection too, is checked. The
 * netlink socket (in @nl's namespace, if named) is opened by the caller
 * or on the first request.
 */
int agent_run(struct fs_nl *nl, const struct agent_opts *opts,
	      const char *key, size_t keylen)
{
	const struct sockaddr *sa = (const struct sockaddr *)&opts->listen;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD |
		MHD_USE_ERROR_LOG | MHD_USE_AUTO;
	struct agent a = {
		.nl = nl, .opts = opts, .key = key, .keylen = keylen,
	};
	struct MHD_Daemon *d;
	sigset_t set;
	uint16_t port;
	int sig;

	port = ntohs(sa->sa_family == AF_INET ?
		     ((const struct sockaddr_in *)sa)->sin_port :
		     ((const struct sockaddr_in6 *)sa)->sin6_port);
	/* [::] takes IPv4 too, as IPv4-mapped addresses. */
	if (sa->sa_family == AF_INET6)
		flags |= IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)sa)->sin6_addr) ?
			 MHD_USE_DUAL_STACK : MHD_USE_IPv6;
	/* The server's thread inherits the mask: signals come to sigwait(). */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(flags, port, NULL, NULL, handle, &a,
			     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
			     MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL,
			     MHD_OPTION_SOCK_ADDR, sa,
			     MHD_OPTION_CONNECTION_LIMIT, opts->max_conns,
			     MHD_OPTION_CONNECTION_TIMEOUT, opts->timeout_s,
			     MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "Error: cannot listen on %s\n",
			opts->listen_text);
		return 1;
	}
	fprintf(stderr, "flowctl agent: listening on %s\n", opts->listen_text);
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
		;
	MHD_stop_daemon(d);
	fprintf(stderr, "flowctl agent: stopped (%" PRIu64 " requests, %" PRIu64
		" refused)\n", a.cnt.requests,
		a.cnt.refused[AGENT_REFUSED_ADDRESS] +
		a.cnt.refused[AGENT_REFUSED_KEY]);
	return 0;
}
