// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation requests in the high-level Flowstream API format, turned
 * into one ADD_FLOW (a flow with its match and pipeline):
 *
 *	# a comment line
 *	name web                   optional header lines, WORD VALUE pairs:
 *	prio 10                    name, prio, stream, policy and the limits
 *	stream tcp                 of "flow add"
 *	FromNet("proto tcp dport 80") -> Counter("bytes") ->
 *	    [Log("a"), Stats()] -> ToNet()
 *
 * The chain goes from FromNet("MATCH") (the words of "flow add") through
 * PMs, NAME("ARGS") or NAME(), to ToNet(); a line that ends with "->"
 * continues on the next. PMs run in the order written: the first step
 * gets ORDER 10, the next 20 and so on; [A(), B()] is one step of
 * read-only PMs side by side (the same ORDER). Strings are in double
 * quotes, with \" and \\ as the only escapes. Without a name line the
 * flow is named after the file (alloc_name_from_path()).
 *
 * Errors are "FILE:LINE: reason" in @err; nothing is half-parsed.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowctl.h"
#include "fos.h"

#define ALLOC_MATCH_WORDS	32	/* words in FromNet("...") */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum tok_kind {
	T_END,
	T_IDENT,
	T_STRING,
	T_LPAREN,
	T_RPAREN,
	T_LBRACK,
	T_RBRACK,
	T_COMMA,
	T_ARROW,
};

struct tok {
	enum tok_kind kind;
	unsigned int line;
	char *text;			/* T_IDENT, T_STRING */
};

struct alloc_ctx {
	const char *path;
	char *err;
	size_t errlen;
	struct fos_flow *f;
	bool named;
	struct tok *toks;		/* the chain */
	size_t ntoks;
	size_t cap;
	size_t pos;			/* parser position in toks */
};

static int fail(struct alloc_ctx *c, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct alloc_ctx *c, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(c->err, c->errlen, "%s:%u: ", c->path, line);
	if (n < 0 || (size_t)n >= c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static int add_tok(struct alloc_ctx *c, enum tok_kind kind, unsigned int line,
		   char *text)
{
	struct tok *v;

	if (c->ntoks == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 32;

		v = realloc(c->toks, cap * sizeof(*v));
		if (!v) {
			free(text);
			return fail(c, line, "out of memory");
		}
		c->toks = v;
		c->cap = cap;
	}
	c->toks[c->ntoks].kind = kind;
	c->toks[c->ntoks].line = line;
	c->toks[c->ntoks].text = text;
	c->ntoks++;
	return 0;
}

static bool ident_char(const char *p)
{
	return isalnum((unsigned char)*p) || *p == '_' || *p == '.' ||
	       *p == ':' || (*p == '-' && p[1] != '>');
}

/* A "..." string at @p (at the quote) into a new token; returns its end. */
static const char *lex_string(struct alloc_ctx *c, const char *p,
			      unsigned int line)
{
	size_t n = 0;
	const char *q;
	char *s;

	s = malloc(strlen(p) + 1);
	if (!s) {
		fail(c, line, "out of memory");
		return NULL;
	}
	for (q = p + 1; *q && *q != '"'; q++) {
		if (*q == '\\') {
			if (q[1] != '"' && q[1] != '\\') {
				free(s);
				fail(c, line, "unknown escape \"\\%c\" in a string (only \\\" and \\\\)",
				     q[1] ? q[1] : ' ');
				return NULL;
			}
			q++;
		}
		s[n++] = *q;
	}
	s[n] = '\0';
	if (*q != '"') {
		free(s);
		fail(c, line, "unterminated string");
		return NULL;
	}
	if (add_tok(c, T_STRING, line, s) < 0)
		return NULL;
	return q + 1;
}

/* The tokens of one chain line. */
static int lex_line(struct alloc_ctx *c, const char *p, unsigned int line)
{
	static const char punct[] = "()[],";
	static const enum tok_kind kinds[] = {
		T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_COMMA,
	};
	const char *start, *hit;
	char *s;

	while (*p) {
		if (isspace((unsigned char)*p)) {
			p++;
		} else if (*p == '"') {
			p = lex_string(c, p, line);
			if (!p)
				return -1;
		} else if (p[0] == '-' && p[1] == '>') {
			if (add_tok(c, T_ARROW, line, NULL) < 0)
				return -1;
			p += 2;
		} else if (*p && strchr(punct, *p)) {
			hit = strchr(punct, *p);
			if (add_tok(c, kinds[hit - punct], line, NULL) < 0)
				return -1;
			p++;
		} else if (ident_char(p)) {
			for (start = p; ident_char(p); p++)
				;
			s = strndup(start, p - start);
			if (!s)
				return fail(c, line, "out of memory");
			if (add_tok(c, T_IDENT, line, s) < 0)
				return -1;
		} else {
			return fail(c, line, "unexpected character \"%c\"", *p);
		}
	}
	return 0;
}

static bool is_match_word(const char *w)
{
	static const char *const words[] = {
		"iif", "family", "proto", "src", "dst", "sport", "dport",
		"dscp",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcmp(w, words[i]))
			return true;
	return false;
}

/* A header line: WORD VALUE pairs (name, prio, stream, policy, limits). */
static int header_line(struct alloc_ctx *c, char *line, unsigned int ln)
{
	char *argv[64], *save = NULL, *w;
	char msg[256];
	int argc = 0, i, n;

	for (w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (argc == (int)ARRAY_SIZE(argv))
			return fail(c, ln, "too many words");
		argv[argc++] = w;
	}
	for (i = 0; i < argc; i += n) {
		if (!strcmp(argv[i], "name")) {
			if (c->named)
				return fail(c, ln, "duplicate \"name\"");
			if (i + 1 >= argc)
				return fail(c, ln, "missing value for \"name\"");
			if (!fos_name_ok(argv[i + 1]))
				return fail(c, ln, "invalid flow name \"%s\": 1 to %d characters of A-Z a-z 0-9 _ . : -",
					    argv[i + 1], FOS_NAME_MAX);
			snprintf(c->f->name, sizeof(c->f->name), "%s",
				 argv[i + 1]);
			c->named = true;
			n = 2;
			continue;
		}
		n = fos_flow_word(argc - i, argv + i, c->f, msg, sizeof(msg));
		if (n < 0)
			return fail(c, ln, "%s", msg);
		if (n > 0)
			continue;
		if (is_match_word(argv[i]))
			return fail(c, ln, "\"%s\" is a match word: it goes in FromNet(\"...\")",
				    argv[i]);
		return fail(c, ln, "unknown word \"%s\"", argv[i]);
	}
	return 0;
}

static const struct tok *peek(struct alloc_ctx *c)
{
	return &c->toks[c->pos];
}

static const struct tok *next(struct alloc_ctx *c)
{
	const struct tok *t = &c->toks[c->pos];

	if (t->kind != T_END)
		c->pos++;
	return t;
}

/* Consume @kind or fail with "expected @what". */
static int expect(struct alloc_ctx *c, enum tok_kind kind, const char *what)
{
	const struct tok *t = peek(c);

	if (t->kind != kind)
		return fail(c, t->line, "expected %s", what);
	next(c);
	return 0;
}

/* "(" [STRING] ")": *@str is the string or NULL. */
static int call_args(struct alloc_ctx *c, const char *name, const char **str,
		     unsigned int *line)
{
	const struct tok *t;

	if (expect(c, T_LPAREN, "\"(\"") < 0)
		return -1;
	t = peek(c);
	*line = t->line;
	*str = NULL;
	if (t->kind == T_STRING)
		*str = next(c)->text;
	t = peek(c);
	if (t->kind != T_RPAREN)
		return fail(c, t->line, *str ?
			    "expected \")\" after the argument of %s()" :
			    "expected a \"string\" or \")\" after %s(",
			    name);
	next(c);
	return 0;
}

/* FromNet's string: the words of "flow add"'s match. */
static int match_string(struct alloc_ctx *c, const char *str,
			unsigned int line)
{
	char *argv[ALLOC_MATCH_WORDS + 1], *copy, *save = NULL, *w;
	struct fos_match *m = &c->f->match;
	char msg[256];
	int argc = 0, i, n, ret = 0;

	copy = strdup(str);
	if (!copy)
		return fail(c, line, "out of memory");
	for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (argc == ALLOC_MATCH_WORDS) {
			ret = fail(c, line, "too many words in FromNet()");
			goto out;
		}
		argv[argc++] = w;
	}
	for (i = 0; i < argc; i += n) {
		n = fos_match_word(argc - i, argv + i, m, msg, sizeof(msg));
		if (n < 0) {
			ret = fail(c, line, "%s", msg);
			goto out;
		}
		if (!n) {
			ret = fail(c, line, "unknown match word \"%s\"", argv[i]);
			goto out;
		}
	}
	if (fos_match_check(m, msg, sizeof(msg)) < 0)
		ret = fail(c, line, "%s", msg);
out:
	free(copy);
	return ret;
}

/* One PM of a step: NAME("ARGS") or NAME(), at ORDER @order. */
static int pm_call(struct alloc_ctx *c, uint32_t order, bool in_brackets)
{
	const struct tok *t = peek(c);
	struct fos_attach *a;
	unsigned int line;
	const char *args;

	if (t->kind != T_IDENT)
		return fail(c, t->line, in_brackets ?
			    "expected a PM, NAME(\"ARGS\") or NAME()" :
			    "expected a PM, \"[\" or ToNet()");
	if (!strcmp(t->text, "FromNet"))
		return fail(c, t->line, "FromNet() can only start the chain");
	if (!strcmp(t->text, "ToNet") && in_brackets)
		return fail(c, t->line, "ToNet() cannot be inside [...]");
	if (!fos_name_ok(t->text))
		return fail(c, t->line, "invalid PM name \"%s\": 1 to %d characters of A-Z a-z 0-9 _ . : -",
			    t->text, FOS_NAME_MAX);
	if (c->f->npipe == FOS_PIPE_MAX)
		return fail(c, t->line, "more than %d PMs", FOS_PIPE_MAX);
	next(c);
	a = &c->f->pipe[c->f->npipe];
	memset(a, 0, sizeof(*a));
	snprintf(a->pm, sizeof(a->pm), "%s", t->text);
	if (call_args(c, a->pm, &args, &line) < 0)
		return -1;
	if (args && strlen(args) > FOS_ARGS_MAX)
		return fail(c, line, "the arguments of %s() are longer than %d characters",
			    a->pm, FOS_ARGS_MAX);
	a->order = order;
	a->seen = FOS_BIT(FLOWSTREAM_ATT_A_PM) | FOS_BIT(FLOWSTREAM_ATT_A_ORDER);
	if (args && args[0]) {
		snprintf(a->args, sizeof(a->args), "%s", args);
		a->seen |= FOS_BIT(FLOWSTREAM_ATT_A_ARGS);
	}
	c->f->npipe++;
	return 0;
}

/* FromNet("MATCH") -> STEP -> ... -> ToNet(), then the end. */
static int parse_chain(struct alloc_ctx *c)
{
	const struct tok *t = peek(c);
	unsigned int line, steps = 0;
	const char *str;

	if (t->kind != T_IDENT || strcmp(t->text, "FromNet"))
		return fail(c, t->line, "the chain starts with FromNet(\"MATCH\")");
	next(c);
	if (call_args(c, "FromNet", &str, &line) < 0)
		return -1;
	if (str && match_string(c, str, line) < 0)
		return -1;
	for (;;) {
		t = peek(c);
		if (t->kind == T_END)
			return fail(c, t->line, "the chain must end with -> ToNet()");
		if (t->kind != T_ARROW)
			return fail(c, t->line, "expected \"->\"");
		next(c);
		t = peek(c);
		if (t->kind == T_IDENT && !strcmp(t->text, "ToNet")) {
			next(c);
			if (call_args(c, "ToNet", &str, &line) < 0)
				return -1;
			if (str)
				return fail(c, line, "ToNet() takes no arguments");
			t = peek(c);
			if (t->kind != T_END)
				return fail(c, t->line, "nothing may follow ToNet()");
			return 0;
		}
		if (++steps * 10 > 65535)
			return fail(c, t->line, "too many steps");
		if (t->kind != T_LBRACK) {
			if (pm_call(c, steps * 10, false) < 0)
				return -1;
			continue;
		}
		next(c);
		for (;;) {
			if (pm_call(c, steps * 10, true) < 0)
				return -1;
			t = peek(c);
			if (t->kind == T_RBRACK)
				break;
			if (t->kind != T_COMMA)
				return fail(c, t->line, "expected \",\" or \"]\"");
			next(c);
		}
		next(c);
	}
}

/*
 * The flow name of a file without a name line: its base name without the
 * extension, every character but A-Z a-z 0-9 _ . : - made "_", cut to
 * FOS_NAME_MAX. Returns 0, or -1 if nothing is left.
 */
int alloc_name_from_path(const char *path, char *name, size_t len)
{
	const char *base = strrchr(path, '/');
	const char *dot;
	size_t n, i;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	if (n > FOS_NAME_MAX)
		n = FOS_NAME_MAX;
	if (!n || len < n + 1)
		return -1;
	for (i = 0; i < n; i++)
		name[i] = isalnum((unsigned char)base[i]) || base[i] == '_' ||
			  base[i] == '.' || base[i] == ':' || base[i] == '-' ?
			  base[i] : '_';
	name[n] = '\0';
	return 0;
}

static void free_toks(struct alloc_ctx *c)
{
	size_t i;

	for (i = 0; i < c->ntoks; i++)
		free(c->toks[i].text);
	free(c->toks);
}

/* Strip leading and trailing white space (and a CR) in place. */
static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int parse_lines(struct alloc_ctx *c, char *text)
{
	unsigned int ln = 0, chain_line = 0;
	bool in_chain = false, have_chain = false;
	char *p = text, *nl, *s;

	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		s = trim(p);
		ln++;
		if (!*s || *s == '#') {
			if (!nl)
				break;
			continue;
		}
		if (!in_chain && !strncmp(s, "FromNet", 7) &&
		    !ident_char(s + 7)) {
			if (have_chain)
				return fail(c, ln, "a second chain: one flow per file");
			have_chain = true;
			in_chain = true;
		} else if (!in_chain && strpbrk(s, "(\"")) {
			if (have_chain)
				return fail(c, ln, "only a line ending with \"->\" continues the chain");
			return fail(c, ln, "the chain starts with FromNet(\"MATCH\")");
		}
		if (in_chain) {
			if (lex_line(c, s, ln) < 0)
				return -1;
			chain_line = ln;
			in_chain = c->ntoks && c->toks[c->ntoks - 1].kind == T_ARROW;
		} else if (header_line(c, s, ln) < 0) {
			return -1;
		}
		if (!nl)
			break;
	}
	if (in_chain)
		return fail(c, chain_line, "the chain goes on past the end of the file (a line ending with \"->\")");
	if (!have_chain)
		return fail(c, ln ? ln : 1, "no FromNet(\"MATCH\") -> ... -> ToNet() chain");
	return add_tok(c, T_END, chain_line, NULL);
}

/*
 * Parse the allocation request @text (@len bytes, from @path: in messages
 * and for the default name) into the ADD_FLOW request @f: name, settings,
 * match and pipeline (f->pipe allocated: fos_flow_free() it). Returns 0,
 * or -1 with "PATH:LINE: reason" in @err.
 */
int alloc_parse(const char *path, const char *text, size_t len,
		struct fos_flow *f, char *err, size_t errlen)
{
	struct alloc_ctx c = {
		.path = path, .err = err, .errlen = errlen, .f = f,
	};
	const char *z = memchr(text, '\0', len);
	char *copy;
	int ret;

	memset(f, 0, sizeof(*f));
	if (z) {
		const char *p;
		unsigned int ln = 1;

		for (p = text; p < z; p++)
			ln += *p == '\n';
		return fail(&c, ln, "a NUL byte: not a text file");
	}
	copy = strndup(text, len);
	f->pipe = calloc(FOS_PIPE_MAX, sizeof(*f->pipe));
	if (!copy || !f->pipe) {
		free(copy);
		fos_flow_free(f);
		return fail(&c, 1, "out of memory");
	}
	ret = parse_lines(&c, copy);
	if (!ret)
		ret = parse_chain(&c);
	if (!ret && !c.named &&
	    alloc_name_from_path(path, f->name, sizeof(f->name)) < 0)
		ret = fail(&c, 1, "no name line, and no flow name in the file name");
	free_toks(&c);
	free(copy);
	if (ret)
		fos_flow_free(f);
	return ret;
}
