// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: the path-compressed binary (radix) tree of monitored
 * prefixes.
 *
 * Each node holds a prefix (key and length). A node with a value is a
 * monitored prefix; a node without one only branches and always has two
 * children. The children of a node extend its prefix, child[b] having bit
 * b right after the node's length, so the tree has at most two nodes per
 * prefix and a lookup visits at most one node per distinct length on the
 * way to the address.
 *
 * Writers are serialized by the caller. A new node is filled in before it
 * is published with rcu_assign_pointer(), and a node is unlinked before it
 * is freed with kfree_rcu(), so lookups need nothing but rcu_read_lock().
 * Values removed from the tree must also be freed only after a grace
 * period.
 */
#include <linux/bitops.h>
#include <linux/slab.h>

#include "sampler.h"

/* Writers hold the caller's lock. */
#define fs_rt_deref(p) rcu_dereference_protected(p, 1)

static u64 fs_rt_mask64(unsigned int len)
{
	return len ? ~0ULL << (64 - len) : 0;
}

/* Bit @i of @key (0 is the most significant). */
static unsigned int fs_rt_bit(const u64 *key, unsigned int i)
{
	return (key[i >> 6] >> (63 - (i & 63))) & 1;
}

/* Length of the common prefix of @a and @b, at most @max. */
static unsigned int fs_rt_common(const u64 *a, const u64 *b, unsigned int max)
{
	u64 x0 = a[0] ^ b[0], x1 = a[1] ^ b[1];
	unsigned int n;

	if (x0)
		n = 64 - fls64(x0);
	else if (x1)
		n = 128 - fls64(x1);
	else
		n = 128;
	return min(n, max);
}

/* Do @a and @b agree on their first @plen bits? */
bool fs_rt_prefix_match(const u64 *a, const u64 *b, u8 plen)
{
	if (plen <= 64)
		return !((a[0] ^ b[0]) & fs_rt_mask64(plen));
	return a[0] == b[0] && !((a[1] ^ b[1]) & fs_rt_mask64(plen - 64));
}

/* Clear the bits of @key past @plen. */
void fs_rt_mask(u64 *key, u8 plen)
{
	if (plen <= 64) {
		key[0] &= fs_rt_mask64(plen);
		key[1] = 0;
	} else {
		key[1] &= fs_rt_mask64(plen - 64);
	}
}

/* The @n bits (0..32) of @key from bit @pos on, as a number. */
u32 fs_rt_bits(const u64 *key, u8 pos, u8 n)
{
	u64 v;

	if (!n)
		return 0;
	if (pos >= 64)
		v = key[1] << (pos - 64);
	else if (pos)
		v = key[0] << pos | key[1] >> (64 - pos);
	else
		v = key[0];
	return v >> (64 - n);
}

void fs_rt_init(struct fs_rt *t, u8 bits)
{
	RCU_INIT_POINTER(t->root, NULL);
	t->bits = bits;
	t->nodes = 0;
}

/* fs_rt_lookup() the long way: every node on the path checked. */
static void *fs_rt_lookup_checked(const struct fs_rt *t, const u64 *key)
{
	struct fs_rt_node *n = rcu_dereference_check(t->root, 1);
	void *best = NULL, *v;

	while (n && fs_rt_prefix_match(n->key, key, n->plen)) {
		v = rcu_dereference_check(n->value, 1);
		if (v)
			best = v;
		if (n->plen >= t->bits)
			break;
		n = rcu_dereference_check(n->child[fs_rt_bit(key, n->plen)], 1);
	}
	return best;
}

/**
 * fs_rt_lookup() - longest-prefix match
 * @t: the tree
 * @key: an address in key form
 *
 * Descends by the one bit each node branches on, without comparing
 * prefixes on the way, and compares the node it ends at: where monitored
 * prefixes do not nest (the sampler's), that node is the only candidate,
 * and a lookup costs a few instructions a level. Should it not match, or
 * hold no value, the path is walked again checking every node, which
 * finds an enclosing prefix where prefixes nest.
 *
 * Context: rcu_read_lock() or the writers' lock.
 * Return: the value of the longest prefix that holds @key, or NULL.
 */
void *fs_rt_lookup(const struct fs_rt *t, const u64 *key)
{
	struct fs_rt_node *n = rcu_dereference_check(t->root, 1), *c;
	u8 bits = t->bits;
	void *v;

	if (!n)
		return NULL;
	while (n->plen < bits) {
		c = rcu_dereference_check(n->child[fs_rt_bit(key, n->plen)], 1);
		if (!c)
			break;
		n = c;
	}
	v = rcu_dereference_check(n->value, 1);
	if (likely(v) && fs_rt_prefix_match(n->key, key, n->plen))
		return v;
	return fs_rt_lookup_checked(t, key);
}

/* Any value at or below @n (which has one or two children if valueless). */
static void *fs_rt_any(struct fs_rt_node *n)
{
	void *v;

	while (n) {
		v = fs_rt_deref(n->value);
		if (v)
			return v;
		n = fs_rt_deref(n->child[0]) ?: fs_rt_deref(n->child[1]);
	}
	return NULL;
}

/**
 * fs_rt_overlap() - a prefix that contains or is contained in another
 * @t: the tree; caller holds the writers' lock
 * @key: the prefix, masked
 * @plen: its length
 *
 * Return: the value of a monitored prefix that holds @key/@plen or lies
 * inside it (the same prefix included), or NULL.
 */
void *fs_rt_overlap(const struct fs_rt *t, const u64 *key, u8 plen)
{
	struct fs_rt_node *n = fs_rt_deref(t->root);
	void *v;

	while (n) {
		if (n->plen >= plen)
			return fs_rt_prefix_match(n->key, key, plen) ?
			       fs_rt_any(n) : NULL;
		if (!fs_rt_prefix_match(n->key, key, n->plen))
			return NULL;
		v = fs_rt_deref(n->value);
		if (v)
			return v;
		n = fs_rt_deref(n->child[fs_rt_bit(key, n->plen)]);
	}
	return NULL;
}

static struct fs_rt_node *fs_rt_node_new(struct fs_rt *t, const u64 *key,
					 u8 plen, void *value)
{
	struct fs_rt_node *n = kzalloc(sizeof(*n), GFP_KERNEL);

	if (!n)
		return NULL;
	n->key[0] = key[0];
	n->key[1] = key[1];
	fs_rt_mask(n->key, plen);
	n->plen = plen;
	RCU_INIT_POINTER(n->value, value);
	t->nodes++;
	return n;
}

static void fs_rt_node_free(struct fs_rt *t, struct fs_rt_node *n)
{
	t->nodes--;
	kfree_rcu(n, rcu);
}

/**
 * fs_rt_insert() - add a prefix
 * @t: the tree; caller holds the writers' lock
 * @key: the prefix (bits past @plen are ignored)
 * @plen: its length, at most @t->bits
 * @value: what lookups return for it; not NULL
 *
 * Return: 0, -EEXIST if the prefix is in the tree, or -ENOMEM. The tree
 * is unchanged on error.
 */
int fs_rt_insert(struct fs_rt *t, const u64 *key, u8 plen, void *value)
{
	struct fs_rt_node __rcu **slot = &t->root;
	struct fs_rt_node *n, *leaf, *branch;
	unsigned int common;

	while ((n = fs_rt_deref(*slot))) {
		common = fs_rt_common(n->key, key, min(n->plen, plen));
		if (common == n->plen) {
			if (n->plen == plen) {
				if (fs_rt_deref(n->value))
					return -EEXIST;
				rcu_assign_pointer(n->value, value);
				return 0;
			}
			slot = &n->child[fs_rt_bit(key, n->plen)];
			continue;
		}
		/* The new prefix goes above @n. */
		leaf = fs_rt_node_new(t, key, plen, value);
		if (!leaf)
			return -ENOMEM;
		if (common == plen) {
			RCU_INIT_POINTER(leaf->child[fs_rt_bit(n->key, plen)], n);
			rcu_assign_pointer(*slot, leaf);
			return 0;
		}
		branch = fs_rt_node_new(t, key, common, NULL);
		if (!branch) {
			t->nodes--;
			kfree(leaf);
			return -ENOMEM;
		}
		RCU_INIT_POINTER(branch->child[fs_rt_bit(key, common)], leaf);
		RCU_INIT_POINTER(branch->child[fs_rt_bit(n->key, common)], n);
		rcu_assign_pointer(*slot, branch);
		return 0;
	}
	leaf = fs_rt_node_new(t, key, plen, value);
	if (!leaf)
		return -ENOMEM;
	rcu_assign_pointer(*slot, leaf);
	return 0;
}

/**
 * fs_rt_delete() - remove a prefix
 * @t: the tree; caller holds the writers' lock
 * @key: the prefix
 * @plen: its length
 *
 * Return: the prefix's value, to be freed after a grace period, or NULL if
 * the prefix is not in the tree.
 */
void *fs_rt_delete(struct fs_rt *t, const u64 *key, u8 plen)
{
	struct fs_rt_node __rcu **slot = &t->root, **pslot = NULL;
	struct fs_rt_node *n, *parent = NULL, *c0, *c1;
	void *value;

	while ((n = fs_rt_deref(*slot))) {
		if (n->plen > plen || !fs_rt_prefix_match(n->key, key, n->plen))
			return NULL;
		if (n->plen == plen)
			break;
		pslot = slot;
		parent = n;
		slot = &n->child[fs_rt_bit(key, n->plen)];
	}
	value = n ? fs_rt_deref(n->value) : NULL;
	if (!value)
		return NULL;

	c0 = fs_rt_deref(n->child[0]);
	c1 = fs_rt_deref(n->child[1]);
	if (c0 && c1) {
		/* It stays as a branching node. */
		RCU_INIT_POINTER(n->value, NULL);
		return value;
	}
	rcu_assign_pointer(*slot, c0 ?: c1);
	fs_rt_node_free(t, n);
	/* A branching parent left with one child gives way to it. */
	if (!c0 && !c1 && parent && !fs_rt_deref(parent->value)) {
		c0 = fs_rt_deref(parent->child[0]);
		rcu_assign_pointer(*pslot, c0 ?: fs_rt_deref(parent->child[1]));
		fs_rt_node_free(t, parent);
	}
	return value;
}

/**
 * fs_rt_destroy() - free every node, no reader being left
 * @t: the tree
 * @fn: called for every value, or NULL
 *
 * Nodes go with kfree_rcu(), values through @fn, which may free them at
 * once only if no lookup can still be running.
 */
void fs_rt_destroy(struct fs_rt *t, void (*fn)(void *value))
{
	struct fs_rt_node *n, *c;
	void *v;

	/* Free the tree by rotating it into a list along child[1]. */
	n = fs_rt_deref(t->root);
	RCU_INIT_POINTER(t->root, NULL);
	while (n) {
		c = fs_rt_deref(n->child[0]);
		if (c) {
			RCU_INIT_POINTER(n->child[0], fs_rt_deref(c->child[1]));
			RCU_INIT_POINTER(c->child[1], n);
			n = c;
			continue;
		}
		c = fs_rt_deref(n->child[1]);
		v = fs_rt_deref(n->value);
		if (v && fn)
			fn(v);
		fs_rt_node_free(t, n);
		n = c;
	}
}
