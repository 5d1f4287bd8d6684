// SPDX-License-Identifier: GPL-2.0
/*
 * fs-ipfix-relay: a TCP front for a UDP-only IPFIX collector (nfcapd), so
 * the selftests can drive "flowctl export ipfix --transport tcp" into
 * nfdump's own decoder.
 *
 *	fs-ipfix-relay LISTEN-ADDR LISTEN-PORT UDP-ADDR UDP-PORT
 *
 * Accepts one connection at a time and cuts its byte stream into IPFIX
 * messages by the length in each message header (RFC 7011 3.1), sending
 * each message as one datagram; it reads nothing else of them. A stream
 * that is not IPFIX (version other than 10, length under 16) ends the
 * connection. On SIGTERM or SIGINT it prints "messages N bytes N
 * connections N" to standard output and exits.
 */
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int open_sock(const char *host, const char *port, int type,
		     bool listening)
{
	struct addrinfo hints = { .ai_socktype = type }, *res;
	int fd, on = 1, ret;

	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV |
			 (listening ? AI_PASSIVE : 0);
	ret = getaddrinfo(host, port, &hints, &res);
	if (ret) {
		fprintf(stderr, "fs-ipfix-relay: %s: %s\n", host,
			gai_strerror(ret));
		return -1;
	}
	fd = socket(res->ai_family, res->ai_socktype, 0);
	if (fd < 0)
		goto fail;
	if (listening) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 4))
			goto fail;
	} else if (connect(fd, res->ai_addr, res->ai_addrlen)) {
		goto fail;
	}
	freeaddrinfo(res);
	return fd;
fail:
	fprintf(stderr, "fs-ipfix-relay: %s:%s: %s\n", host, port,
		strerror(errno));
	freeaddrinfo(res);
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Read exactly @len bytes; 0 at EOF or on a signal, -1 on error. */
static int read_full(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR && !stop)
			continue;
		if (n <= 0)
			return n < 0 && errno != EINTR ? -1 : 0;
		got += n;
	}
	return 1;
}

int main(int argc, char **argv)
{
	unsigned long long messages = 0, bytes = 0, conns = 0;
	static uint8_t msg[65536];
	struct sigaction sa;
	int lfd, ufd, cfd;
	unsigned int len;

	if (argc != 5) {
		fputs("usage: fs-ipfix-relay LISTEN-ADDR LISTEN-PORT UDP-ADDR UDP-PORT\n",
		      stderr);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: accept() returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	lfd = open_sock(argv[1], argv[2], SOCK_STREAM, true);
	ufd = open_sock(argv[3], argv[4], SOCK_DGRAM, false);
	if (lfd < 0 || ufd < 0)
		return 1;
	fprintf(stderr, "fs-ipfix-relay: listening\n");
	while (!stop) {
		cfd = accept(lfd, NULL, NULL);
		if (cfd < 0)
			continue;
		conns++;
		while (!stop && read_full(cfd, msg, 16) > 0) {
			len = msg[2] << 8 | msg[3];
			if (msg[0] != 0 || msg[1] != 10 || len < 16) {
				fprintf(stderr, "fs-ipfix-relay: not IPFIX\n");
				break;
			}
			if (read_full(cfd, msg + 16, len - 16) <= 0)
				break;
			if (send(ufd, msg, len, 0) < 0)
				fprintf(stderr, "fs-ipfix-relay: send: %s\n",
					strerror(errno));
			messages++;
			bytes += len;
		}
		close(cfd);
	}
	printf("messages %llu bytes %llu connections %llu\n", messages, bytes,
	       conns);
	return 0;
}
