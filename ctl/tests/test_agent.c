// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl agent: the Prometheus text, the access check (prefixes and the
 * shared key), the key file and argument parsing.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "test.h"
#include "agent.h"
#include "balance.h"

static char *prom(const struct fs_status *st, const struct agent_counters *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	prom_write(fp, st, c);
	fclose(fp);
	return buf;
}

static const char agent_text[] =
	"# HELP flowstream_agent_requests_total HTTP requests the agent answered, refusals included.\n"
	"# TYPE flowstream_agent_requests_total counter\n"
	"flowstream_agent_requests_total 9\n"
	"# HELP flowstream_agent_refused_total HTTP requests refused (403), by reason.\n"
	"# TYPE flowstream_agent_refused_total counter\n"
	"flowstream_agent_refused_total{reason=\"address\"} 2\n"
	"flowstream_agent_refused_total{reason=\"key\"} 3\n"
	"# HELP flowstream_agent_module_errors_total Requests the module did not answer.\n"
	"# TYPE flowstream_agent_module_errors_total counter\n"
	"flowstream_agent_module_errors_total 1\n"
	"# HELP flowstream_agent_prefix_sets_total PUT /sampler/prefixes requests, by result.\n"
	"# TYPE flowstream_agent_prefix_sets_total counter\n"
	"flowstream_agent_prefix_sets_total{result=\"applied\"} 4\n"
	"flowstream_agent_prefix_sets_total{result=\"invalid\"} 5\n"
	"flowstream_agent_prefix_sets_total{result=\"failed\"} 6\n"
	"# HELP flowstream_agent_prefix_undo_failures_total Changes a failed prefix set could not undo.\n"
	"# TYPE flowstream_agent_prefix_undo_failures_total counter\n"
	"flowstream_agent_prefix_undo_failures_total 7\n";

/*
 * Counters map to families; the drops by reason share one family, its
 * samples together under one HELP and TYPE though the kernel sent them
 * apart; a counter this flowctl does not know is kept by number.
 */
static void test_prom_counters(void **state)
{
	struct fs_stat stats[] = {
		{ FLOWSTREAM_STAT_NL_REQUESTS, 12 },
		{ FLOWSTREAM_STAT_ACCT_DROP_LIMIT, 5 },
		{ FLOWSTREAM_STAT_ACCT_PACKETS, 1000 },
		{ FLOWSTREAM_STAT_ACCT_DROP_MALFORMED, 7 },
		{ 77, UINT64_MAX },
		{ FLOWSTREAM_STAT_SMP_DROP_MALFORMED, 0 },
	};
	struct fs_status st = {
		.uptime_ms = 3723456,
		.features = 1ULL << FLOWSTREAM_FEAT_ACCT_BIT | 1ULL << 40,
		.nstats = 6, .stats = stats,
	};
	struct agent_counters c = { .requests = 9, .refused = { 2, 3 },
				    .errors = 1, .pfx_sets = { 4, 5, 6 },
				    .pfx_undo_failed = 7 };
	char *text, expect[4096];

	(void)state;
	snprintf(expect, sizeof(expect), "%s%s",
		 "# HELP flowstream_up Whether the flowstream module answered this scrape.\n"
		 "# TYPE flowstream_up gauge\n"
		 "flowstream_up 1\n"
		 "# HELP flowstream_uptime_seconds Time since flowstream started in this namespace.\n"
		 "# TYPE flowstream_uptime_seconds gauge\n"
		 "flowstream_uptime_seconds 3723.456\n"
		 "# HELP flowstream_feature_enabled Whether a capability is on in this namespace.\n"
		 "# TYPE flowstream_feature_enabled gauge\n"
		 "flowstream_feature_enabled{feature=\"acct\"} 1\n"
		 "flowstream_feature_enabled{feature=\"sampler\"} 0\n"
		 "flowstream_feature_enabled{feature=\"flowos\"} 0\n"
		 "flowstream_feature_enabled{feature=\"migrate\"} 0\n"
		 "# HELP flowstream_netlink_requests_total Netlink requests handled.\n"
		 "# TYPE flowstream_netlink_requests_total counter\n"
		 "flowstream_netlink_requests_total 12\n"
		 "# HELP flowstream_acct_packets_total Packets accounted.\n"
		 "# TYPE flowstream_acct_packets_total counter\n"
		 "flowstream_acct_packets_total 1000\n"
		 "# HELP flowstream_acct_dropped_packets_total Packets not accounted, by reason.\n"
		 "# TYPE flowstream_acct_dropped_packets_total counter\n"
		 "flowstream_acct_dropped_packets_total{reason=\"limit\"} 5\n"
		 "flowstream_acct_dropped_packets_total{reason=\"malformed\"} 7\n"
		 "# HELP flowstream_sampler_dropped_packets_total Sampled packets not counted, by reason.\n"
		 "# TYPE flowstream_sampler_dropped_packets_total counter\n"
		 "flowstream_sampler_dropped_packets_total{reason=\"malformed\"} 0\n"
		 "# HELP flowstream_stat_total Counters this flowctl has no name for, by number.\n"
		 "# TYPE flowstream_stat_total counter\n"
		 "flowstream_stat_total{stat=\"77\"} 18446744073709551615\n",
		 agent_text);
	text = prom(&st, &c);
	assert_string_equal(text, expect);
	free(text);
}

/* No answer from the module: flowstream_up 0 and the agent's own. */
static void test_prom_down(void **state)
{
	struct agent_counters c = { .requests = 9, .refused = { 2, 3 },
				    .errors = 1, .pfx_sets = { 4, 5, 6 },
				    .pfx_undo_failed = 7 };
	char *text, expect[2048];

	(void)state;
	snprintf(expect, sizeof(expect), "%s%s",
		 "# HELP flowstream_up Whether the flowstream module answered this scrape.\n"
		 "# TYPE flowstream_up gauge\n"
		 "flowstream_up 0\n", agent_text);
	text = prom(NULL, &c);
	assert_string_equal(text, expect);
	free(text);
}

/* Every line is a comment or "name{labels} value" with a known name. */
static void test_prom_every_stat(void **state)
{
	struct fs_stat stats[__FLOWSTREAM_STAT_MAX];
	struct fs_status st = { .nstats = 0, .stats = stats };
	struct agent_counters c = { 0 };
	char *text, *line, *save = NULL;
	unsigned int i, samples = 0;

	(void)state;
	for (i = 1; i < __FLOWSTREAM_STAT_MAX; i++)
		stats[st.nstats++] = (struct fs_stat){ i, i };
	text = prom(&st, &c);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#') {
			assert_true(!strncmp(line, "# HELP flowstream_", 18) ||
				    !strncmp(line, "# TYPE flowstream_", 18));
			continue;
		}
		assert_true(!strncmp(line, "flowstream_", 11));
		assert_null(strstr(line, "flowstream_stat_total"));
		samples++;
	}
	/* up, uptime, 4 features, every counter, 8 of the agent's. */
	assert_int_equal(samples, 2 + __FLOWSTREAM_FEAT_BIT_MAX +
			 (__FLOWSTREAM_STAT_MAX - 1) + 8);
	free(text);
}

static struct sockaddr_storage addr(const char *text)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

	if (inet_pton(AF_INET, text, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
	} else {
		assert_int_equal(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
		s6->sin6_family = AF_INET6;
	}
	return ss;
}

static bool allows(const struct agent_acl *acl, const char *text)
{
	struct sockaddr_storage ss = addr(text);

	return agent_acl_allows(acl, (struct sockaddr *)&ss);
}

static void test_acl(void **state)
{
	struct agent_acl acl = { .n = 0 };
	char err[512];

	(void)state;
	agent_acl_default(&acl);
	assert_true(allows(&acl, "127.0.0.1"));
	assert_true(allows(&acl, "127.255.0.9"));
	assert_true(allows(&acl, "::1"));
	assert_true(allows(&acl, "::ffff:127.0.0.1"));	/* dual stack */
	assert_false(allows(&acl, "128.0.0.1"));
	assert_false(allows(&acl, "::2"));
	assert_false(allows(&acl, "10.0.0.1"));
	assert_false(agent_acl_allows(&acl, NULL));

	memset(&acl, 0, sizeof(acl));
	assert_int_equal(agent_acl_add(&acl, "10.1.0.0/17"), 0);
	assert_int_equal(agent_acl_add(&acl, "192.0.2.7"), 0);
	assert_int_equal(agent_acl_add(&acl, "2001:db8:4::/46"), 0);
	assert_int_equal(agent_acl_add(&acl, "0.0.0.0/0"), 0);
	acl.n--;			/* drop 0/0 again */
	assert_true(allows(&acl, "10.1.0.0"));
	assert_true(allows(&acl, "10.1.127.255"));
	assert_false(allows(&acl, "10.1.128.0"));
	assert_false(allows(&acl, "10.0.255.255"));
	assert_true(allows(&acl, "192.0.2.7"));
	assert_false(allows(&acl, "192.0.2.6"));
	assert_true(allows(&acl, "::ffff:192.0.2.7"));
	assert_true(allows(&acl, "2001:db8:7:ffff::1"));
	assert_false(allows(&acl, "2001:db8:8::1"));
	assert_false(allows(&acl, "127.0.0.1"));	/* no default now */
	/* An IPv4 prefix never matches an IPv6 address, nor 0::/0 IPv4. */
	memset(&acl, 0, sizeof(acl));
	assert_int_equal(agent_acl_add(&acl, "::/0"), 0);
	assert_true(allows(&acl, "fe80::1"));
	assert_false(allows(&acl, "10.0.0.1"));
	memset(&acl, 0, sizeof(acl));
	assert_int_equal(agent_acl_add(&acl, "0.0.0.0/0"), 0);
	assert_true(allows(&acl, "10.0.0.1"));
	assert_false(allows(&acl, "fe80::1"));

	stderr_begin();
	assert_int_equal(agent_acl_add(&acl, "10.1.0.1/16"), EXIT_USAGE);
	assert_int_equal(agent_acl_add(&acl, "10.1.0.0/33"), EXIT_USAGE);
	assert_int_equal(agent_acl_add(&acl, "10.1.0.0/"), EXIT_USAGE);
	assert_int_equal(agent_acl_add(&acl, "/8"), EXIT_USAGE);
	assert_int_equal(agent_acl_add(&acl, "host.example"), EXIT_USAGE);
	assert_int_equal(agent_acl_add(&acl, "2001:db8::/129"), EXIT_USAGE);
	stderr_end(err, sizeof(err));
	assert_non_null(strstr(err, "address bits set past the length"));
	assert_int_equal(acl.n, 1);
	while (acl.n < AGENT_ALLOW_MAX)
		assert_int_equal(agent_acl_add(&acl, "10.0.0.0/8"), 0);
	stderr_begin();
	assert_int_equal(agent_acl_add(&acl, "10.0.0.0/8"), EXIT_USAGE);
	stderr_end(err, sizeof(err));
	assert_non_null(strstr(err, "more than 64"));
}

static void test_key(void **state)
{
	const char *key = "0123456789abcdefXYZ";
	size_t n = strlen(key);

	(void)state;
	assert_true(agent_key_equal(key, n, key, n));
	assert_false(agent_key_equal(key, n, key, n - 1));
	assert_false(agent_key_equal(key, n, "0123456789abcdefXYZ0", n + 1));
	assert_false(agent_key_equal(key, n, "0123456789abcdefXYz", n));
	assert_false(agent_key_equal(key, n, "1123456789abcdefXYZ", n));
	assert_false(agent_key_equal(key, n, "", 0));
	/* A repeat of the key's prefix cycles, but the lengths differ. */
	assert_false(agent_key_equal("abab", 4, "ab", 2));

	assert_true(agent_auth_ok(key, n, "Bearer 0123456789abcdefXYZ"));
	assert_true(agent_auth_ok(key, n, "bearer 0123456789abcdefXYZ"));
	assert_false(agent_auth_ok(key, n, "Bearer 0123456789abcdefXY"));
	assert_false(agent_auth_ok(key, n, "Bearer  0123456789abcdefXYZ"));
	assert_false(agent_auth_ok(key, n, "Basic 0123456789abcdefXYZ"));
	assert_false(agent_auth_ok(key, n, "0123456789abcdefXYZ"));
	assert_false(agent_auth_ok(key, n, "Bearer"));
	assert_false(agent_auth_ok(key, n, ""));
	assert_false(agent_auth_ok(key, n, NULL));
}

static void key_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_key_file(void **state)
{
	char path[] = "/tmp/test_agent_key.XXXXXX";
	char key[AGENT_KEY_MAX + 1], err[2048], big[AGENT_KEY_MAX + 8];
	size_t len;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	key_file(path, "s3cr3t-key-0123456789 \r\nsecond line\n");
	assert_int_equal(agent_key_load(path, key, sizeof(key), &len), 0);
	assert_string_equal(key, "s3cr3t-key-0123456789");
	assert_int_equal(len, 21);
	key_file(path, "0123456789abcdef");	/* 16, no newline */
	assert_int_equal(agent_key_load(path, key, sizeof(key), &len), 0);
	assert_int_equal(len, 16);

	stderr_begin();
	key_file(path, "0123456789abcde\n");	/* 15 */
	assert_int_equal(agent_key_load(path, key, sizeof(key), &len), 1);
	key_file(path, "0123456789 abcdefgh\n");	/* a space */
	assert_int_equal(agent_key_load(path, key, sizeof(key), &len), 1);
	key_file(path, "\n0123456789abcdefgh\n");	/* first line empty */
	assert_int_equal(agent_key_load(path, key, sizeof(key), &len), 1);
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	key_file(path, big);
	assert_int_equal(agent_key_load(path, key, sizeof(key), &len), 1);
	unlink(path);
	assert_int_equal(agent_key_load(path, key, sizeof(key), &len), 1);
	stderr_end(err, sizeof(err));
	assert_non_null(strstr(err, "the key must be 16 to 1024 printable"));
	assert_non_null(strstr(err, "cannot open key file"));

	big[AGENT_KEY_MAX] = '\0';		/* exactly the maximum */
	strcpy(path, "/tmp/test_agent_key.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	key_file(path, big);
	assert_int_equal(agent_key_load(path, key, sizeof(key), &len), 0);
	assert_int_equal(len, AGENT_KEY_MAX);
	unlink(path);
}

static int parse(struct agent_opts *o, char *err, size_t errlen, ...)
{
	char *argv[16] = { "agent" };
	int argc = 1, ret;
	va_list ap;

	va_start(ap, errlen);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	stderr_begin();
	ret = agent_parse_args(argc, argv, o);
	stderr_end(err, errlen);
	return ret;
}

static void test_args(void **state)
{
	struct sockaddr_in6 *s6;
	struct sockaddr_in *s4;
	struct agent_opts o;
	char err[512];

	(void)state;
	assert_int_equal(parse(&o, err, sizeof(err), NULL), 0);
	s4 = (struct sockaddr_in *)&o.listen;
	assert_int_equal(s4->sin_family, AF_INET);
	assert_int_equal(ntohs(s4->sin_port), 9728);
	assert_int_equal(ntohl(s4->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(o.listen_len, sizeof(*s4));
	assert_string_equal(o.listen_text, AGENT_DEFAULT_LISTEN);
	assert_int_equal(o.acl.n, 2);		/* localhost only */
	assert_null(o.key_file);
	assert_int_equal(o.max_conns, 64);
	assert_int_equal(o.timeout_s, 10);

	assert_int_equal(parse(&o, err, sizeof(err), "--listen", "[::]:80",
			       "--allow", "10.0.0.0/8", "--allow=fd00::/8",
			       "--key-file", "/etc/k", "--max-connections",
			       "8", "--timeout", "3", NULL), 0);
	s6 = (struct sockaddr_in6 *)&o.listen;
	assert_int_equal(s6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(s6->sin6_port), 80);
	assert_int_equal(o.listen_len, sizeof(*s6));
	assert_int_equal(o.acl.n, 2);
	assert_int_equal(o.acl.v[0].family, AF_INET);
	assert_int_equal(o.acl.v[1].family, AF_INET6);
	assert_int_equal(o.acl.v[1].len, 8);
	assert_string_equal(o.key_file, "/etc/k");
	assert_int_equal(o.max_conns, 8);
	assert_int_equal(o.timeout_s, 3);

	assert_int_equal(parse(&o, err, sizeof(err), "--listen",
			       "192.0.2.1:65535", NULL), 0);
	assert_int_equal(ntohs(((struct sockaddr_in *)&o.listen)->sin_port),
			 65535);

	static const char *const bad_listen[] = {
		"192.0.2.1", "192.0.2.1:", "192.0.2.1:0", "192.0.2.1:65536",
		"[192.0.2.1]:80", "::1:80", "[::1]80", "[::1]:", ":80",
		"[::1:80", "host:80", "192.0.2.1:-1",
	};
	size_t i;

	for (i = 0; i < sizeof(bad_listen) / sizeof(bad_listen[0]); i++) {
		assert_int_equal(parse(&o, err, sizeof(err), "--listen",
				       bad_listen[i], NULL), EXIT_USAGE);
		assert_non_null(strstr(err, "invalid listen address"));
		assert_non_null(strstr(err, bad_listen[i]));
	}
	assert_int_equal(parse(&o, err, sizeof(err), "--listen", NULL),
			 EXIT_USAGE);
	assert_non_null(strstr(err, "option \"--listen\" needs a value"));
	assert_int_equal(parse(&o, err, sizeof(err), "--bogus", NULL),
			 EXIT_USAGE);
	assert_non_null(strstr(err, "unknown argument \"--bogus\""));
	assert_int_equal(parse(&o, err, sizeof(err), "serve", NULL),
			 EXIT_USAGE);
	assert_non_null(strstr(err, "unexpected argument \"serve\""));
	assert_int_equal(parse(&o, err, sizeof(err), "--allow", "10.0.0.1/8",
			       NULL), EXIT_USAGE);
	assert_int_equal(parse(&o, err, sizeof(err), "--max-connections", "0",
			       NULL), EXIT_USAGE);
	assert_non_null(strstr(err, "at least 1"));
	assert_int_equal(parse(&o, err, sizeof(err), "--timeout", "3601",
			       NULL), EXIT_USAGE);
	assert_non_null(strstr(err, "out of range"));
	assert_int_equal(parse(&o, err, sizeof(err), "--timeout", "x", NULL),
			 EXIT_USAGE);
}

/* --- PUT /sampler/prefixes: the body and the diff/apply logic --------- */

static size_t pfx_parse_ok(const char *body, struct agent_pfx **v)
{
	char err[256] = "";
	size_t n = 99;

	assert_int_equal(agent_pfx_parse(body, strlen(body), v, &n, err,
					 sizeof(err)), 0);
	return n;
}

static void pfx_parse_bad(const char *body, const char *msg)
{
	struct agent_pfx *v = (void *)1;
	char err[256] = "";
	size_t n = 99;

	assert_int_equal(agent_pfx_parse(body, strlen(body), &v, &n, err,
					 sizeof(err)), -EINVAL);
	assert_null(v);
	assert_int_equal(n, 0);
	if (!strstr(err, msg))
		fail_msg("\"%s\": \"%s\" has no \"%s\"", body, err, msg);
}

static void test_pfx_parse(void **state)
{
	struct agent_pfx *v;
	char buf[64];
	size_t n;

	(void)state;
	n = pfx_parse_ok("{\"prefixes\": [{\"prefix\": \"fd00::/16\", \"depth\": 4},"
			 " {\"prefix\": \"10.1.0.0/16\", \"depth\": 8},"
			 " {\"prefix\": \"10.0.0.0/16\"}, {\"prefix\": \"192.0.2.1\", \"depth\": 0}]}",
			 &v);
	assert_int_equal(n, 4);
	/* Sorted: IPv4 first, by address. */
	agent_pfx_format(&v[0], buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.0/16");
	assert_int_equal(v[0].depth, 0);
	agent_pfx_format(&v[1], buf, sizeof(buf));
	assert_string_equal(buf, "10.1.0.0/16");
	assert_int_equal(v[1].depth, 8);
	agent_pfx_format(&v[2], buf, sizeof(buf));
	assert_string_equal(buf, "192.0.2.1/32");
	agent_pfx_format(&v[3], buf, sizeof(buf));
	assert_string_equal(buf, "fd00::/16");
	assert_int_equal(v[3].family, AF_INET6);
	assert_int_equal(v[3].depth, 4);
	free(v);
	n = pfx_parse_ok("{\"prefixes\": []}", &v);
	assert_int_equal(n, 0);
	free(v);
	n = pfx_parse_ok("{\"prefixes\": [{\"prefix\": \"0.0.0.0/0\", \"depth\": 16},"
			 " {\"prefix\": \"::/0\", \"depth\": 16}]}", &v);
	assert_int_equal(n, 2);
	free(v);

	pfx_parse_bad("", "not valid JSON");
	pfx_parse_bad("{\"prefixes\": [", "not valid JSON");
	pfx_parse_bad("{\"prefixes\": []} x", "not valid JSON");
	pfx_parse_bad("[]", "not a JSON object");
	pfx_parse_bad("{}", "missing or not a list");
	pfx_parse_bad("{\"prefixes\": {}}", "missing or not a list");
	pfx_parse_bad("{\"prefixes\": [], \"x\": 1}", "unknown member \"x\"");
	pfx_parse_bad("{\"prefixes\": [1]}", "prefixes[0]: not an object");
	pfx_parse_bad("{\"prefixes\": [{\"depth\": 1}]}", "no \"prefix\"");
	pfx_parse_bad("{\"prefixes\": [{\"prefix\": 1}]}", "not a string");
	pfx_parse_bad("{\"prefixes\": [{\"prefix\": \"10.0.0.1/8\"}]}",
		      "invalid prefix \"10.0.0.1/8\"");
	pfx_parse_bad("{\"prefixes\": [{\"prefix\": \"10.0.0.0/33\"}]}",
		      "invalid prefix");
	pfx_parse_bad("{\"prefixes\": [{\"prefix\": \"nonsense\"}]}",
		      "invalid prefix");
	pfx_parse_bad("{\"prefixes\": [{\"prefix\": \"10.0.0.0/8\", \"depth\": 17}]}",
		      "depth: not 0..16");
	pfx_parse_bad("{\"prefixes\": [{\"prefix\": \"10.0.0.0/8\", \"depth\": -1}]}",
		      "depth: not 0..16");
	pfx_parse_bad("{\"prefixes\": [{\"prefix\": \"10.0.0.0/8\", \"depth\": \"8\"}]}",
		      "not an integer");
	pfx_parse_bad("{\"prefixes\": [{\"prefix\": \"10.0.0.0/8\", \"depth\": 1.5}]}",
		      "not an integer");
	pfx_parse_bad("{\"prefixes\": [{\"prefix\": \"10.0.0.0/30\", \"depth\": 3}]}",
		      "too deep for a /30");
	pfx_parse_bad("{\"prefixes\": [{\"prefix\": \"10.0.0.0/8\", \"dept\": 3}]}",
		      "unknown member \"dept\"");
	pfx_parse_bad("{\"prefixes\": [{\"prefix\": \"10.0.0.0/8\"}, {\"prefix\": \"10.0.0.0/8\", \"depth\": 2}]}",
		      "10.0.0.0/8 is given twice");
	pfx_parse_bad("{\"prefixes\": [{\"prefix\": \"10.1.0.0/16\"}, {\"prefix\": \"10.0.0.0/8\"}]}",
		      "10.1.0.0/16 overlaps 10.0.0.0/8");
	pfx_parse_bad("{\"prefixes\": [{\"prefix\": \"::/0\"}, {\"prefix\": \"fd00::/8\"}]}",
		      "fd00::/8 overlaps ::/0");
}

/* A stand-in module: a set with the kernel's overlap rule and a limit. */
struct fake_mod {
	struct agent_pfx v[32];
	size_t n;
	size_t max;			/* prefixes it takes */
	int fail_at;			/* the Nth operation fails (1-based) */
	int fail_undo;			/* and every one after it */
	int ops;
	char log[1024];
};

static int fake_find(struct fake_mod *m, const struct agent_pfx *p)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->v[i].family == p->family && m->v[i].len == p->len &&
		    !memcmp(m->v[i].addr, p->addr, 16))
			return i;
	return -1;
}

static bool fake_overlap(const struct agent_pfx *a, const struct agent_pfx *b)
{
	struct bal_prefix x, y;

	agent_pfx_prefix(a, &x);
	agent_pfx_prefix(b, &y);
	return bal_prefix_overlap(&x, &y);
}

static int fake_fail(struct fake_mod *m, char *msg, size_t len)
{
	m->ops++;
	if (m->fail_at && (m->ops == m->fail_at ||
			   (m->fail_undo && m->ops > m->fail_at))) {
		snprintf(msg, len, "injected");
		return -ENOMEM;
	}
	return 0;
}

static int fake_add(void *ctx, const struct agent_pfx *p, char *msg,
		    size_t len)
{
	struct fake_mod *m = ctx;
	char b[64];
	size_t i;
	int r = fake_fail(m, msg, len);

	if (r)
		return r;
	for (i = 0; i < m->n; i++) {
		if (fake_overlap(&m->v[i], p)) {
			snprintf(msg, len, "overlaps");
			return -EEXIST;
		}
	}
	if (m->n >= m->max) {
		snprintf(msg, len, "max-prefixes reached");
		return -ENOSPC;
	}
	m->v[m->n++] = *p;
	agent_pfx_format(p, b, sizeof(b));
	snprintf(m->log + strlen(m->log), sizeof(m->log) - strlen(m->log),
		 "+%s/%u ", b, p->depth);
	return 0;
}

static int fake_del(void *ctx, const struct agent_pfx *p, char *msg,
		    size_t len)
{
	struct fake_mod *m = ctx;
	char b[64];
	int i, r = fake_fail(m, msg, len);

	if (r)
		return r;
	i = fake_find(m, p);
	if (i < 0) {
		snprintf(msg, len, "not monitored");
		return -ENOENT;
	}
	m->v[i] = m->v[--m->n];
	agent_pfx_format(p, b, sizeof(b));
	snprintf(m->log + strlen(m->log), sizeof(m->log) - strlen(m->log),
		 "-%s ", b);
	return 0;
}

static const struct agent_pfx_ops fake_ops = { fake_add, fake_del };

/* The module's set, sorted, as "PREFIX/DEPTH ...". */
static void fake_set(struct fake_mod *m, char *out, size_t len)
{
	struct agent_pfx s[32];
	char b[64];
	size_t i, j, k;

	memcpy(s, m->v, m->n * sizeof(*s));
	for (i = 1; i < m->n; i++)	/* insertion sort by text */
		for (j = i; j > 0; j--) {
			char x[64], y[64];
			struct agent_pfx t;

			agent_pfx_format(&s[j - 1], x, sizeof(x));
			agent_pfx_format(&s[j], y, sizeof(y));
			if (strcmp(x, y) <= 0)
				break;
			t = s[j];
			s[j] = s[j - 1];
			s[j - 1] = t;
		}
	out[0] = '\0';
	for (k = 0; k < m->n; k++) {
		agent_pfx_format(&s[k], b, sizeof(b));
		snprintf(out + strlen(out), len - strlen(out), "%s%s/%u",
			 k ? " " : "", b, s[k].depth);
	}
}

static int fake_apply(struct fake_mod *m, const char *body,
		      struct agent_pfx_result *res, char *err, size_t errlen)
{
	struct agent_pfx *want, cur[32];
	size_t n, ncur = m->n;
	int ret;

	n = pfx_parse_ok(body, &want);
	memcpy(cur, m->v, m->n * sizeof(*cur));
	m->log[0] = '\0';
	m->ops = 0;
	ret = agent_pfx_apply(cur, ncur, want, n, &fake_ops, m, res, err,
			      errlen);
	free(want);
	return ret;
}

static void test_pfx_apply(void **state)
{
	struct fake_mod m = { .n = 0, .max = 4 };
	struct agent_pfx_result res;
	char err[512], set[512];

	(void)state;
	assert_int_equal(fake_apply(&m, "{\"prefixes\": [{\"prefix\": \"10.0.0.0/12\", \"depth\": 8}]}",
				    &res, err, sizeof(err)), 0);
	fake_set(&m, set, sizeof(set));
	assert_string_equal(set, "10.0.0.0/12/8");
	assert_int_equal(res.added, 1);

	/* Split into two halves at another depth: the old one goes first
	 * (they overlap), then the new ones are added.
	 */
	assert_int_equal(fake_apply(&m, "{\"prefixes\": [{\"prefix\": \"10.0.0.0/13\", \"depth\": 8},"
				    " {\"prefix\": \"10.8.0.0/13\", \"depth\": 8}]}",
				    &res, err, sizeof(err)), 0);
	assert_string_equal(m.log, "-10.0.0.0/12 +10.0.0.0/13/8 +10.8.0.0/13/8 ");
	assert_int_equal(res.removed, 1);
	assert_int_equal(res.added, 2);
	assert_int_equal(res.kept, 0);

	/* The same set again: nothing touched. */
	assert_int_equal(fake_apply(&m, "{\"prefixes\": [{\"prefix\": \"10.8.0.0/13\", \"depth\": 8},"
				    " {\"prefix\": \"10.0.0.0/13\", \"depth\": 8}]}",
				    &res, err, sizeof(err)), 0);
	assert_string_equal(m.log, "");
	assert_int_equal(res.kept, 2);
	assert_int_equal(res.added + res.removed, 0);

	/* A depth change is a remove and an add; the other stays. */
	assert_int_equal(fake_apply(&m, "{\"prefixes\": [{\"prefix\": \"10.8.0.0/13\", \"depth\": 8},"
				    " {\"prefix\": \"10.0.0.0/13\", \"depth\": 4}]}",
				    &res, err, sizeof(err)), 0);
	assert_string_equal(m.log, "-10.0.0.0/13 +10.0.0.0/13/4 ");
	assert_int_equal(res.kept, 1);

	/* Over the module's limit: the fifth add fails, all is undone. */
	assert_int_equal(fake_apply(&m, "{\"prefixes\": [{\"prefix\": \"10.8.0.0/13\", \"depth\": 8},"
				    " {\"prefix\": \"192.0.2.0/24\"}, {\"prefix\": \"192.0.3.0/24\"},"
				    " {\"prefix\": \"192.0.4.0/24\"}, {\"prefix\": \"192.0.5.0/24\"}]}",
				    &res, err, sizeof(err)), -ENOSPC);
	assert_true(res.failed);
	assert_int_equal(res.undo_failed, 0);
	assert_non_null(strstr(err, "adding 192.0.5.0/24 depth 0: max-prefixes reached"));
	fake_set(&m, set, sizeof(set));
	assert_string_equal(set, "10.0.0.0/13/4 10.8.0.0/13/8");

	/* A failed removal undoes the removals before it. */
	m.fail_at = 2;
	assert_int_equal(fake_apply(&m, "{\"prefixes\": [{\"prefix\": \"fd00::/16\", \"depth\": 4}]}",
				    &res, err, sizeof(err)), -ENOMEM);
	assert_non_null(strstr(err, "removing "));
	assert_non_null(strstr(err, "injected"));
	fake_set(&m, set, sizeof(set));
	assert_string_equal(set, "10.0.0.0/13/4 10.8.0.0/13/8");

	/* A failed add after removals: the removed come back at their
	 * depth, the added go.
	 */
	m.fail_at = 4;
	assert_int_equal(fake_apply(&m, "{\"prefixes\": [{\"prefix\": \"fd00::/16\", \"depth\": 4},"
				    " {\"prefix\": \"fd01::/16\"}]}",
				    &res, err, sizeof(err)), -ENOMEM);
	fake_set(&m, set, sizeof(set));
	assert_string_equal(set, "10.0.0.0/13/4 10.8.0.0/13/8");
	assert_int_equal(res.undo_failed, 0);

	/* An undo that fails too is counted and said. */
	m.fail_at = 2;
	m.fail_undo = 1;
	assert_int_equal(fake_apply(&m, "{\"prefixes\": []}", &res, err,
				    sizeof(err)), -ENOMEM);
	assert_int_equal(res.undo_failed, 1);
	assert_non_null(strstr(err, "1 changes could not be undone"));
	m.fail_at = 0;
	m.fail_undo = 0;

	/* The empty set removes everything. */
	assert_int_equal(fake_apply(&m, "{\"prefixes\": []}", &res, err,
				    sizeof(err)), 0);
	assert_int_equal(m.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prom_counters),
		cmocka_unit_test(test_prom_down),
		cmocka_unit_test(test_prom_every_stat),
		cmocka_unit_test(test_acl),
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_key_file),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_pfx_parse),
		cmocka_unit_test(test_pfx_apply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
