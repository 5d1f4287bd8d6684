/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The balancer controller's side of the agent protocol
 * (Documentation/balancer.rst, "The agent"): requests to our own agent
 * through libcurl's easy interface (HTTP only, no proxy, one request per
 * connection, a deadline, a bounded response), and the parsing of a
 * sampler window into per-prefix rates. The caller runs
 * curl_global_init() before the first request and curl_global_cleanup()
 * at the end (bal_run() does).
 * Everything read from the network is untrusted: the parsers check every
 * field and fail cleanly.
 */
#ifndef FLOWCTL_BAL_POLL_H
#define FLOWCTL_BAL_POLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "balance.h"

#define BAL_POLL_RESP_MAX	(64u << 20)	/* the largest response read */
#define BAL_POLL_SAMPLES_MAX	(1u << 20)	/* sub-prefixes per window */
#define BAL_POLL_EST_MAX	((uint64_t)1 << 53)	/* an estimate */

/* Why a poll failed (a label of the controller's counters). */
enum bal_poll_err {
	BAL_POLL_OK,
	BAL_POLL_CONNECT,	/* no connection (refused, unreachable) */
	BAL_POLL_TIMEOUT,	/* the deadline passed */
	BAL_POLL_STATUS,	/* an HTTP status other than 200 */
	BAL_POLL_GARBAGE,	/* not HTTP, not the protocol's JSON */
	BAL_POLL_NOMEM,
	BAL_POLL_ERR_N,
};

const char *bal_poll_err_name(enum bal_poll_err e);

/* What the controller measures: estimated packets or bytes. */
enum bal_metric {
	BAL_METRIC_PACKETS,
	BAL_METRIC_BYTES,
};

/**
 * struct bal_sample - one sub-prefix's traffic in a window
 * @prefix: the sub-prefix
 * @rate: its estimated packets (or bytes) per second
 */
struct bal_sample {
	struct bal_prefix prefix;
	double rate;
};

/**
 * struct bal_window - a sampler window read from an agent
 * @number: the window's number (for the acknowledgment)
 * @duration_ms: its length (end_ms - start_ms, at least 1)
 * @samples: the sub-prefixes with traffic, in the agent's order
 * @nsamples: how many
 */
struct bal_window {
	uint64_t number;
	uint64_t duration_ms;
	struct bal_sample *samples;
	size_t nsamples;
};

void bal_window_free(struct bal_window *w);

/**
 * bal_window_parse() - read the JSON of POST /sampler/reset
 * @body: the body
 * @len: its length
 * @metric: packets or bytes
 * @w: filled (freed with bal_window_free(), also on failure)
 *
 * Sub-prefixes with no traffic are left out. A window shorter than 1 ms
 * counts as 1 ms. A prefix's rates are over its own window_start_ms
 * (when it was added during the window; within the window, else
 * -EBADMSG) to the window's end.
 *
 * Return: 0, -EBADMSG (malformed, a field missing or out of range, more
 * than BAL_POLL_SAMPLES_MAX sub-prefixes, an estimate above
 * BAL_POLL_EST_MAX), -ENOMEM.
 */
int bal_window_parse(const char *body, size_t len, enum bal_metric metric,
		     struct bal_window *w);

/**
 * bal_http_request() - one request to an agent (libcurl, HTTP/1.0)
 * @sa: the agent's address (AF_INET or AF_INET6)
 * @salen: its size
 * @method: "GET" or "POST" (with an empty body)
 * @path: the path and query
 * @key: the shared key (NULL: none)
 * @timeout_ms: the deadline for the whole exchange
 * @status: set to the HTTP status
 * @body: set to a malloc()ed, NUL-terminated copy of the body (at most
 *	BAL_POLL_RESP_MAX bytes; NULL on failure)
 * @bodylen: set to its length
 *
 * Return: BAL_POLL_OK (whatever the status), or why it failed: CONNECT
 * (no connection, a send or receive error), TIMEOUT (@timeout_ms
 * passed), GARBAGE (not HTTP, a short or oversized body), NOMEM.
 */
enum bal_poll_err bal_http_request(const struct sockaddr *sa, socklen_t salen,
				   const char *method, const char *path,
				   const char *key, unsigned int timeout_ms,
				   int *status, char **body, size_t *bodylen);

/**
 * bal_http_send() - bal_http_request() with a JSON body
 * @sa: the agent's address
 * @salen: its size
 * @method: "PUT" or "POST"
 * @path: the path and query
 * @key: the shared key (NULL: none)
 * @json: the body, NUL-terminated (Content-Type: application/json);
 *	NULL: an empty body, as bal_http_request()
 * @timeout_ms: the deadline for the whole exchange
 * @status: set to the HTTP status
 * @body: set to the response body (as bal_http_request())
 * @bodylen: set to its length
 *
 * Return: as bal_http_request().
 */
enum bal_poll_err bal_http_send(const struct sockaddr *sa, socklen_t salen,
				const char *method, const char *path,
				const char *key, const char *json,
				unsigned int timeout_ms, int *status,
				char **body, size_t *bodylen);

/**
 * bal_poll_window() - read-and-reset an agent's sampler window, and
 *	acknowledge it
 * @sa: the agent's address
 * @salen: its size
 * @key: the shared key (NULL: none)
 * @timeout_ms: the deadline of each request
 * @metric: packets or bytes
 * @w: the window (freed with bal_window_free())
 * @ack_failed: set when the acknowledgment failed (the window was
 *	read; the agent drops it at the next reset anyway)
 *
 * Return: BAL_POLL_OK or why it failed.
 */
enum bal_poll_err bal_poll_window(const struct sockaddr *sa, socklen_t salen,
				  const char *key, unsigned int timeout_ms,
				  enum bal_metric metric, struct bal_window *w,
				  bool *ack_failed);

#endif /* FLOWCTL_BAL_POLL_H */
