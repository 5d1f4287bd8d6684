// SPDX-License-Identifier: GPL-2.0
/* Reply parsing into text and JSON output; duration formatting. */
#include <errno.h>
#include "test.h"

#define FAMILY	0x1f

static void test_duration(void **state)
{
	static const struct {
		uint64_t ms;
		const char *text;
	} cases[] = {
		{ 0, "0ms" }, { 999, "999ms" }, { 1000, "1s" }, { 59999, "59s" },
		{ 60000, "1m0s" }, { 61000, "1m1s" }, { 3599999, "59m59s" },
		{ 3600000, "1h0m0s" }, { 3723000, "1h2m3s" },
		{ 3723999, "1h2m3s" }, { 86399999, "23h59m59s" },
		{ 86400000, "1d0h0m0s" }, { 90061000, "1d1h1m1s" },
		{ UINT64_MAX, "213503982334d14h25m51s" },
	};
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(fmt_duration_ms(cases[i].ms, buf,
						    sizeof(buf)),
				    cases[i].text);
}

/*
 * A GET_STATUS reply with everything a newer module might add: padding,
 * an unknown top-level attribute, an unknown config key, unknown counters
 * (one u64, one not) and unknown feature bits.
 */
static struct nlmsghdr *status_reply(void *buf)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_STATUS, 5, 77);
	mnl_attr_put(nlh, FLOWSTREAM_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, FLOWSTREAM_A_UPTIME_MS, 3723456);
	mnl_attr_put_u64(nlh, FLOWSTREAM_A_FEATURES,
			 1ULL << FLOWSTREAM_FEAT_ACCT_BIT |
			 1ULL << FLOWSTREAM_FEAT_MIGRATE_BIT |
			 1ULL << 9 | 1ULL << 63);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_CONFIG);
	mnl_attr_put_u32(nlh, FLOWSTREAM_CFG_A_NODE_ID, 7);
	mnl_attr_put_str(nlh, 99, "from the future");
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_STATS);
	mnl_attr_put(nlh, FLOWSTREAM_STAT_UNSPEC, 0, NULL);	/* padding */
	mnl_attr_put_u64(nlh, FLOWSTREAM_STAT_NL_REQUESTS, 12);
	mnl_attr_put_u64(nlh, FLOWSTREAM_STAT_NL_REJECTED, 1);
	mnl_attr_put_u64(nlh, 42, UINT64_MAX);
	mnl_attr_put_u32(nlh, 43, 1);		/* not a counter: skipped */
	mnl_attr_put_u64(nlh, FLOWSTREAM_STAT_CONFIG_CHANGES, 3);
	mnl_attr_put_u64(nlh, FLOWSTREAM_STAT_NOTIFY_FAILED, 0);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, 200, 1);
	return nlh;
}

static const char status_text[] =
	"uptime 1h2m3s\n"
	"features: acct migrate bit9 bit63\n"
	"node-id 7\n"
	"nl_requests 12\n"
	"nl_rejected 1\n"
	"stat_42 18446744073709551615\n"
	"config_changes 3\n"
	"notify_failed 0\n";

static const char status_json[] =
	"{\"uptime_ms\":3723456,"
	"\"features\":[\"acct\",\"migrate\",\"bit9\",\"bit63\"],"
	"\"config\":{\"node_id\":7},"
	"\"stats\":{\"nl_requests\":12,\"nl_rejected\":1,"
	"\"stat_42\":18446744073709551615,\"config_changes\":3,"
	"\"notify_failed\":0}}\n";

static void test_status(void **state)
{
	char buf[1024];
	struct fs_status st = { 0 };
	struct capture c;

	(void)state;
	assert_int_equal(status_parse(status_reply(buf), &st), MNL_CB_OK);
	assert_int_equal(st.seen, SEEN(FLOWSTREAM_A_UPTIME_MS) |
			 SEEN(FLOWSTREAM_A_FEATURES) |
			 SEEN(FLOWSTREAM_A_CONFIG) | SEEN(FLOWSTREAM_A_STATS));
	assert_int_equal(st.nstats, 5);

	cap_start(&c, 0);
	status_print(c.o, &st);
	assert_string_equal(cap_end(&c), status_text);
	free(c.buf);

	cap_start(&c, OUT_JSON);
	status_print(c.o, &st);
	assert_string_equal(cap_end(&c), status_json);
	free(c.buf);

	cap_start(&c, OUT_JSON);
	stats_print(c.o, &st);
	assert_string_equal(cap_end(&c),
			    "{\"nl_requests\":12,\"nl_rejected\":1,"
			    "\"stat_42\":18446744073709551615,"
			    "\"config_changes\":3,\"notify_failed\":0}\n");
	free(c.buf);

	cap_start(&c, 0);
	stats_print(c.o, &st);
	assert_string_equal(cap_end(&c), strstr(status_text, "nl_requests"));
	free(c.buf);
	status_free(&st);
}

static void test_status_pretty(void **state)
{
	char buf[1024];
	struct fs_status st = { 0 };
	struct capture c;

	(void)state;
	assert_int_equal(status_parse(status_reply(buf), &st), MNL_CB_OK);
	cap_start(&c, OUT_JSON | OUT_PRETTY);
	status_print(c.o, &st);
	assert_string_equal(cap_end(&c),
			    "{\n"
			    "  \"uptime_ms\": 3723456,\n"
			    "  \"features\": [\n"
			    "    \"acct\",\n"
			    "    \"migrate\",\n"
			    "    \"bit9\",\n"
			    "    \"bit63\"\n"
			    "  ],\n"
			    "  \"config\": {\n"
			    "    \"node_id\": 7\n"
			    "  },\n"
			    "  \"stats\": {\n"
			    "    \"nl_requests\": 12,\n"
			    "    \"nl_rejected\": 1,\n"
			    "    \"stat_42\": 18446744073709551615,\n"
			    "    \"config_changes\": 3,\n"
			    "    \"notify_failed\": 0\n"
			    "  }\n"
			    "}\n");
	free(c.buf);
	status_free(&st);
}

static void test_status_through_process(void **state)
{
	char buf[2048];
	struct fs_status st = { 0 };
	struct fs_ext_ack ack = { 0 };
	struct nlmsghdr *nlh, *ackh;
	struct nlmsgerr *err;
	size_t len;

	(void)state;
	/* The reply and its ACK in one datagram. */
	nlh = status_reply(buf);
	ackh = mnl_nlmsg_put_header(buf + nlh->nlmsg_len);
	ackh->nlmsg_type = NLMSG_ERROR;
	ackh->nlmsg_flags = NLM_F_CAPPED;
	ackh->nlmsg_seq = 5;
	ackh->nlmsg_pid = 77;
	err = mnl_nlmsg_put_extra_header(ackh, sizeof(*err));
	err->error = 0;
	len = nlh->nlmsg_len + ackh->nlmsg_len;

	assert_int_equal(fs_nl_process(buf, len, 5, 77, status_parse, &st,
				       &ack), 0);
	assert_int_equal(ack.error, 0);
	assert_int_equal(st.nstats, 5);
	status_free(&st);

	/* Only the reply: more is expected. */
	assert_int_equal(fs_nl_process(buf, nlh->nlmsg_len, 5, 77,
				       status_parse, &st, &ack), 1);
	status_free(&st);

	/* Another request's sequence number is refused. */
	assert_int_equal(fs_nl_process(buf, len, 6, 77, status_parse, &st,
				       &ack), -EPROTO);
	status_free(&st);

	/* So is another socket's message. */
	assert_int_equal(fs_nl_process(buf, len, 5, 78, status_parse, &st,
				       &ack), -ESRCH);
	status_free(&st);
}

static void test_status_malformed(void **state)
{
	char buf[512];
	struct fs_status st = { 0 };
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	(void)state;
	/* A counter that is not a u64. */
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_STATUS, 1, 0);
	mnl_attr_put_u64(nlh, FLOWSTREAM_A_UPTIME_MS, 1);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_STATS);
	mnl_attr_put_u64(nlh, FLOWSTREAM_STAT_NL_REQUESTS, 12);
	mnl_attr_put_u32(nlh, FLOWSTREAM_STAT_NL_REJECTED, 1);
	mnl_attr_nest_end(nlh, nest);
	errno = 0;
	assert_int_equal(status_parse(nlh, &st), MNL_CB_ERROR);
	assert_int_equal(errno, EBADMSG);
	status_free(&st);

	/* Uptime as a u32. */
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_STATUS, 1, 0);
	mnl_attr_put_u32(nlh, FLOWSTREAM_A_UPTIME_MS, 1);
	assert_int_equal(status_parse(nlh, &st), MNL_CB_ERROR);
	status_free(&st);

	/* Node id as a u64. */
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_STATUS, 1, 0);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_CONFIG);
	mnl_attr_put_u64(nlh, FLOWSTREAM_CFG_A_NODE_ID, 1);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(status_parse(nlh, &st), MNL_CB_ERROR);
	status_free(&st);

	/* No room for the generic netlink header. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = FAMILY;
	assert_int_equal(status_parse(nlh, &st), MNL_CB_ERROR);
	assert_int_equal(errno, EBADMSG);
	status_free(&st);
}

static void test_version(void **state)
{
	char buf[512];
	struct fs_version ver = { 0 };
	struct nlmsghdr *nlh;
	struct capture c;

	(void)state;
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_VERSION, 1, 0);
	mnl_attr_put_strz(nlh, FLOWSTREAM_A_VERSION, "0.1.0");
	mnl_attr_put_u32(nlh, FLOWSTREAM_A_API_VERSION, 1);
	mnl_attr_put_u64(nlh, FLOWSTREAM_A_FEATURES, 0);
	assert_int_equal(version_parse(nlh, &ver), MNL_CB_OK);
	assert_int_equal(ver.seen, SEEN(FLOWSTREAM_A_VERSION) |
			 SEEN(FLOWSTREAM_A_API_VERSION) |
			 SEEN(FLOWSTREAM_A_FEATURES));

	cap_start(&c, 0);
	version_print(c.o, &ver);
	assert_string_equal(cap_end(&c), "flowctl " FLOWCTL_VERSION "\n"
			    "module 0.1.0 (api 1)\n"
			    "features: none\n");
	free(c.buf);

	cap_start(&c, OUT_JSON);
	version_print(c.o, &ver);
	assert_string_equal(cap_end(&c), "{\"flowctl\":\"" FLOWCTL_VERSION
			    "\",\"module\":\"0.1.0\",\"api\":1,"
			    "\"features\":[]}\n");
	free(c.buf);

	ver.features = 1ULL << FLOWSTREAM_FEAT_SAMPLER_BIT |
		       1ULL << FLOWSTREAM_FEAT_FLOWOS_BIT | 1ULL << 4;
	cap_start(&c, 0);
	version_print(c.o, &ver);
	assert_non_null(strstr(cap_end(&c),
			       "\nfeatures: sampler flowos bit4\n"));
	free(c.buf);

	/* The version string must be NUL-terminated. */
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_VERSION, 1, 0);
	mnl_attr_put(nlh, FLOWSTREAM_A_VERSION, 5, "0.1.0");
	assert_int_equal(version_parse(nlh, &ver), MNL_CB_ERROR);
}

static void test_config_show(void **state)
{
	char buf[512];
	struct fs_config cfg = { 0 };
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct capture c;

	(void)state;
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_CONFIG, 1, 0);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_CONFIG);
	mnl_attr_put_u32(nlh, FLOWSTREAM_CFG_A_NODE_ID, 0xffffffff);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(config_parse(nlh, &cfg), MNL_CB_OK);
	assert_true(cfg.seen);

	cap_start(&c, 0);
	config_print(c.o, &cfg);
	assert_string_equal(cap_end(&c), "node-id 4294967295\n");
	free(c.buf);

	cap_start(&c, OUT_JSON);
	config_print(c.o, &cfg);
	assert_string_equal(cap_end(&c), "{\"node_id\":4294967295}\n");
	free(c.buf);

	/* A reply without the nest is not a configuration. */
	memset(&cfg, 0, sizeof(cfg));
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_CONFIG, 1, 0);
	assert_int_equal(config_parse(nlh, &cfg), MNL_CB_OK);
	assert_false(cfg.seen);
}

/* GET_CONFIG reply with every key, at the module's defaults. */
static struct nlmsghdr *config_reply(void *buf, uint8_t acct,
				     uint8_t overload)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_CONFIG, 1, 0);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_CONFIG);
	mnl_attr_put_u32(nlh, FLOWSTREAM_CFG_A_NODE_ID, 0);
	mnl_attr_put_u8(nlh, FLOWSTREAM_CFG_A_ACCT_ENABLE, acct);
	mnl_attr_put_u32(nlh, FLOWSTREAM_CFG_A_ACCT_IDLE_TIMEOUT, 15);
	mnl_attr_put_u32(nlh, FLOWSTREAM_CFG_A_ACCT_ACTIVE_TIMEOUT, 1800);
	mnl_attr_put_u32(nlh, FLOWSTREAM_CFG_A_ACCT_FIN_TIMEOUT, 2);
	mnl_attr_put_u32(nlh, FLOWSTREAM_CFG_A_ACCT_MAX_RECORDS, 65536);
	mnl_attr_put_u8(nlh, FLOWSTREAM_CFG_A_ACCT_OVERLOAD, overload);
	mnl_attr_put_u32(nlh, FLOWSTREAM_CFG_A_ACCT_BUCKETS, 0);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void test_config_show_acct(void **state)
{
	char buf[512];
	struct fs_config cfg = { 0 };
	struct capture c;

	(void)state;
	assert_int_equal(config_parse(config_reply(buf, 0, 0), &cfg),
			 MNL_CB_OK);
	cap_start(&c, 0);
	config_print(c.o, &cfg);
	assert_string_equal(cap_end(&c),
			    "node-id 0\n"
			    "acct off\n"
			    "idle-timeout 15\n"
			    "active-timeout 1800\n"
			    "fin-timeout 2\n"
			    "max-records 65536\n"
			    "overload refuse\n"
			    "buckets 0\n");
	free(c.buf);

	cap_start(&c, OUT_JSON);
	config_print(c.o, &cfg);
	assert_string_equal(cap_end(&c),
			    "{\"node_id\":0,\"acct\":false,\"idle_timeout\":15,"
			    "\"active_timeout\":1800,\"fin_timeout\":2,"
			    "\"max_records\":65536,\"overload\":\"refuse\","
			    "\"buckets\":0}\n");
	free(c.buf);

	/* On, evict; a value this flowctl does not know by number. */
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(config_parse(config_reply(buf, 1, 1), &cfg),
			 MNL_CB_OK);
	cap_start(&c, 0);
	config_print(c.o, &cfg);
	assert_non_null(strstr(cap_end(&c), "acct on\n"));
	assert_non_null(strstr(c.buf, "overload evict\n"));
	free(c.buf);
	cap_start(&c, OUT_JSON);
	config_print(c.o, &cfg);
	assert_non_null(strstr(cap_end(&c), "\"acct\":true,"));
	assert_non_null(strstr(c.buf, "\"overload\":\"evict\","));
	free(c.buf);

	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(config_parse(config_reply(buf, 1, 9), &cfg),
			 MNL_CB_OK);
	cap_start(&c, 0);
	config_print(c.o, &cfg);
	assert_non_null(strstr(cap_end(&c), "overload overload_9\n"));
	free(c.buf);

	/* A u8 key sent as a u32 is malformed. */
	memset(&cfg, 0, sizeof(cfg));
	{
		struct nlmsghdr *nlh;
		struct nlattr *nest;

		nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_CONFIG, 1, 0);
		nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_CONFIG);
		mnl_attr_put_u32(nlh, FLOWSTREAM_CFG_A_ACCT_ENABLE, 1);
		mnl_attr_nest_end(nlh, nest);
		assert_int_equal(config_parse(nlh, &cfg), MNL_CB_ERROR);
	}
}

/* The status "config" object carries the same keys. */
static void test_status_config(void **state)
{
	char buf[1024];
	struct fs_status st = { 0 };
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct capture c;

	(void)state;
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_STATUS, 1, 0);
	mnl_attr_put_u64(nlh, FLOWSTREAM_A_UPTIME_MS, 500);
	mnl_attr_put_u64(nlh, FLOWSTREAM_A_FEATURES,
			 1ULL << FLOWSTREAM_FEAT_ACCT_BIT);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_CONFIG);
	mnl_attr_put_u32(nlh, FLOWSTREAM_CFG_A_NODE_ID, 3);
	mnl_attr_put_u8(nlh, FLOWSTREAM_CFG_A_ACCT_ENABLE, 1);
	mnl_attr_put_u8(nlh, FLOWSTREAM_CFG_A_ACCT_OVERLOAD, 1);
	mnl_attr_put_u32(nlh, FLOWSTREAM_CFG_A_ACCT_BUCKETS, 16384);
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_STATS);
	mnl_attr_put_u64(nlh, FLOWSTREAM_STAT_ACCT_PACKETS, 10);
	mnl_attr_put_u64(nlh, FLOWSTREAM_STAT_ACCT_RECORDS_CREATED, 2);
	mnl_attr_put_u64(nlh, FLOWSTREAM_STAT_EVENTS_DROPPED, 1);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(status_parse(nlh, &st), MNL_CB_OK);

	cap_start(&c, 0);
	status_print(c.o, &st);
	assert_string_equal(cap_end(&c),
			    "uptime 500ms\n"
			    "features: acct\n"
			    "node-id 3\n"
			    "acct on\n"
			    "overload evict\n"
			    "buckets 16384\n"
			    "acct_packets 10\n"
			    "records_created 2\n"
			    "events_dropped 1\n");
	free(c.buf);

	cap_start(&c, OUT_JSON);
	status_print(c.o, &st);
	assert_string_equal(cap_end(&c),
			    "{\"uptime_ms\":500,\"features\":[\"acct\"],"
			    "\"config\":{\"node_id\":3,\"acct\":true,"
			    "\"overload\":\"evict\",\"buckets\":16384},"
			    "\"stats\":{\"acct_packets\":10,"
			    "\"records_created\":2,\"events_dropped\":1}}\n");
	free(c.buf);
	status_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_status_pretty),
		cmocka_unit_test(test_status_through_process),
		cmocka_unit_test(test_status_malformed),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_config_show),
		cmocka_unit_test(test_config_show_acct),
		cmocka_unit_test(test_status_config),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
