// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: which flow records a filter selects (FLOWSTREAM_A_FILTER).
 */
#include <linux/in.h>

#include "acct.h"

static bool fs_prefix_match(const struct in6_addr *a, const struct in6_addr *p,
			    unsigned int len)
{
	unsigned int bytes = len / 8, bits = len % 8;

	if (memcmp(a, p, bytes))
		return false;
	if (!bits)
		return true;
	return !((a->s6_addr[bytes] ^ p->s6_addr[bytes]) & (0xff00 >> bits));
}

bool fs_acct_match(const struct fs_acct_filter *flt,
		   const struct fs_acct_key *key, u32 oif)
{
	if (flt->family && flt->family != key->family)
		return false;
	if (flt->has_prefix &&
	    !fs_prefix_match(&key->src, &flt->prefix, flt->prefix_len) &&
	    !fs_prefix_match(&key->dst, &flt->prefix, flt->prefix_len))
		return false;
	if (flt->proto >= 0 && flt->proto != key->proto)
		return false;
	if (flt->port >= 0) {
		bool ports = key->proto != IPPROTO_ICMP &&
			     key->proto != IPPROTO_ICMPV6;

		if (!ports || (ntohs(key->sport) != flt->port &&
			       ntohs(key->dport) != flt->port))
			return false;
	}
	if (flt->ifindex && flt->ifindex != key->iif && flt->ifindex != oif)
		return false;
	return true;
}
