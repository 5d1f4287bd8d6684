/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowctl agent: an HTTP server (libmicrohttpd) on a module host that
 * serves the namespace's counters in the Prometheus text format, the
 * prefix sampler's windows (read-and-reset) and a status document to the
 * balancer's controller. See Documentation/balancer.rst for the protocol.
 *
 * The parsing, access checks and formatting here do no I/O besides the
 * FILE they are given, so the unit tests call them directly.
 */
#ifndef FLOWCTL_AGENT_H
#define FLOWCTL_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

struct fs_status;
struct fs_nl;

#define AGENT_PROTOCOL		1
#define AGENT_DEFAULT_LISTEN	"127.0.0.1:9728"
#define AGENT_ALLOW_MAX		64
#define AGENT_KEY_MIN		16
#define AGENT_KEY_MAX		1024

/* One allowed client prefix. */
struct agent_net {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t len;			/* prefix length */
	uint8_t addr[16];		/* network byte order, host bits zero */
};

struct agent_acl {
	struct agent_net v[AGENT_ALLOW_MAX];
	size_t n;
};

struct agent_opts {
	struct sockaddr_storage listen;
	socklen_t listen_len;
	char listen_text[64];		/* as given, for logs and /status */
	struct agent_acl acl;		/* empty: localhost only */
	const char *key_file;		/* NULL: no key */
	unsigned int max_conns;
	unsigned int timeout_s;
};

/* Why a request was refused (a label of flowstream_agent_refused_total). */
enum agent_refusal {
	AGENT_REFUSED_ADDRESS,
	AGENT_REFUSED_KEY,
	AGENT_REFUSED_N,
};

/* How a PUT /sampler/prefixes ended (flowstream_agent_prefix_sets_total). */
enum agent_pfx_outcome {
	AGENT_PFX_APPLIED,		/* the set is the one asked for */
	AGENT_PFX_INVALID,		/* 400: bad body, nothing changed */
	AGENT_PFX_FAILED,		/* the module refused: undone */
	AGENT_PFX_OUTCOME_N,
};

/* The agent's own counters. */
struct agent_counters {
	uint64_t requests;		/* every request answered */
	uint64_t refused[AGENT_REFUSED_N];
	uint64_t errors;		/* module did not answer */
	uint64_t pfx_sets[AGENT_PFX_OUTCOME_N];
	uint64_t pfx_undo_failed;	/* changes an undo could not revert */
};

#define AGENT_BODY_MAX		(4u << 20)	/* the largest request body */
#define AGENT_PFX_MAX		65536		/* prefixes in one set */
#define AGENT_PFX_DEPTH_MAX	16		/* the sampler's deepest split */
#define AGENT_PFX_ERR_MAX	256

/* A prefix the sampler monitors: address with no bits past @len. */
struct agent_pfx {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t len;
	uint8_t depth;
	uint8_t addr[16];		/* network byte order, zero padded */
};

/* The module's operations: 0 or a negative errno with @msg set. */
struct agent_pfx_ops {
	int (*add)(void *ctx, const struct agent_pfx *p, char *msg,
		   size_t msglen);
	int (*del)(void *ctx, const struct agent_pfx *p, char *msg,
		   size_t msglen);
};

struct agent_pfx_result {
	size_t added;			/* prefixes added (or re-added at */
	size_t removed;			/* another depth) and removed */
	size_t kept;			/* wanted and already there */
	bool failed;			/* an operation failed: undone */
	size_t undo_failed;		/* undo operations that failed */
};

/* agent_acl.c */
int agent_parse_sockaddr(const char *arg, struct sockaddr_storage *ss,
			 socklen_t *len);
int agent_parse_listen(const char *arg, struct agent_opts *opts);
int agent_acl_add(struct agent_acl *acl, const char *arg);
void agent_acl_default(struct agent_acl *acl);
bool agent_acl_allows(const struct agent_acl *acl, const struct sockaddr *sa);
bool agent_key_equal(const char *key, size_t keylen, const char *given,
		     size_t givenlen);
bool agent_auth_ok(const char *key, size_t keylen, const char *header);
int agent_key_load(const char *path, char *key, size_t size, size_t *len);
int agent_parse_args(int argc, char **argv, struct agent_opts *opts);

/* agent_pfx.c */
int agent_pfx_parse(const char *body, size_t len, struct agent_pfx **v,
		    size_t *n, char *err, size_t errlen);
int agent_pfx_apply(const struct agent_pfx *cur, size_t ncur,
		    const struct agent_pfx *want, size_t nwant,
		    const struct agent_pfx_ops *ops, void *ctx,
		    struct agent_pfx_result *res, char *err, size_t errlen);
void agent_pfx_format(const struct agent_pfx *p, char *buf, size_t len);
struct bal_prefix;
void agent_pfx_prefix(const struct agent_pfx *p, struct bal_prefix *bp);
int agent_pfx_cmp(const void *a, const void *b);

/* agent_prom.c */
void prom_write(FILE *fp, const struct fs_status *st,
		const struct agent_counters *cnt);

/* agent_http.c */
int agent_run(struct fs_nl *nl, const struct agent_opts *opts,
	      const char *key, size_t keylen);

#endif /* FLOWCTL_AGENT_H */
