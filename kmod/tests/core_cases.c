// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for the flowstream core: counters and configuration.
 * Included by kunit.c.
 */

/* --- counters --------------------------------------------------------- */

static struct fs_net *fs_test_net(struct kunit *test)
{
	struct fs_net *fsn = kunit_kzalloc(test, sizeof(*fsn), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fsn);
	mutex_init(&fsn->lock);
	KUNIT_ASSERT_EQ(test, fs_stats_net_init(fsn), 0);
	return fsn;
}

static void fs_test_net_free(struct fs_net *fsn)
{
	fs_stats_net_exit(fsn);
	mutex_destroy(&fsn->lock);
}

static void fs_stat_names_test(struct kunit *test)
{
	int i, j;

	KUNIT_EXPECT_NULL(test, fs_stat_names[FLOWSTREAM_STAT_UNSPEC]);
	for (i = FLOWSTREAM_STAT_UNSPEC + 1; i < __FLOWSTREAM_STAT_MAX; i++) {
		const char *n = fs_stat_names[i];

		KUNIT_ASSERT_NOT_NULL_MSG(test, n, "counter %d has no name", i);
		KUNIT_EXPECT_GT(test, strlen(n), 0);
		KUNIT_EXPECT_EQ_MSG(test, strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_"),
				    strlen(n), "bad name \"%s\"", n);
		for (j = i + 1; j < __FLOWSTREAM_STAT_MAX; j++)
			KUNIT_EXPECT_STRNEQ(test, n, fs_stat_names[j]);
	}
}

static void fs_stats_sum_test(struct kunit *test)
{
	struct fs_net *fsn = fs_test_net(test);
	u64 v[__FLOWSTREAM_STAT_MAX];
	u64 expect = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct fs_pcpu_stats *s = per_cpu_ptr(fsn->stats, cpu);

		u64_stats_add(&s->cnt[FLOWSTREAM_STAT_NL_REQUESTS], cpu + 1);
		expect += cpu + 1;
	}
	fs_stat_add(fsn, FLOWSTREAM_STAT_NL_REJECTED, 1ULL << 40);
	fs_stat_inc(fsn, FLOWSTREAM_STAT_NL_REJECTED);

	mutex_lock(&fsn->lock);
	fs_stats_read(fsn, v);
	mutex_unlock(&fsn->lock);
	KUNIT_EXPECT_EQ(test, v[FLOWSTREAM_STAT_NL_REQUESTS], expect);
	KUNIT_EXPECT_EQ(test, v[FLOWSTREAM_STAT_NL_REJECTED], (1ULL << 40) + 1);
	KUNIT_EXPECT_EQ(test, v[FLOWSTREAM_STAT_CONFIG_CHANGES], 0);
	fs_test_net_free(fsn);
}

static void fs_stats_reset_test(struct kunit *test)
{
	struct fs_net *fsn = fs_test_net(test);
	u64 v[__FLOWSTREAM_STAT_MAX];

	fs_stat_add(fsn, FLOWSTREAM_STAT_CONFIG_CHANGES, 7);
	mutex_lock(&fsn->lock);
	fs_stats_reset(fsn);
	fs_stats_read(fsn, v);
	KUNIT_EXPECT_EQ(test, v[FLOWSTREAM_STAT_CONFIG_CHANGES], 0);
	mutex_unlock(&fsn->lock);

	/* Counting goes on from the reset, the per-CPU values are kept. */
	fs_stat_add(fsn, FLOWSTREAM_STAT_CONFIG_CHANGES, 3);
	mutex_lock(&fsn->lock);
	fs_stats_read(fsn, v);
	KUNIT_EXPECT_EQ(test, v[FLOWSTREAM_STAT_CONFIG_CHANGES], 3);
	fs_stats_sum(fsn, v);
	KUNIT_EXPECT_EQ(test, v[FLOWSTREAM_STAT_CONFIG_CHANGES], 10);
	mutex_unlock(&fsn->lock);
	fs_test_net_free(fsn);
}

static void fs_stats_nest_test(struct kunit *test)
{
	struct fs_net *fsn = fs_test_net(test);
	struct nlattr *tb[__FLOWSTREAM_STAT_MAX];
	struct sk_buff *skb;
	struct nlattr *nest;
	int i;

	skb = alloc_skb(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	for (i = FLOWSTREAM_STAT_UNSPEC + 1; i < __FLOWSTREAM_STAT_MAX; i++)
		fs_stat_add(fsn, i, 100 + i);

	mutex_lock(&fsn->lock);
	KUNIT_ASSERT_EQ(test, fs_stats_fill_nest(fsn, skb, 5), 0);
	mutex_unlock(&fsn->lock);

	nest = (struct nlattr *)skb->data;
	KUNIT_EXPECT_EQ(test, nla_type(nest), 5);
	KUNIT_ASSERT_EQ(test, nla_parse_nested_deprecated(tb, FLOWSTREAM_STAT_MAX,
							  nest, NULL, NULL), 0);
	for (i = FLOWSTREAM_STAT_UNSPEC + 1; i < __FLOWSTREAM_STAT_MAX; i++) {
		KUNIT_ASSERT_NOT_NULL(test, tb[i]);
		KUNIT_EXPECT_EQ(test, nla_len(tb[i]), (int)sizeof(u64));
		KUNIT_EXPECT_EQ(test, nla_get_u64(tb[i]), (u64)(100 + i));
	}
	kfree_skb(skb);
	fs_test_net_free(fsn);
}

static struct kunit_case fs_stats_cases[] = {
	KUNIT_CASE(fs_stat_names_test),
	KUNIT_CASE(fs_stats_sum_test),
	KUNIT_CASE(fs_stats_reset_test),
	KUNIT_CASE(fs_stats_nest_test),
	{}
};

static struct kunit_suite fs_stats_suite = {
	.name = "flowstream_stats",
	.test_cases = fs_stats_cases,
};

/* --- configuration ---------------------------------------------------- */

/* Parse a FLOWSTREAM_A_CONFIG nest built by @put with the real policy. */
static int fs_test_parse_cfg(struct kunit *test, struct sk_buff *skb,
			     struct nlattr **tb, struct netlink_ext_ack *extack)
{
	struct nlattr *nest = (struct nlattr *)skb->data;

	return nla_parse_nested(tb, FLOWSTREAM_CFG_A_MAX, nest,
				fs_config_policy, extack);
}

static void fs_config_build_test(struct kunit *test)
{
	struct nlattr *tb[FLOWSTREAM_CFG_A_MAX + 1];
	struct fs_config old = { .node_id = 3 }, new;
	struct netlink_ext_ack extack = {};
	struct sk_buff *skb;
	struct nlattr *nest;

	skb = alloc_skb(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);

	/* An empty nest changes nothing. */
	nest = nla_nest_start(skb, FLOWSTREAM_A_CONFIG);
	nla_nest_end(skb, nest);
	KUNIT_ASSERT_EQ(test, fs_test_parse_cfg(test, skb, tb, &extack), 0);
	KUNIT_EXPECT_EQ(test, fs_config_build(&old, tb, &new, &extack), 0);
	KUNIT_EXPECT_EQ(test, new.node_id, 3);

	skb_trim(skb, 0);
	nest = nla_nest_start(skb, FLOWSTREAM_A_CONFIG);
	nla_put_u32(skb, FLOWSTREAM_CFG_A_NODE_ID, 0xfffffffe);
	nla_nest_end(skb, nest);
	KUNIT_ASSERT_EQ(test, fs_test_parse_cfg(test, skb, tb, &extack), 0);
	KUNIT_EXPECT_EQ(test, fs_config_build(&old, tb, &new, &extack), 0);
	KUNIT_EXPECT_EQ(test, new.node_id, 0xfffffffe);
	KUNIT_EXPECT_EQ(test, old.node_id, 3);
	kfree_skb(skb);
}

static void fs_config_policy_test(struct kunit *test)
{
	struct nlattr *tb[FLOWSTREAM_CFG_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	struct sk_buff *skb;
	struct nlattr *nest;

	skb = alloc_skb(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);

	/* Wrong length. */
	nest = nla_nest_start(skb, FLOWSTREAM_A_CONFIG);
	nla_put_u8(skb, FLOWSTREAM_CFG_A_NODE_ID, 1);
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_LT(test, fs_test_parse_cfg(test, skb, tb, &extack), 0);
	KUNIT_EXPECT_NOT_NULL(test, extack._msg);
	KUNIT_EXPECT_NOT_NULL(test, extack.bad_attr);

	/* Unknown attribute type. */
	memset(&extack, 0, sizeof(extack));
	skb_trim(skb, 0);
	nest = nla_nest_start(skb, FLOWSTREAM_A_CONFIG);
	nla_put_u32(skb, FLOWSTREAM_CFG_A_MAX + 1, 1);
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_LT(test, fs_test_parse_cfg(test, skb, tb, &extack), 0);
	KUNIT_EXPECT_NOT_NULL(test, extack._msg);

	/* Out of range, each of them. */
	{
		static const struct { int type, len; u32 val; int err; } bad[] = {
			{ FLOWSTREAM_CFG_A_ACCT_ENABLE, 1, 2, -ERANGE },
			{ FLOWSTREAM_CFG_A_ACCT_IDLE_TIMEOUT, 4, 0, -ERANGE },
			{ FLOWSTREAM_CFG_A_ACCT_IDLE_TIMEOUT, 4, 86401, -ERANGE },
			{ FLOWSTREAM_CFG_A_ACCT_ACTIVE_TIMEOUT, 4, 604801, -ERANGE },
			{ FLOWSTREAM_CFG_A_ACCT_FIN_TIMEOUT, 4, 301, -ERANGE },
			{ FLOWSTREAM_CFG_A_ACCT_MAX_RECORDS, 4, 15, -ERANGE },
			{ FLOWSTREAM_CFG_A_ACCT_MAX_RECORDS, 4, 16777217, -ERANGE },
			{ FLOWSTREAM_CFG_A_ACCT_OVERLOAD, 1, 2, -ERANGE },
			{ FLOWSTREAM_CFG_A_ACCT_BUCKETS, 4, 1024, -EINVAL },
		};
		int i;

		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			u8 v8 = bad[i].val;

			memset(&extack, 0, sizeof(extack));
			skb_trim(skb, 0);
			nest = nla_nest_start(skb, FLOWSTREAM_A_CONFIG);
			nla_put(skb, bad[i].type, bad[i].len,
				bad[i].len == 1 ? (void *)&v8 : (void *)&bad[i].val);
			nla_nest_end(skb, nest);
			KUNIT_EXPECT_EQ_MSG(test, fs_test_parse_cfg(test, skb, tb, &extack),
					    bad[i].err, "attr %d value %u",
					    bad[i].type, bad[i].val);
			KUNIT_EXPECT_NOT_NULL(test, extack._msg);
		}
	}

	/* The padding type is not a configuration attribute either. */
	memset(&extack, 0, sizeof(extack));
	skb_trim(skb, 0);
	nest = nla_nest_start(skb, FLOWSTREAM_A_CONFIG);
	nla_put_u32(skb, FLOWSTREAM_CFG_A_UNSPEC, 1);
	nla_nest_end(skb, nest);
	KUNIT_EXPECT_LT(test, fs_test_parse_cfg(test, skb, tb, &extack), 0);
	kfree_skb(skb);
}

static void fs_config_nest_test(struct kunit *test)
{
	struct nlattr *tb[FLOWSTREAM_CFG_A_MAX + 1];
	struct fs_config cfg = {
		.node_id = 42, .acct_enable = 1, .acct_idle_timeout = 15,
		.acct_active_timeout = 1800, .acct_fin_timeout = 2,
		.acct_max_records = 1000, .acct_buckets = 512,
		.acct_overload = FLOWSTREAM_OVERLOAD_EVICT,
	};
	struct netlink_ext_ack extack = {};
	struct sk_buff *skb;
	int err;

	skb = alloc_skb(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	err = fs_config_fill_nest(&cfg, skb, FLOWSTREAM_A_CONFIG) ?:
	      nla_parse_nested_deprecated(tb, FLOWSTREAM_CFG_A_MAX,
					  (struct nlattr *)skb->data, NULL, NULL);
	if (!err) {
		KUNIT_EXPECT_EQ(test, nla_get_u32(tb[FLOWSTREAM_CFG_A_NODE_ID]), 42);
		KUNIT_EXPECT_EQ(test, nla_get_u8(tb[FLOWSTREAM_CFG_A_ACCT_ENABLE]), 1);
		KUNIT_EXPECT_EQ(test, nla_get_u32(tb[FLOWSTREAM_CFG_A_ACCT_MAX_RECORDS]), 1000);
		KUNIT_EXPECT_EQ(test, nla_get_u8(tb[FLOWSTREAM_CFG_A_ACCT_OVERLOAD]),
				FLOWSTREAM_OVERLOAD_EVICT);
		KUNIT_EXPECT_EQ(test, nla_get_u32(tb[FLOWSTREAM_CFG_A_ACCT_BUCKETS]), 512);
		/* Everything we report can be sent back but the read-only
		 * bucket count, which is refused with its reason.
		 */
		err = fs_test_parse_cfg(test, skb, tb, &extack);
		KUNIT_EXPECT_EQ(test, err, -EINVAL);
		KUNIT_EXPECT_STREQ(test, extack._msg ?: "", "buckets is read-only");
	}
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
}

static void fs_config_replace_test(struct kunit *test)
{
	struct fs_net *fsn = kunit_kzalloc(test, sizeof(*fsn), GFP_KERNEL);
	struct fs_config *new;

	KUNIT_ASSERT_NOT_NULL(test, fsn);
	mutex_init(&fsn->lock);
	KUNIT_ASSERT_EQ(test, fs_config_net_init(fsn), 0);

	mutex_lock(&fsn->lock);
	KUNIT_EXPECT_EQ(test, fs_config_locked(fsn)->node_id, 0);
	new = kmalloc(sizeof(*new), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, new);
	new->node_id = 9;
	fs_config_replace(fsn, new);
	KUNIT_EXPECT_PTR_EQ(test, fs_config_locked(fsn), (const struct fs_config *)new);
	mutex_unlock(&fsn->lock);

	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, rcu_dereference(fsn->cfg)->node_id, 9);
	rcu_read_unlock();

	fs_config_net_exit(fsn);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(fsn->cfg));
	mutex_destroy(&fsn->lock);
	rcu_barrier();
}

static struct kunit_case fs_config_cases[] = {
	KUNIT_CASE(fs_config_build_test),
	KUNIT_CASE(fs_config_policy_test),
	KUNIT_CASE(fs_config_nest_test),
	KUNIT_CASE(fs_config_replace_test),
	{}
};

static struct kunit_suite fs_config_suite = {
	.name = "flowstream_config",
	.test_cases = fs_config_cases,
};

