// SPDX-License-Identifier: GPL-2.0
/* Number and keyword parsing, names. */
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
static int args(struct fs_config *cfg, char *err, int argc, ...)
{
	char *argv[8];
	va_list ap;
	int i, ret;

	va_start(ap, argc);
	for (i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	stderr_begin();
	ret = config_parse_args(argc, argv, cfg);
	stderr_end(err, 512);
	return ret;
}

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

static void test_names(void **state)
{
	char buf[16];

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
	assert_string_equal(fs_stat_name(16383, buf, sizeof(buf)),
			    "stat_16383");
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
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_netns_name),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
