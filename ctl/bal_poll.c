// SPDX-License-Identifier: GPL-2.0
/*
 * The balancer controller's agent client (bal_poll.h): one libcurl easy
 * request per call, for our own agent only, and the sampler window's JSON.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <curl/curl.h>
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

/* --- HTTP (libcurl) ---------------------------------------------------- */

/* The body as it arrives, at most BAL_POLL_RESP_MAX bytes. */
struct resp_buf {
	char *data;
	size_t len, cap;
	bool nomem;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct resp_buf *r = arg;
	size_t len = size * n, cap;
	char *nd;

	if (len > BAL_POLL_RESP_MAX - r->len)
		return 0;	/* short: curl ends it, CURLE_WRITE_ERROR */
	if (r->len + len + 1 > r->cap) {
		cap = r->cap ? r->cap : 16384;
		while (cap < r->len + len + 1)
			cap *= 2;
		nd = realloc(r->data, cap);
		if (!nd) {
			r->nomem = true;
			return 0;
		}
		r->data = nd;
		r->cap = cap;
	}
	memcpy(r->data + r->len, p, len);
	r->len += len;
	r->data[r->len] = '\0';
	return len;
}

/* "http://ADDR:PORT" for @sa (IPv6 in brackets): 0, or -EAFNOSUPPORT. */
static int base_url(const struct sockaddr *sa, socklen_t salen, char *buf,
		    size_t size, long *scope)
{
	char a[INET6_ADDRSTRLEN];

	*scope = 0;
	if (sa->sa_family == AF_INET &&
	    salen >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s4 = (const void *)sa;

		if (!inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a)))
			return -EAFNOSUPPORT;
		snprintf(buf, size, "http://%s:%u", a, ntohs(s4->sin_port));
		return 0;
	}
	if (sa->sa_family == AF_INET6 &&
	    salen >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		if (!inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a)))
			return -EAFNOSUPPORT;
		snprintf(buf, size, "http://[%s]:%u", a, ntohs(s6->sin6_port));
		*scope = s6->sin6_scope_id;
		return 0;
	}
	return -EAFNOSUPPORT;
}

static enum bal_poll_err map_curl(CURLcode c, const struct resp_buf *r)
{
	switch (c) {
	case CURLE_OK:
		return BAL_POLL_OK;
	case CURLE_OPERATION_TIMEDOUT:
		return BAL_POLL_TIMEOUT;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_INTERFACE_FAILED:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
		return BAL_POLL_CONNECT;
	case CURLE_OUT_OF_MEMORY:
		return BAL_POLL_NOMEM;
	case CURLE_WRITE_ERROR:
		return r->nomem ? BAL_POLL_NOMEM : BAL_POLL_GARBAGE;
	default:
		/* Not HTTP (HTTP/0.9 is refused), a bad status line or
		 * header, a short body, nothing at all, too long.
		 */
		return BAL_POLL_GARBAGE;
	}
}

/* Plain HTTP only, also after a redirect (none are followed): 0 or not. */
static int http_only(CURL *c)
{
#if LIBCURL_VERSION_NUM >= 0x075500
	return curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http") ||
	       curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http");
#else
	return curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTP) ||
	       curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS,
				(long)CURLPROTO_HTTP);
#endif
}

enum bal_poll_err bal_http_request(const struct sockaddr *sa, socklen_t salen,
				   const char *method, const char *path,
				   const char *key, unsigned int timeout_ms,
				   int *status, char **body, size_t *bodylen)
{
	return bal_http_send(sa, salen, method, path, key, NULL, timeout_ms,
			     status, body, bodylen);
}

enum bal_poll_err bal_http_send(const struct sockaddr *sa, socklen_t salen,
				const char *method, const char *path,
				const char *key, const char *json,
				unsigned int timeout_ms, int *status,
				char **body, size_t *bodylen)
{
	struct resp_buf r = { 0 };
	struct curl_slist *hdrs = NULL, *h;
	enum bal_poll_err e = BAL_POLL_NOMEM;
	char base[80], *url = NULL, *auth = NULL;
	long code = 0, scope;
	CURL *c = NULL;
	CURLcode cr;

	*body = NULL;
	*bodylen = 0;
	*status = 0;
	if (base_url(sa, salen, base, sizeof(base), &scope))
		return BAL_POLL_CONNECT;
	if (asprintf(&url, "%s%s", base, path) < 0) {
		url = NULL;
		goto out;
	}
	if (key && asprintf(&auth, "Authorization: Bearer %s", key) < 0) {
		auth = NULL;
		goto out;
	}
	/* Our agent's name, not the address; no form content type for an
	 * empty POST; the key when there is one.
	 */
	h = curl_slist_append(hdrs, "Host: flowstream-agent");
	if (!h)
		goto out;
	hdrs = h;
	h = curl_slist_append(hdrs, json ? "Content-Type: application/json" :
			      "Content-Type:");
	if (!h)
		goto out;
	hdrs = h;
	if (auth) {
		h = curl_slist_append(hdrs, auth);
		if (!h)
			goto out;
		hdrs = h;
	}
	c = curl_easy_init();
	if (!c)
		goto out;
	if (curl_easy_setopt(c, CURLOPT_URL, url) || http_only(c) ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) ||
	    curl_easy_setopt(c, CURLOPT_NOPROXY, "*") ||
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) ||
	    curl_easy_setopt(c, CURLOPT_HTTP_VERSION,
			     (long)CURL_HTTP_VERSION_1_0) ||
	    curl_easy_setopt(c, CURLOPT_HTTP09_ALLOWED, 0L) ||
	    curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L) ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms) ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms) ||
	    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
			     (curl_off_t)BAL_POLL_RESP_MAX) ||
	    curl_easy_setopt(c, CURLOPT_USERAGENT, "flowctl-balance") ||
	    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs) ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data) ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r) ||
	    (scope && curl_easy_setopt(c, CURLOPT_ADDRESS_SCOPE, scope)))
		goto out;
	if (json || !strcmp(method, "POST")) {
		/* A body (a PUT's too: sent as POSTFIELDS, method replaced). */
		if (curl_easy_setopt(c, CURLOPT_POST, 1L) ||
		    curl_easy_setopt(c, CURLOPT_POSTFIELDS, json ? json : "") ||
		    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE,
				     json ? (long)strlen(json) : 0L) ||
		    (strcmp(method, "POST") &&
		     curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method)))
			goto out;
	} else if (strcmp(method, "GET")) {
		if (curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method))
			goto out;
	}
	cr = curl_easy_perform(c);
	e = map_curl(cr, &r);
	if (e)
		goto out;
	if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) ||
	    code < 100 || code > 999) {
		e = BAL_POLL_GARBAGE;
		goto out;
	}
	if (!r.data) {	/* an empty body */
		r.data = calloc(1, 1);
		if (!r.data) {
			e = BAL_POLL_NOMEM;
			goto out;
		}
	}
	*status = (int)code;
	*body = r.data;
	*bodylen = r.len;
	r.data = NULL;
out:
	curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	free(auth);
	free(url);
	free(r.data);
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
	struct json_object *root, *win, *pfxs, *pfx, *subs, *m;
	struct json_tokener *tok;
	uint64_t start, end, pstart;
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
	n = json_object_array_length(pfxs);
	for (i = 0; i < n; i++) {
		pfx = json_object_array_get_idx(pfxs, i);
		if (!json_object_is_type(pfx, json_type_object) ||
		    !json_object_object_get_ex(pfx, "subprefixes", &subs) ||
		    !json_object_is_type(subs, json_type_array))
			goto out;
		/* A prefix added during the window counts from then on: its
		 * rate is over the time it was monitored.
		 */
		pstart = start;
		if (json_object_object_get_ex(pfx, "window_start_ms", &m) &&
		    (!get_uint(pfx, "window_start_ms", &pstart) ||
		     pstart < start || pstart > end))
			goto out;
		scale = 1000.0 / (double)(end - pstart ? end - pstart : 1);
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
