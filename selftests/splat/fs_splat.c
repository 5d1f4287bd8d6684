// SPDX-License-Identifier: GPL-2.0
/*
 * A module with deliberate bugs, for testing the VM harness's splat
 * detector: loading it with kind=uaf, kind=lockorder or kind=atomicsleep
 * makes the debug kernel report a use-after-free (KASAN), a lock-order
 * inversion (lockdep) or a sleep in atomic context. Never load it anywhere
 * else.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

static char *kind = "";
module_param(kind, charp, 0444);
MODULE_PARM_DESC(kind, "uaf, lockorder or atomicsleep");

static DEFINE_MUTEX(fs_splat_a);
static DEFINE_MUTEX(fs_splat_b);
static DEFINE_SPINLOCK(fs_splat_lock);

static void fs_splat_uaf(void)
{
	char *p = kmalloc(32, GFP_KERNEL);

	if (!p)
		return;
	kfree(p);
	OPTIMIZER_HIDE_VAR(p);
	pr_info("fs_splat: read after free: %d\n", READ_ONCE(p[3]));
}

static void fs_splat_lockorder(void)
{
	mutex_lock(&fs_splat_a);
	mutex_lock(&fs_splat_b);
	mutex_unlock(&fs_splat_b);
	mutex_unlock(&fs_splat_a);

	mutex_lock(&fs_splat_b);
	mutex_lock(&fs_splat_a);
	mutex_unlock(&fs_splat_a);
	mutex_unlock(&fs_splat_b);
}

/* A GFP_KERNEL allocation may sleep: not under a spinlock. */
static void fs_splat_atomicsleep(void)
{
	void *p;

	spin_lock(&fs_splat_lock);
	p = kmalloc(64, GFP_KERNEL);
	spin_unlock(&fs_splat_lock);
	kfree(p);
}

static int __init fs_splat_init(void)
{
	if (!strcmp(kind, "uaf"))
		fs_splat_uaf();
	else if (!strcmp(kind, "lockorder"))
		fs_splat_lockorder();
	else if (!strcmp(kind, "atomicsleep"))
		fs_splat_atomicsleep();
	else
		return -EINVAL;
	return 0;
}

static void __exit fs_splat_exit(void)
{
}

module_init(fs_splat_init);
module_exit(fs_splat_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberate kernel bugs for testing flowstream's VM harness");
