// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl balance: the prefix load balancer's assignment from a
 * configuration file (hosts on switch ports, loads per prefix) and its
 * installation on Open vSwitch (bal_ovs.c). No netlink.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bal_run.h"
#include "flowctl.h"

static void usage(FILE *fp)
{
	fputs("Usage: flowctl balance install CONFIG\n"
	      "       flowctl balance show CONFIG\n"
	      "       flowctl balance rules CONFIG [generation N]\n"
	      "       flowctl balance lookup CONFIG ADDRESS\n"
	      "       flowctl balance run CONFIG [--once | --cycles N]\n"
	      "                 [--interval S] [--timeout S] [--failures N]\n"
	      "                 [--alpha A] [--metric packets|bytes]\n"
	      "                 [--state FILE] [--dry-run]\n"
	      "       flowctl balance help\n"
	      "CONFIG names the Open vSwitch bridge, the hosts (host ID port N\n"
	      "[capacity C]), the client and server ports, the key (src or dst)\n"
	      "and the measured loads (load PREFIX VALUE); see flowctl(8).\n"
	      "install computes the assignment and replaces the balancer's rules\n"
	      "on the bridge in one atomic bundle (ovs-ofctl --bundle); show\n"
	      "prints the assignment and each host's load against its share;\n"
	      "rules prints the bundle install would send; lookup names the host\n"
	      "an address goes to. run is the controller: it polls each host's\n"
	      "agent (host ID port N agent ADDR:PORT) every interval, smooths\n"
	      "the sampler windows, rebalances and installs a new generation\n"
	      "when the assignment changes, logging one line per decision.\n", fp);
}

/* Read and parse CONFIG. 0, or an exit status after a message. */
int bal_load_config(const char *path, struct bal_ovs_config *cfg)
{
	char err[512];
	size_t len;
	char *text;
	int ret;

	if (alloc_read(path, &text, &len))
		return 1;
	if (strlen(text) != len) {
		free(text);
		fprintf(stderr, "Error: \"%s\" holds a NUL byte\n", path);
		return EXIT_USAGE;
	}
	ret = bal_ovs_config_parse(path, text, cfg, err, sizeof(err));
	free(text);
	if (ret) {
		fprintf(stderr, "%s\n", err);
		bal_ovs_config_free(cfg);
		return EXIT_USAGE;
	}
	return 0;
}

/* Read and parse CONFIG, and compute its assignment. 0, or an exit status. */
static int load(const char *path, struct bal_ovs_config *cfg,
		struct bal_result *res)
{
	struct bal_host *hosts;
	size_t i;
	int ret;

	ret = bal_load_config(path, cfg);
	if (ret)
		return ret;
	hosts = calloc(cfg->nhosts, sizeof(*hosts));
	if (!hosts) {
		fputs("Error: out of memory\n", stderr);
		bal_ovs_config_free(cfg);
		return 1;
	}
	for (i = 0; i < cfg->nhosts; i++) {
		hosts[i].id = cfg->hosts[i].id;
		hosts[i].capacity = cfg->hosts[i].capacity;
	}
	ret = bal_assign(&cfg->bal, hosts, cfg->nhosts, cfg->traffic, res);
	free(hosts);
	if (ret) {
		fprintf(stderr, "Error: %s: cannot compute the assignment: %s\n",
			path, ret == -EEXIST ? "a prefix is loaded twice" :
			strerror(-ret));
		bal_ovs_config_free(cfg);
		return ret == -ENOMEM ? 1 : EXIT_USAGE;
	}
	return 0;
}

static void print_rule(struct output *o, const struct bal_ovs_config *cfg,
		       const struct bal_rule *r)
{
	const struct bal_ovs_host *h = bal_ovs_host(cfg, r->host);
	char pfx[64];

	bal_prefix_format(&r->prefix, pfx, sizeof(pfx));
	if (out_is_json(o)) {
		out_obj_begin(o, NULL);
		out_str(o, "prefix", NULL, pfx);
		out_u64(o, "host", NULL, r->host);
		out_u64(o, "port", NULL, h ? h->port : 0);
		out_u64(o, "load", NULL, r->load);
		out_obj_end(o);
	} else {
		out_text(o, "  %-43s host %u port %u load %" PRIu64 "\n", pfx,
			 r->host, h ? h->port : 0, r->load);
	}
}

void bal_print_summary(struct output *o, const struct bal_ovs_config *cfg,
		       const struct bal_result *res)
{
	const struct bal_host_stat *s;
	size_t i;

	out_str(o, "bridge", "bridge", cfg->bridge);
	out_str(o, "key", "key", cfg->key == BAL_OVS_KEY_SRC ? "src" : "dst");
	out_u64(o, "total", "total load", res->total);
	out_double(o, "imbalance", "imbalance", res->imbalance);
	out_double(o, "max_imbalance", "max imbalance", cfg->bal.max_imbalance);
	if (res->floor_load)
		out_double(o, "floor", "imbalance floor", res->floor);
	out_bool(o, "over_max", NULL, res->flags & BAL_OVER_MAX);
	if (res->flags & BAL_OVER_MAX)
		out_text(o, "warning: the imbalance is above the maximum%s\n",
			 res->flags & BAL_UNREACHABLE ?
			 " (a single address is heavier than a host's share)" :
			 "");
	out_u64(o, "default_host", "default host", res->default_host);
	out_u64(o, "prefixes", "prefixes", res->nrules);
	out_u64(o, "switch_rules", "switch rules", bal_ovs_nrules(cfg, res));
	out_str(o, "prefix_tracking", "prefix tracking",
		bal_ovs_prefixes(cfg, res));
	if (out_is_json(o)) {
		out_list_begin(o, "hosts", NULL);
	} else {
		out_text(o, "hosts:\n");
	}
	for (i = 0; i < res->nhosts; i++) {
		const struct bal_ovs_host *h;

		s = &res->hosts[i];
		h = bal_ovs_host(cfg, s->id);
		if (out_is_json(o)) {
			out_obj_begin(o, NULL);
			out_u64(o, "id", NULL, s->id);
			out_u64(o, "port", NULL, h ? h->port : 0);
			out_u64(o, "capacity", NULL, s->capacity);
			out_u64(o, "load", NULL, s->load);
			out_double(o, "share", NULL, s->due);
			out_double(o, "ratio", NULL, s->ratio);
			out_u64(o, "prefixes", NULL, s->nprefixes);
			out_bool(o, "default", NULL, s->is_default);
			out_obj_end(o);
		} else {
			out_text(o, "  host %u port %u capacity %" PRIu64
				 " load %" PRIu64 " share %.1f ratio %.3f prefixes %zu%s\n",
				 s->id, h ? h->port : 0, s->capacity, s->load,
				 s->due, s->ratio, s->nprefixes,
				 s->is_default ? " default" : "");
		}
	}
	if (out_is_json(o)) {
		out_obj_end(o);
		out_list_begin(o, "rules", NULL);
	} else {
		out_text(o, "assignment:\n");
	}
	for (i = 0; i < res->nrules; i++)
		print_rule(o, cfg, &res->rules[i]);
	if (out_is_json(o))
		out_obj_end(o);
	else
		out_text(o, "  %-43s host %u (default)\n", "0.0.0.0/0 ::/0",
			 res->default_host);
}

static int bal_show(struct flowctl *fc, const char *path)
{
	struct bal_ovs_config cfg;
	struct bal_result res;
	int ret;

	ret = load(path, &cfg, &res);
	if (ret)
		return ret;
	bal_print_summary(fc->out, &cfg, &res);
	bal_result_free(&res);
	bal_ovs_config_free(&cfg);
	return out_finish(fc->out) ? 1 : 0;
}

static int bal_rules(struct flowctl *fc, const char *path, uint32_t gen)
{
	struct bal_ovs_config cfg;
	struct bal_buf b = { 0 };
	struct bal_result res;
	int ret;

	(void)fc;
	ret = load(path, &cfg, &res);
	if (ret)
		return ret;
	ret = bal_ovs_bundle(&cfg, &res, gen, &b);
	if (ret < 0)
		fputs("Error: out of memory\n", stderr);
	else
		fputs(b.s, stdout);
	bal_buf_free(&b);
	bal_result_free(&res);
	bal_ovs_config_free(&cfg);
	if (ret < 0)
		return 1;
	return fflush(stdout) || ferror(stdout) ? 1 : 0;
}

static int bal_install(struct flowctl *fc, const char *path)
{
	struct bal_ovs_config cfg;
	struct bal_result res;
	size_t n, old;
	char err[512];
	uint32_t gen;
	int ret;

	ret = load(path, &cfg, &res);
	if (ret)
		return ret;
	/* A child that exits early must not kill flowctl as it writes. */
	signal(SIGPIPE, SIG_IGN);
	ret = bal_ovs_install(&cfg, &res, &gen, &n, &old, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "Error: bridge %s: %s\n", cfg.bridge, err);
	} else {
		out_u64(fc->out, "generation", "generation", gen);
		if (out_is_json(fc->out))
			out_u64(fc->out, "cookie", NULL,
				bal_ovs_cookie(cfg.tag, gen));
		else
			out_text(fc->out, "cookie 0x%" PRIx64 "\n",
				 bal_ovs_cookie(cfg.tag, gen));
		out_u64(fc->out, "rules_installed", "rules installed", n);
		out_u64(fc->out, "rules_replaced", "rules replaced", old);
		bal_print_summary(fc->out, &cfg, &res);
	}
	bal_result_free(&res);
	bal_ovs_config_free(&cfg);
	if (ret)
		return 1;
	return out_finish(fc->out) ? 1 : 0;
}

static int bal_lookup(struct flowctl *fc, const char *path, const char *addr)
{
	const struct bal_ovs_host *h;
	const struct bal_rule *r;
	struct bal_ovs_config cfg;
	struct bal_result res;
	struct bal_prefix a;
	char pfx[64];
	uint32_t host;
	int ret;

	if (bal_prefix_parse(addr, &a) ||
	    a.len != (a.family == AF_INET ? 32 : 128))
		return usage_error("balance", "invalid address \"%s\"", addr);
	ret = load(path, &cfg, &res);
	if (ret)
		return ret;
	r = bal_ovs_lookup(&res, &a);
	host = r ? r->host : res.default_host;
	h = bal_ovs_host(&cfg, host);
	if (r)
		bal_prefix_format(&r->prefix, pfx, sizeof(pfx));
	else
		strcpy(pfx, a.family == AF_INET ? "0.0.0.0/0" : "::/0");
	out_str(fc->out, "address", "address", addr);
	out_str(fc->out, "prefix", "prefix", pfx);
	out_u64(fc->out, "host", "host", host);
	out_u64(fc->out, "port", "port", h ? h->port : 0);
	out_bool(fc->out, "default", NULL, !r);
	bal_result_free(&res);
	bal_ovs_config_free(&cfg);
	return out_finish(fc->out) ? 1 : 0;
}

/* Seconds (decimals allowed) from @min to @max, as milliseconds. */
static int get_seconds(const char *opt, const char *arg, double min,
		       double max, unsigned int *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (!*arg || *end || errno || !(v >= min && v <= max))
		return usage_error("balance", "invalid %s \"%s\" (%g to %g seconds)",
				   opt, arg, min, max);
	*ms = (unsigned int)(v * 1000 + 0.5);
	return 0;
}

static int bal_run_cmd(int argc, char **argv)
{
	struct bal_run_opts o = {
		.interval_ms = 10000,
		.timeout_ms = 2000,
		.failures = 3,
		.alpha = 0.5,
		.metric = BAL_METRIC_PACKETS,
	};
	const char *opt, *arg;
	uint64_t v;
	char *end;
	int i;

	for (i = 2; i < argc; i++) {
		opt = argv[i];
		if (!strcmp(opt, "--once")) {
			o.cycles = 1;
			continue;
		}
		if (!strcmp(opt, "--dry-run")) {
			o.dry_run = true;
			continue;
		}
		if (strcmp(opt, "--cycles") && strcmp(opt, "--interval") &&
		    strcmp(opt, "--timeout") && strcmp(opt, "--failures") &&
		    strcmp(opt, "--alpha") && strcmp(opt, "--metric") &&
		    strcmp(opt, "--state"))
			return usage_error("balance", "unknown option \"%s\"", opt);
		if (i + 1 == argc)
			return usage_error("balance", "\"%s\" needs a value", opt);
		arg = argv[++i];
		if (!strcmp(opt, "--cycles") || !strcmp(opt, "--failures")) {
			if (parse_uint(arg, 1000000, &v) != PARSE_OK || !v)
				return usage_error("balance",
						   "invalid %s \"%s\" (1 to 1000000)",
						   opt, arg);
			if (opt[2] == 'c')
				o.cycles = v;
			else
				o.failures = v;
		} else if (!strcmp(opt, "--interval")) {
			if (get_seconds(opt, arg, 0.1, 86400, &o.interval_ms))
				return EXIT_USAGE;
		} else if (!strcmp(opt, "--timeout")) {
			if (get_seconds(opt, arg, 0.1, 600, &o.timeout_ms))
				return EXIT_USAGE;
		} else if (!strcmp(opt, "--alpha")) {
			errno = 0;
			o.alpha = strtod(arg, &end);
			if (!*arg || *end || errno ||
			    !(o.alpha > 0 && o.alpha <= 1))
				return usage_error("balance",
						   "invalid --alpha \"%s\" (above 0, at most 1)",
						   arg);
		} else if (!strcmp(opt, "--metric")) {
			if (!strcmp(arg, "packets"))
				o.metric = BAL_METRIC_PACKETS;
			else if (!strcmp(arg, "bytes"))
				o.metric = BAL_METRIC_BYTES;
			else
				return usage_error("balance",
						   "--metric is packets or bytes, not \"%s\"",
						   arg);
		} else {
			o.state = arg;
		}
	}
	return bal_run(argv[1], &o);
}

int cmd_balance(struct flowctl *fc, int argc, char **argv)
{
	uint64_t gen = 1;
	const char *cmd;

	if (argc < 1 || is_help(argv[0])) {
		if (argc > 1)
			return usage_error("balance", "unexpected argument \"%s\"",
					   argv[1]);
		usage(argc ? stdout : stderr);
		return argc ? 0 : EXIT_USAGE;
	}
	cmd = argv[0];
	if (argc < 2)
		return usage_error("balance", "\"%s\" needs a configuration file",
				   cmd);
	if (!strcmp(cmd, "install") || !strcmp(cmd, "show")) {
		if (argc > 2)
			return usage_error("balance", "unexpected argument \"%s\"",
					   argv[2]);
		return cmd[0] == 'i' ? bal_install(fc, argv[1]) :
		       bal_show(fc, argv[1]);
	}
	if (!strcmp(cmd, "run"))
		return bal_run_cmd(argc, argv);
	if (!strcmp(cmd, "rules")) {
		if (argc == 4 && !strcmp(argv[2], "generation")) {
			if (parse_uint(argv[3], UINT32_MAX, &gen) != PARSE_OK ||
			    !gen)
				return usage_error("balance",
						   "invalid generation \"%s\" (1 to %u)",
						   argv[3], UINT32_MAX);
		} else if (argc > 2) {
			return usage_error("balance", "unexpected argument \"%s\"",
					   argv[2]);
		}
		return bal_rules(fc, argv[1], gen);
	}
	if (!strcmp(cmd, "lookup")) {
		if (argc != 3)
			return argc < 3 ?
			       usage_error("balance", "\"lookup\" needs an address") :
			       usage_error("balance", "unexpected argument \"%s\"",
					   argv[3]);
		return bal_lookup(fc, argv[1], argv[2]);
	}
	return usage_error("balance", "unknown command \"%s\"", cmd);
}
