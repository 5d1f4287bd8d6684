// SPDX-License-Identifier: GPL-2.0
/*
 * The balancer controller's agent client (bal_poll.h): HTTP/1.0 over a
 * plain socket, for our own agent only, and the sampler window's JSON.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bal_poll.h"

static const char *const err_names[BAL_POLL_ERR_N] = {
	[BAL_POLL_OK] = "ok",
	[BAL_POLL_CONNECT] = "connect",
	[BAL_POLL_TIMEOUT] = "timeout",
	[BAL_POLL_STATUS] = "status",
	[BAL_POLL_GARBAGE] = "garbage",
	[BAL_POLL_NOMEM] = "nomem",
};

const char *bal_poll_err_name(enum bal_poll_err e)
{
	return (unsigned int)e < BAL_POLL_ERR_N ? err_names[e] : "?";
}

void bal_window_free(struct bal_window *w)
{
	free(w->samples);
	memset(w, 0, sizeof(*w));
}

/* --- HTTP ------------------------------------------------------------- */

static const char *find(const char *s, size_t len, const char *what)
{
	return memmem(s, len, what, strlen(what));
}

int bal_http_parse(const char *resp, size_t len, int *status,
		   const char **body, size_t *bodylen)
{
	const char *end, *line, *eol;
	unsigned long long clen = 0;
	bool has_clen = false;
	char num[24];
	size_t n, i;

	end = find(resp, len, "\r\n\r\n");
	if (!end || len < 12 || memcmp(resp, "HTTP/1.", 7) ||
	    (resp[7] != '0' && resp[7] != '1') || resp[8] != ' ')
		return -EBADMSG;
	for (i = 9; i < 12; i++)
		if (resp[i] < '0' || resp[i] > '9')
			return -EBADMSG;
	if (len > 12 && resp[12] != ' ' && resp[12] != '\r')
		return -EBADMSG;
	*status = (resp[9] - '0') * 100 + (resp[10] - '0') * 10 +
		  (resp[11] - '0');
	/* Headers: only Content-Length matters. */
	line = find(resp, end + 2 - resp, "\r\n") + 2;
	while (line < end + 2) {
		eol = find(line, end + 2 - line, "\r\n");
		n = eol - line;
		if (n >= 15 && !strncasecmp(line, "Content-Length:", 15)) {
			const char *v = line + 15;
			size_t vn = n - 15;

			while (vn && (*v == ' ' || *v == '\t')) {
				v++;
				vn--;
			}
			while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
				vn--;
			if (!vn || vn >= sizeof(num) || has_clen)
				return -EBADMSG;
			for (i = 0; i < vn; i++)
				if (v[i] < '0' || v[i] > '9')
					return -EBADMSG;
			memcpy(num, v, vn);
			num[vn] = '\0';
			errno = 0;
			clen = strtoull(num, NULL, 10);
			if (errno)
				return -EBADMSG;
			has_clen = true;
		}
		line = eol + 2;
	}
	*body = end + 4;
	*bodylen = len - (end + 4 - resp);
	if (has_clen) {
		if (clen > *bodylen)
			return -EBADMSG;
		*bodylen = clen;
	}
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for @events on @fd until @deadline: 0, or a bal_poll_err. */
static enum bal_poll_err wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int64_t left;
	int r;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return BAL_POLL_TIMEOUT;
		r = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0)
			return BAL_POLL_OK;
		if (r < 0 && errno != EINTR)
			return BAL_POLL_CONNECT;
	}
}

enum bal_poll_err bal_http_request(const struct sockaddr *sa, socklen_t salen,
				   const char *method, const char *path,
				   const char *key, unsigned int timeout_ms,
				   int *status, char **body, size_t *bodylen)
{
	int64_t deadline = now_ms() + timeout_ms;
	enum bal_poll_err e = BAL_POLL_CONNECT;
	size_t len = 0, cap = 0, off = 0, reqlen;
	char *req = NULL, *buf = NULL, *nb;
	const char *b;
	socklen_t sl;
	int fd, so;
	ssize_t r;

	*body = NULL;
	*bodylen = 0;
	if (asprintf(&req, "%s %s HTTP/1.0\r\nHost: flowstream-agent\r\n"
		     "User-Agent: flowctl-balance\r\n%s%s%sContent-Length: 0\r\n\r\n",
		     method, path, key ? "Authorization: Bearer " : "",
		     key ? key : "", key ? "\r\n" : "") < 0)
		return BAL_POLL_NOMEM;
	reqlen = strlen(req);
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		goto out;
	if (connect(fd, sa, salen) && errno != EINPROGRESS)
		goto out;
	e = wait_fd(fd, POLLOUT, deadline);
	if (e)
		goto out;
	sl = sizeof(so);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &sl) || so) {
		e = BAL_POLL_CONNECT;
		goto out;
	}
	while (off < reqlen) {
		r = send(fd, req + off, reqlen - off, MSG_NOSIGNAL);
		if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
			e = wait_fd(fd, POLLOUT, deadline);
			if (e)
				goto out;
			continue;
		}
		if (r <= 0) {
			e = BAL_POLL_CONNECT;
			goto out;
		}
		off += r;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			if (cap >= BAL_POLL_RESP_MAX) {
				e = BAL_POLL_GARBAGE;	/* too long */
				goto out;
			}
			cap = cap ? cap * 2 : 16384;
			nb = realloc(buf, cap);
			if (!nb) {
				e = BAL_POLL_NOMEM;
				goto out;
			}
			buf = nb;
		}
		r = recv(fd, buf + len, cap - len - 1, 0);
		if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
			e = wait_fd(fd, POLLIN, deadline);
			if (e)
				goto out;
			continue;
		}
		/* A reset after a response (a server that closed without
		 * reading all we sent) ends it like a close.
		 */
		if (r < 0 && errno == ECONNRESET && len)
			break;
		if (r < 0) {
			e = BAL_POLL_CONNECT;
			goto out;
		}
		if (!r)
			break;
		len += r;
	}
	if (!buf || bal_http_parse(buf, len, status, &b, bodylen)) {
		e = BAL_POLL_GARBAGE;
		goto out;
	}
	memmove(buf, b, *bodylen);
	buf[*bodylen] = '\0';
	*body = buf;
	buf = NULL;
	e = BAL_POLL_OK;
out:
	if (fd >= 0)
		close(fd);
	free(req);
	free(buf);
	return e;
}

/* --- the window's JSON ------------------------------------------------ */

/* An unsigned integer member of @o: true and *@v, or false. */
static bool get_uint(struct json_object *o, const char *key, uint64_t *v)
{
	struct json_object *m;

	if (!json_object_object_get_ex(o, key, &m) ||
	    !json_object_is_type(m, json_type_int))
		return false;
	errno = 0;
	if (json_object_get_int64(m) < 0)
		return false;
	*v = json_object_get_uint64(m);
	return !errno;
}

static int add_sub(struct json_object *sub, const char *field, double scale,
		   struct bal_window *w, size_t *cap)
{
	struct json_object *m;
	struct bal_sample *ns;
	struct bal_prefix p;
	uint64_t est;

	if (!json_object_is_type(sub, json_type_object) ||
	    !json_object_object_get_ex(sub, "prefix", &m) ||
	    !json_object_is_type(m, json_type_string) ||
	    bal_prefix_parse(json_object_get_string(m), &p) ||
	    !get_uint(sub, field, &est))
		return -EBADMSG;
	if (est > BAL_POLL_EST_MAX)
		return -EBADMSG;
	if (!est)
		return 0;
	if (w->nsamples == BAL_POLL_SAMPLES_MAX)
		return -EBADMSG;
	if (w->nsamples == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		ns = realloc(w->samples, *cap * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		w->samples = ns;
	}
	w->samples[w->nsamples].prefix = p;
	w->samples[w->nsamples].rate = (double)est * scale;
	w->nsamples++;
	return 0;
}

int bal_window_parse(const char *body, size_t len, enum bal_metric metric,
		     struct bal_window *w)
{
	const char *field = metric == BAL_METRIC_BYTES ? "bytes" : "packets";
	struct json_object *root, *win, *pfxs, *pfx, *subs;
	struct json_tokener *tok;
	uint64_t start, end;
	size_t i, j, n, ns, cap = 0;
	double scale;
	int ret = -EBADMSG;

	memset(w, 0, sizeof(*w));
	if (len > BAL_POLL_RESP_MAX)
		return -EBADMSG;
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, body, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		json_tokener_free(tok);
		json_object_put(root);
		return -EBADMSG;
	}
	json_tokener_free(tok);
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "window", &win) ||
	    !json_object_is_type(win, json_type_object) ||
	    !get_uint(win, "number", &w->number) || !w->number ||
	    !get_uint(win, "start_ms", &start) ||
	    !get_uint(win, "end_ms", &end) || end < start ||
	    !json_object_object_get_ex(root, "prefixes", &pfxs) ||
	    !json_object_is_type(pfxs, json_type_array))
		goto out;
	w->duration_ms = end - start ? end - start : 1;
	scale = 1000.0 / (double)w->duration_ms;
	n = json_object_array_length(pfxs);
	for (i = 0; i < n; i++) {
		pfx = json_object_array_get_idx(pfxs, i);
		if (!json_object_is_type(pfx, json_type_object) ||
		    !json_object_object_get_ex(pfx, "subprefixes", &subs) ||
		    !json_object_is_type(subs, json_type_array))
			goto out;
		ns = json_object_array_length(subs);
		for (j = 0; j < ns; j++) {
			ret = add_sub(json_object_array_get_idx(subs, j), field,
				      scale, w, &cap);
			if (ret)
				goto out;
		}
	}
	ret = 0;
out:
	json_object_put(root);
	if (ret)
		bal_window_free(w);
	return ret;
}

/* --- the poll --------------------------------------------------------- */

enum bal_poll_err bal_poll_window(const struct sockaddr *sa, socklen_t salen,
				  const char *key, unsigned int timeout_ms,
				  enum bal_metric metric, struct bal_window *w,
				  bool *ack_failed)
{
	enum bal_poll_err e;
	char path[64], *body;
	size_t len;
	int status, r;

	memset(w, 0, sizeof(*w));
	*ack_failed = false;
	e = bal_http_request(sa, salen, "POST", "/sampler/reset", key,
			     timeout_ms, &status, &body, &len);
	if (e)
		return e;
	if (status != 200) {
		free(body);
		return BAL_POLL_STATUS;
	}
	r = bal_window_parse(body, len, metric, w);
	free(body);
	if (r)
		return r == -ENOMEM ? BAL_POLL_NOMEM : BAL_POLL_GARBAGE;
	snprintf(path, sizeof(path), "/sampler/ack?window=%llu",
		 (unsigned long long)w->number);
	e = bal_http_request(sa, salen, "POST", path, key, timeout_ms, &status,
			     &body, &len);
	free(body);
	*ack_failed = e || status != 200;
	return BAL_POLL_OK;
}
