// SPDX-License-Identifier: GPL-2.0
/* NLMSG_ERROR with extended ACK TLVs into "Error: ..." text. */
#include <errno.h>
#include "test.h"

#define FAMILY	0x1f

/*
 * The kernel's answer to @req: struct nlmsgerr, the request's payload
 * unless @capped, then the TLVs (if @msg or @offs).
 */
static struct nlmsghdr *error_msg(void *buf, const struct nlmsghdr *req,
				  int error, bool capped, const char *msg,
				  int offs)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *err;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = 1234;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = error;
	err->msg = *req;
	if (capped) {
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	} else {
		size_t plen = mnl_nlmsg_get_payload_len(req);

		memcpy(mnl_nlmsg_put_extra_header(nlh, plen),
		       mnl_nlmsg_get_payload(req), plen);
	}
	if (msg || offs >= 0)
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	if (msg)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	if (offs >= 0)
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, offs);
	return nlh;
}

static struct nlmsghdr *set_config_req(void *buf, uint32_t node_id)
{
	struct fs_config cfg = { 0 };
	struct nlmsghdr *nlh;

	cfg.present = 1ULL << FLOWSTREAM_CFG_A_NODE_ID;
	cfg.val[FLOWSTREAM_CFG_A_NODE_ID] = node_id;
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_SET_CONFIG, 1, 3);
	config_put(nlh, &cfg);
	return nlh;
}

static void test_error_with_message(void **state)
{
	char req[128], buf[512], text[512];
	struct fs_ext_ack ack;
	int capped;

	(void)state;
	for (capped = 0; capped <= 1; capped++) {
		error_msg(buf, set_config_req(req, 7), -EINVAL, capped,
			  "node id 7 is reserved", 24);
		assert_int_equal(fs_nl_parse_ack((void *)buf, &ack), 0);
		assert_int_equal(ack.error, EINVAL);
		assert_string_equal(ack.msg, "node id 7 is reserved");
		assert_true(ack.has_offs);
		assert_int_equal(ack.offs, 24);
		assert_false(ack.has_miss_type);
		assert_int_equal(fs_ack_format(&ack, text, sizeof(text)),
				 strlen("Error: node id 7 is reserved"));
		assert_string_equal(text, "Error: node id 7 is reserved");
	}
}

static void test_error_without_message(void **state)
{
	char req[128], buf[512], text[512];
	struct fs_ext_ack ack;

	(void)state;
	/* EPERM from GENL_UNS_ADMIN_PERM: no TLVs at all. */
	error_msg(buf, set_config_req(req, 7), -EPERM, false, NULL, -1);
	assert_int_equal(fs_nl_parse_ack((void *)buf, &ack), 0);
	assert_int_equal(ack.error, EPERM);
	assert_string_equal(ack.msg, "");
	assert_false(ack.has_offs);
	fs_ack_format(&ack, text, sizeof(text));
	assert_string_equal(text, "Error: Operation not permitted");

	/* Only an offset. */
	error_msg(buf, set_config_req(req, 7), -ERANGE, true, NULL, 20);
	assert_int_equal(fs_nl_parse_ack((void *)buf, &ack), 0);
	assert_true(ack.has_offs);
	assert_int_equal(ack.offs, 20);
	fs_ack_format(&ack, text, sizeof(text));
	assert_string_equal(text, "Error: Numerical result out of range");
}

static void test_ack_and_warning(void **state)
{
	char req[128], buf[512], text[512];
	struct fs_ext_ack ack;

	(void)state;
	error_msg(buf, set_config_req(req, 7), 0, true, NULL, -1);
	assert_int_equal(fs_nl_parse_ack((void *)buf, &ack), 0);
	assert_int_equal(ack.error, 0);
	assert_int_equal(fs_ack_format(&ack, text, sizeof(text)), 0);
	assert_string_equal(text, "");

	error_msg(buf, set_config_req(req, 7), 0, true, "deprecated", -1);
	assert_int_equal(fs_nl_parse_ack((void *)buf, &ack), 0);
	fs_ack_format(&ack, text, sizeof(text));
	assert_string_equal(text, "Warning: deprecated");
}

static void test_missing_attr(void **state)
{
	char req[128], buf[512];
	struct fs_ext_ack ack;
	struct nlmsghdr *nlh;

	(void)state;
	nlh = error_msg(buf, set_config_req(req, 7), -EINVAL, true, NULL, -1);
	nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, FLOWSTREAM_A_CONFIG);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_NEST, 20);
	assert_int_equal(fs_nl_parse_ack(nlh, &ack), 0);
	assert_true(ack.has_miss_type);
	assert_int_equal(ack.miss_type, FLOWSTREAM_A_CONFIG);
	assert_true(ack.has_miss_nest);
	assert_int_equal(ack.miss_nest, 20);
}

static void test_malformed_ack(void **state)
{
	char req[128], buf[512];
	struct fs_ext_ack ack;
	struct nlmsghdr *nlh;

	(void)state;
	/* Too short for struct nlmsgerr. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	mnl_nlmsg_put_extra_header(nlh, 8);
	assert_int_equal(fs_nl_parse_ack(nlh, &ack), -EBADMSG);

	/* Claims an echoed request longer than the message. */
	nlh = error_msg(buf, set_config_req(req, 7), -EINVAL, true, "x", -1);
	nlh->nlmsg_flags &= ~NLM_F_CAPPED;
	((struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->msg.nlmsg_len = 4096;
	assert_int_equal(fs_nl_parse_ack(nlh, &ack), -EBADMSG);

	/* A message that is not NUL-terminated is ignored, the errno kept. */
	nlh = error_msg(buf, set_config_req(req, 7), -EINVAL, true, NULL, -1);
	nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	mnl_attr_put(nlh, NLMSGERR_ATTR_MSG, 3, "bad");
	assert_int_equal(fs_nl_parse_ack(nlh, &ack), 0);
	assert_int_equal(ack.error, EINVAL);
	assert_string_equal(ack.msg, "");
}

static void test_process_error(void **state)
{
	char req[128], buf[512];
	struct fs_ext_ack ack = { 0 };
	struct nlmsghdr *nlh;

	(void)state;
	nlh = error_msg(buf, set_config_req(req, 7), -EOPNOTSUPP, false,
			"node-id changes are disabled", -1);
	assert_int_equal(fs_nl_process(buf, nlh->nlmsg_len, 3, 1234, NULL,
				       NULL, &ack), -EOPNOTSUPP);
	assert_int_equal(ack.error, EOPNOTSUPP);
	assert_string_equal(ack.msg, "node-id changes are disabled");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_with_message),
		cmocka_unit_test(test_error_without_message),
		cmocka_unit_test(test_ack_and_warning),
		cmocka_unit_test(test_missing_attr),
		cmocka_unit_test(test_malformed_ack),
		cmocka_unit_test(test_process_error),
	};

	return cmocka_run_group_tests_name("ack", tests, NULL, NULL);
}
