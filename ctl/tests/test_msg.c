// SPDX-License-Identifier: GPL-2.0
/* Request building and the generic netlink controller's reply. */
#include <linux/genetlink.h>
#include "test.h"

#define FAMILY	0x1f

static void test_get_request(void **state)
{
	char buf[64];
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	(void)state;
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_GET_VERSION,
				FLOWSTREAM_GENL_VERSION, 9);
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN);
	assert_int_equal(nlh->nlmsg_type, FAMILY);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(nlh->nlmsg_seq, 9);
	assert_int_equal(nlh->nlmsg_pid, 0);
	genl = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(genl->cmd, FLOWSTREAM_CMD_GET_VERSION);
	assert_int_equal(genl->version, FLOWSTREAM_GENL_VERSION);
	assert_int_equal(genl->reserved, 0);
}

struct seen_attrs {
	int n;
	uint16_t type[8];
	uint16_t raw_type[8];
	const struct nlattr *attr[8];
};

static int collect_cb(const struct nlattr *attr, void *data)
{
	struct seen_attrs *s = data;

	if (s->n == 8)
		return MNL_CB_ERROR;
	s->type[s->n] = mnl_attr_get_type(attr);
	s->raw_type[s->n] = attr->nla_type;
	s->attr[s->n++] = attr;
	return MNL_CB_OK;
}

static void test_set_config(void **state)
{
	char buf[256];
	struct seen_attrs top = { 0 }, cfg = { 0 };
	struct fs_config conf;
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	char *argv[] = { "node-id", "7" };

	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(config_parse_args(2, argv, &conf), 0);
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_SET_CONFIG,
				FLOWSTREAM_GENL_VERSION, 42);
	config_put(nlh, &conf);

	/* Parsed back with libmnl. */
	assert_int_equal(nlh->nlmsg_len, 32);
	genl = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(genl->cmd, FLOWSTREAM_CMD_SET_CONFIG);
	assert_int_equal(mnl_attr_parse(nlh, GENL_HDRLEN, collect_cb, &top),
			 MNL_CB_OK);
	assert_int_equal(top.n, 1);
	assert_int_equal(top.type[0], FLOWSTREAM_A_CONFIG);
	/* Strict kernel policies want NLA_F_NESTED on nests. */
	assert_int_equal(top.raw_type[0], NLA_F_NESTED | FLOWSTREAM_A_CONFIG);
	assert_int_equal(mnl_attr_validate(top.attr[0], MNL_TYPE_NESTED), 0);
	assert_int_equal(mnl_attr_parse_nested(top.attr[0], collect_cb, &cfg),
			 MNL_CB_OK);
	assert_int_equal(cfg.n, 1);
	assert_int_equal(cfg.raw_type[0], FLOWSTREAM_CFG_A_NODE_ID);
	assert_int_equal(mnl_attr_validate(cfg.attr[0], MNL_TYPE_U32), 0);
	assert_int_equal(mnl_attr_get_u32(cfg.attr[0]), 7);

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	{
		static const unsigned char want[] = {
			0x20, 0x00, 0x00, 0x00,	/* nlmsg_len 32 */
			0x1f, 0x00,		/* nlmsg_type: family */
			0x05, 0x00,		/* NLM_F_REQUEST | NLM_F_ACK */
			0x2a, 0x00, 0x00, 0x00,	/* nlmsg_seq 42 */
			0x00, 0x00, 0x00, 0x00,	/* nlmsg_pid */
			0x04, 0x01, 0x00, 0x00,	/* SET_CONFIG, version 1 */
			0x0c, 0x00, 0x06, 0x80,	/* CONFIG | NLA_F_NESTED */
			0x08, 0x00, 0x01, 0x00,	/* CFG_A_NODE_ID */
			0x07, 0x00, 0x00, 0x00,	/* 7 */
		};

		assert_memory_equal(buf, want, sizeof(want));
	}
#endif
}

/* u8 keys travel as u8 attributes, in table order. */
static void test_set_config_acct(void **state)
{
	char buf[256];
	struct seen_attrs top = { 0 }, cfg = { 0 };
	struct fs_config conf;
	struct nlmsghdr *nlh;
	char *argv[] = { "overload", "evict", "idle-timeout", "30",
			 "acct", "on" };

	(void)state;
	memset(buf, 0, sizeof(buf));
	assert_int_equal(config_parse_args(6, argv, &conf), 0);
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_SET_CONFIG,
				FLOWSTREAM_GENL_VERSION, 42);
	config_put(nlh, &conf);
	assert_int_equal(mnl_attr_parse(nlh, GENL_HDRLEN, collect_cb, &top),
			 MNL_CB_OK);
	assert_int_equal(top.n, 1);
	assert_int_equal(mnl_attr_parse_nested(top.attr[0], collect_cb, &cfg),
			 MNL_CB_OK);
	assert_int_equal(cfg.n, 3);
	assert_int_equal(cfg.raw_type[0], FLOWSTREAM_CFG_A_ACCT_ENABLE);
	assert_int_equal(mnl_attr_validate(cfg.attr[0], MNL_TYPE_U8), 0);
	assert_int_equal(mnl_attr_get_payload_len(cfg.attr[0]), 1);
	assert_int_equal(mnl_attr_get_u8(cfg.attr[0]), 1);
	assert_int_equal(cfg.raw_type[1], FLOWSTREAM_CFG_A_ACCT_IDLE_TIMEOUT);
	assert_int_equal(mnl_attr_get_payload_len(cfg.attr[1]), 4);
	assert_int_equal(mnl_attr_get_u32(cfg.attr[1]), 30);
	assert_int_equal(cfg.raw_type[2], FLOWSTREAM_CFG_A_ACCT_OVERLOAD);
	assert_int_equal(mnl_attr_get_payload_len(cfg.attr[2]), 1);
	assert_int_equal(mnl_attr_get_u8(cfg.attr[2]),
			 FLOWSTREAM_OVERLOAD_EVICT);

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	{
		static const unsigned char want[] = {
			0x30, 0x00, 0x00, 0x00,	/* nlmsg_len 48 */
			0x1f, 0x00, 0x05, 0x00,
			0x2a, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00,
			0x04, 0x01, 0x00, 0x00,	/* SET_CONFIG, version 1 */
			0x1c, 0x00, 0x06, 0x80,	/* CONFIG | NLA_F_NESTED */
			0x05, 0x00, 0x02, 0x00,	/* CFG_A_ACCT_ENABLE */
			0x01, 0x00, 0x00, 0x00,	/* 1 + pad */
			0x08, 0x00, 0x03, 0x00,	/* CFG_A_ACCT_IDLE_TIMEOUT */
			0x1e, 0x00, 0x00, 0x00,	/* 30 */
			0x05, 0x00, 0x07, 0x00,	/* CFG_A_ACCT_OVERLOAD */
			0x01, 0x00, 0x00, 0x00,	/* evict + pad */
		};

		assert_int_equal(nlh->nlmsg_len, sizeof(want));
		assert_memory_equal(buf, want, sizeof(want));
	}
#endif
}

static void test_set_config_empty(void **state)
{
	char buf[64];
	struct fs_config conf = { 0 };
	struct nlmsghdr *nlh;

	(void)state;
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_SET_CONFIG, 1, 1);
	config_put(nlh, &conf);
	/* An empty nest: header only. */
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN + 4);
}

static struct nlmsghdr *family_reply(void *buf, bool groups)
{
	struct nlattr *all, *grp;
	struct nlmsghdr *nlh;

	nlh = genl_msg(buf, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, FLOWSTREAM_GENL_NAME);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAMILY);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 1);
	mnl_attr_put_u32(nlh, CTRL_ATTR_HDRSIZE, 0);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MAXATTR, FLOWSTREAM_A_MAX);
	if (groups) {
		all = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
		grp = mnl_attr_nest_start(nlh, 1);
		mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 8);
		mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, "configs");
		mnl_attr_nest_end(nlh, grp);
		grp = mnl_attr_nest_start(nlh, 2);
		mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 9);
		mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME,
				  FLOWSTREAM_MCGRP_CONFIG);
		mnl_attr_nest_end(nlh, grp);
		grp = mnl_attr_nest_start(nlh, 3);
		mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME,
				  FLOWSTREAM_MCGRP_RECORDS);
		mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 10);
		mnl_attr_nest_end(nlh, grp);
		grp = mnl_attr_nest_start(nlh, 4);
		mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 11);
		mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME,
				  FLOWSTREAM_MCGRP_MIGRATE);
		mnl_attr_nest_end(nlh, grp);
		mnl_attr_nest_end(nlh, all);
	}
	return nlh;
}

static void test_family(void **state)
{
	char buf[512];
	struct fs_family fam = { 0 };

	(void)state;
	assert_int_equal(fs_nl_parse_family(family_reply(buf, true), &fam),
			 MNL_CB_OK);
	assert_int_equal(fam.id, FAMILY);
	assert_int_equal(fam.version, 1);
	assert_int_equal(fam.mcgrp_config, 9);
	assert_int_equal(fam.mcgrp_records, 10);
	assert_int_equal(fam.mcgrp_migrate, 11);

	memset(&fam, 0, sizeof(fam));
	assert_int_equal(fs_nl_parse_family(family_reply(buf, false), &fam),
			 MNL_CB_OK);
	assert_int_equal(fam.id, FAMILY);
	assert_int_equal(fam.mcgrp_config, 0);
	assert_int_equal(fam.mcgrp_records, 0);
	assert_int_equal(fam.mcgrp_migrate, 0);
}

static void test_family_malformed(void **state)
{
	char buf[512];
	struct fs_family fam = { 0 };
	struct nlmsghdr *nlh;

	(void)state;
	nlh = genl_msg(buf, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, 1, 0);
	mnl_attr_put_u32(nlh, CTRL_ATTR_FAMILY_ID, FAMILY);
	assert_int_equal(fs_nl_parse_family(nlh, &fam), MNL_CB_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_request),
		cmocka_unit_test(test_set_config),
		cmocka_unit_test(test_set_config_acct),
		cmocka_unit_test(test_set_config_empty),
		cmocka_unit_test(test_family),
		cmocka_unit_test(test_family_malformed),
	};

	return cmocka_run_group_tests_name("msg", tests, NULL, NULL);
}
