/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowstream: the FlowOS packet classifier.
 *
 * A flow is defined by an OpenFlow-1.0-style match and a priority. The
 * classifier finds the highest-priority flow matching a packet by
 * tuple-space search: rules are grouped by their mask (which fields are
 * present, their prefix lengths and the address family), each group is a
 * hash table keyed by the masked packet key, and the groups are probed in
 * the order of their best rule, stopping once no group left can beat the
 * best match found. A lookup costs one hash probe per group visited,
 * whatever the number of rules.
 *
 * A classifier is built whole from an array of rules and is never changed
 * afterwards: the caller builds a new one when flows are added or deleted,
 * publishes it with rcu_assign_pointer() and frees the old one with
 * fos_cls_free_rcu().
 */
#ifndef _FLOWSTREAM_FOS_CLS_H
#define _FLOWSTREAM_FOS_CLS_H

#include <linux/bits.h>
#include <linux/gfp.h>
#include <linux/netfilter.h>
#include <linux/types.h>

#define FOS_M_IFINDEX	BIT(0)	/* ingress ifindex */
#define FOS_M_FAMILY	BIT(1)	/* AF_INET or AF_INET6 (implied by SRC/DST) */
#define FOS_M_PROTO	BIT(2)	/* L4 protocol number */
#define FOS_M_SRC	BIT(3)	/* source prefix (addr + len) */
#define FOS_M_DST	BIT(4)	/* destination prefix (addr + len) */
#define FOS_M_SPORT	BIT(5)	/* exact port; only with PROTO tcp/udp/sctp/udplite */
#define FOS_M_DPORT	BIT(6)
#define FOS_M_DSCP	BIT(7)	/* 0..63 */
#define FOS_M_ALL	GENMASK(7, 0)	/* every field above */

/**
 * struct fos_match - what a flow matches
 * @fields: FOS_M_* of the fields present; an absent field is a wildcard
 *	and its value below is ignored
 * @ifindex: ingress interface index, > 0
 * @family: AF_INET or AF_INET6; required with @src or @dst
 * @proto: L4 protocol number
 * @src_len: prefix length of @src, 0..32 or 0..128
 * @dst_len: prefix length of @dst
 * @dscp: DSCP, 0..63
 * @sport: source port (network order); needs @proto tcp, udp, sctp or
 *	udplite
 * @dport: destination port (network order), likewise
 * @src: source prefix; an IPv4 address is in @src.ip. Bits past the
 *	prefix length must be zero.
 * @dst: destination prefix, likewise
 */
struct fos_match {
	u32 fields;
	int ifindex;
	u8 family, proto, src_len, dst_len, dscp;
	__be16 sport, dport;
	union nf_inet_addr src, dst;
};

/**
 * struct fos_pkt_key - the packet, as the classifier sees it
 * @ifindex: ingress interface index
 * @family: AF_INET or AF_INET6
 * @proto: L4 protocol number
 * @dscp: DSCP, 0..63
 * @sport: source port (network order), 0 when the packet has no ports
 * @dport: destination port, likewise
 * @src: source address; an IPv4 address is in @src.ip, the rest unused
 * @dst: destination address, likewise
 */
struct fos_pkt_key {
	int ifindex;
	u8 family, proto, dscp;
	__be16 sport, dport;
	union nf_inet_addr src, dst;
};

/**
 * struct fos_cls_rule - a flow, as given to fos_cls_build()
 * @m: its match
 * @prio: priority; the higher wins
 * @order: between equal priorities the lower wins (creation order); rules
 *	equal in both are decided by their place in the array, first wins
 * @priv: what fos_cls_lookup() returns for this rule
 */
struct fos_cls_rule {
	struct fos_match m;
	u32 prio;
	u32 order;
	void *priv;
};

struct fos_cls;

/**
 * fos_match_check() - is a match well formed
 * @m: the match
 * @why: if not NULL, set to a human-readable reason on refusal
 *
 * Refuses unknown fields, @ifindex <= 0, a family other than AF_INET or
 * AF_INET6, an address without FOS_M_FAMILY, a prefix length beyond the
 * address, bits set past the prefix length, ports without a protocol that
 * has them (tcp, udp, sctp, udplite) and a DSCP above 63.
 *
 * Return: 0 or -EINVAL.
 */
int fos_match_check(const struct fos_match *m, const char **why);

/**
 * fos_cls_build() - build a classifier
 * @rules: the rules, @n of them (the array is not kept)
 * @n: number of rules, may be 0
 * @gfp: allocation flags
 *
 * Return: the classifier, or ERR_PTR(-EINVAL) if a rule fails
 * fos_match_check(), ERR_PTR(-ENOMEM); never NULL.
 */
struct fos_cls *fos_cls_build(const struct fos_cls_rule *rules, unsigned int n,
			      gfp_t gfp);

/**
 * fos_cls_lookup() - classify a packet
 * @cls: the classifier, may be NULL
 * @k: the packet's key
 *
 * Allocates nothing and takes no lock; the caller keeps @cls alive (RCU).
 *
 * Return: the @priv of the best matching rule, NULL if none matches.
 */
void *fos_cls_lookup(const struct fos_cls *cls, const struct fos_pkt_key *k);

/**
 * fos_cls_free() - free a classifier now
 * @cls: the classifier, may be NULL
 */
void fos_cls_free(struct fos_cls *cls);

/**
 * fos_cls_free_rcu() - free a classifier after an RCU grace period
 * @cls: the classifier, may be NULL
 */
void fos_cls_free_rcu(struct fos_cls *cls);

/**
 * fos_cls_memory() - bytes held by a classifier
 * @cls: the classifier, may be NULL (0)
 */
size_t fos_cls_memory(const struct fos_cls *cls);

/**
 * fos_cls_groups() - number of tuple groups (distinct masks)
 * @cls: the classifier, may be NULL (0)
 *
 * A lookup probes at most this many hash tables.
 */
unsigned int fos_cls_groups(const struct fos_cls *cls);

#endif /* _FLOWSTREAM_FOS_CLS_H */
