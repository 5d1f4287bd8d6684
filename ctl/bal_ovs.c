// SPDX-License-Identifier: GPL-2.0
/*
 * The prefix load balancer's switch side (bal_ovs.h): the configuration
 * file, the OpenFlow rules of an assignment and their installation on
 * Open vSwitch through ovs-ofctl and ovs-vsctl, run with posix_spawnp()
 * and fed on pipes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "agent.h"
#include "bal_ovs.h"
#include "parse.h"

extern char **environ;

/* Text buffer */

/* Room for @n more bytes and the NUL; false (and b->oom) without memory. */
static bool buf_grow(struct bal_buf *b, size_t n)
{
	size_t cap;
	char *s;

	if (b->oom)
		return false;
	if (b->s && b->len + n + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	s = realloc(b->s, cap);
	if (!s) {
		b->oom = true;
		return false;
	}
	b->s = s;
	b->cap = cap;
	return true;
}

void bal_buf_printf(struct bal_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (!buf_grow(b, n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += n;
}

static void buf_add(struct bal_buf *b, const char *p, size_t n)
{
	if (!buf_grow(b, n))
		return;
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void bal_buf_free(struct bal_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* Configuration */

static int cfg_err(char *err, size_t errlen, const char *name,
		   unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int cfg_err(char *err, size_t errlen, const char *name,
		   unsigned int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(err, errlen, "%s:%u: %s", name, line, msg);
	else
		snprintf(err, errlen, "%s: %s", name, msg);
	return -EINVAL;
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= BAL_OVS_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' ||
		      *s == '.'))
			return false;
	return true;
}

static const char *const track_fields[] = {
	"ip_src", "ip_dst", "nw_src", "nw_dst", "ipv6_src", "ipv6_dst",
};

/* "none", or one to three known fields, comma-separated, none twice. */
static bool prefixes_ok(const char *s)
{
	char buf[BAL_OVS_NAME_MAX], *tok, *save;
	unsigned int n = 0, seen = 0, i;

	if (!strcmp(s, "none"))
		return true;
	if (strlen(s) >= sizeof(buf) || !*s || s[strlen(s) - 1] == ',')
		return false;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(track_fields) / sizeof(track_fields[0]); i++)
			if (!strcmp(tok, track_fields[i]))
				break;
		if (i == sizeof(track_fields) / sizeof(track_fields[0]))
			return false;
		i = i < 4 ? i % 2 : i;	/* ip_src is nw_src */
		if (seen & (1u << i) || ++n > 3)
			return false;
		seen |= 1u << i;
	}
	return n > 0 && !strstr(s, ",,");
}

static int get_u64(const char *arg, uint64_t max, uint64_t *v,
		   const char *what, char *err, size_t errlen,
		   const char *name, unsigned int line)
{
	enum parse_err e = parse_uint(arg, max, v);
	char msg[256];

	if (e == PARSE_OK)
		return 0;
	parse_errmsg(msg, sizeof(msg), what, arg, e, max);
	return cfg_err(err, errlen, name, line, "%s", msg);
}

static int get_double(const char *arg, double min, double max, double *v,
		      const char *what, char *err, size_t errlen,
		      const char *name, unsigned int line)
{
	char *end;

	errno = 0;
	*v = strtod(arg, &end);
	if (!*arg || *end || errno || !isfinite(*v) || *v < min || *v > max)
		return cfg_err(err, errlen, name, line,
			       "invalid %s \"%s\" (%g to %g)", what, arg, min,
			       max);
	return 0;
}

#define NWORDS 8

static int cfg_line(struct bal_ovs_config *cfg, char **w, int n,
		    const char *name, unsigned int line, char *err,
		    size_t errlen)
{
	struct bal_ovs_host *h;
	struct bal_prefix p;
	uint64_t v, port, cap = 1;
	size_t i;
	int r;

#define WANT(k) do { if (n != (k)) return cfg_err(err, errlen, name, line, \
	"\"%s\" takes %d argument%s", w[0], (k) - 1, (k) == 2 ? "" : "s"); } while (0)
	if (!strcmp(w[0], "bridge")) {
		WANT(2);
		if (!name_ok(w[1]))
			return cfg_err(err, errlen, name, line,
				       "invalid bridge name \"%s\"", w[1]);
		strcpy(cfg->bridge, w[1]);
	} else if (!strcmp(w[0], "client-port") ||
		   !strcmp(w[0], "server-port")) {
		WANT(2);
		if (get_u64(w[1], BAL_OVS_PORT_MAX, &v, "port", err, errlen,
			    name, line))
			return -EINVAL;
		if (!v)
			return cfg_err(err, errlen, name, line,
				       "port 0 is not an OpenFlow port");
		if (w[0][0] == 'c')
			cfg->client_port = v;
		else
			cfg->server_port = v;
	} else if (!strcmp(w[0], "key")) {
		WANT(2);
		if (!strcmp(w[1], "src"))
			cfg->key = BAL_OVS_KEY_SRC;
		else if (!strcmp(w[1], "dst"))
			cfg->key = BAL_OVS_KEY_DST;
		else
			return cfg_err(err, errlen, name, line,
				       "key is \"src\" or \"dst\", not \"%s\"",
				       w[1]);
	} else if (!strcmp(w[0], "cookie-tag")) {
		WANT(2);
		if (get_u64(w[1], UINT32_MAX, &v, "cookie tag", err, errlen,
			    name, line))
			return -EINVAL;
		if (!v)
			return cfg_err(err, errlen, name, line,
				       "the cookie tag must not be 0");
		cfg->tag = v;
	} else if (!strcmp(w[0], "priority")) {
		WANT(2);
		if (get_u64(w[1], BAL_OVS_PRIO_MAX, &v, "priority", err,
			    errlen, name, line))
			return -EINVAL;
		cfg->priority = v;
	} else if (!strcmp(w[0], "table")) {
		WANT(2);
		if (get_u64(w[1], 254, &v, "table", err, errlen, name, line))
			return -EINVAL;
		cfg->table = v;
	} else if (!strcmp(w[0], "prefix-tracking")) {
		WANT(2);
		if (!strcmp(w[1], "auto")) {
			cfg->prefixes[0] = '\0';
		} else if (prefixes_ok(w[1])) {
			strcpy(cfg->prefixes, w[1]);
		} else {
			return cfg_err(err, errlen, name, line,
				       "prefix-tracking is auto, none or up to 3 of ip_src, ip_dst, ipv6_src, ipv6_dst, not \"%s\"",
				       w[1]);
		}
	} else if (!strcmp(w[0], "max-imbalance")) {
		WANT(2);
		return get_double(w[1], 1, 100, &cfg->bal.max_imbalance,
				  "maximum imbalance", err, errlen, name, line);
	} else if (!strcmp(w[0], "target")) {
		WANT(2);
		return get_double(w[1], 1, 100, &cfg->bal.target, "target",
				  err, errlen, name, line);
	} else if (!strcmp(w[0], "chunk")) {
		WANT(2);
		return get_double(w[1], 0, 1000, &cfg->bal.chunk,
				  "chunk threshold", err, errlen, name, line);
	} else if (!strcmp(w[0], "default-host")) {
		WANT(2);
		if (get_u64(w[1], UINT32_MAX, &v, "host id", err, errlen, name,
			    line))
			return -EINVAL;
		cfg->bal.default_host = v;
		cfg->bal.has_default_host = true;
	} else if (!strcmp(w[0], "host")) {
		/* host ID port N [capacity C] [agent ADDR:PORT] */
		struct sockaddr_storage ss;
		socklen_t sl = 0;
		int k, agent = 0, capacity = 0;

		if ((n != 4 && n != 6 && n != 8) || strcmp(w[2], "port"))
			return cfg_err(err, errlen, name, line,
				       "\"host ID port N [capacity C] [agent ADDR:PORT]\"");
		if (get_u64(w[1], UINT32_MAX, &v, "host id", err, errlen, name,
			    line) ||
		    get_u64(w[3], BAL_OVS_PORT_MAX, &port, "port", err, errlen,
			    name, line))
			return -EINVAL;
		for (k = 4; k < n; k += 2) {
			if (!strcmp(w[k], "capacity") && !capacity) {
				if (get_u64(w[k + 1], UINT32_MAX, &cap,
					    "capacity", err, errlen, name, line))
					return -EINVAL;
				capacity = 1;
			} else if (!strcmp(w[k], "agent") && !agent) {
				if (agent_parse_sockaddr(w[k + 1], &ss, &sl) ||
				    strlen(w[k + 1]) >= sizeof(h->agent_text))
					return cfg_err(err, errlen, name, line,
						       "invalid agent address \"%s\" (ADDR:PORT or [ADDR6]:PORT)",
						       w[k + 1]);
				agent = k + 1;
			} else {
				return cfg_err(err, errlen, name, line,
					       "\"host ID port N [capacity C] [agent ADDR:PORT]\"");
			}
		}
		if (!port || !cap)
			return cfg_err(err, errlen, name, line,
				       "a host's port and capacity are not 0");
		for (i = 0; i < cfg->nhosts; i++) {
			if (cfg->hosts[i].id == v)
				return cfg_err(err, errlen, name, line,
					       "host %" PRIu64 " given twice", v);
			if (cfg->hosts[i].port == port)
				return cfg_err(err, errlen, name, line,
					       "port %" PRIu64 " is host %u's",
					       port, cfg->hosts[i].id);
		}
		if (cfg->nhosts == BAL_OVS_HOSTS_MAX)
			return cfg_err(err, errlen, name, line,
				       "more than %d hosts", BAL_OVS_HOSTS_MAX);
		h = realloc(cfg->hosts, (cfg->nhosts + 1) * sizeof(*h));
		if (!h)
			return cfg_err(err, errlen, name, line, "out of memory");
		cfg->hosts = h;
		h[cfg->nhosts].id = v;
		h[cfg->nhosts].port = port;
		h[cfg->nhosts].capacity = cap;
		h[cfg->nhosts].agent_len = 0;
		h[cfg->nhosts].agent_text[0] = '\0';
		if (agent) {
			h[cfg->nhosts].agent = ss;
			h[cfg->nhosts].agent_len = sl;
			strcpy(h[cfg->nhosts].agent_text, w[agent]);
		}
		cfg->nhosts++;
	} else if (!strcmp(w[0], "agent-key-file")) {
		WANT(2);
		if (strlen(w[1]) >= sizeof(cfg->agent_key_file))
			return cfg_err(err, errlen, name, line,
				       "file name longer than %zu characters",
				       sizeof(cfg->agent_key_file) - 1);
		strcpy(cfg->agent_key_file, w[1]);
	} else if (!strcmp(w[0], "sampler-push")) {
		WANT(2);
		if (!strcmp(w[1], "on"))
			cfg->smp_push = true;
		else if (!strcmp(w[1], "off"))
			cfg->smp_push = false;
		else
			return cfg_err(err, errlen, name, line,
				       "sampler-push is on or off, not \"%s\"",
				       w[1]);
	} else if (!strcmp(w[0], "sampler-depth")) {
		WANT(2);
		if (get_u64(w[1], 16, &v, "sampler depth", err, errlen, name,
			    line))
			return -EINVAL;
		cfg->smp_depth = v;
	} else if (!strcmp(w[0], "sampler-default")) {
		struct bal_smp_default *d;

		/* sampler-default PREFIX [depth N] */
		if ((n != 2 && n != 4) || (n == 4 && strcmp(w[2], "depth")))
			return cfg_err(err, errlen, name, line,
				       "\"sampler-default PREFIX [depth N]\"");
		if (cfg->nsmp_defaults == BAL_SMP_DEFAULTS_MAX)
			return cfg_err(err, errlen, name, line,
				       "more than %d sampler-default lines",
				       BAL_SMP_DEFAULTS_MAX);
		d = &cfg->smp_defaults[cfg->nsmp_defaults];
		if (bal_prefix_parse(w[1], &d->prefix))
			return cfg_err(err, errlen, name, line,
				       "invalid prefix \"%s\"", w[1]);
		v = 0;
		if (n == 4 && get_u64(w[3], 16, &v, "sampler depth", err,
				      errlen, name, line))
			return -EINVAL;
		if (d->prefix.len + v > (d->prefix.family == AF_INET ? 32u : 128u))
			return cfg_err(err, errlen, name, line,
				       "depth %" PRIu64 " too deep for a /%u", v,
				       d->prefix.len);
		d->depth = v;
		for (i = 0; i < cfg->nsmp_defaults; i++)
			if (bal_prefix_overlap(&cfg->smp_defaults[i].prefix,
					       &d->prefix))
				return cfg_err(err, errlen, name, line,
					       "sampler-default %s overlaps an earlier one",
					       w[1]);
		cfg->nsmp_defaults++;
	} else if (!strcmp(w[0], "load")) {
		WANT(3);
		if (bal_prefix_parse(w[1], &p))
			return cfg_err(err, errlen, name, line,
				       "invalid prefix \"%s\"", w[1]);
		if (get_u64(w[2], BAL_LOAD_MAX, &v, "load", err, errlen, name,
			    line))
			return -EINVAL;
		r = bal_traffic_add(cfg->traffic, &p, v);
		if (r == -EOVERFLOW)
			return cfg_err(err, errlen, name, line,
				       "the loads add up to more than %" PRIu64,
				       BAL_TOTAL_MAX);
		if (r)
			return cfg_err(err, errlen, name, line, "%s",
				       strerror(-r));
		cfg->nloads++;
	} else {
		return cfg_err(err, errlen, name, line,
			       "unknown setting \"%s\"", w[0]);
	}
#undef WANT
	return 0;
}

int bal_ovs_config_parse(const char *name, const char *text,
			 struct bal_ovs_config *cfg, char *err, size_t errlen)
{
	const char *p = text, *eol;
	unsigned int line = 0;
	char buf[512], *w[NWORDS + 1], *s, *save;
	uint64_t t;
	size_t i, j, len;
	int n;

	memset(cfg, 0, sizeof(*cfg));
	cfg->tag = BAL_OVS_TAG_DEFAULT;
	cfg->priority = BAL_OVS_PRIO_DEFAULT;
	cfg->smp_push = true;
	cfg->smp_depth = BAL_SMP_DEPTH_DEFAULT;
	bal_config_init(&cfg->bal);
	cfg->traffic = bal_traffic_new();
	if (!cfg->traffic)
		return cfg_err(err, errlen, name, 0, "out of memory");
	while (*p) {
		line++;
		eol = strchr(p, '\n');
		len = eol ? (size_t)(eol - p) : strlen(p);
		if (len >= sizeof(buf))
			return cfg_err(err, errlen, name, line,
				       "line longer than %zu characters",
				       sizeof(buf) - 1);
		memcpy(buf, p, len);
		buf[len] = '\0';
		p += len + (eol ? 1 : 0);
		s = strchr(buf, '#');
		if (s)
			*s = '\0';
		n = 0;
		for (s = strtok_r(buf, " \t\r", &save); s;
		     s = strtok_r(NULL, " \t\r", &save)) {
			if (n == NWORDS)
				return cfg_err(err, errlen, name, line,
					       "too many words");
			w[n++] = s;
		}
		if (!n)
			continue;
		if (cfg_line(cfg, w, n, name, line, err, errlen))
			return -EINVAL;
	}
	if (!cfg->bridge[0])
		return cfg_err(err, errlen, name, 0, "no \"bridge\"");
	if (!cfg->nhosts)
		return cfg_err(err, errlen, name, 0, "no \"host\"");
	if (cfg->bal.target > cfg->bal.max_imbalance)
		return cfg_err(err, errlen, name, 0,
			       "target %g is above max-imbalance %g",
			       cfg->bal.target, cfg->bal.max_imbalance);
	if (cfg->client_port && cfg->client_port == cfg->server_port)
		return cfg_err(err, errlen, name, 0,
			       "client-port and server-port are the same");
	if (cfg->bal.has_default_host &&
	    !bal_ovs_host(cfg, cfg->bal.default_host))
		return cfg_err(err, errlen, name, 0,
			       "default-host %u is not a host",
			       cfg->bal.default_host);
	for (i = 0; i < cfg->nhosts; i++) {
		j = cfg->hosts[i].port;
		if (j == cfg->client_port || j == cfg->server_port)
			return cfg_err(err, errlen, name, 0,
				       "host %u is on the %s port",
				       cfg->hosts[i].id,
				       j == cfg->client_port ? "client" :
				       "server");
	}
	for (i = 0, t = 0; i < cfg->nhosts; i++) {
		if (cfg->hosts[i].capacity > UINT64_MAX - t)
			return cfg_err(err, errlen, name, 0,
				       "the capacities add up to too much");
		t += cfg->hosts[i].capacity;
	}
	return 0;
}

void bal_ovs_config_free(struct bal_ovs_config *cfg)
{
	free(cfg->hosts);
	bal_traffic_free(cfg->traffic);
	memset(cfg, 0, sizeof(*cfg));
}

const struct bal_ovs_host *bal_ovs_host(const struct bal_ovs_config *cfg,
					uint32_t id)
{
	size_t i;

	for (i = 0; i < cfg->nhosts; i++)
		if (cfg->hosts[i].id == id)
			return &cfg->hosts[i];
	return NULL;
}

/* Rules */

uint64_t bal_ovs_cookie(uint32_t tag, uint32_t gen)
{
	return (uint64_t)tag << 32 | gen;
}

uint32_t bal_ovs_next_gen(uint32_t gen)
{
	return gen == UINT32_MAX ? 1 : gen + 1;
}

/*
 * The two directions of a prefix rule. CLIENT: traffic from the clients,
 * matched on the key address; RETURN: the other way, matched on the
 * other address. A rule's priority grows with its prefix length, the
 * client side's one above the return side's at equal length, all above
 * the default rules at cfg->priority.
 */
enum dir { DIR_RETURN, DIR_CLIENT };

static const char *field(const struct bal_ovs_config *cfg, int family,
			 enum dir d)
{
	bool src = (cfg->key == BAL_OVS_KEY_SRC) == (d == DIR_CLIENT);

	if (family == AF_INET6)
		return src ? "ipv6_src" : "ipv6_dst";
	return src ? "nw_src" : "nw_dst";
}

static uint32_t in_port(const struct bal_ovs_config *cfg, enum dir d)
{
	return d == DIR_CLIENT ? cfg->client_port : cfg->server_port;
}

/* Without in_port, the default rules of both directions are the same. */
static int ndefault_dirs(const struct bal_ovs_config *cfg)
{
	return cfg->client_port || cfg->server_port ? 2 : 1;
}

size_t bal_ovs_nrules(const struct bal_ovs_config *cfg,
		      const struct bal_result *res)
{
	return 2 * res->nrules + 2 * ndefault_dirs(cfg);
}

static void rule_head(struct bal_buf *b, const struct bal_ovs_config *cfg,
		      uint64_t cookie, unsigned int prio, enum dir d,
		      int family)
{
	bal_buf_printf(b, "add table=%u,cookie=0x%" PRIx64 ",priority=%u",
		       cfg->table, cookie, prio);
	if (in_port(cfg, d))
		bal_buf_printf(b, ",in_port=%u", in_port(cfg, d));
	bal_buf_printf(b, ",%s", family == AF_INET6 ? "ipv6" : "ip");
}

int bal_ovs_bundle(const struct bal_ovs_config *cfg,
		   const struct bal_result *res, uint32_t gen,
		   struct bal_buf *b)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	uint64_t cookie = bal_ovs_cookie(cfg->tag, gen);
	const struct bal_ovs_host *h, *def;
	char pfx[64];
	int n = 0, d, f;
	size_t i;

	def = bal_ovs_host(cfg, res->default_host);
	if (!def)
		return -EINVAL;
	for (i = 0; i < res->nrules; i++)
		if (!bal_ovs_host(cfg, res->rules[i].host))
			return -EINVAL;
	/* Every rule of the balancer's earlier generations goes. */
	bal_buf_printf(b, "delete table=%u,cookie=0x%" PRIx64
		       "/0xffffffff00000000\n", cfg->table,
		       bal_ovs_cookie(cfg->tag, 0));
	for (i = 0; i < res->nrules; i++) {
		const struct bal_rule *r = &res->rules[i];

		h = bal_ovs_host(cfg, r->host);
		bal_prefix_format(&r->prefix, pfx, sizeof(pfx));
		for (d = DIR_CLIENT; d >= DIR_RETURN; d--) {
			rule_head(b, cfg, cookie,
				  cfg->priority + 2 * r->prefix.len + 1 + d, d,
				  r->prefix.family);
			bal_buf_printf(b, ",%s=%s,actions=output:%u\n",
				       field(cfg, r->prefix.family, d), pfx,
				       h->port);
			n++;
		}
	}
	for (f = 0; f < 2; f++) {
		for (d = DIR_CLIENT; d > DIR_CLIENT - ndefault_dirs(cfg); d--) {
			rule_head(b, cfg, cookie, cfg->priority, d, fams[f]);
			bal_buf_printf(b, ",actions=output:%u\n", def->port);
			n++;
		}
	}
	return b->oom ? -ENOMEM : n;
}

const char *bal_ovs_prefixes(const struct bal_ovs_config *cfg,
			     const struct bal_result *res)
{
	bool v4 = false, v6 = false;
	size_t i;

	if (cfg->prefixes[0])
		return cfg->prefixes;
	for (i = 0; i < res->nrules; i++) {
		if (res->rules[i].prefix.family == AF_INET6)
			v6 = true;
		else
			v4 = true;
	}
	/*
	 * Open vSwitch tracks at most three fields: with both families, the
	 * IPv4 pair and IPv6's key field (the clients' side).
	 */
	if (v6 && !v4)
		return cfg->key == BAL_OVS_KEY_SRC ? "ipv6_src,ipv6_dst" :
		       "ipv6_dst,ipv6_src";
	if (v6)
		return cfg->key == BAL_OVS_KEY_SRC ? "ip_src,ip_dst,ipv6_src" :
		       "ip_dst,ip_src,ipv6_dst";
	return cfg->key == BAL_OVS_KEY_SRC ? "ip_src,ip_dst" : "ip_dst,ip_src";
}

size_t bal_ovs_dump_parse(const char *dump, uint32_t tag, uint32_t *gen,
			  size_t *ngen)
{
	const char *p = dump;
	unsigned long long c;
	size_t n = 0, ng = 0;
	uint32_t g = 0;
	char *end;

	while ((p = strstr(p, "cookie=0x"))) {
		/* "cookie=" at a line's start or after a space */
		if (p != dump && p[-1] != ' ' && p[-1] != '\n') {
			p += 9;
			continue;
		}
		p += 9;
		errno = 0;
		c = strtoull(p, &end, 16);
		if (end == p || errno)
			continue;
		p = end;
		if (c >> 32 != tag)
			continue;
		n++;
		if ((uint32_t)c > g) {
			g = c;
			ng = 0;
		}
		if ((uint32_t)c == g)
			ng++;
	}
	*gen = g;
	*ngen = ng;
	return n;
}

/* Running ovs-ofctl and ovs-vsctl */

static void first_line(const struct bal_buf *b, char *dst, size_t len)
{
	const char *s = b->s ? b->s : "";
	size_t n = strcspn(s, "\n");

	if (n >= len)
		n = len - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

int bal_ovs_run(char *const argv[], const char *in, size_t inlen,
		struct bal_buf *out, char *err, size_t errlen)
{
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	struct bal_buf ebuf = { 0 }, obuf = { 0 };
	posix_spawnattr_t attr;
	sigset_t mask;
	struct pollfd pfd[3];
	char tmp[4096], line[256];
	size_t off = 0;
	int status, r, i, ret = -1;
	sigset_t dflt;
	pid_t pid;
	ssize_t k;

	if (pipe2(pin, O_CLOEXEC) || pipe2(pout, O_CLOEXEC) ||
	    pipe2(perr, O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto close;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
	posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
	posix_spawn_file_actions_adddup2(&fa, perr[1], 2);
	/* flowctl ignores SIGPIPE while it writes: the child must not; and
	 * "balance run" blocks the signals it waits for: the child must not.
	 */
	posix_spawnattr_init(&attr);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	sigemptyset(&mask);
	posix_spawnattr_setsigmask(&attr, &mask);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF |
				 POSIX_SPAWN_SETSIGMASK);
	r = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (r) {
		snprintf(err, errlen, "cannot run %s: %s", argv[0],
			 strerror(r));
		goto close;
	}
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	pin[0] = pout[1] = perr[1] = -1;
	if (!in || !inlen) {
		close(pin[1]);
		pin[1] = -1;
	} else {
		fcntl(pin[1], F_SETFL, O_NONBLOCK);
	}
	/* Write its input and read both outputs at once: no deadlock. */
	while (pout[0] >= 0 || perr[0] >= 0) {
		pfd[0] = (struct pollfd){ .fd = pin[1], .events = POLLOUT };
		pfd[1] = (struct pollfd){ .fd = pout[0], .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = perr[0], .events = POLLIN };
		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pin[1] >= 0 && pfd[0].revents) {
			k = write(pin[1], in + off, inlen - off);
			if (k > 0)
				off += k;
			if ((k < 0 && errno != EAGAIN && errno != EINTR) ||
			    off == inlen) {
				close(pin[1]);
				pin[1] = -1;
			}
		}
		for (i = 1; i < 3; i++) {
			int *fd = i == 1 ? &pout[0] : &perr[0];

			if (*fd < 0 || !pfd[i].revents)
				continue;
			k = read(*fd, tmp, sizeof(tmp));
			if (k > 0) {
				buf_add(i == 1 ? &obuf : &ebuf, tmp, k);
			} else if (!k || (errno != EINTR && errno != EAGAIN)) {
				close(*fd);
				*fd = -1;
			}
		}
	}
	if (pin[1] >= 0) {
		close(pin[1]);
		pin[1] = -1;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(err, errlen, "%s: waitpid: %s", argv[0],
				 strerror(errno));
			goto close;
		}
	}
	first_line(&ebuf, line, sizeof(line));
	if (obuf.oom || ebuf.oom) {
		snprintf(err, errlen, "%s: out of memory", argv[0]);
	} else if (WIFSIGNALED(status)) {
		snprintf(err, errlen, "%s killed by signal %d%s%s", argv[0],
			 WTERMSIG(status), *line ? ": " : "", line);
	} else if (WEXITSTATUS(status)) {
		snprintf(err, errlen, "%s exited with status %d%s%s", argv[0],
			 WEXITSTATUS(status), *line ? ": " : "", line);
	} else if (in && off != inlen) {
		snprintf(err, errlen, "%s did not read its input", argv[0]);
	} else {
		ret = 0;
		if (out) {
			*out = obuf;
			memset(&obuf, 0, sizeof(obuf));
			if (!out->s)
				buf_add(out, "", 0);
		}
	}
close:
	for (i = 0; i < 2; i++) {
		if (pin[i] >= 0)
			close(pin[i]);
		if (pout[i] >= 0)
			close(pout[i]);
		if (perr[i] >= 0)
			close(perr[i]);
	}
	bal_buf_free(&obuf);
	bal_buf_free(&ebuf);
	return ret;
}

/* The balancer's rules now: their count, the newest generation's. */
static int dump(const struct bal_ovs_config *cfg, uint64_t cookie,
		uint64_t mask, size_t *n, uint32_t *gen, size_t *ngen,
		char *err, size_t errlen)
{
	char match[96], bridge[BAL_OVS_NAME_MAX];
	char *argv[] = { "ovs-ofctl", "-O", "OpenFlow14", "dump-flows",
			 bridge, match, NULL };
	struct bal_buf out = { 0 };

	strcpy(bridge, cfg->bridge);
	snprintf(match, sizeof(match), "table=%u,cookie=0x%" PRIx64 "/0x%" PRIx64,
		 cfg->table, cookie, mask);
	if (bal_ovs_run(argv, NULL, 0, &out, err, errlen))
		return -1;
	*n = bal_ovs_dump_parse(out.s, cfg->tag, gen, ngen);
	bal_buf_free(&out);
	return 0;
}

/* Prefix tracking on the bridge's table: its Flow_Table record's prefixes. */
static int set_prefixes(const struct bal_ovs_config *cfg, const char *fields,
			char *err, size_t errlen)
{
	char col[64], val[96], bridge[BAL_OVS_NAME_MAX], id[64];
	char *get[] = { "ovs-vsctl", "--if-exists", "--bare", "get", "Bridge",
			bridge, col, NULL };
	char *set[] = { "ovs-vsctl", "set", "Flow_Table", id, val, NULL };
	char *create[] = { "ovs-vsctl", "--", "--id=@ft", "create",
			   "Flow_Table", val, "--", "set", "Bridge", bridge,
			   col, NULL };
	struct bal_buf out = { 0 };
	int ret;

	strcpy(bridge, cfg->bridge);
	snprintf(col, sizeof(col), "flow_tables:%u", cfg->table);
	snprintf(val, sizeof(val), "prefixes=%s", fields);
	if (bal_ovs_run(get, NULL, 0, &out, err, errlen))
		return -1;
	first_line(&out, id, sizeof(id));
	bal_buf_free(&out);
	if (*id)
		return bal_ovs_run(set, NULL, 0, NULL, err, errlen);
	snprintf(col, sizeof(col), "flow_tables:%u=@ft", cfg->table);
	ret = bal_ovs_run(create, NULL, 0, NULL, err, errlen);
	return ret;
}

int bal_ovs_install(const struct bal_ovs_config *cfg,
		    const struct bal_result *res, uint32_t *gen,
		    size_t *nrules, size_t *nold, char *err, size_t errlen)
{
	char bridge[BAL_OVS_NAME_MAX];
	char *argv[] = { "ovs-ofctl", "-O", "OpenFlow14", "--bundle",
			 "add-flows", bridge, "-", NULL };
	struct bal_buf b = { 0 };
	size_t n, ng, want;
	uint32_t g, got;
	int ret;

	strcpy(bridge, cfg->bridge);
	if (dump(cfg, bal_ovs_cookie(cfg->tag, 0), 0xffffffff00000000ull, nold,
		 &g, &ng, err, errlen))
		return -1;
	if (set_prefixes(cfg, bal_ovs_prefixes(cfg, res), err, errlen))
		return -1;
	*gen = bal_ovs_next_gen(g);
	ret = bal_ovs_bundle(cfg, res, *gen, &b);
	if (ret < 0) {
		snprintf(err, errlen, "%s", ret == -ENOMEM ? "out of memory" :
			 "a host of the assignment is not configured");
		bal_buf_free(&b);
		return -1;
	}
	want = ret;
	ret = bal_ovs_run(argv, b.s, b.len, NULL, err, errlen);
	bal_buf_free(&b);
	if (ret)
		return -1;
	/* The bundle is all or nothing; check what the switch now holds. */
	if (dump(cfg, bal_ovs_cookie(cfg->tag, 0), 0xffffffff00000000ull, &n,
		 &got, &ng, err, errlen))
		return -1;
	if (got != *gen || ng != want || n != want) {
		snprintf(err, errlen,
			 "the switch holds %zu balancer rules, %zu of generation %u, not the %zu of generation %u installed",
			 n, ng, got, want, *gen);
		return -1;
	}
	*nrules = want;
	return 0;
}

const struct bal_rule *bal_ovs_lookup(const struct bal_result *res,
				      const struct bal_prefix *addr)
{
	const struct bal_rule *best = NULL;
	unsigned int i, bits;
	size_t k;

	for (k = 0; k < res->nrules; k++) {
		const struct bal_prefix *p = &res->rules[k].prefix;

		if (p->family != addr->family || p->len > addr->len)
			continue;
		bits = p->len;
		for (i = 0; i < bits / 8; i++)
			if (p->addr[i] != addr->addr[i])
				break;
		if (i < bits / 8)
			continue;
		if (bits % 8 &&
		    (p->addr[i] ^ addr->addr[i]) & (0xff00 >> (bits % 8)))
			continue;
		if (!best || p->len > best->prefix.len)
			best = &res->rules[k];
	}
	return best;
}
