/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowstream PMs: byte patterns for "match" and "replace".
 *
 * A pattern is written as text where "\xNN" is the byte 0xNN (two hex
 * digits) and "\\" is one backslash; every other byte stands for itself.
 * Patterns are matched with Knuth-Morris-Pratt: the matcher's state is
 * the length of the longest prefix of the pattern that ends the bytes seen
 * so far, so it carries across segments and fits in a byte; within a
 * piece of a segment, fos_pat_scan() and fos_pat_next() search with
 * Horspool's skips where no occurrence begun earlier can go on.
 */
#ifndef _FLOWSTREAM_PM_PAT_H
#define _FLOWSTREAM_PM_PAT_H

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/types.h>

#define FOS_PAT_MAX	64

/**
 * struct fos_pat - a compiled pattern
 * @len: bytes, 1..FOS_PAT_MAX
 * @b: the bytes
 * @fail: KMP failure function: @fail[i] is the length of the longest
 *	proper prefix of @b[0..i] that is also its suffix
 */
struct fos_pat {
	unsigned int len;
	u8 b[FOS_PAT_MAX];
	u8 fail[FOS_PAT_MAX];
};

/**
 * fos_pat_parse() - compile the pattern text @s[0..@n)
 * @p: the result
 * @s: the text (need not be NUL-terminated)
 * @n: its length
 * @why: set to a message for the user on error
 *
 * Return: 0 or -EINVAL.
 */
static inline int fos_pat_parse(struct fos_pat *p, const char *s, size_t n,
				const char **why)
{
	size_t i = 0;
	unsigned int k, q;
	int hi, lo;

	p->len = 0;
	while (i < n) {
		u8 c = s[i++];

		if (c == '\\') {
			hi = i + 2 < n && s[i] == 'x' ? hex_to_bin(s[i + 1]) : -1;
			lo = hi >= 0 ? hex_to_bin(s[i + 2]) : -1;
			if (i < n && s[i] == '\\') {
				i++;
			} else if (lo >= 0) {
				c = hi << 4 | lo;
				i += 3;
			} else {
				*why = "bad escape in pattern: use \\xNN (two hex digits) or \\\\";
				return -EINVAL;
			}
		}
		if (p->len == FOS_PAT_MAX) {
			*why = "pattern longer than 64 bytes";
			return -EINVAL;
		}
		p->b[p->len++] = c;
	}
	if (!p->len) {
		*why = "empty pattern";
		return -EINVAL;
	}
	p->fail[0] = 0;
	for (k = 1, q = 0; k < p->len; k++) {
		while (q && p->b[k] != p->b[q])
			q = p->fail[q - 1];
		if (p->b[k] == p->b[q])
			q++;
		p->fail[k] = q;
	}
	return 0;
}

/**
 * fos_pat_step() - feed one byte to the matcher
 * @p: the pattern
 * @q: the state, 0..@p->len - 1
 * @c: the byte
 *
 * Return: the new state; @p->len means an occurrence ends at @c (the
 * caller then continues from 0, or from @p->fail[@p->len - 1] to count
 * overlapping occurrences).
 */
static inline unsigned int fos_pat_step(const struct fos_pat *p,
					unsigned int q, u8 c)
{
	while (q && p->b[q] != c)
		q = p->fail[q - 1];
	return p->b[q] == c ? q + 1 : 0;
}

/**
 * struct fos_pat_skip - Horspool's shift table of a pattern, for
 * fos_pat_scan()
 * @shift: for each byte c, how far the pattern may move on when c is the
 *	byte under its last one: the distance from c's last place in the
 *	pattern (its last byte left out) to the end, or the pattern's length;
 *	0 for the pattern's last byte (a skip there stays: see @last_shift)
 * @last_shift: the shift of the pattern's last byte
 */
struct fos_pat_skip {
	u8 shift[256];
	u8 last_shift;
};

/**
 * fos_pat_skip_init() - the shift table @s of the compiled pattern @p
 */
static inline void fos_pat_skip_init(const struct fos_pat *p,
				     struct fos_pat_skip *s)
{
	unsigned int i;

	memset(s->shift, p->len, sizeof(s->shift));
	for (i = 0; i + 1 < p->len; i++)
		s->shift[p->b[i]] = p->len - 1 - i;
	s->last_shift = s->shift[p->b[p->len - 1]];
	s->shift[p->b[p->len - 1]] = 0;
}

/**
 * fos_pat_find() - Horspool's search of @b[@j..@n) for an occurrence
 * @p: the pattern
 * @s: its shift table
 * @b: the bytes
 * @j: where to start looking
 * @n: how many bytes @b has; an occurrence must fit in them
 *
 * Return: where the first occurrence at or after @j starts, or @n if
 * there is none.
 */
static inline unsigned int fos_pat_find(const struct fos_pat *p,
					const struct fos_pat_skip *s,
					const u8 *b, unsigned int j,
					unsigned int n)
{
	unsigned int k, len = p->len;

	while (n - j >= len) {
		/*
		 * Three skips without a test where they cannot pass the end
		 * (a skip from the pattern's last byte is 0: it stays there).
		 */
		if (n - j >= 4 * len) {
			j += s->shift[b[j + len - 1]];
			j += s->shift[b[j + len - 1]];
			j += s->shift[b[j + len - 1]];
		}
		k = s->shift[b[j + len - 1]];
		if (k) {
			j += k;
			continue;
		}
		if (!memcmp(b + j, p->b, len - 1))
			return j;
		j += s->last_shift;
	}
	return n;
}

/**
 * fos_pat_tail() - the matcher's state after @b[0..@n), when it was 0 at
 * @i and fos_pat_find() has reported every occurrence in @b[@i..@n): the
 * state then depends only on the last @p->len - 1 bytes
 */
static inline unsigned int fos_pat_tail(const struct fos_pat *p,
					const u8 *b, unsigned int i,
					unsigned int n)
{
	unsigned int j, q = 0;

	for (j = n - i >= p->len ? n - (p->len - 1) : i; j < n; j++)
		q = fos_pat_step(p, q, b[j]);
	return q;
}

/**
 * fos_pat_scan() - feed the bytes @b[0..@n) to the matcher, counting the
 * occurrences that end in them
 * @p: the pattern
 * @s: its shift table
 * @q: the state before @b, 0..@p->len - 1 (see fos_pat_step())
 * @b: the bytes
 * @n: how many
 * @count: incremented for each occurrence (overlapping ones too)
 *
 * The same as fos_pat_step() on each byte (and going on from
 * @p->fail[@p->len - 1] after each occurrence), with fewer steps: the
 * matcher runs only while an occurrence begun before @b may go on; from
 * the first byte where none can, every later occurrence lies in @b, and
 * Horspool's search finds them, looking at about one byte in @p->len
 * where the pattern's bytes are rare. The state at the end depends only
 * on the last @p->len - 1 bytes: the matcher takes it from them.
 *
 * Return: the state after @b.
 */
static inline unsigned int fos_pat_scan(const struct fos_pat *p,
					const struct fos_pat_skip *s,
					unsigned int q, const u8 *b,
					unsigned int n, u64 *count)
{
	unsigned int i = 0, j, len = p->len;

	while (q && i < n) {
		q = fos_pat_step(p, q, b[i++]);
		if (q == len) {
			(*count)++;
			q = p->fail[len - 1];
		}
	}
	if (q)
		return q;
	/* State 0 at i: no occurrence begun before i goes on. */
	for (j = fos_pat_find(p, s, b, i, n); j < n;
	     j = fos_pat_find(p, s, b, j + s->last_shift, n))
		(*count)++;
	return fos_pat_tail(p, b, i, n);
}

/**
 * fos_pat_next() - feed the bytes @b[0..@n) to the matcher up to the end of
 * the first occurrence in them
 * @p: the pattern
 * @s: its shift table
 * @q: the state before @b (0..@p->len - 1); set to the state after the
 *	bytes fed, @p->len if they end in an occurrence
 * @b: the bytes
 * @n: how many
 *
 * fos_pat_scan() stopping at the first occurrence: the same steps as
 * fos_pat_step() on each byte, Horspool's search where no occurrence begun
 * before @b can go on. For a caller that must act on each occurrence
 * where it lies ("replace"): it continues from state 0 after an
 * occurrence (none overlapping) or from @p->fail[@p->len - 1].
 *
 * Return: the bytes fed: @n, or fewer if an occurrence ends at the last of
 * them (@q is then @p->len).
 */
static inline unsigned int fos_pat_next(const struct fos_pat *p,
					const struct fos_pat_skip *s,
					unsigned int *q, const u8 *b,
					unsigned int n)
{
	unsigned int i = 0, j, len = p->len, st = *q;

	while (st && i < n) {
		st = fos_pat_step(p, st, b[i++]);
		if (st == len) {
			*q = st;
			return i;
		}
	}
	if (st) {
		*q = st;
		return n;
	}
	/* State 0 at i: every occurrence from here on lies in @b[i..). */
	j = fos_pat_find(p, s, b, i, n);
	if (j < n) {
		*q = len;
		return j + len;
	}
	*q = fos_pat_tail(p, b, i, n);
	return n;
}

#endif /* _FLOWSTREAM_PM_PAT_H */
