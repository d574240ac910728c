/*
 * mintload.c
 *	  Fill a running solana-fake with N distinct mints (batches of
 *	  sendTransaction over raw keep-alive sockets), then time GET
 *	  /ledger?summary=1, GET /ledger and getHealth.  Bench helper, not a test.
 *	  usage: mintload PORT [N=200000]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "sol_bubblegum.h"
#include "sol_codec.h"
#include "sol_crypto.h"

static int port;

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
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
	{
		perror("connect");
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* one request; returns the body (malloc'd) */
static char *
request(int fd, const char *method, const char *path, const char *body, size_t *blen_out)
{
	char hdr[256];
	size_t blen = body ? strlen(body) : 0;
	size_t cap = 1 << 16;
	size_t have = 0;
	char *buf = malloc(cap);
	int n = snprintf(hdr, sizeof(hdr),
	                 "%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
	                 "Content-Length: %zu\r\n\r\n",
	                 method, path, blen);

	if (write(fd, hdr, (size_t)n) != n || (blen && write(fd, body, blen) != (ssize_t)blen))
		exit(1);
	for (;;)
	{
		char *hend = memmem(buf, have, "\r\n\r\n", 4);

		if (hend)
		{
			size_t hl = (size_t)(hend - buf) + 4;
			char *cl = strcasestr(buf, "content-length:");
			size_t bl = cl ? strtoul(cl + 15, NULL, 10) : 0;

			if (have >= hl + bl)
			{
				char *out = malloc(bl + 1);

				memcpy(out, buf + hl, bl);
				out[bl] = '\0';
				free(buf);
				if (blen_out)
					*blen_out = bl;
				return out;
			}
			if (hl + bl > cap)
			{
				cap = hl + bl;
				buf = realloc(buf, cap);
			}
		}
		if (have == cap)
		{
			cap *= 2;
			buf = realloc(buf, cap);
		}
		{
			ssize_t r = read(fd, buf + have, cap - have);

			if (r <= 0)
				exit(1);
			have += (size_t)r;
		}
	}
}

int
main(int argc, char **argv)
{
	int n;
	int fd;
	uint8_t seed[32];
	uint8_t sk[64];
	uint8_t tree_sk[64];
	SolMintParams mp;
	SolMetadata md;
	SolError err;
	uint8_t wire[1232];
	uint8_t bh[32];
	int wl;
	char *resp;
	char *p;
	uint8_t *digits;
	char *batch;
	char b64[2048];
	double t0;
	int i;
	size_t len;

	if (argc < 2 || sodium_init() < 0)
		return 2;
	port = atoi(argv[1]);
	n = argc > 2 ? atoi(argv[2]) : 200000;
	fd = connect_lo();
	memset(seed, 1, 32);
	sol_keypair_from_seed(seed, sk, mp.payer);
	memset(seed, 2, 32);
	memset(&mp, 0, sizeof(mp));
	sol_keypair_from_seed(seed, tree_sk, mp.tree);
	memset(seed, 1, 32);
	sol_keypair_from_seed(seed, sk, mp.payer);
	memcpy(mp.tree_delegate, mp.payer, 32);
	memcpy(mp.owner, mp.tree, 32);
	memset(&md, 0, sizeof(md));
	strcpy(md.name, "Bench");
	md.name_len = 5;
	strcpy(md.uri, "https://bench.example/t/0000000.json");
	md.uri_len = strlen(md.uri);
	md.has_token_standard = true;
	mp.md = &md;
	resp = request(fd, "POST", "/",
	               "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getLatestBlockhash\",\"params\":[{"
	               "\"commitment\":\"confirmed\"}]}",
	               NULL);
	p = strstr(resp, "\"blockhash\":\"");
	if (p == NULL)
		return 1;
	*strchr(p + 13, '"') = '\0';
	sol_pubkey_from_b58(p + 13, bh);
	free(resp);
	wl = sol_build_mint_tx(&mp, bh, sk, wire, sizeof(wire), NULL, &err);
	if (wl < 0)
	{
		fprintf(stderr, "%s\n", err.message);
		return 1;
	}
	digits = memmem(wire, (size_t)wl, "0000000.json", 12);
	batch = malloc(60 * 1024);
	t0 = now_s();
	for (i = 0; i < n;)
	{
		size_t off = 0;
		int k;

		off += (size_t)sprintf(batch, "[");
		for (k = 0; k < 40 && i < n; k++, i++)
		{
			char d[16];

			snprintf(d, sizeof(d), "%07d", i % 10000000);
			memcpy(digits, d, 7);
			sol_sign(sk, wire + 65, (size_t)wl - 65, wire + 1);
			sol_base64_encode(wire, (size_t)wl, b64, sizeof(b64));
			off += (size_t)sprintf(
			    batch + off,
			    "%s{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"sendTransaction\",\"params\":[\"%"
			    "s\",{\"encoding\":\"base64\",\"skipPreflight\":true}]}",
			    k ? "," : "", k, b64);
		}
		sprintf(batch + off, "]");
		free(request(fd, "POST", "/", batch, NULL));
		if (i % 2000 == 0)
		{
			/* refresh the blockhash so long runs never expire */
			resp = request(fd, "POST", "/",
			               "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getLatestBlockhash\","
			               "\"params\":[{\"commitment\":\"confirmed\"}]}",
			               NULL);
			p = strstr(resp, "\"blockhash\":\"");
			*strchr(p + 13, '"') = '\0';
			sol_pubkey_from_b58(p + 13, bh);
			free(resp);
			wl = sol_build_mint_tx(&mp, bh, sk, wire, sizeof(wire), NULL, &err);
			digits = memmem(wire, (size_t)wl, "0000000.json", 12);
		}
	}
	printf("sent %d mints in %.2f s (%.0f sendTransaction/s, batches of 40)\n", n, now_s() - t0,
	       n / (now_s() - t0));
	sleep(1);
	t0 = now_s();
	resp = request(fd, "GET", "/ledger?summary=1", NULL, &len);
	printf("GET /ledger?summary=1: %.1f ms: %.200s\n", (now_s() - t0) * 1000, resp);
	free(resp);
	t0 = now_s();
	resp = request(fd, "GET", "/ledger", NULL, &len);
	printf("GET /ledger (full): %.1f ms, %zu bytes\n", (now_s() - t0) * 1000, len);
	free(resp);
	t0 = now_s();
	for (i = 0; i < 1000; i++)
		free(request(fd, "POST", "/", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getHealth\"}",
		             NULL));
	printf("1000 sequential getHealth with %d mints in the ledger: %.1f ms\n", n,
	       (now_s() - t0) * 1000);
	close(fd);
	free(batch);
	return 0;
}
