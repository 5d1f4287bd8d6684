// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream-kunit.ko: KUnit suites for flowstream.
 *
 * The files under test are compiled into this module, so their static
 * helpers can be tested too; flowstream.ko itself carries no test code.
 * What they call outside themselves is stubbed below: the test module
 * captures ended records instead of multicasting them.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/skbuff.h>

#define FS_RECORD_CACHE_NAME "flowstream_record_kunit"
#define FS_SMP_CACHE_NAME "flowstream_smp_kunit"

#include "../config.c"
#include "../stats.c"
#include "../acct_parse.c"
#include "../acct_filter.c"
#include "../acct_table.c"
#include "../acct_expire.c"
#include "../compat.c"
#include "../sampler_tree.c"
#include "../sampler_est.c"
#include "../sampler.c"
#include "../sampler_hook.c"
#include "../fos_win.c"
#include "../fos_cls.c"
#include "../fos_tcp.c"

bool fs_acct_enable_default;
unsigned int fs_acct_max_records_default = 65536;
struct workqueue_struct *fs_wq;
/* The sampler's hooks are compiled in but never registered here. */
unsigned int fs_net_id;

#define FS_TEST_EVENTS 64
static struct fs_rec_snap fs_test_events[FS_TEST_EVENTS];
static int fs_test_nevents;

void fs_events_queue(struct fs_net *fsn, const struct fs_rec_snap *snap,
		     gfp_t gfp)
{
	if (fs_test_nevents < FS_TEST_EVENTS)
		fs_test_events[fs_test_nevents++] = *snap;
}

#include "core_cases.c"
#include "acct_cases.c"
#include "sampler_cases.c"
#include "fos_win_cases.c"
#include "fos_cls_cases.c"
#include "fos_tcp_cases.c"
#include "pm_pat_cases.c"

kunit_test_suites(&fs_stats_suite, &fs_config_suite, &fs_parse_suite,
		  &fs_filter_suite, &fs_table_suite, &fs_rt_suite,
		  &fs_est_suite, &fs_smp_suite, &fos_win_suite,
		  &fos_cls_suite, &fos_tcp_suite, &pm_pat_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites for flowstream");
