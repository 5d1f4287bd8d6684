// SPDX-License-Identifier: GPL-2.0
/* Number and keyword parsing, names. */
#include <sys/socket.h>
#include "test.h"

static void test_u32_valid(void **state)
{
	static const struct {
		const char *arg;
		uint32_t val;
	} ok[] = {
		{ "0", 0 }, { "7", 7 }, { "010", 10 }, { "4294967295", UINT32_MAX },
		{ "0x0", 0 }, { "0x10", 16 }, { "0XfF", 255 },
		{ "0xffffffff", UINT32_MAX }, { "0x00000000ffffffff", UINT32_MAX },
	};
	uint32_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = 12345;
		assert_int_equal(parse_u32(ok[i].arg, &v), PARSE_OK);
		assert_int_equal(v, ok[i].val);
	}
}

static void test_u32_invalid(void **state)
{
	static const struct {
		const char *arg;
		enum parse_err err;
	} bad[] = {
		{ "", PARSE_EMPTY }, { NULL, PARSE_EMPTY },
		{ "-1", PARSE_NEGATIVE }, { "-0", PARSE_NEGATIVE },
		{ "-0x1", PARSE_NEGATIVE },
		{ "4294967296", PARSE_RANGE }, { "0x100000000", PARSE_RANGE },
		{ "99999999999999999999999", PARSE_RANGE },
		{ "12abc", PARSE_NOT_NUMBER }, { "12 ", PARSE_NOT_NUMBER },
		{ " 12", PARSE_NOT_NUMBER }, { "+12", PARSE_NOT_NUMBER },
		{ "0x", PARSE_NOT_NUMBER }, { "0x-1", PARSE_NOT_NUMBER },
		{ "0x 1", PARSE_NOT_NUMBER }, { "0xg", PARSE_NOT_NUMBER },
		{ "1e3", PARSE_NOT_NUMBER }, { "1.0", PARSE_NOT_NUMBER },
		{ "abc", PARSE_NOT_NUMBER }, { "0b1", PARSE_NOT_NUMBER },
	};
	uint32_t v = 12345;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse_u32(bad[i].arg, &v), bad[i].err);
		assert_int_equal(v, 12345);
	}
}

static void test_u64_limits(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_uint("18446744073709551615", UINT64_MAX, &v),
			 PARSE_OK);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_uint("18446744073709551616", UINT64_MAX, &v),
			 PARSE_RANGE);
	assert_int_equal(parse_uint("0xffffffffffffffff", UINT64_MAX, &v),
			 PARSE_OK);
	assert_int_equal(parse_uint("256", 255, &v), PARSE_RANGE);
}

static void test_errmsg(void **state)
{
	char buf[256];

	(void)state;
	parse_errmsg(buf, sizeof(buf), "node-id", "-1", PARSE_NEGATIVE,
		     UINT32_MAX);
	assert_string_equal(buf,
			    "invalid value \"-1\" for \"node-id\": must not be negative");
	parse_errmsg(buf, sizeof(buf), "node-id", "4294967296", PARSE_RANGE,
		     UINT32_MAX);
	assert_string_equal(buf,
			    "invalid value \"4294967296\" for \"node-id\": out of range (maximum 4294967295)");
	parse_errmsg(buf, sizeof(buf), "node-id", "7x", PARSE_NOT_NUMBER,
		     UINT32_MAX);
	assert_string_equal(buf,
			    "invalid value \"7x\" for \"node-id\": not a decimal or 0x-prefixed hexadecimal number");
	parse_errmsg(buf, sizeof(buf), "node-id", "", PARSE_EMPTY, UINT32_MAX);
	assert_string_equal(buf, "empty value for \"node-id\"");
}

static void test_keyword_table(void **state)
{
	const struct fs_cfg_key *key;
	size_t i, j;

	(void)state;
	key = fs_cfg_key_find("node-id");
	assert_non_null(key);
	assert_int_equal(key->attr, FLOWSTREAM_CFG_A_NODE_ID);
	assert_int_equal(key->type, FS_CFG_U32);
	assert_string_equal(key->json, "node_id");
	assert_ptr_equal(fs_cfg_key_by_attr(FLOWSTREAM_CFG_A_NODE_ID), key);
	assert_null(fs_cfg_key_find("node"));
	assert_null(fs_cfg_key_find("node_id"));
	assert_null(fs_cfg_key_find("NODE-ID"));
	assert_null(fs_cfg_key_by_attr(FLOWSTREAM_CFG_A_UNSPEC));
	assert_null(fs_cfg_key_by_attr(__FLOWSTREAM_CFG_A_MAX));
	/* Every row is complete and unique. */
	for (i = 0; i < fs_cfg_nkeys; i++) {
		assert_non_null(fs_cfg_keys[i].name);
		assert_non_null(fs_cfg_keys[i].json);
		assert_non_null(fs_cfg_keys[i].value);
		assert_in_range(fs_cfg_keys[i].attr, 1, FLOWSTREAM_CFG_A_MAX);
		for (j = i + 1; j < fs_cfg_nkeys; j++) {
			assert_string_not_equal(fs_cfg_keys[i].name,
						fs_cfg_keys[j].name);
			assert_int_not_equal(fs_cfg_keys[i].attr,
					     fs_cfg_keys[j].attr);
		}
	}
}

/* config_parse_args() with @argc words; returns its result, stderr in @err. */
PARSE_WORDS_FN(args, struct fs_config, config_parse_args)

static void test_config_args(void **state)
{
	struct fs_config cfg;
	char err[512];

	(void)state;
	assert_int_equal(args(&cfg, err, 2, "node-id", "0x2a"), 0);
	assert_string_equal(err, "");
	assert_true(cfg.present == 1ULL << FLOWSTREAM_CFG_A_NODE_ID);
	assert_int_equal(cfg.val[FLOWSTREAM_CFG_A_NODE_ID], 42);

	assert_int_equal(args(&cfg, err, 2, "node-id", "4294967295"), 0);
	assert_int_equal(cfg.val[FLOWSTREAM_CFG_A_NODE_ID], UINT32_MAX);

	assert_int_equal(args(&cfg, err, 0), EXIT_USAGE);
	assert_string_equal(err, "Error: nothing to set\n"
			    "Try \"flowctl config help\".\n");
	assert_int_equal(args(&cfg, err, 1, "node-id"), EXIT_USAGE);
	assert_string_equal(err, "Error: missing value for \"node-id\"\n"
			    "Try \"flowctl config help\".\n");
	assert_int_equal(args(&cfg, err, 2, "node-id", "-1"), EXIT_USAGE);
	assert_string_equal(err, "Error: invalid value \"-1\" for \"node-id\": must not be negative\n"
			    "Try \"flowctl config help\".\n");
	assert_int_equal(args(&cfg, err, 2, "node-id", "4294967296"),
			 EXIT_USAGE);
	assert_non_null(strstr(err, "\"4294967296\" for \"node-id\": out of range"));
	assert_int_equal(args(&cfg, err, 2, "node-id", "7 "), EXIT_USAGE);
	assert_non_null(strstr(err, "\"7 \" for \"node-id\": not a"));
	assert_int_equal(args(&cfg, err, 2, "bogus", "1"), EXIT_USAGE);
	assert_string_equal(err, "Error: unknown configuration key \"bogus\"\n"
			    "Try \"flowctl config help\".\n");
	assert_int_equal(args(&cfg, err, 4, "node-id", "1", "node-id", "2"),
			 EXIT_USAGE);
	assert_string_equal(err, "Error: duplicate \"node-id\"\n"
			    "Try \"flowctl config help\".\n");
	assert_int_equal(args(&cfg, err, 3, "node-id", "1", "node-id"),
			 EXIT_USAGE);
}

static void test_config_args_acct(void **state)
{
	const uint64_t all = 1ULL << FLOWSTREAM_CFG_A_ACCT_ENABLE |
		1ULL << FLOWSTREAM_CFG_A_ACCT_IDLE_TIMEOUT |
		1ULL << FLOWSTREAM_CFG_A_ACCT_ACTIVE_TIMEOUT |
		1ULL << FLOWSTREAM_CFG_A_ACCT_FIN_TIMEOUT |
		1ULL << FLOWSTREAM_CFG_A_ACCT_MAX_RECORDS |
		1ULL << FLOWSTREAM_CFG_A_ACCT_OVERLOAD;
	struct fs_config cfg;
	char err[512];
	char *argv[] = { "acct", "on", "idle-timeout", "30",
			 "active-timeout", "0x708", "fin-timeout", "0",
			 "max-records", "4294967295", "overload", "evict" };

	(void)state;
	stderr_begin();
	assert_int_equal(config_parse_args(12, argv, &cfg), 0);
	stderr_end(err, sizeof(err));
	assert_string_equal(err, "");
	assert_true(cfg.present == all);
	assert_int_equal(cfg.val[FLOWSTREAM_CFG_A_ACCT_ENABLE], 1);
	assert_int_equal(cfg.val[FLOWSTREAM_CFG_A_ACCT_IDLE_TIMEOUT], 30);
	assert_int_equal(cfg.val[FLOWSTREAM_CFG_A_ACCT_ACTIVE_TIMEOUT], 1800);
	assert_int_equal(cfg.val[FLOWSTREAM_CFG_A_ACCT_FIN_TIMEOUT], 0);
	assert_int_equal(cfg.val[FLOWSTREAM_CFG_A_ACCT_MAX_RECORDS],
			 UINT32_MAX);
	assert_int_equal(cfg.val[FLOWSTREAM_CFG_A_ACCT_OVERLOAD],
			 FLOWSTREAM_OVERLOAD_EVICT);

	assert_int_equal(args(&cfg, err, 4, "acct", "off", "overload",
			      "refuse"), 0);
	assert_true(cfg.present == (1ULL << FLOWSTREAM_CFG_A_ACCT_ENABLE |
				    1ULL << FLOWSTREAM_CFG_A_ACCT_OVERLOAD));
	assert_int_equal(cfg.val[FLOWSTREAM_CFG_A_ACCT_ENABLE], 0);
	assert_int_equal(cfg.val[FLOWSTREAM_CFG_A_ACCT_OVERLOAD],
			 FLOWSTREAM_OVERLOAD_REFUSE);

	/* Syntax only: the module checks ranges and says so itself. */
	assert_int_equal(args(&cfg, err, 2, "idle-timeout", "0"), 0);
	assert_int_equal(args(&cfg, err, 2, "max-records", "1"), 0);
	assert_int_equal(args(&cfg, err, 2, "fin-timeout", "100000"), 0);

	/* But a value must be one of the keywords, or fit the type. */
	assert_int_equal(args(&cfg, err, 2, "acct", "1"), EXIT_USAGE);
	assert_string_equal(err, "Error: invalid value \"1\" for \"acct\": expected \"on\" or \"off\"\n"
			    "Try \"flowctl config help\".\n");
	assert_int_equal(args(&cfg, err, 2, "acct", "ON"), EXIT_USAGE);
	assert_int_equal(args(&cfg, err, 2, "acct", ""), EXIT_USAGE);
	assert_int_equal(args(&cfg, err, 2, "overload", "drop"), EXIT_USAGE);
	assert_string_equal(err, "Error: invalid value \"drop\" for \"overload\": expected \"refuse\" or \"evict\"\n"
			    "Try \"flowctl config help\".\n");
	assert_int_equal(args(&cfg, err, 2, "overload", "1"), EXIT_USAGE);
	assert_int_equal(args(&cfg, err, 2, "idle-timeout", "4294967296"),
			 EXIT_USAGE);
	assert_non_null(strstr(err, "for \"idle-timeout\": out of range (maximum 4294967295)"));
	assert_int_equal(args(&cfg, err, 2, "idle-timeout", "-1"), EXIT_USAGE);
	assert_int_equal(args(&cfg, err, 2, "max-records", "64k"), EXIT_USAGE);
	assert_int_equal(args(&cfg, err, 4, "acct", "on", "acct", "off"),
			 EXIT_USAGE);
	assert_string_equal(err, "Error: duplicate \"acct\"\n"
			    "Try \"flowctl config help\".\n");
	/* Read only. */
	assert_int_equal(args(&cfg, err, 2, "buckets", "1024"), EXIT_USAGE);
	assert_string_equal(err, "Error: configuration key \"buckets\" is read-only\n"
			    "Try \"flowctl config help\".\n");
}

static void test_config_table(void **state)
{
	static const struct {
		const char *name, *json;
		uint16_t attr;
		enum fs_cfg_type type;
		bool readonly;
	} want[] = {
		{ "node-id", "node_id", FLOWSTREAM_CFG_A_NODE_ID, FS_CFG_U32, false },
		{ "acct", "acct", FLOWSTREAM_CFG_A_ACCT_ENABLE, FS_CFG_BOOL, false },
		{ "idle-timeout", "idle_timeout",
		  FLOWSTREAM_CFG_A_ACCT_IDLE_TIMEOUT, FS_CFG_U32, false },
		{ "active-timeout", "active_timeout",
		  FLOWSTREAM_CFG_A_ACCT_ACTIVE_TIMEOUT, FS_CFG_U32, false },
		{ "fin-timeout", "fin_timeout",
		  FLOWSTREAM_CFG_A_ACCT_FIN_TIMEOUT, FS_CFG_U32, false },
		{ "max-records", "max_records",
		  FLOWSTREAM_CFG_A_ACCT_MAX_RECORDS, FS_CFG_U32, false },
		{ "overload", "overload", FLOWSTREAM_CFG_A_ACCT_OVERLOAD,
		  FS_CFG_ENUM, false },
		{ "buckets", "buckets", FLOWSTREAM_CFG_A_ACCT_BUCKETS,
		  FS_CFG_U32, true },
		{ "fos-max-held", "fos_max_held", FLOWSTREAM_CFG_A_FOS_MAX_HELD,
		  FS_CFG_U32, false },
		{ "fos-max-held-bytes", "fos_max_held_bytes",
		  FLOWSTREAM_CFG_A_FOS_MAX_HELD_BYTES, FS_CFG_U32, false },
	};
	const struct fs_cfg_key *key;
	char buf[32];
	size_t i;

	(void)state;
	assert_int_equal(fs_cfg_nkeys, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < fs_cfg_nkeys; i++) {
		key = fs_cfg_key_find(want[i].name);
		assert_non_null(key);
		assert_ptr_equal(key, &fs_cfg_keys[i]);	/* shown in this order */
		assert_string_equal(key->json, want[i].json);
		assert_int_equal(key->attr, want[i].attr);
		assert_int_equal(key->type, want[i].type);
		assert_int_equal(key->readonly, want[i].readonly);
	}
	key = fs_cfg_key_find("overload");
	assert_string_equal(fs_cfg_enum_name(key, 0, buf, sizeof(buf)),
			    "refuse");
	assert_string_equal(fs_cfg_enum_name(key, 1, buf, sizeof(buf)),
			    "evict");
	assert_string_equal(fs_cfg_enum_name(key, 7, buf, sizeof(buf)),
			    "overload_7");
}

static void test_names(void **state)
{
	char buf[16], want[16];

	(void)state;
	assert_string_equal(fs_feature_name(FLOWSTREAM_FEAT_ACCT_BIT, buf,
					    sizeof(buf)), "acct");
	assert_string_equal(fs_feature_name(FLOWSTREAM_FEAT_SAMPLER_BIT, buf,
					    sizeof(buf)), "sampler");
	assert_string_equal(fs_feature_name(FLOWSTREAM_FEAT_FLOWOS_BIT, buf,
					    sizeof(buf)), "flowos");
	assert_string_equal(fs_feature_name(FLOWSTREAM_FEAT_MIGRATE_BIT, buf,
					    sizeof(buf)), "migrate");
	assert_string_equal(fs_feature_name(63, buf, sizeof(buf)), "bit63");
	assert_string_equal(fs_stat_name(FLOWSTREAM_STAT_NL_REQUESTS, buf,
					 sizeof(buf)), "nl_requests");
	assert_string_equal(fs_stat_name(FLOWSTREAM_STAT_NL_REJECTED, buf,
					 sizeof(buf)), "nl_rejected");
	assert_string_equal(fs_stat_name(FLOWSTREAM_STAT_CONFIG_CHANGES, buf,
					 sizeof(buf)), "config_changes");
	assert_string_equal(fs_stat_name(FLOWSTREAM_STAT_NOTIFY_FAILED, buf,
					 sizeof(buf)), "notify_failed");
	assert_string_equal(fs_stat_name(0, buf, sizeof(buf)), "stat_0");
	/* The first type past the header's: by number. */
	snprintf(want, sizeof(want), "stat_%d", __FLOWSTREAM_STAT_MAX);
	assert_string_equal(fs_stat_name(__FLOWSTREAM_STAT_MAX, buf,
					 sizeof(buf)), want);
	assert_string_equal(fs_stat_name(16383, buf, sizeof(buf)),
			    "stat_16383");
}

static void test_acct_names(void **state)
{
	static const char *const stats[] = {
		[FLOWSTREAM_STAT_ACCT_PACKETS]		= "acct_packets",
		[FLOWSTREAM_STAT_ACCT_BYTES]		= "acct_bytes",
		[FLOWSTREAM_STAT_ACCT_FRAGMENTS]	= "acct_fragments",
		[FLOWSTREAM_STAT_ACCT_RECORDS_CREATED]	= "records_created",
		[FLOWSTREAM_STAT_ACCT_RECORDS_ENDED]	= "records_ended",
		[FLOWSTREAM_STAT_ACCT_RECORDS_EVICTED]	= "records_evicted",
		[FLOWSTREAM_STAT_ACCT_DROP_LIMIT]	= "acct_drop_limit",
		[FLOWSTREAM_STAT_ACCT_DROP_NOMEM]	= "acct_drop_nomem",
		[FLOWSTREAM_STAT_ACCT_DROP_MALFORMED]	= "acct_drop_malformed",
		[FLOWSTREAM_STAT_EVENTS_SENT]		= "events_sent",
		[FLOWSTREAM_STAT_EVENTS_DROPPED]	= "events_dropped",
	};
	static const char *const ends[] = {
		"live", "idle", "active", "eof", "evicted", "flushed", "netns",
		"migrated",
	};
	char buf[16];
	uint8_t v;
	size_t i;

	(void)state;
	for (i = FLOWSTREAM_STAT_ACCT_PACKETS; i < sizeof(stats) / sizeof(stats[0]); i++)
		assert_string_equal(fs_stat_name(i, buf, sizeof(buf)), stats[i]);
	assert_int_equal(FLOWSTREAM_END_NONE, 0);
	assert_int_equal(FLOWSTREAM_END_NETNS, 6);
	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		assert_string_equal(fs_end_name(i, buf, sizeof(buf)), ends[i]);
	assert_string_equal(fs_end_name(8, buf, sizeof(buf)), "end_8");
	assert_string_equal(fs_end_name(255, buf, sizeof(buf)), "end_255");

	assert_string_equal(fs_proto_name(6), "tcp");
	assert_string_equal(fs_proto_name(17), "udp");
	assert_string_equal(fs_proto_name(1), "icmp");
	assert_string_equal(fs_proto_name(58), "icmpv6");
	assert_string_equal(fs_proto_name(132), "sctp");
	assert_string_equal(fs_proto_name(136), "udplite");
	assert_null(fs_proto_name(253));
	assert_int_equal(fs_proto_parse("udplite", &v), 0);
	assert_int_equal(v, 136);
	assert_int_equal(fs_proto_parse("icmpv6", &v), 0);
	assert_int_equal(v, 58);
	assert_int_equal(fs_proto_parse("0x2f", &v), 0);
	assert_int_equal(v, 47);
	assert_int_equal(fs_proto_parse("255", &v), 0);
	assert_int_equal(v, 255);
	assert_int_equal(fs_proto_parse("256", &v), -1);
	assert_int_equal(fs_proto_parse("TCP", &v), -1);
	assert_int_equal(fs_proto_parse("", &v), -1);
	assert_true(fs_proto_has_ports(6) && fs_proto_has_ports(33));
	assert_false(fs_proto_has_ports(1) || fs_proto_has_ports(47));
	assert_true(fs_proto_is_icmp(1) && fs_proto_is_icmp(58));
	assert_false(fs_proto_is_icmp(6));
}

static void test_addr(void **state)
{
	uint8_t family, a[16];

	(void)state;
	assert_int_equal(parse_addr("10.0.0.1", &family, a), 0);
	assert_int_equal(family, AF_INET);
	assert_memory_equal(a, "\x0a\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(parse_addr("2001:db8::1", &family, a), 0);
	assert_int_equal(family, AF_INET6);
	assert_memory_equal(a, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	assert_int_equal(parse_addr("::ffff:10.0.0.1", &family, a), 0);
	assert_int_equal(family, AF_INET6);
	assert_int_equal(parse_addr("10.0.0", &family, a), -1);
	assert_int_equal(parse_addr("10.0.0.1/24", &family, a), -1);
	assert_int_equal(parse_addr("host", &family, a), -1);
	assert_int_equal(parse_addr("", &family, a), -1);
}

static void test_netns_name(void **state)
{
	(void)state;
	assert_true(fs_netns_name_ok("blue"));
	assert_true(fs_netns_name_ok("ns-1.a"));
	assert_false(fs_netns_name_ok(""));
	assert_false(fs_netns_name_ok("."));
	assert_false(fs_netns_name_ok(".."));
	assert_false(fs_netns_name_ok("../x"));
	assert_false(fs_netns_name_ok("/proc/1/ns/net"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u32_valid),
		cmocka_unit_test(test_u32_invalid),
		cmocka_unit_test(test_u64_limits),
		cmocka_unit_test(test_errmsg),
		cmocka_unit_test(test_keyword_table),
		cmocka_unit_test(test_config_args),
		cmocka_unit_test(test_config_args_acct),
		cmocka_unit_test(test_config_table),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_acct_names),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_netns_name),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
