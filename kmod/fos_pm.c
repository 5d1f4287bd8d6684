// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream FlowOS: the registry of processing modules and attachments.
 *
 * PMs register with fos_pm_register() from their module's init. Attaching
 * a PM by name loads its module on demand ("flowstream-pm-NAME") and
 * takes a reference on it, so that it cannot be unloaded while attached.
 */
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>

#include "compat.h"
#include "fos.h"

static LIST_HEAD(fos_pms);
static DEFINE_MUTEX(fos_pms_lock);

static struct fos_pm *fos_pm_lookup(const char *name)
{
	struct fos_pm *pm;

	list_for_each_entry(pm, &fos_pms, list)
		if (!strcmp(pm->name, name))
			return pm;
	return NULL;
}

static bool fos_pm_name_ok(const char *name)
{
	size_t n = strnlen(name, FOS_PM_NAME_MAX);

	if (!n || n >= FOS_PM_NAME_MAX)
		return false;
	for (; *name; name++)
		if (!isalnum(*name) && *name != '_' && *name != '-')
			return false;
	return true;
}

/**
 * fos_pm_register() - make a processing module available
 * @pm: the PM, which must stay valid until fos_pm_unregister()
 *
 * Return: 0, -EINVAL for a malformed description, -EEXIST if the name is
 * taken.
 */
int fos_pm_register(struct fos_pm *pm)
{
	int err = 0;

	if (pm->api_version != FOS_PM_API_VERSION) {
		pr_err("flowstream: PM %s: built for PM API version %u, this flowstream has %u\n",
		       pm->name ? pm->name : "(null)", pm->api_version,
		       FOS_PM_API_VERSION);
		return -EINVAL;
	}
	/* @streams, when given, holds known streams only, @stream among them. */
	if (pm->stream >= __FLOWSTREAM_STREAM_MAX ||
	    (pm->streams & ~FOS_STREAMS_ALL) ||
	    (pm->streams && !(pm->streams & FOS_STREAM(pm->stream)))) {
		pr_err("flowstream: PM %s: invalid stream %u or streams 0x%x\n",
		       pm->name ? pm->name : "(null)", pm->stream,
		       pm->streams);
		return -EINVAL;
	}
	if (!pm->process || !pm->attach || !fos_pm_name_ok(pm->name) ||
	    !pm->desc || pm->mode >= __FLOWSTREAM_PM_MODE_MAX ||
	    pm->state_size > PAGE_SIZE || pm->priv_size > PAGE_SIZE) {
		pr_err("flowstream: PM %s: invalid registration\n",
		       pm->name ? pm->name : "(null)");
		return -EINVAL;
	}
	atomic_set(&pm->attached, 0);
	mutex_lock(&fos_pms_lock);
	if (fos_pm_lookup(pm->name))
		err = -EEXIST;
	else
		list_add_tail(&pm->list, &fos_pms);
	mutex_unlock(&fos_pms_lock);
	return err;
}
EXPORT_SYMBOL_GPL(fos_pm_register);

/**
 * fos_pm_unregister() - withdraw a processing module
 * @pm: a registered PM, attached nowhere (its module's reference ensures
 *	that: module exit cannot run while it is attached)
 */
void fos_pm_unregister(struct fos_pm *pm)
{
	mutex_lock(&fos_pms_lock);
	WARN_ON(atomic_read(&pm->attached));
	list_del(&pm->list);
	mutex_unlock(&fos_pms_lock);
}
EXPORT_SYMBOL_GPL(fos_pm_unregister);

/* Find @name, loading its module if needed; holds the PM's module. */
struct fos_pm *fos_pm_get(const char *name, struct netlink_ext_ack *extack)
{
	struct fos_pm *pm;
	int tries;

	if (!fos_pm_name_ok(name)) {
		NL_SET_ERR_MSG_MOD(extack, "invalid PM name");
		return ERR_PTR(-EINVAL);
	}
	for (tries = 0; tries < 2; tries++) {
		mutex_lock(&fos_pms_lock);
		pm = fos_pm_lookup(name);
		if (pm && !try_module_get(pm->owner))
			pm = NULL;
		mutex_unlock(&fos_pms_lock);
		if (pm || tries)
			break;
		request_module("flowstream-pm-%s", name);
	}
	if (!pm) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "no PM named \"%s\" (no module flowstream-pm-%s)",
				       name, name);
		return ERR_PTR(-ENOENT);
	}
	return pm;
}

void fos_pm_put(struct fos_pm *pm)
{
	module_put(pm->owner);
}

/* The @n-th registered PM (dumps), or NULL; caller holds no lock. */
struct fos_pm *fos_pm_nth(unsigned int n)
{
	struct fos_pm *pm, *found = NULL;

	mutex_lock(&fos_pms_lock);
	list_for_each_entry(pm, &fos_pms, list)
		if (!n--) {
			if (try_module_get(pm->owner))
				found = pm;
			else
				found = ERR_PTR(-EAGAIN);
			break;
		}
	mutex_unlock(&fos_pms_lock);
	return found;
}

int fos_pm_fill(struct sk_buff *msg, const struct fos_pm *pm)
{
	struct nlattr *nest = nla_nest_start(msg, FLOWSTREAM_A_PM);

	if (!nest ||
	    nla_put_string(msg, FLOWSTREAM_PM_A_NAME, pm->name) ||
	    nla_put_string(msg, FLOWSTREAM_PM_A_DESC, pm->desc) ||
	    nla_put_string(msg, FLOWSTREAM_PM_A_PARAMS,
			   pm->params ? pm->params : "") ||
	    nla_put_u8(msg, FLOWSTREAM_PM_A_STREAM, pm->stream) ||
	    nla_put_u32(msg, FLOWSTREAM_PM_A_STREAMS, fos_pm_streams(pm)) ||
	    nla_put_u8(msg, FLOWSTREAM_PM_A_MODE, pm->mode) ||
	    nla_put_u32(msg, FLOWSTREAM_PM_A_STATE_SIZE, pm->state_size) ||
	    nla_put_u32(msg, FLOWSTREAM_PM_A_ATTACHED,
			atomic_read(&pm->attached)) ||
	    (pm->export_state && pm->import_state &&
	     nla_put_flag(msg, FLOWSTREAM_PM_A_MIGRATABLE)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/**
 * fos_streams_str() - the names of the streams in @streams, comma-separated
 * @streams: FOS_STREAM() bits
 * @buf: room for the names
 * @len: its size
 */
void fos_streams_str(u32 streams, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < __FLOWSTREAM_STREAM_MAX && used < len; i++)
		if (streams & FOS_STREAM(i))
			used += scnprintf(buf + used, len - used, "%s%s",
					  used ? "," : "", fos_stream_name(i));
}

/**
 * fos_att_new() - set up an attachment of @pm (whose module reference it
 * takes over) with @args
 * @pm: from fos_pm_get()
 * @order: its place in the pipeline
 * @args: the PM's argument string
 * @extack: for the PM's message on bad arguments
 *
 * Return: the attachment, not yet in a flow, or an ERR_PTR; on error the
 * module reference is dropped.
 */
struct fos_att *fos_att_new(struct fos_pm *pm, u32 order, const char *args,
			    struct netlink_ext_ack *extack)
{
	const char *why = NULL;
	struct fos_att *att;
	int err, i;

	att = kzalloc(struct_size(att, priv, DIV_ROUND_UP(pm->priv_size,
							  sizeof(long))),
		      GFP_KERNEL);
	if (!att) {
		fos_pm_put(pm);
		return ERR_PTR(-ENOMEM);
	}
	att->pm = pm;
	att->order = order;
	strscpy(att->args, args, sizeof(att->args));
	for (i = 0; i < __FLOWSTREAM_ATT_STAT_MAX; i++)
		atomic64_set(&att->st[i], 0);
	err = pm->attach(att, att->args, &why);
	if (err) {
		if (why)
			NL_SET_ERR_MSG_FMT_MOD(extack, "%s: %s", pm->name, why);
		else
			NL_SET_ERR_MSG_FMT_MOD(extack,
					       "%s refused its arguments",
					       pm->name);
		kfree(att);
		fos_pm_put(pm);
		return ERR_PTR(err);
	}
	atomic_inc(&pm->attached);
	return att;
}

/* Undo fos_att_new(): every session's state of @att has ended. */
void fos_att_free(struct fos_att *att)
{
	struct fos_pm *pm = att->pm;

	if (pm->detach)
		pm->detach(att);
	atomic_dec(&pm->attached);
	kfree(att);
	fos_pm_put(pm);
}

void *fos_att_priv(struct fos_att *att)
{
	return att->priv;
}
EXPORT_SYMBOL_GPL(fos_att_priv);

const struct fos_session_key *fos_session_key(const struct fos_session *s)
{
	return &s->key;
}
EXPORT_SYMBOL_GPL(fos_session_key);

/**
 * fos_unit_drop() - drop a unit: it is not passed on, and is counted
 * @att: the attachment processing it; must be read-write
 * @u: a unit of the window being processed
 *
 * Return: 0, or -EPERM for a read-only PM.
 */
int fos_unit_drop(struct fos_att *att, struct fos_unit *u)
{
	if (att->pm->mode != FLOWSTREAM_PM_MODE_RW)
		return -EPERM;
	u->flags |= FOS_UNIT_DROP;
	fos_cb(u->skb)->flags |= FOS_UNIT_DROP;
	return 0;
}
EXPORT_SYMBOL_GPL(fos_unit_drop);

/*
 * Make every byte of @skb private to it, so that it can be written where
 * it lies: its head (a clone's is copied) and its page fragments (copied
 * into pages of its own: a forwarded segment's pages may be the sender's,
 * in its retransmission queue). One copy of the packet, however many
 * writes follow; the packet keeps its shape (a GSO packet's payload stays
 * in pages). A packet with a frag list is made linear instead.
 */
static int fos_skb_private(struct sk_buff *skb)
{
	if (skb_shinfo(skb)->nr_frags && !skb_has_frag_list(skb))
		return skb_copy_ubufs(skb, GFP_ATOMIC);
	return skb_ensure_writable(skb, skb->len);
}

/**
 * fos_unit_write() - change bytes of a unit's data; checksums are fixed
 * when the packet is sent
 * @u: a unit of the window being processed by a read-write PM
 * @off: offset in the unit's data
 * @data: the new bytes
 * @len: how many
 *
 * The first write to a packet makes all of its data private (one copy,
 * which moves its data: pointers into it from fos_unit_read() or
 * skb_seq_read() are stale); the packet is FOS_UNIT_DIRTY from then on,
 * and nothing shares its data again until it is sent (a split copies), so
 * later writes go straight in: a write to a unit flagged FOS_UNIT_DIRTY
 * moves nothing, allocates nothing and may be made while such pointers
 * are held (in skb_seq_read()'s atomic section too).
 *
 * Return: 0, -EINVAL outside the unit, -ENOMEM.
 */
int fos_unit_write(struct fos_unit *u, unsigned int off, const void *data,
		   unsigned int len)
{
	struct sk_buff *skb = u->skb;
	struct fos_cb *cb = fos_cb(skb);
	int err;

	if (off > u->len || len > u->len - off)
		return -EINVAL;
	if (!(cb->flags & FOS_UNIT_DIRTY)) {
		err = fos_skb_private(skb);
		if (err)
			return err;
	}
	err = skb_store_bits(skb, u->off + off, data, len);
	if (err)
		return err;
	u->flags |= FOS_UNIT_DIRTY;
	cb->flags |= FOS_UNIT_DIRTY;
	return 0;
}
EXPORT_SYMBOL_GPL(fos_unit_write);
