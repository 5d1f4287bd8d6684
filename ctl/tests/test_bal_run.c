// SPDX-License-Identifier: GPL-2.0
/*
 * The balancer's controller without a switch: the configuration's agent
 * settings, the HTTP response and sampler window parsers (also on
 * garbage), the HTTP client against a local stand-in agent, the smoothed
 * traffic model, host failures and returns, and the decision to install
 * or keep (steady noisy traffic installs nothing).
 */
#include "test.h"
#include <errno.h>
#include <curl/curl.h>
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "bal_model.h"
#include "bal_ovs.h"
#include "bal_poll.h"
#include "bal_run.h"

static struct bal_prefix pfx(const char *s)
{
	struct bal_prefix p;

	assert_int_equal(bal_prefix_parse(s, &p), 0);
	return p;
}

/* --- configuration ----------------------------------------------------- */

static void test_config(void **state)
{
	struct bal_ovs_config cfg;
	char err[512] = "";

	(void)state;
	assert_int_equal(bal_ovs_config_parse("t.conf",
		"bridge b\nagent-key-file /etc/k\n"
		"host 1 port 2 capacity 3 agent 10.0.0.1:9728\n"
		"host 2 port 3 agent [fd00::2]:80 capacity 5\n"
		"host 3 port 4\n", &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.agent_key_file, "/etc/k");
	assert_int_equal(cfg.hosts[0].capacity, 3);
	assert_int_equal(cfg.hosts[0].agent.ss_family, AF_INET);
	assert_int_equal(cfg.hosts[0].agent_len, sizeof(struct sockaddr_in));
	assert_string_equal(cfg.hosts[0].agent_text, "10.0.0.1:9728");
	assert_int_equal(cfg.hosts[1].capacity, 5);
	assert_int_equal(cfg.hosts[1].agent.ss_family, AF_INET6);
	assert_int_equal(cfg.hosts[2].agent_len, 0);
	bal_ovs_config_free(&cfg);

	assert_int_equal(bal_ovs_config_parse("t.conf",
		"bridge b\nhost 1 port 2 agent 10.0.0.1\n", &cfg, err,
		sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "invalid agent address"));
	bal_ovs_config_free(&cfg);
	assert_int_equal(bal_ovs_config_parse("t.conf",
		"bridge b\nhost 1 port 2 agent 1.2.3.4:1 agent 1.2.3.4:2\n",
		&cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "host ID port N"));
	bal_ovs_config_free(&cfg);
	assert_int_equal(bal_ovs_config_parse("t.conf",
		"bridge b\nhost 1 port 2 agent\n", &cfg, err, sizeof(err)),
		-EINVAL);
	bal_ovs_config_free(&cfg);
}

/* --- the hosts' samplers ----------------------------------------------- */

static void cfg_bad(const char *text, const char *msg)
{
	struct bal_ovs_config cfg;
	char err[512] = "";

	assert_int_equal(bal_ovs_config_parse("t.conf", text, &cfg, err,
					      sizeof(err)), -EINVAL);
	if (!strstr(err, msg))
		fail_msg("\"%s\": \"%s\" has no \"%s\"", text, err, msg);
	bal_ovs_config_free(&cfg);
}

/* The set as "PREFIX/DEPTH ...". */
static void set_text(const struct agent_pfx *v, size_t n, char *out,
		     size_t len)
{
	char b[64];
	size_t i;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		agent_pfx_format(&v[i], b, sizeof(b));
		snprintf(out + strlen(out), len - strlen(out), "%s%s/%u",
			 i ? " " : "", b, v[i].depth);
	}
}

static void expect_set(const struct bal_ovs_config *cfg,
		       const struct bal_result *res, uint32_t id,
		       const char *want)
{
	struct agent_pfx *v;
	char got[1024];
	size_t n;

	assert_int_equal(bal_sampler_set(cfg, res, id, &v, &n), 0);
	set_text(v, n, got, sizeof(got));
	if (strcmp(got, want))
		fail_msg("host %u: \"%s\", not \"%s\"", id, got, want);
	free(v);
}

static void test_sampler_set(void **state)
{
	struct bal_rule rules[] = {
		{ .prefix = pfx("10.0.0.0/16"), .host = 2 },
		{ .prefix = pfx("10.1.0.0/17"), .host = 3 },
		{ .prefix = pfx("10.1.128.0/17"), .host = 2 },
		{ .prefix = pfx("10.2.0.4/30"), .host = 3 },
		{ .prefix = pfx("fd00::/64"), .host = 4 },
	};
	struct bal_result res = {
		.default_host = 1, .rules = rules, .nrules = 5,
	};
	struct bal_ovs_config cfg;
	struct agent_pfx *a, *b;
	char err[512] = "", *json;
	size_t na, nb;

	(void)state;
	assert_int_equal(bal_ovs_config_parse("t.conf",
		"bridge b\nhost 1 port 2\nhost 2 port 3\nhost 3 port 4\n"
		"host 4 port 5\nhost 5 port 6\n", &cfg, err, sizeof(err)), 0);
	assert_true(cfg.smp_push);
	assert_int_equal(cfg.smp_depth, 8);
	/* The default host: 0/0 and ::/0 at depth 8; the others their
	 * rules at depth 8, 2 for a /30; a host without rules nothing.
	 */
	expect_set(&cfg, &res, 1, "0.0.0.0/0/8 ::/0/8");
	expect_set(&cfg, &res, 2, "10.0.0.0/16/8 10.1.128.0/17/8");
	expect_set(&cfg, &res, 3, "10.1.0.0/17/8 10.2.0.4/30/2");
	expect_set(&cfg, &res, 4, "fd00::/64/8");
	expect_set(&cfg, &res, 5, "");
	bal_ovs_config_free(&cfg);

	/* Configured: the default host's prefixes, another depth; two
	 * prefixes at 16 would take 2 x 65,536 counters: 15 each.
	 */
	assert_int_equal(bal_ovs_config_parse("t.conf",
		"bridge b\nsampler-depth 16\nsampler-default fd00::/16 depth 12\n"
		"sampler-default 10.0.0.0/12 depth 4\nsampler-default 192.0.2.0/24\n"
		"sampler-push off\nhost 1 port 2\nhost 2 port 3\n",
		&cfg, err, sizeof(err)), 0);
	assert_false(cfg.smp_push);
	expect_set(&cfg, &res, 1, "10.0.0.0/12/4 192.0.2.0/24/0 fd00::/16/12");
	expect_set(&cfg, &res, 2, "10.0.0.0/16/15 10.1.128.0/17/15");
	expect_set(&cfg, &res, 4, "fd00::/64/16");
	/* The body, and the comparison the pushes are skipped by. */
	assert_int_equal(bal_sampler_set(&cfg, &res, 3, &a, &na), 0);
	json = bal_sampler_json(a, na);
	assert_string_equal(json, "{\"prefixes\": [{\"prefix\": \"10.1.0.0/17\", \"depth\": 15}, "
			    "{\"prefix\": \"10.2.0.4/30\", \"depth\": 2}]}");
	free(json);
	json = bal_sampler_json(NULL, 0);
	assert_string_equal(json, "{\"prefixes\": []}");
	free(json);
	assert_int_equal(bal_sampler_set(&cfg, &res, 3, &b, &nb), 0);
	assert_true(bal_sampler_same(a, na, b, nb));
	b[1].depth = 3;
	assert_false(bal_sampler_same(a, na, b, nb));
	assert_false(bal_sampler_same(a, na, b, 1));
	assert_true(bal_sampler_same(NULL, 0, NULL, 0));
	free(a);
	free(b);
	/* The body round-trips through the agent's parser. */
	assert_int_equal(bal_sampler_set(&cfg, &res, 1, &a, &na), 0);
	json = bal_sampler_json(a, na);
	assert_int_equal(agent_pfx_parse(json, strlen(json), &b, &nb, err,
					 sizeof(err)), 0);
	assert_true(bal_sampler_same(a, na, b, nb));
	free(json);
	free(a);
	free(b);
	bal_ovs_config_free(&cfg);

	/* The agent's answer: the three counts, or garbage. */
	{
		const char *ok = "{\"prefixes\": 2, \"added\": 1, \"removed\": 3, \"kept\": 1}";
		const char *bad[] = {
			"", "{}", "[]", "{\"added\": 1, \"removed\": 0}",
			"{\"added\": -1, \"removed\": 0, \"kept\": 0}",
			"{\"added\": \"1\", \"removed\": 0, \"kept\": 0}",
			"{\"added\": 1, \"removed\": 0, \"kept\": 0} x",
			"{\"window\": {\"number\": \"seven\", [[[",
		};
		uint64_t ad, rm, kp;
		size_t i;

		assert_int_equal(bal_sampler_answer(ok, strlen(ok), &ad, &rm,
						    &kp), 0);
		assert_int_equal(ad, 1);
		assert_int_equal(rm, 3);
		assert_int_equal(kp, 1);
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			assert_int_equal(bal_sampler_answer(bad[i],
							    strlen(bad[i]),
							    &ad, &rm, &kp),
					 -EBADMSG);
	}

	cfg_bad("bridge b\nsampler-push yes\n", "sampler-push is on or off");
	cfg_bad("bridge b\nsampler-depth 17\n", "sampler depth");
	cfg_bad("bridge b\nsampler-default 10.0.0.0/30 depth 3\n",
		"depth 3 too deep for a /30");
	cfg_bad("bridge b\nsampler-default 10.0.0.1/8\n", "invalid prefix");
	cfg_bad("bridge b\nsampler-default 10.0.0.0/8 deep 2\n",
		"sampler-default PREFIX [depth N]");
	cfg_bad("bridge b\nsampler-default 10.0.0.0/8\nsampler-default 10.1.0.0/16\n",
		"overlaps an earlier one");
}

/* --- sampler windows --------------------------------------------------- */

static const char window_doc[] =
	"{ \"window\": { \"number\": 7, \"start_ms\": 1000, \"end_ms\": 3000,"
	"  \"rate\": 10, \"mode\": \"random\", \"key\": \"src\" },"
	"  \"unmatched\": { \"packets\": 5 },"
	"  \"prefixes\": ["
	"   { \"prefix\": \"10.0.0.0/8\", \"depth\": 1, \"total\": {},"
	"     \"subprefixes\": ["
	"      { \"prefix\": \"10.0.0.0/9\", \"index\": 0, \"packets\": 400,"
	"        \"bytes\": 60000, \"packets_low\": 1, \"packets_high\": 2 },"
	"      { \"prefix\": \"10.128.0.0/9\", \"index\": 1, \"packets\": 0,"
	"        \"bytes\": 0 } ] },"
	"   { \"prefix\": \"fd00::/16\", \"subprefixes\": ["
	"      { \"prefix\": \"fd00::/17\", \"packets\": 20, \"bytes\": 2000 }"
	"   ] } ] }";

static void test_window_parse(void **state)
{
	struct bal_window w;

	(void)state;
	assert_int_equal(bal_window_parse(window_doc, strlen(window_doc),
					  BAL_METRIC_PACKETS, &w), 0);
	assert_int_equal(w.number, 7);
	assert_int_equal(w.duration_ms, 2000);
	assert_int_equal(w.nsamples, 2);	/* the zero left out */
	assert_int_equal(bal_prefix_cmp(&w.samples[0].prefix,
					&(struct bal_prefix){ 0 }) != 0, 1);
	assert_true(w.samples[0].rate == 200.0);	/* 400 in 2 s */
	assert_true(w.samples[1].rate == 10.0);
	assert_int_equal(w.samples[1].prefix.family, AF_INET6);
	bal_window_free(&w);
	assert_int_equal(bal_window_parse(window_doc, strlen(window_doc),
					  BAL_METRIC_BYTES, &w), 0);
	assert_true(w.samples[0].rate == 30000.0);
	bal_window_free(&w);
	/* A window of no length counts as 1 ms; no prefixes is fine. */
	{
		const char *d = "{\"window\":{\"number\":1,\"start_ms\":5,"
				"\"end_ms\":5},\"prefixes\":[]}";

		assert_int_equal(bal_window_parse(d, strlen(d),
						  BAL_METRIC_PACKETS, &w), 0);
	}
	assert_int_equal(w.duration_ms, 1);
	assert_int_equal(w.nsamples, 0);
	bal_window_free(&w);
	/* A prefix added half a second before the window's end (the
	 * controller told the host to monitor it): its rate is over that
	 * half second; one starting with the window over the window.
	 */
	{
		const char *d = "{\"window\":{\"number\":2,\"start_ms\":1000,"
				"\"end_ms\":3000},\"prefixes\":["
				"{\"prefix\":\"10.0.0.0/8\",\"window_start_ms\":2500,"
				"\"subprefixes\":[{\"prefix\":\"10.0.0.0/8\",\"packets\":50}]},"
				"{\"prefix\":\"10.1.0.0/16\",\"window_start_ms\":1000,"
				"\"subprefixes\":[{\"prefix\":\"10.1.0.0/16\",\"packets\":50}]}]}";

		assert_int_equal(bal_window_parse(d, strlen(d),
						  BAL_METRIC_PACKETS, &w), 0);
	}
	assert_int_equal(w.nsamples, 2);
	assert_true(w.samples[0].rate == 100.0);
	assert_true(w.samples[1].rate == 25.0);
	bal_window_free(&w);
}

static void window_bad(const char *doc)
{
	struct bal_window w;

	if (bal_window_parse(doc, strlen(doc), BAL_METRIC_PACKETS, &w) !=
	    -EBADMSG)
		fail_msg("accepted: %s", doc);
	assert_null(w.samples);
}

#define W(x) "{\"window\":{\"number\":1,\"start_ms\":0,\"end_ms\":1000}," \
	"\"prefixes\":[{\"subprefixes\":[" x "]}]}"

static void test_window_garbage(void **state)
{
	char *doc;
	size_t i, len = strlen(window_doc);
	unsigned int seed = 1;
	struct bal_window w;
	int r;

	(void)state;
	/* A prefix's start outside the window, or not a number. */
	window_bad("{\"window\":{\"number\":1,\"start_ms\":10,\"end_ms\":20},"
		   "\"prefixes\":[{\"window_start_ms\":21,\"subprefixes\":[]}]}");
	window_bad("{\"window\":{\"number\":1,\"start_ms\":10,\"end_ms\":20},"
		   "\"prefixes\":[{\"window_start_ms\":9,\"subprefixes\":[]}]}");
	window_bad("{\"window\":{\"number\":1,\"start_ms\":10,\"end_ms\":20},"
		   "\"prefixes\":[{\"window_start_ms\":\"x\",\"subprefixes\":[]}]}");
	window_bad("");
	window_bad("null");
	window_bad("[]");
	window_bad("{}");
	window_bad("{\"window\":1,\"prefixes\":[]}");
	window_bad("{\"window\":{\"number\":0,\"start_ms\":0,\"end_ms\":1},\"prefixes\":[]}");
	window_bad("{\"window\":{\"number\":-1,\"start_ms\":0,\"end_ms\":1},\"prefixes\":[]}");
	window_bad("{\"window\":{\"number\":1,\"start_ms\":9,\"end_ms\":1},\"prefixes\":[]}");
	window_bad("{\"window\":{\"number\":1.5,\"start_ms\":0,\"end_ms\":1},\"prefixes\":[]}");
	window_bad("{\"window\":{\"number\":1,\"start_ms\":0,\"end_ms\":1},\"prefixes\":{}}");
	window_bad("{\"window\":{\"number\":1,\"start_ms\":0,\"end_ms\":1},\"prefixes\":[1]}");
	window_bad("{\"window\":{\"number\":1,\"start_ms\":0,\"end_ms\":1},\"prefixes\":[]} x");
	window_bad(W("{\"prefix\":\"10.0.0.1/8\",\"packets\":1}"));
	window_bad(W("{\"prefix\":\"10.0.0.0/33\",\"packets\":1}"));
	window_bad(W("{\"prefix\":\"?\",\"packets\":1}"));
	window_bad(W("{\"prefix\":7,\"packets\":1}"));
	window_bad(W("{\"prefix\":\"10.0.0.0/8\",\"packets\":\"1\"}"));
	window_bad(W("{\"prefix\":\"10.0.0.0/8\",\"packets\":-4}"));
	window_bad(W("{\"prefix\":\"10.0.0.0/8\",\"packets\":1e300}"));
	window_bad(W("{\"prefix\":\"10.0.0.0/8\"}"));
	window_bad(W("[]"));
	/* Estimates up to 2^53 are taken; more is no real window. */
	{
		const char *d = W("{\"prefix\":\"10.0.0.0/8\",\"packets\":9007199254740992}");

		assert_int_equal(bal_window_parse(d, strlen(d),
						  BAL_METRIC_PACKETS, &w), 0);
		bal_window_free(&w);
	}
	window_bad(W("{\"prefix\":\"10.0.0.0/8\",\"packets\":9007199254740993}"));
	window_bad(W("{\"prefix\":\"10.0.0.0/8\",\"packets\":18446744073709551615}"));
	window_bad(W("{\"prefix\":\"10.0.0.0/8\",\"packets\":18446744073709551616}"));
	/* Random corruption of a good document: parsed or refused, never
	 * a crash (valgrind, ASan find what a crash would not).
	 */
	doc = malloc(len + 1);
	assert_non_null(doc);
	for (i = 0; i < 20000; i++) {
		memcpy(doc, window_doc, len + 1);
		doc[rand_r(&seed) % len] = (char)(rand_r(&seed) % 256);
		if (i & 1)
			doc[rand_r(&seed) % len] = "{}[]\",:0-"[rand_r(&seed) % 9];
		r = bal_window_parse(doc, len, BAL_METRIC_PACKETS, &w);
		assert_true(r == 0 || r == -EBADMSG);
		bal_window_free(&w);
		r = bal_window_parse(doc, rand_r(&seed) % len,
				     BAL_METRIC_PACKETS, &w);
		assert_true(r == 0 || r == -EBADMSG);
		bal_window_free(&w);
	}
	free(doc);
}

/* --- the HTTP client against a stand-in agent ---------------------------- */

/* What the next request must contain (NULL: anything); else the stand-in
 * answers 400.
 */
static const char *serve_expect;

/* A server on 127.0.0.1 that answers one connection with @resp (NULL:
 * accept and say nothing), then exits. Returns its pid.
 */
static pid_t serve_once(const char *resp, struct sockaddr_in *sa)
{
	socklen_t sl = sizeof(*sa);
	char buf[4096];
	pid_t pid;
	int fd, c;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)sa, sizeof(*sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)sa, &sl), 0);
	assert_int_equal(listen(fd, 4), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid) {
		close(fd);
		return pid;
	}
	c = accept(fd, NULL, NULL);
	if (c >= 0) {
		ssize_t n = read(c, buf, sizeof(buf) - 1);

		if (n < 0)
			_exit(1);
		buf[n] = '\0';
		if (serve_expect && !strstr(buf, serve_expect))
			resp = "HTTP/1.0 400 Bad Request\r\n\r\n";
		if (resp) {
			if (write(c, resp, strlen(resp)) < 0)
				_exit(1);
		} else {
			sleep(3);
		}
		close(c);
	}
	_exit(0);
}

static void test_http_request(void **state)
{
	struct sockaddr_in sa;
	size_t len;
	char *body;
	int status;
	pid_t pid;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	/* A PUT with its JSON body. */
	serve_expect = "PUT /sampler/prefixes HTTP/1.0\r\n";
	pid = serve_once("HTTP/1.0 200 OK\r\nContent-Length: 11\r\n\r\n{\"added\":1}",
			 &sa);
	assert_int_equal(bal_http_send((struct sockaddr *)&sa, sizeof(sa),
				       "PUT", "/sampler/prefixes",
				       "0123456789abcdef", "{\"prefixes\": []}",
				       2000, &status, &body, &len), BAL_POLL_OK);
	assert_int_equal(status, 200);
	assert_string_equal(body, "{\"added\":1}");
	free(body);
	waitpid(pid, NULL, 0);
	serve_expect = "\r\nContent-Type: application/json\r\n";
	pid = serve_once("HTTP/1.0 200 OK\r\n\r\n", &sa);
	assert_int_equal(bal_http_send((struct sockaddr *)&sa, sizeof(sa),
				       "PUT", "/sampler/prefixes", NULL,
				       "{\"prefixes\": []}", 2000, &status,
				       &body, &len), BAL_POLL_OK);
	assert_int_equal(status, 200);
	free(body);
	waitpid(pid, NULL, 0);
	serve_expect = "POST /sampler/reset HTTP/1.0\r\n";
	pid = serve_once("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}",
			 &sa);
	assert_int_equal(bal_http_request((struct sockaddr *)&sa, sizeof(sa),
					  "POST", "/sampler/reset",
					  "0123456789abcdef", 2000, &status,
					  &body, &len), BAL_POLL_OK);
	assert_int_equal(status, 200);
	assert_string_equal(body, "{}");
	free(body);
	waitpid(pid, NULL, 0);
	/* The key goes in the Authorization header. */
	serve_expect = "\r\nAuthorization: Bearer 0123456789abcdef\r\n";
	pid = serve_once("HTTP/1.0 200 OK\r\n\r\n", &sa);
	assert_int_equal(bal_http_request((struct sockaddr *)&sa, sizeof(sa),
					  "POST", "/sampler/ack?window=3",
					  "0123456789abcdef", 2000, &status,
					  &body, &len), BAL_POLL_OK);
	assert_int_equal(status, 200);
	assert_int_equal(len, 0);
	assert_string_equal(body, "");
	free(body);
	waitpid(pid, NULL, 0);
	serve_expect = "GET /status HTTP/1.0\r\n";

	pid = serve_once("HTTP/1.0 403 Forbidden\r\n\r\n{\"error\":\"x\"}",
			 &sa);
	assert_int_equal(bal_http_request((struct sockaddr *)&sa, sizeof(sa),
					  "GET", "/status", NULL, 2000,
					  &status, &body, &len), BAL_POLL_OK);
	assert_int_equal(status, 403);
	free(body);
	waitpid(pid, NULL, 0);
	serve_expect = NULL;

	/* Content-Length counts: a short body is no response. */
	pid = serve_once("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab",
			 &sa);
	assert_int_equal(bal_http_request((struct sockaddr *)&sa, sizeof(sa),
					  "GET", "/", NULL, 2000, &status,
					  &body, &len), BAL_POLL_GARBAGE);
	assert_null(body);
	waitpid(pid, NULL, 0);
	pid = serve_once("HTTP/1.1 200 OK\r\ncontent-length:  3 \r\n\r\nabcdef",
			 &sa);
	assert_int_equal(bal_http_request((struct sockaddr *)&sa, sizeof(sa),
					  "GET", "/", NULL, 2000, &status,
					  &body, &len), BAL_POLL_OK);
	assert_int_equal(len, 3);
	assert_string_equal(body, "abc");
	free(body);
	waitpid(pid, NULL, 0);
	pid = serve_once("SSH-2.0-OpenSSH\r\n\r\n", &sa);
	assert_int_equal(bal_http_request((struct sockaddr *)&sa, sizeof(sa),
					  "GET", "/", NULL, 2000, &status,
					  &body, &len), BAL_POLL_GARBAGE);
	waitpid(pid, NULL, 0);

	pid = serve_once("garbage\n", &sa);
	assert_int_equal(bal_http_request((struct sockaddr *)&sa, sizeof(sa),
					  "GET", "/", NULL, 2000, &status,
					  &body, &len), BAL_POLL_GARBAGE);
	assert_null(body);
	waitpid(pid, NULL, 0);

	pid = serve_once(NULL, &sa);	/* says nothing: the deadline */
	assert_int_equal(bal_http_request((struct sockaddr *)&sa, sizeof(sa),
					  "GET", "/", NULL, 300, &status,
					  &body, &len), BAL_POLL_TIMEOUT);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);

	/* Nobody listens there now. */
	assert_int_equal(bal_http_request((struct sockaddr *)&sa, sizeof(sa),
					  "GET", "/", NULL, 1000, &status,
					  &body, &len), BAL_POLL_CONNECT);

	/* A window through bal_poll_window(); the ack gets no answer. */
	{
		static char resp[4096];
		struct bal_window w;
		bool ackf;

		snprintf(resp, sizeof(resp),
			 "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
			 strlen(window_doc), window_doc);
		pid = serve_once(resp, &sa);
		assert_int_equal(bal_poll_window((struct sockaddr *)&sa,
						 sizeof(sa), NULL, 1000,
						 BAL_METRIC_PACKETS, &w,
						 &ackf), BAL_POLL_OK);
		assert_int_equal(w.number, 7);
		assert_true(ackf);
		bal_window_free(&w);
		waitpid(pid, NULL, 0);
		pid = serve_once("HTTP/1.0 200 OK\r\n\r\n{\"window\":", &sa);
		assert_int_equal(bal_poll_window((struct sockaddr *)&sa,
						 sizeof(sa), NULL, 1000,
						 BAL_METRIC_PACKETS, &w,
						 &ackf), BAL_POLL_GARBAGE);
		waitpid(pid, NULL, 0);
		pid = serve_once("HTTP/1.0 503 Unavailable\r\n\r\n{}", &sa);
		assert_int_equal(bal_poll_window((struct sockaddr *)&sa,
						 sizeof(sa), NULL, 1000,
						 BAL_METRIC_PACKETS, &w,
						 &ackf), BAL_POLL_STATUS);
		waitpid(pid, NULL, 0);
	}
}

/* --- the model --------------------------------------------------------- */

static const struct bal_host hosts4[] = {
	{ 1, 100 }, { 2, 100 }, { 3, 100 }, { 4, 100 },
};

static double est(const struct bal_model *m, size_t i, const char *p)
{
	struct bal_prefix q = pfx(p);
	size_t j;

	for (j = 0; j < m->hosts[i].nest; j++)
		if (!bal_prefix_cmp(&m->hosts[i].est[j].prefix, &q))
			return m->hosts[i].est[j].rate;
	return -1;
}

static uint64_t load_of(const struct bal_traffic *t, const char *p)
{
	struct bal_prefix q = pfx(p);
	uint64_t l;

	assert_int_equal(bal_traffic_load(t, &q, &l), 0);
	return l;
}

static void test_model_smoothing(void **state)
{
	struct bal_sample s[3] = {
		{ pfx("10.1.0.0/16"), 100 },
		{ pfx("10.2.0.0/16"), 40 },
		{ pfx("10.1.0.0/16"), 20 },	/* repeated: added */
	};
	enum bal_host_event ev;
	struct bal_traffic *t;
	struct bal_model m;

	(void)state;
	assert_int_equal(bal_model_init(&m, hosts4, 4, 0, 3), -EINVAL);
	assert_int_equal(bal_model_init(&m, hosts4, 4, 0.25, 3), 0);
	assert_int_equal(bal_model_update(&m, 0, s, 3, &ev), 0);
	assert_int_equal(ev, BAL_HOST_SAME);
	/* The first window is taken as it is. */
	assert_true(est(&m, 0, "10.1.0.0/16") == 120);
	assert_true(est(&m, 0, "10.2.0.0/16") == 40);
	/* Then 0.25 new + 0.75 old; a prefix missing counts 0. */
	s[0].rate = 200;
	assert_int_equal(bal_model_update(&m, 0, s, 1, &ev), 0);
	assert_true(est(&m, 0, "10.1.0.0/16") == 0.25 * 200 + 0.75 * 120);
	assert_true(est(&m, 0, "10.2.0.0/16") == 0.75 * 40);
	/* Garbage rates (negative, NaN) count as nothing. */
	s[0].rate = -5;
	s[1].rate = 0.0 / 0.0;
	assert_int_equal(bal_model_update(&m, 1, s, 2, &ev), 0);
	assert_int_equal(m.hosts[1].nest, 0);

	/* Hosts add up; a nested prefix folds into the outer one. */
	s[0] = (struct bal_sample){ pfx("10.1.0.0/16"), 10 };
	s[1] = (struct bal_sample){ pfx("10.1.2.0/24"), 5 };
	s[2] = (struct bal_sample){ pfx("fd00::/16"), 1.5 };
	assert_int_equal(bal_model_update(&m, 2, s, 3, &ev), 0);
	assert_int_equal(bal_model_traffic(&m, 1000, &t), 0);
	assert_int_equal(load_of(t, "10.1.0.0/16"),
			 (0.25 * 200 + 0.75 * 120 + 10 + 5) * 1000);
	assert_int_equal(load_of(t, "10.2.0.0/16"), 30 * 1000);
	assert_int_equal(load_of(t, "fd00::/16"), 1500);
	assert_int_equal(load_of(t, "0.0.0.0/0"),
			 (140 + 15 + 30) * 1000);
	bal_traffic_free(t);
	bal_model_free(&m);
}

static void test_model_failures(void **state)
{
	struct bal_sample s = { pfx("10.0.0.0/8"), 64 };
	enum bal_host_event ev;
	struct bal_host up[4];
	struct bal_model m;
	int i;

	(void)state;
	assert_int_equal(bal_model_init(&m, hosts4, 4, 0.5, 3), 0);
	assert_int_equal(bal_model_update(&m, 1, &s, 1, &ev), 0);
	assert_int_equal(bal_model_fail(&m, 1, BAL_POLL_TIMEOUT),
			 BAL_HOST_SAME);
	/* A success in between starts the count again. */
	assert_int_equal(bal_model_update(&m, 1, &s, 1, &ev), 0);
	assert_int_equal(m.hosts[1].failures, 0);
	assert_int_equal(bal_model_fail(&m, 1, BAL_POLL_GARBAGE),
			 BAL_HOST_SAME);
	assert_int_equal(bal_model_fail(&m, 1, BAL_POLL_CONNECT),
			 BAL_HOST_SAME);
	/* While it is up, its estimate holds. */
	assert_true(est(&m, 1, "10.0.0.0/8") == 64);
	assert_int_equal(bal_model_hosts(&m, up), 4);
	assert_int_equal(bal_model_fail(&m, 1, BAL_POLL_CONNECT),
			 BAL_HOST_DOWN);
	assert_true(m.hosts[1].down);
	assert_int_equal(bal_model_fail(&m, 1, BAL_POLL_CONNECT),
			 BAL_HOST_SAME);
	assert_int_equal(m.hosts[1].errors[BAL_POLL_CONNECT], 3);
	assert_int_equal(m.hosts[1].errors[BAL_POLL_GARBAGE], 1);
	assert_int_equal(m.hosts[1].errors[BAL_POLL_TIMEOUT], 1);
	assert_int_equal(bal_model_hosts(&m, up), 3);
	assert_int_equal(up[1].id, 3);
	/* Out, its traffic fades window by window, then is gone. */
	bal_model_decay(&m, 1);
	assert_true(est(&m, 1, "10.0.0.0/8") == 32);
	for (i = 0; i < 20; i++)
		bal_model_decay(&m, 1);
	assert_int_equal(m.hosts[1].nest, 0);
	assert_false(m.hosts[1].seen);
	/* Answering again takes it back; its average starts from nothing
	 * (what it gets now was others', still in theirs), and the window
	 * that spans the time it was out is not used.
	 */
	s.rate = 8;
	assert_int_equal(bal_model_update(&m, 1, &s, 1, &ev), 0);
	assert_int_equal(ev, BAL_HOST_UP);
	assert_int_equal(m.hosts[1].nest, 0);
	assert_int_equal(bal_model_update(&m, 1, &s, 1, &ev), 0);
	assert_int_equal(ev, BAL_HOST_SAME);
	assert_true(est(&m, 1, "10.0.0.0/8") == 4);
	assert_int_equal(bal_model_hosts(&m, up), 4);
	bal_model_free(&m);
}

/* A host taken out: held at that cycle, then fading as the host that took
 * its prefix over reports it, so the model's total stays what it is.
 */
static void test_model_takeover(void **state)
{
	struct bal_sample a = { pfx("10.1.0.0/16"), 100 };
	struct bal_sample b = { pfx("10.2.0.0/16"), 60 };
	struct bal_sample both[2] = { a, b };
	struct bal_host two[2] = { { 1, 1 }, { 2, 1 } };
	enum bal_host_event ev;
	struct bal_traffic *t;
	struct bal_model m;
	int k;

	(void)state;
	assert_int_equal(bal_model_init(&m, two, 2, 0.5, 1), 0);
	assert_int_equal(bal_model_update(&m, 0, &a, 1, &ev), 0);
	assert_int_equal(bal_model_update(&m, 1, &b, 1, &ev), 0);
	/* Cycle k: host 2 fails and is out; its estimate holds. */
	assert_int_equal(bal_model_update(&m, 0, &a, 1, &ev), 0);
	assert_int_equal(bal_model_fail(&m, 1, BAL_POLL_CONNECT),
			 BAL_HOST_DOWN);
	for (k = 0; k < 6; k++) {
		/* Host 1 now gets 10.2/16 too; host 2's part fades. */
		assert_int_equal(bal_model_update(&m, 0, both, 2, &ev), 0);
		assert_int_equal(bal_model_fail(&m, 1, BAL_POLL_CONNECT),
				 BAL_HOST_SAME);
		bal_model_decay(&m, 1);
		assert_int_equal(bal_model_traffic(&m, 1000, &t), 0);
		assert_int_equal(load_of(t, "10.2.0.0/16"), 60000);
		assert_int_equal(load_of(t, "10.1.0.0/16"), 100000);
		bal_traffic_free(t);
	}
	/* Back before its estimate is gone: the old one is dropped (1/64
	 * of it was left). Host 1 gives 10.2/16 back: the total stays
	 * where it was, less that.
	 */
	assert_true(m.hosts[1].nest > 0);
	assert_int_equal(bal_model_update(&m, 1, &b, 1, &ev), 0);
	assert_int_equal(ev, BAL_HOST_UP);
	assert_int_equal(m.hosts[1].nest, 0);
	for (k = 0; k < 6; k++) {
		assert_int_equal(bal_model_update(&m, 0, &a, 1, &ev), 0);
		assert_int_equal(bal_model_update(&m, 1, &b, 1, &ev), 0);
		assert_int_equal(bal_model_traffic(&m, 1000, &t), 0);
		assert_in_range(load_of(t, "10.2.0.0/16"), 59000, 60000);
		bal_traffic_free(t);
	}
	bal_model_free(&m);
}

/* --- decisions --------------------------------------------------------- */

/* Zipf-ish traffic over 64 /16s of 10.0.0.0/8, with noise of +-@noise. */
static struct bal_traffic *zipf(unsigned int *seed, double noise,
				double shift)
{
	struct bal_traffic *t = bal_traffic_new();
	char buf[32];
	double v, r;
	int i;

	assert_non_null(t);
	for (i = 0; i < 64; i++) {
		snprintf(buf, sizeof(buf), "10.%d.0.0/16", i);
		r = (double)rand_r(seed) / RAND_MAX * 2 - 1;
		v = 1e6 / (i + 1) * (1 + noise * r);
		if (i >= 48)
			v *= shift;
		assert_int_equal(bal_traffic_add(t, &(struct bal_prefix){
			.family = AF_INET, .len = 16,
			.addr = { 10, (uint8_t)i } }, (uint64_t)v), 0);
	}
	(void)buf;
	return t;
}

static bool names_host(const struct bal_result *r, uint32_t id)
{
	size_t i;

	if (r->default_host == id)
		return true;
	for (i = 0; i < r->nrules; i++)
		if (r->rules[i].host == id)
			return true;
	return false;
}

static void test_decide(void **state)
{
	struct bal_result prev, res;
	enum bal_reason reason;
	struct bal_traffic *t;
	struct bal_config cfg;
	unsigned int seed = 7;
	struct bal_host h3[3] = { hosts4[0], hosts4[2], hosts4[3] };
	bool install;
	size_t i, installs = 0;

	(void)state;
	bal_config_init(&cfg);
	/* No host up: keep. */
	t = zipf(&seed, 0, 1);
	assert_int_equal(bal_decide(&cfg, NULL, hosts4, 0, t, NULL, &res,
				    &install, &reason), 0);
	assert_false(install);
	assert_int_equal(reason, BAL_REASON_NO_HOSTS);
	/* The first assignment is installed. */
	assert_int_equal(bal_decide(&cfg, NULL, hosts4, 4, t, NULL, &prev,
				    &install, &reason), 0);
	bal_traffic_free(t);
	assert_true(install);
	assert_int_equal(reason, BAL_REASON_FIRST);
	assert_true(prev.imbalance <= cfg.max_imbalance);
	/* Steady traffic with 2% noise: 50 windows, no install. */
	for (i = 0; i < 50; i++) {
		t = zipf(&seed, 0.02, 1);
		assert_int_equal(bal_decide(&cfg, &prev, hosts4, 4, t, NULL,
					    &res, &install, &reason), 0);
		bal_traffic_free(t);
		installs += install;
		assert_true(bal_same_rules(&prev, &res));
		bal_result_free(&prev);
		prev = res;
	}
	assert_int_equal(installs, 0);
	/* A shift: the last quarter of the /16s three times heavier. */
	t = zipf(&seed, 0.02, 3);
	assert_int_equal(bal_decide(&cfg, &prev, hosts4, 4, t, NULL, &res,
				    &install, &reason), 0);
	bal_traffic_free(t);
	assert_true(install);
	assert_int_equal(reason, BAL_REASON_IMBALANCE);
	assert_true(res.imbalance_before > cfg.max_imbalance);
	assert_true(res.imbalance <= cfg.max_imbalance);
	assert_true(res.nmoves > 0);
	bal_result_free(&prev);
	prev = res;
	/* Host 2 out: its prefixes go to the others. */
	t = zipf(&seed, 0.02, 3);
	assert_int_equal(bal_decide(&cfg, &prev, h3, 3, t, NULL, &res, &install,
				    &reason), 0);
	assert_true(install);
	assert_int_equal(reason, BAL_REASON_HOSTS);
	assert_false(names_host(&res, 2));
	for (i = 0; i < res.nmoves; i++)
		if (res.moves[i].from == 2)
			break;
	assert_true(i < res.nmoves || !names_host(&prev, 2));
	assert_true(res.imbalance <= cfg.max_imbalance);
	bal_result_free(&prev);
	prev = res;
	/* Host 2 back: taken back, it gets traffic again. */
	assert_int_equal(bal_decide(&cfg, &prev, hosts4, 4, t, NULL, &res,
				    &install, &reason), 0);
	bal_traffic_free(t);
	assert_true(install);
	assert_int_equal(reason, BAL_REASON_HOSTS);
	for (i = 0; i < res.nhosts; i++)
		if (res.hosts[i].id == 2)
			assert_true(res.hosts[i].load > 0);
	bal_result_free(&prev);
	bal_result_free(&res);
}

static void test_decide_default_down(void **state)
{
	struct bal_host h3[3] = { hosts4[1], hosts4[2], hosts4[3] };
	struct bal_result prev, res;
	enum bal_reason reason;
	struct bal_traffic *t;
	struct bal_config cfg;
	unsigned int seed = 3;
	bool install;

	(void)state;
	bal_config_init(&cfg);
	cfg.has_default_host = true;
	cfg.default_host = 1;
	t = zipf(&seed, 0, 1);
	assert_int_equal(bal_decide(&cfg, NULL, hosts4, 4, t, NULL, &prev,
				    &install, &reason), 0);
	assert_int_equal(prev.default_host, 1);
	/* The configured default host is out: another takes its place. */
	assert_int_equal(bal_decide(&cfg, &prev, h3, 3, t, NULL, &res, &install,
				    &reason), 0);
	bal_traffic_free(t);
	assert_true(install);
	assert_false(names_host(&res, 1));
	assert_true(res.imbalance <= cfg.max_imbalance);
	bal_result_free(&prev);
	bal_result_free(&res);
}

/* libcurl's global state, as bal_run() keeps it: once for the group. */
static int group_setup(void **state)
{
	(void)state;
	return curl_global_init(CURL_GLOBAL_DEFAULT) ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	curl_global_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_sampler_set),
		cmocka_unit_test(test_window_parse),
		cmocka_unit_test(test_window_garbage),
		cmocka_unit_test(test_http_request),
		cmocka_unit_test(test_model_smoothing),
		cmocka_unit_test(test_model_failures),
		cmocka_unit_test(test_model_takeover),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_decide_default_down),
	};

	return cmocka_run_group_tests_name("bal_run", tests, group_setup,
					   group_teardown);
}
