// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: state migration, the migrations of a namespace.
 *
 * A migration names a set of flows by prefixes (the source or destination
 * address of a flow's key in one of them). In this version it moves the
 * flow records of the set (MIG_EXPORT on the host they leave, MIG_IMPORT
 * on the host that carries them on); see Documentation/migration.rst for
 * the whole design and what is not done yet.
 */
#include <linux/moduleparam.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "acct.h"
#include "mig.h"
#include "netns.h"
#include "procfs.h"

unsigned int fs_mig_max = 16;
FS_MIG_PARAM(mig_max, fs_mig_max, 1, 1024, 0644);
MODULE_PARM_DESC(mig_max, "Migrations per namespace (1..1024, default 16)");

unsigned int fs_mig_max_prefixes = 64;
FS_MIG_PARAM(mig_max_prefixes, fs_mig_max_prefixes, 1, FS_MIG_PREFIXES_LIMIT,
	     0644);
MODULE_PARM_DESC(mig_max_prefixes,
		 "Prefixes of one migration (1..1024, default 64)");

unsigned int fs_mig_max_batch = 256;
FS_MIG_PARAM(mig_max_batch, fs_mig_max_batch, 1, 4096, 0644);
MODULE_PARM_DESC(mig_max_batch,
		 "Flow records in one export message or import request (1..4096, default 256)");

int fs_mig_net_init(struct fs_net *fsn)
{
	struct fs_mig_net *mn = kzalloc(sizeof(*mn), GFP_KERNEL);

	if (!mn)
		return -ENOMEM;
	INIT_LIST_HEAD(&mn->list);
	mn->next_id = 1;
	fsn->mig = mn;
	return 0;
}

void fs_mig_net_exit(struct fs_net *fsn)
{
	struct fs_mig_net *mn = fsn->mig;
	struct fs_mig *mig, *tmp;

	/* The hooks that read the list are gone (acct exits first). */
	list_for_each_entry_safe(mig, tmp, &mn->list, list) {
		list_del(&mig->list);
		fs_mig_pend_destroy(mig);
		kfree(mig);
	}
	kfree(mn);
	fsn->mig = NULL;
}

/* Migration is always available where the module is loaded. */
bool fs_mig_enabled(struct fs_net *fsn)
{
	return true;
}

/* The migration with @id, or NULL; fs_net.lock held. */
struct fs_mig *fs_mig_find(struct fs_mig_net *mn, u32 id)
{
	struct fs_mig *mig;

	list_for_each_entry(mig, &mn->list, list)
		if (mig->id == id)
			return mig;
	return NULL;
}

/* Add @mig to the namespace; fs_net.lock held. */
void fs_mig_link(struct fs_mig_net *mn, struct fs_mig *mig)
{
	list_add_tail_rcu(&mig->list, &mn->list);
	mn->count++;
	if (mig->owned)
		WRITE_ONCE(mn->n_owned, mn->n_owned + 1);
	if (mig->has_via4 || mig->has_via6)
		WRITE_ONCE(mn->nchain, mn->nchain + 1);
}

/* @mig no longer owned (if it was); fs_net.lock held. */
void fs_mig_disown(struct fs_mig_net *mn, struct fs_mig *mig)
{
	if (mig->owned)
		WRITE_ONCE(mn->n_owned, mn->n_owned - 1);
	mig->owned = false;
}

/* Take @mig out; fs_net.lock held. The caller frees it with kfree_rcu(). */
void fs_mig_unlink(struct fs_mig_net *mn, struct fs_mig *mig)
{
	list_del_rcu(&mig->list);
	mn->count--;
	fs_mig_disown(mn, mig);
	if (mig->has_via4 || mig->has_via6)
		WRITE_ONCE(mn->nchain, mn->nchain - 1);
}

static bool fs_mig_pfx_has(const struct fs_mig_pfx *p,
			   const struct in6_addr *a)
{
	unsigned int bytes = p->len / 8, bits = p->len % 8;

	if (memcmp(a, &p->addr, bytes))
		return false;
	if (!bits)
		return true;
	return !((a->s6_addr[bytes] ^ p->addr.s6_addr[bytes]) &
		 (0xff00 >> bits));
}

/* Is a flow from @src to @dst (of @family) in the migration's set? */
bool fs_mig_wants_addr(const struct fs_mig *mig, u8 family,
		       const struct in6_addr *src, const struct in6_addr *dst)
{
	const struct fs_mig_pfx *p;
	u32 i;

	for (i = 0; i < mig->n_pfx; i++) {
		p = &mig->pfx[i];
		if (p->family != family)
			continue;
		if (fs_mig_pfx_has(p, p->key == FLOWSTREAM_SMP_KEY_SRC ?
				   src : dst))
			return true;
	}
	return false;
}

/* Is a flow of @key in the migration's set? */
bool fs_mig_wants(const struct fs_mig *mig, const struct fs_acct_key *key)
{
	return fs_mig_wants_addr(mig, key->family, &key->src, &key->dst);
}

/*
 * The FlowOS sessions of @mig's set on this host, the states left; their
 * key's side A and side B are tried as source and destination both ways,
 * since a session holds both directions. fs_net.lock held.
 */
u64 fs_mig_sessions(struct fs_net *fsn, const struct fs_mig *mig)
{
	return fsn->fos ? fos_mig_sessions(fsn->fos, mig) : 0;
}

static bool fs_mig_count_want(void *arg, const struct fs_acct_key *key)
{
	return fs_mig_wants(arg, key);
}

/*
 * The flow records of @mig's set on this host, the other states left (0
 * with accounting off): a walk of the whole table. fs_net.lock held,
 * process context.
 */
u64 fs_mig_records(struct fs_net *fsn, const struct fs_mig *mig)
{
	struct fs_acct *acct = rcu_dereference_protected(fsn->acct,
							 lockdep_is_held(&fsn->lock));

	return acct ? fs_acct_count(acct, fs_mig_count_want, (void *)mig) : 0;
}

#ifdef CONFIG_PROC_FS
static int fs_mig_proc_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	struct fs_net *fsn = fs_net(net);
	struct fs_mig *mig;
	int err;

	err = fs_proc_check(seq, net);
	if (err)
		return err;
	seq_puts(seq, "id prefixes chained exported packets bytes batches sessions records phase imported pending taken_back\n");
	mutex_lock(&fsn->lock);
	list_for_each_entry(mig, &fsn->mig->list, list)
		seq_printf(seq, "%u %u %llu %llu %llu %llu %llu %llu %llu %s %llu %llu %llu\n",
			   mig->id, mig->n_pfx,
			   (u64)atomic64_read(&mig->chained), mig->exported,
			   mig->packets, mig->bytes, mig->batches,
			   fs_mig_sessions(fsn, mig), fs_mig_records(fsn, mig),
			   fs_mig_phase_name(mig->phase), mig->imported,
			   mig->pending, mig->taken_back);
	mutex_unlock(&fsn->lock);
	return 0;
}

/* /proc/net/flowstream/migrations; removed with the directory. */
int fs_mig_proc_init(struct fs_net *fsn)
{
	if (!proc_create_net_single("migrations", 0444, fsn->proc_dir,
				    fs_mig_proc_show, NULL))
		return -ENOMEM;
	return 0;
}
#else
int fs_mig_proc_init(struct fs_net *fsn)
{
	return 0;
}
#endif
