// SPDX-License-Identifier: GPL-2.0
/*
 * The balancer's switch side: the configuration file, the exact OpenFlow
 * rules and bundle of an assignment (IPv4 and IPv6, both keys, cookies,
 * priorities), parsing dump-flows, running programs on pipes, and the
 * whole install against stand-in ovs-ofctl and ovs-vsctl scripts.
 */
#include "test.h"
#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "bal_ovs.h"

static const char base_conf[] =
	"# a comment\n"
	"bridge br-bal\n"
	"client-port 1   # the clients\n"
	"server-port 6\n"
	"host 1 port 2 capacity 100\n"
	"host 2 port 3 capacity 100\n"
	"host 3 port 4\n";

static void parse_ok(const char *text, struct bal_ovs_config *cfg)
{
	char err[512] = "";
	int r = bal_ovs_config_parse("t.conf", text, cfg, err, sizeof(err));

	if (r)
		fprintf(stderr, "# %s\n", err);
	assert_int_equal(r, 0);
}

static void parse_bad(const char *text, const char *msg)
{
	struct bal_ovs_config cfg;
	char err[512] = "";

	assert_int_equal(bal_ovs_config_parse("t.conf", text, &cfg, err,
					      sizeof(err)), -EINVAL);
	if (!strstr(err, msg)) {
		fprintf(stderr, "# got \"%s\", wanted \"%s\"\n", err, msg);
		fail();
	}
	bal_ovs_config_free(&cfg);
}

static void pfx(const char *s, struct bal_prefix *p)
{
	assert_int_equal(bal_prefix_parse(s, p), 0);
}

/* An assignment by hand: rules and the default host. */
static struct bal_rule rules[4];

static void result(struct bal_result *res, uint32_t def)
{
	memset(res, 0, sizeof(*res));
	memset(rules, 0, sizeof(rules));
	pfx("10.1.0.0/16", &rules[0].prefix);
	rules[0].host = 2;
	pfx("10.2.128.0/17", &rules[1].prefix);
	rules[1].host = 3;
	pfx("10.9.9.9/32", &rules[2].prefix);
	rules[2].host = 3;
	pfx("fd00:1::/32", &rules[3].prefix);
	rules[3].host = 2;
	res->rules = rules;
	res->nrules = 4;
	res->default_host = def;
}

static void test_config(void **state)
{
	struct bal_ovs_config cfg;

	(void)state;
	parse_ok(base_conf, &cfg);
	assert_string_equal(cfg.bridge, "br-bal");
	assert_int_equal(cfg.client_port, 1);
	assert_int_equal(cfg.server_port, 6);
	assert_int_equal(cfg.key, BAL_OVS_KEY_SRC);
	assert_int_equal(cfg.tag, BAL_OVS_TAG_DEFAULT);
	assert_int_equal(cfg.priority, 100);
	assert_int_equal(cfg.table, 0);
	assert_string_equal(cfg.prefixes, "");
	assert_int_equal(cfg.nhosts, 3);
	assert_int_equal(cfg.hosts[2].id, 3);
	assert_int_equal(cfg.hosts[2].port, 4);
	assert_int_equal(cfg.hosts[2].capacity, 1);
	assert_int_equal(cfg.hosts[0].capacity, 100);
	assert_true(cfg.bal.max_imbalance > 1.09 && cfg.bal.max_imbalance < 1.11);
	assert_false(cfg.bal.has_default_host);
	assert_non_null(bal_ovs_host(&cfg, 2));
	assert_null(bal_ovs_host(&cfg, 9));
	bal_ovs_config_free(&cfg);

	parse_ok("bridge b\nkey dst\ncookie-tag 0xabc\npriority 2000\ntable 3\n"
		 "prefix-tracking ipv6_src,ipv6_dst\nmax-imbalance 1.2\n"
		 "target 1.1\nchunk 0.25\ndefault-host 7\nhost 7 port 9\n"
		 "load 10.0.0.0/8 5\nload ::/0 7\n", &cfg);
	assert_int_equal(cfg.key, BAL_OVS_KEY_DST);
	assert_int_equal(cfg.tag, 0xabc);
	assert_int_equal(cfg.priority, 2000);
	assert_int_equal(cfg.table, 3);
	assert_string_equal(cfg.prefixes, "ipv6_src,ipv6_dst");
	assert_true(cfg.bal.has_default_host);
	assert_int_equal(cfg.bal.default_host, 7);
	assert_int_equal(cfg.nloads, 2);
	bal_ovs_config_free(&cfg);
}

static void test_config_errors(void **state)
{
	(void)state;
	parse_bad("host 1 port 2\n", "t.conf: no \"bridge\"");
	parse_bad("bridge b\n", "no \"host\"");
	parse_bad("bridge b c\n", "t.conf:1: \"bridge\" takes 1 argument");
	parse_bad("bridge b;rm\nhost 1 port 2\n", "t.conf:1: invalid bridge name");
	parse_bad("bridge b\nfoo 1\n", "t.conf:2: unknown setting \"foo\"");
	parse_bad("bridge b\nkey both\n", "key is \"src\" or \"dst\"");
	parse_bad("bridge b\nclient-port 0\n", "port 0");
	parse_bad("bridge b\nclient-port 4294967041\n", "t.conf:2:");
	parse_bad("bridge b\ncookie-tag 0\n", "must not be 0");
	parse_bad("bridge b\ncookie-tag 0x100000000\n", "t.conf:2:");
	parse_bad("bridge b\npriority 65278\n", "t.conf:2:");
	parse_bad("bridge b\ntable 255\n", "t.conf:2:");
	parse_bad("bridge b\nprefix-tracking ip_src,ip_dst,ipv6_src,ipv6_dst\n",
		  "prefix-tracking is auto, none");
	parse_bad("bridge b\nprefix-tracking ip_src,nw_src\n", "prefix-tracking");
	parse_bad("bridge b\nprefix-tracking tun_id\n", "prefix-tracking");
	parse_bad("bridge b\nmax-imbalance 0.9\n", "invalid maximum imbalance");
	parse_bad("bridge b\nmax-imbalance nan\n", "invalid maximum imbalance");
	parse_bad("bridge b\nhost 1 port 2\nhost 1 port 3\n", "t.conf:3: host 1 given twice");
	parse_bad("bridge b\nhost 1 port 2\nhost 2 port 2\n", "t.conf:3: port 2 is host 1's");
	parse_bad("bridge b\nhost 1 port 2 capacity 0\n", "capacity are not 0");
	parse_bad("bridge b\nhost 1 prt 2\n", "host ID port N");
	parse_bad("bridge b\nclient-port 2\nhost 1 port 2\n", "host 1 is on the client port");
	parse_bad("bridge b\nclient-port 2\nserver-port 2\nhost 1 port 3\n", "the same");
	parse_bad("bridge b\nhost 1 port 2\ndefault-host 2\n", "default-host 2 is not a host");
	parse_bad("bridge b\nhost 1 port 2\ntarget 1.2\n", "target 1.2 is above");
	parse_bad("bridge b\nload 10.0.0.1/8 1\n", "t.conf:2: invalid prefix");
	parse_bad("bridge b\nload 10.0.0.0/8 -1\n", "t.conf:2:");
	parse_bad("bridge b\nload 10.0.0.0/8 4503599627370497\n", "t.conf:2:");
}

static void test_bundle_src(void **state)
{
	struct bal_ovs_config cfg;
	struct bal_buf b = { 0 };
	struct bal_result res;

	(void)state;
	parse_ok(base_conf, &cfg);
	result(&res, 1);
	assert_int_equal(bal_ovs_bundle(&cfg, &res, 7, &b), 12);
	assert_int_equal(bal_ovs_nrules(&cfg, &res), 12);
	assert_string_equal(b.s,
		"delete table=0,cookie=0x666c6f7700000000/0xffffffff00000000\n"
		"add table=0,cookie=0x666c6f7700000007,priority=134,in_port=1,ip,nw_src=10.1.0.0/16,actions=output:3\n"
		"add table=0,cookie=0x666c6f7700000007,priority=133,in_port=6,ip,nw_dst=10.1.0.0/16,actions=output:3\n"
		"add table=0,cookie=0x666c6f7700000007,priority=136,in_port=1,ip,nw_src=10.2.128.0/17,actions=output:4\n"
		"add table=0,cookie=0x666c6f7700000007,priority=135,in_port=6,ip,nw_dst=10.2.128.0/17,actions=output:4\n"
		"add table=0,cookie=0x666c6f7700000007,priority=166,in_port=1,ip,nw_src=10.9.9.9/32,actions=output:4\n"
		"add table=0,cookie=0x666c6f7700000007,priority=165,in_port=6,ip,nw_dst=10.9.9.9/32,actions=output:4\n"
		"add table=0,cookie=0x666c6f7700000007,priority=166,in_port=1,ipv6,ipv6_src=fd00:1::/32,actions=output:3\n"
		"add table=0,cookie=0x666c6f7700000007,priority=165,in_port=6,ipv6,ipv6_dst=fd00:1::/32,actions=output:3\n"
		"add table=0,cookie=0x666c6f7700000007,priority=100,in_port=1,ip,actions=output:2\n"
		"add table=0,cookie=0x666c6f7700000007,priority=100,in_port=6,ip,actions=output:2\n"
		"add table=0,cookie=0x666c6f7700000007,priority=100,in_port=1,ipv6,actions=output:2\n"
		"add table=0,cookie=0x666c6f7700000007,priority=100,in_port=6,ipv6,actions=output:2\n");
	assert_string_equal(bal_ovs_prefixes(&cfg, &res), "ip_src,ip_dst,ipv6_src");
	bal_buf_free(&b);
	bal_ovs_config_free(&cfg);
}

/* Key dst, no ports (one default rule per family), another tag, table. */
static void test_bundle_dst(void **state)
{
	struct bal_ovs_config cfg;
	struct bal_buf b = { 0 };
	struct bal_result res;

	(void)state;
	parse_ok("bridge br0\nkey dst\ncookie-tag 0xf5\npriority 1000\n"
		 "table 2\nhost 1 port 2\nhost 2 port 3\nhost 3 port 4\n", &cfg);
	result(&res, 3);
	res.nrules = 1;
	rules[0] = rules[3];	/* fd00:1::/32 on host 2 */
	assert_int_equal(bal_ovs_bundle(&cfg, &res, 0xffffffff, &b), 4);
	assert_int_equal(bal_ovs_nrules(&cfg, &res), 4);
	assert_string_equal(b.s,
		"delete table=2,cookie=0xf500000000/0xffffffff00000000\n"
		"add table=2,cookie=0xf5ffffffff,priority=1066,ipv6,ipv6_dst=fd00:1::/32,actions=output:3\n"
		"add table=2,cookie=0xf5ffffffff,priority=1065,ipv6,ipv6_src=fd00:1::/32,actions=output:3\n"
		"add table=2,cookie=0xf5ffffffff,priority=1000,ip,actions=output:4\n"
		"add table=2,cookie=0xf5ffffffff,priority=1000,ipv6,actions=output:4\n");
	assert_string_equal(bal_ovs_prefixes(&cfg, &res), "ipv6_dst,ipv6_src");
	res.nrules = 0;
	assert_string_equal(bal_ovs_prefixes(&cfg, &res), "ip_dst,ip_src");
	bal_buf_free(&b);
	/* A rule for a host the configuration does not have. */
	rules[0].host = 9;
	res.nrules = 1;
	assert_int_equal(bal_ovs_bundle(&cfg, &res, 1, &b), -EINVAL);
	bal_buf_free(&b);
	bal_ovs_config_free(&cfg);
}

static void test_cookie_dump(void **state)
{
	const char dump[] =
		"OFPST_FLOW reply (OF1.4) (xid=0x2):\n"
		" cookie=0x666c6f7700000003, duration=1.2s, table=0, n_packets=0, priority=134,ip,in_port=1,nw_src=10.1.0.0/16 actions=output:3\n"
		" cookie=0x666c6f7700000002, duration=1.2s, table=0, priority=100,ip actions=output:2\n"
		" cookie=0x666c6f7700000003, duration=1.2s, table=0, priority=100,ip actions=output:2\n"
		" cookie=0x1234, duration=9s, table=0, priority=5,arp actions=drop\n"
		" cookie=0x1666c6f7700000009, duration=9s, table=0, priority=5,arp actions=drop\n";
	uint32_t gen;
	size_t ngen;

	(void)state;
	assert_true(bal_ovs_cookie(0x666c6f77, 5) == 0x666c6f7700000005ull);
	assert_int_equal(bal_ovs_next_gen(0), 1);
	assert_int_equal(bal_ovs_next_gen(41), 42);
	assert_int_equal(bal_ovs_next_gen(0xffffffff), 1);
	assert_int_equal(bal_ovs_dump_parse(dump, 0x666c6f77, &gen, &ngen), 3);
	assert_int_equal(gen, 3);
	assert_int_equal(ngen, 2);
	assert_int_equal(bal_ovs_dump_parse(dump, 0x1, &gen, &ngen), 0);
	assert_int_equal(gen, 0);
	assert_int_equal(ngen, 0);
	assert_int_equal(bal_ovs_dump_parse("", 0x666c6f77, &gen, &ngen), 0);
}

static void test_lookup(void **state)
{
	struct bal_result res;
	struct bal_prefix a;

	(void)state;
	result(&res, 1);
	pfx("10.1.255.255", &a);
	assert_ptr_equal(bal_ovs_lookup(&res, &a), &rules[0]);
	pfx("10.2.128.1", &a);
	assert_ptr_equal(bal_ovs_lookup(&res, &a), &rules[1]);
	pfx("10.2.127.255", &a);
	assert_null(bal_ovs_lookup(&res, &a));
	pfx("10.9.9.9", &a);
	assert_ptr_equal(bal_ovs_lookup(&res, &a), &rules[2]);
	pfx("10.9.9.8", &a);
	assert_null(bal_ovs_lookup(&res, &a));
	pfx("fd00:1:ffff::1", &a);
	assert_ptr_equal(bal_ovs_lookup(&res, &a), &rules[3]);
	pfx("fd00:2::1", &a);
	assert_null(bal_ovs_lookup(&res, &a));
	/* An IPv4 address does not fall in an IPv6 rule with the same bytes. */
	pfx("253.0.0.1", &a);
	assert_null(bal_ovs_lookup(&res, &a));
}

static void test_run(void **state)
{
	char *cat[] = { "cat", NULL };
	char *fail3[] = { "sh", "-c", "echo 'bad thing' >&2; echo more >&2; exit 3", NULL };
	char *kill9[] = { "sh", "-c", "kill -9 $$", NULL };
	char *early[] = { "sh", "-c", "exit 0", NULL };
	char *none[] = { "flowstream-no-such-program", NULL };
	struct bal_buf in = { 0 }, out = { 0 };
	char err[256];
	int i;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	/* More than a pipe holds, both ways at once. */
	for (i = 0; i < 20000; i++)
		bal_buf_printf(&in, "line %d of the input\n", i);
	assert_false(in.oom);
	assert_int_equal(bal_ovs_run(cat, in.s, in.len, &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, in.len);
	assert_memory_equal(out.s, in.s, in.len);
	bal_buf_free(&out);
	assert_int_equal(bal_ovs_run(fail3, NULL, 0, &out, err, sizeof(err)), -1);
	assert_string_equal(err, "sh exited with status 3: bad thing");
	assert_null(out.s);
	assert_int_equal(bal_ovs_run(kill9, NULL, 0, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "sh killed by signal 9");
	assert_int_equal(bal_ovs_run(early, in.s, in.len, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "sh did not read its input");
	assert_int_equal(bal_ovs_run(none, NULL, 0, NULL, err, sizeof(err)), -1);
	/* glibc says so at once; under valgrind, the child exits 127. */
	if (strcmp(err, "cannot run flowstream-no-such-program: No such file or directory"))
		assert_string_equal(err, "flowstream-no-such-program exited with status 127");
	bal_buf_free(&in);
}

/*
 * Stand-ins for ovs-ofctl and ovs-vsctl in PATH: they log their
 * arguments, keep the "switch's" rules in a file (dump-flows prints them,
 * a bundle's "add" lines replace them) and answer "get" with nothing.
 */
static char fake[64];

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static char *read_file(const char *path)
{
	char *s = NULL;
	size_t len;

	assert_int_equal(alloc_read(path, &s, &len), 0);
	return s;
}

static void fake_setup(void)
{
	char path[128], *p, *env;

	strcpy(fake, "/tmp/flowctl-test-ovs.XXXXXX");
	assert_non_null(mkdtemp(fake));
	snprintf(path, sizeof(path), "%s/ovs-ofctl", fake);
	write_file(path,
		   "#!/bin/sh\n"
		   "d=$(dirname \"$0\")\n"
		   "echo \"$*\" >>\"$d/ofctl.log\"\n"
		   "[ -f \"$d/fail\" ] && { echo 'ovs-ofctl: br-bal is not a bridge or a socket' >&2; exit 1; }\n"
		   "case \" $* \" in\n"
		   "*\" dump-flows \"*) echo 'OFPST_FLOW reply (OF1.4) (xid=0x2):'; cat \"$d/flows\" 2>/dev/null ;;\n"
		   "*\" --bundle \"*) cat >\"$d/bundle\"; [ -f \"$d/drop\" ] && exit 0\n"
		   "  sed -n 's/^add table=0,/ /p' \"$d/bundle\" >\"$d/flows\" ;;\n"
		   "esac\n", 0755);
	snprintf(path, sizeof(path), "%s/ovs-vsctl", fake);
	write_file(path,
		   "#!/bin/sh\n"
		   "echo \"$*\" >>\"$(dirname \"$0\")/vsctl.log\"\n", 0755);
	p = getenv("PATH");
	assert_true(asprintf(&env, "%s:%s", fake, p ? p : "/bin:/usr/bin") > 0);
	assert_int_equal(setenv("PATH", env, 1), 0);
	free(env);
}

static void test_install(void **state)
{
	struct bal_ovs_config cfg;
	struct bal_result res;
	struct bal_buf want = { 0 };
	char path[128], err[512], *s;
	size_t n, old;
	uint32_t gen;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	fake_setup();
	parse_ok(base_conf, &cfg);
	result(&res, 1);
	/* The switch holds generation 5 of ours and someone else's rule. */
	snprintf(path, sizeof(path), "%s/flows", fake);
	write_file(path,
		   " cookie=0x666c6f7700000005, duration=1s, table=0, priority=100,ip actions=output:2\n"
		   " cookie=0x666c6f7700000005, duration=1s, table=0, priority=100,ipv6 actions=output:2\n",
		   0644);
	if (bal_ovs_install(&cfg, &res, &gen, &n, &old, err, sizeof(err))) {
		fprintf(stderr, "# %s\n", err);
		fail();
	}
	assert_int_equal(gen, 6);
	assert_int_equal(n, 12);
	assert_int_equal(old, 2);
	/* The bundle fed on the pipe is exactly bal_ovs_bundle()'s. */
	assert_int_equal(bal_ovs_bundle(&cfg, &res, 6, &want), 12);
	snprintf(path, sizeof(path), "%s/bundle", fake);
	s = read_file(path);
	assert_string_equal(s, want.s);
	free(s);
	bal_buf_free(&want);
	snprintf(path, sizeof(path), "%s/ofctl.log", fake);
	s = read_file(path);
	assert_string_equal(s,
		"-O OpenFlow14 dump-flows br-bal table=0,cookie=0x666c6f7700000000/0xffffffff00000000\n"
		"-O OpenFlow14 --bundle add-flows br-bal -\n"
		"-O OpenFlow14 dump-flows br-bal table=0,cookie=0x666c6f7700000000/0xffffffff00000000\n");
	free(s);
	snprintf(path, sizeof(path), "%s/vsctl.log", fake);
	s = read_file(path);
	assert_string_equal(s,
		"--if-exists --bare get Bridge br-bal flow_tables:0\n"
		"-- --id=@ft create Flow_Table prefixes=ip_src,ip_dst,ipv6_src -- set Bridge br-bal flow_tables:0=@ft\n");
	free(s);

	/* The switch does not hold what was sent: said, not hidden. */
	snprintf(path, sizeof(path), "%s/drop", fake);
	write_file(path, "", 0644);
	assert_int_equal(bal_ovs_install(&cfg, &res, &gen, &n, &old, err,
					 sizeof(err)), -1);
	assert_string_equal(err, "the switch holds 12 balancer rules, 12 of generation 6, not the 12 of generation 7 installed");
	unlink(path);

	/* ovs-ofctl fails: its reason, and nothing else is run. */
	snprintf(path, sizeof(path), "%s/fail", fake);
	write_file(path, "", 0644);
	snprintf(err, sizeof(err), "%s/bundle", fake);
	unlink(err);
	assert_int_equal(bal_ovs_install(&cfg, &res, &gen, &n, &old, err,
					 sizeof(err)), -1);
	assert_string_equal(err, "ovs-ofctl exited with status 1: ovs-ofctl: br-bal is not a bridge or a socket");
	snprintf(path, sizeof(path), "%s/bundle", fake);
	assert_int_equal(access(path, F_OK), -1);
	bal_ovs_config_free(&cfg);
	snprintf(path, sizeof(path), "rm -rf '%s'", fake);
	assert_int_equal(system(path), 0);
}

/* The command printed its document itself. */
static const char *cap_cmd_end(struct capture *c)
{
	out_free(c->o);
	fclose(c->fp);
	return c->buf;
}

/* show, lookup and rules through the command, on a computed assignment. */
static void test_commands(void **state)
{
	char conf[] = "/tmp/flowctl-test-bal.XXXXXX";
	struct capture c;
	struct flowctl fc;
	char *argv[4];
	const char *s;
	int fd;

	(void)state;
	fd = mkstemp(conf);
	assert_true(fd >= 0);
	close(fd);
	write_file(conf,
		   "bridge br-bal\nclient-port 1\nserver-port 6\n"
		   "host 1 port 2\nhost 2 port 3\n"
		   "load 10.1.0.0/16 100\nload 10.2.0.0/16 100\n", 0644);
	cap_start(&c, OUT_JSON);
	fc.out = c.o;
	fc.nl = NULL;
	argv[0] = "lookup";
	argv[1] = conf;
	argv[2] = "10.1.0.1";
	assert_int_equal(cmd_balance(&fc, 3, argv), 0);
	s = cap_cmd_end(&c);
	assert_string_equal(s, "{\"address\":\"10.1.0.1\",\"prefix\":\"10.0.0.0/15\",\"host\":2,\"port\":3,\"default\":false}\n");
	free(c.buf);

	cap_start(&c, OUT_JSON);
	fc.out = c.o;
	argv[0] = "show";
	assert_int_equal(cmd_balance(&fc, 2, argv), 0);
	s = cap_cmd_end(&c);
	assert_non_null(strstr(s, "\"prefixes\":1,\"switch_rules\":6,"));
	assert_non_null(strstr(s, "\"default_host\":1,"));
	assert_non_null(strstr(s, "\"rules\":[{\"prefix\":\"10.0.0.0/15\",\"host\":2,\"port\":3,\"load\":100}]"));
	free(c.buf);

	argv[0] = "lookup";
	argv[2] = "10.2.0.0/16";
	assert_int_equal(cmd_balance(&fc, 3, argv), EXIT_USAGE);
	argv[0] = "frobnicate";
	assert_int_equal(cmd_balance(&fc, 2, argv), EXIT_USAGE);
	argv[0] = "show";
	argv[1] = "/nonexistent/flowstream.conf";
	assert_int_equal(cmd_balance(&fc, 2, argv), 1);
	unlink(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_bundle_src),
		cmocka_unit_test(test_bundle_dst),
		cmocka_unit_test(test_cookie_dump),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_install),
		cmocka_unit_test(test_commands),
	};

	return cmocka_run_group_tests_name("bal_ovs", tests, NULL, NULL);
}
