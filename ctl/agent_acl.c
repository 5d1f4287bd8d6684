// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl agent: its arguments, the listen address, the allowed client
 * prefixes and the shared key. No network I/O here.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "agent.h"
#include "parse.h"

/* "ADDR:PORT" or "[IPV6ADDR]:PORT", quietly: 0 or -EINVAL. */
int agent_parse_sockaddr(const char *arg, struct sockaddr_storage *ss,
			 socklen_t *len)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	char host[INET6_ADDRSTRLEN + 1];
	const char *port, *end;
	bool bracket = arg[0] == '[';
	uint8_t family, addr[16];
	uint64_t p;
	size_t n;

	if (bracket) {
		end = strchr(arg, ']');
		if (!end || end[1] != ':')
			return -EINVAL;
		n = end - arg - 1;
		port = end + 2;
		arg++;
	} else {
		end = strrchr(arg, ':');
		if (!end)
			return -EINVAL;
		n = end - arg;
		port = end + 1;
	}
	if (n == 0 || n >= sizeof(host))
		return -EINVAL;
	memcpy(host, arg, n);
	host[n] = '\0';
	if (parse_addr(host, &family, addr) < 0 ||
	    (family == AF_INET6) != bracket)
		return -EINVAL;
	if (parse_uint(port, 65535, &p) != PARSE_OK || !p)
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(p);
		memcpy(&s4->sin_addr, addr, 4);
		*len = sizeof(*s4);
	} else {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(p);
		memcpy(&s6->sin6_addr, addr, 16);
		*len = sizeof(*s6);
	}
	return 0;
}

/*
 * "ADDR:PORT" (IPv4) or "[ADDR]:PORT" (IPv6), PORT 1..65535, into
 * opts->listen; returns 0 or EXIT_USAGE after a message.
 */
int agent_parse_listen(const char *arg, struct agent_opts *opts)
{
	if (!agent_parse_sockaddr(arg, &opts->listen, &opts->listen_len))
		return 0;
	return usage_error("agent",
			   "invalid listen address \"%s\": give ADDR:PORT or [IPV6ADDR]:PORT",
			   arg);
}

static bool host_bits_clear(const struct agent_net *net)
{
	unsigned int bits = net->family == AF_INET ? 32 : 128;
	unsigned int i;

	for (i = net->len; i < bits; i++)
		if (net->addr[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

/* Allow "ADDR[/LEN]"; returns 0 or EXIT_USAGE after a message. */
int agent_acl_add(struct agent_acl *acl, const char *arg)
{
	const char *slash = strchr(arg, '/');
	size_t alen = slash ? (size_t)(slash - arg) : strlen(arg);
	char host[INET6_ADDRSTRLEN + 1];
	struct agent_net net;
	unsigned int bits;
	uint64_t len;

	if (acl->n >= AGENT_ALLOW_MAX)
		return usage_error("agent", "more than %d --allow prefixes",
				   AGENT_ALLOW_MAX);
	memset(&net, 0, sizeof(net));
	if (alen == 0 || alen >= sizeof(host))
		goto bad;
	memcpy(host, arg, alen);
	host[alen] = '\0';
	if (parse_addr(host, &net.family, net.addr) < 0)
		goto bad;
	bits = net.family == AF_INET ? 32 : 128;
	if (!slash)
		len = bits;
	else if (parse_uint(slash + 1, bits, &len) != PARSE_OK)
		goto bad;
	net.len = len;
	if (!host_bits_clear(&net))
		return usage_error("agent",
				   "invalid prefix \"%s\": address bits set past the length",
				   arg);
	acl->v[acl->n++] = net;
	return 0;
bad:
	return usage_error("agent",
			   "invalid prefix \"%s\": give ADDR or ADDR/LEN (IPv4 or IPv6)",
			   arg);
}

/* Localhost only: 127.0.0.0/8 and ::1. */
void agent_acl_default(struct agent_acl *acl)
{
	memset(acl, 0, sizeof(*acl));
	acl->v[0].family = AF_INET;
	acl->v[0].len = 8;
	acl->v[0].addr[0] = 127;
	acl->v[1].family = AF_INET6;
	acl->v[1].len = 128;
	acl->v[1].addr[15] = 1;
	acl->n = 2;
}

static bool net_has(const struct agent_net *net, uint8_t family,
		    const uint8_t *addr)
{
	unsigned int full = net->len / 8, rest = net->len % 8;
	uint8_t mask;

	if (net->family != family || memcmp(net->addr, addr, full))
		return false;
	if (!rest)
		return true;
	mask = 0xff << (8 - rest);
	return (addr[full] & mask) == net->addr[full];
}

/*
 * Is a client at @sa allowed? An IPv4-mapped IPv6 address (a dual-stack
 * socket's) is taken as the IPv4 address it maps.
 */
bool agent_acl_allows(const struct agent_acl *acl, const struct sockaddr *sa)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
	const uint8_t *addr;
	uint8_t family;
	size_t i;

	if (!sa)
		return false;
	if (sa->sa_family == AF_INET) {
		family = AF_INET;
		addr = (const uint8_t *)&s4->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		addr = s6->sin6_addr.s6_addr;
		family = AF_INET6;
		if (!memcmp(addr, mapped, sizeof(mapped))) {
			family = AF_INET;
			addr += 12;
		}
	} else {
		return false;
	}
	for (i = 0; i < acl->n; i++)
		if (net_has(&acl->v[i], family, addr))
			return true;
	return false;
}

/*
 * Compare the key with what a client gave in time that depends on the
 * key's length only, never on where they differ or on what was given.
 */
bool agent_key_equal(const char *key, size_t keylen, const char *given,
		     size_t givenlen)
{
	volatile unsigned char diff = 0;
	size_t i;

	diff |= keylen != givenlen;
	for (i = 0; i < keylen; i++)
		diff |= (unsigned char)key[i] ^
			(unsigned char)(givenlen ? given[i % givenlen] : 0);
	return !diff;
}

/* "Authorization: Bearer KEY" with the right key (scheme in any case). */
bool agent_auth_ok(const char *key, size_t keylen, const char *header)
{
	static const char scheme[] = "Bearer ";
	const size_t slen = sizeof(scheme) - 1;

	if (!header || strncasecmp(header, scheme, slen))
		return false;
	header += slen;
	return agent_key_equal(key, keylen, header, strlen(header));
}

static bool key_char_ok(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

/*
 * Read the shared key: the file's first line, trailing white space
 * dropped; AGENT_KEY_MIN to AGENT_KEY_MAX printable characters, no
 * spaces. Returns 0, or 1 after a message.
 */
int agent_key_load(const char *path, char *key, size_t size, size_t *len)
{
	char buf[AGENT_KEY_MAX + 2];
	ssize_t n;
	size_t i;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "Error: cannot open key file %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		fprintf(stderr, "Error: cannot read key file %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t' ||
			 buf[n - 1] == '\r'))
		buf[--n] = '\0';
	for (i = 0; i < (size_t)n; i++)
		if (!key_char_ok(buf[i]))
			break;
	if (i < (size_t)n || n < AGENT_KEY_MIN || n > AGENT_KEY_MAX ||
	    (size_t)n >= size) {
		fprintf(stderr,
			"Error: key file %s: the key must be %d to %d printable characters without spaces on the first line\n",
			path, AGENT_KEY_MIN, AGENT_KEY_MAX);
		explicit_bzero(buf, sizeof(buf));
		return 1;
	}
	memcpy(key, buf, n + 1);
	*len = n;
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

static int parse_num(const char *what, const char *arg, uint64_t min,
		     uint64_t max, unsigned int *val)
{
	enum parse_err err;
	char msg[256];
	uint64_t v;

	err = parse_uint(arg, max, &v);
	if (err == PARSE_OK && v < min)
		return usage_error("agent", "invalid value \"%s\" for \"%s\": at least %llu",
				   arg, what, (unsigned long long)min);
	if (err != PARSE_OK) {
		parse_errmsg(msg, sizeof(msg), what, arg, err, max);
		return usage_error("agent", "%s", msg);
	}
	*val = v;
	return 0;
}

static const struct option agent_opts_long[] = {
	{ "listen",		required_argument, NULL, 'l' },
	{ "allow",		required_argument, NULL, 'a' },
	{ "key-file",		required_argument, NULL, 'k' },
	{ "max-connections",	required_argument, NULL, 'c' },
	{ "timeout",		required_argument, NULL, 't' },
	{ NULL,			0,		   NULL, 0 },
};

/*
 * "flowctl agent ARGS": @argv[0] is the object ("agent"), then its
 * arguments; into @opts, with defaults for what is not given. Returns 0
 * or EXIT_USAGE after a message.
 */
int agent_parse_args(int argc, char **argv, struct agent_opts *opts)
{
	const char *listen = AGENT_DEFAULT_LISTEN;
	int opt, ret;

	memset(opts, 0, sizeof(*opts));
	opts->max_conns = 64;
	opts->timeout_s = 10;
	optind = 0;		/* a fresh scan: main() used getopt too */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:", agent_opts_long,
				  NULL)) != -1) {
		switch (opt) {
		case 'l':
			listen = optarg;
			break;
		case 'a':
			ret = agent_acl_add(&opts->acl, optarg);
			if (ret)
				return ret;
			break;
		case 'k':
			opts->key_file = optarg;
			break;
		case 'c':
			ret = parse_num("max-connections", optarg, 1, 4096,
					&opts->max_conns);
			if (ret)
				return ret;
			break;
		case 't':
			ret = parse_num("timeout", optarg, 1, 3600,
					&opts->timeout_s);
			if (ret)
				return ret;
			break;
		case ':':
			return usage_error("agent", "option \"%s\" needs a value",
					   argv[optind - 1]);
		default:
			return usage_error("agent", "unknown argument \"%s\"",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("agent", "unexpected argument \"%s\"",
				   argv[optind]);
	ret = agent_parse_listen(listen, opts);
	if (ret)
		return ret;
	snprintf(opts->listen_text, sizeof(opts->listen_text), "%s", listen);
	if (!opts->acl.n)
		agent_acl_default(&opts->acl);
	return 0;
}
