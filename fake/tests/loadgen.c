/*
 * loadgen.c
 *	  Tiny HTTP/1.1 keep-alive load generator for solana-fake (raw sockets).
 *	  usage: loadgen PORT [connections=32] [seconds=5] [method=getHealth]
 *	  Each thread owns one keep-alive connection and sends requests back to
 *	  back; prints requests/second.  Loopback only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port;
static double seconds;
static char req[1024];
static size_t req_len;
static atomic_long total;
static atomic_long errors;
static volatile int stop_flag;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
connect_lo(void)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
	{
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* read one response; 0 ok, -1 error */
static int
read_response(int fd, char *buf, size_t cap, size_t *have)
{
	for (;;)
	{
		char *hend = memmem(buf, *have, "\r\n\r\n", 4);

		if (hend)
		{
			size_t hlen = (size_t)(hend - buf) + 4;
			char *cl = memmem(buf, hlen, "Content-Length:", 15);
			size_t blen;

			if (cl == NULL)
				cl = memmem(buf, hlen, "content-length:", 15);
			blen = cl ? (size_t)strtoul(cl + 15, NULL, 10) : 0;
			if (*have >= hlen + blen)
			{
				int ok = strncmp(buf, "HTTP/1.1 200", 12) == 0;

				memmove(buf, buf + hlen + blen, *have - hlen - blen);
				*have -= hlen + blen;
				return ok ? 0 : -1;
			}
		}
		if (*have == cap)
			return -1;
		{
			ssize_t n = read(fd, buf + *have, cap - *have);

			if (n <= 0)
				return -1;
			*have += (size_t)n;
		}
	}
}

static void *
worker(void *arg)
{
	char buf[65536];
	size_t have = 0;
	long local = 0;
	int fd = connect_lo();

	while (!stop_flag && fd >= 0)
	{
		if (write(fd, req, req_len) != (ssize_t)req_len ||
		    read_response(fd, buf, sizeof(buf), &have) != 0)
		{
			atomic_fetch_add(&errors, 1);
			close(fd);
			have = 0;
			fd = connect_lo();
			continue;
		}
		local++;
	}
	if (fd >= 0)
		close(fd);
	atomic_fetch_add(&total, local);
	return NULL;
}

int
main(int argc, char **argv)
{
	int conns;
	const char *method;
	char body[256];
	pthread_t *th;
	int i;
	double t0;
	double t1;

	if (argc < 2)
	{
		fprintf(stderr, "usage: loadgen PORT [connections] [seconds] [method]\n");
		return 2;
	}
	port = atoi(argv[1]);
	conns = argc > 2 ? atoi(argv[2]) : 32;
	seconds = argc > 3 ? atof(argv[3]) : 5;
	method = argc > 4 ? argv[4] : "getHealth";
	snprintf(body, sizeof(body), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\"%s}", method,
	         strcmp(method, "getBlockHeight") == 0 ? ",\"params\":[{\"commitment\":\"confirmed\"}]"
	                                               : "");
	req_len = (size_t)snprintf(req, sizeof(req),
	                           "POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: "
	                           "application/json\r\nContent-Length: %zu\r\n\r\n%s",
	                           port, strlen(body), body);
	th = calloc((size_t)conns, sizeof(pthread_t));
	t0 = now_s();
	for (i = 0; i < conns; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	usleep((useconds_t)(seconds * 1e6));
	stop_flag = 1;
	for (i = 0; i < conns; i++)
		pthread_join(th[i], NULL);
	t1 = now_s();
	printf("%s: %ld requests in %.2f s over %d keep-alive connections = %.0f req/s (%ld errors)\n",
	       method, (long)total, t1 - t0, conns, (double)total / (t1 - t0), (long)errors);
	free(th);
	return 0;
}
