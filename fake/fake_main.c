/*
 * fake_main.c
 *	  solana-fake: options, the HTTP server (libmicrohttpd, epoll thread
 *	  pool), fault injection at the HTTP level, the delay queue (latency and
 *	  held "timeout" requests use suspend/resume, so they never block a worker
 *	  thread) and the block ticker.
 */
#include "fake.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#define MAX_BODY (50 * 1024) /* agave's MAX_REQUEST_BODY_SIZE */

enum
{
	ACT_RESPOND,
	ACT_DROP
};

typedef struct ReqCtx
{
	FkBuf body;
	bool too_big;
	bool suspended;
	bool resumed;
	bool rpc;
	int action;
	unsigned status;
	char *resp;
	size_t resp_len;
	int retry_after;
	int node; /* X-Solana-Fake-Node of the answer, -1 = none (one node, or not routed) */
} ReqCtx;

/* ---- delay queue: resume suspended connections at a deadline ---- */
typedef struct Delayed
{
	uint64_t deadline;
	struct MHD_Connection *conn;
	ReqCtx *ctx;
} Delayed;

static struct
{
	pthread_mutex_t mu;
	pthread_cond_t cv;
	Delayed *heap;
	size_t n;
	size_t cap;
	bool stop;
} dq;

static int stopping; /* accessed with __atomic builtins */

static void
dq_push(uint64_t deadline, struct MHD_Connection *conn, ReqCtx *ctx)
{
	size_t i;

	pthread_mutex_lock(&dq.mu);
	if (dq.n == dq.cap)
	{
		dq.cap = dq.cap ? dq.cap * 2 : 64;
		dq.heap = fk_xrealloc(dq.heap, dq.cap * sizeof(Delayed));
	}
	i = dq.n++;
	while (i > 0 && dq.heap[(i - 1) / 2].deadline > deadline)
	{
		dq.heap[i] = dq.heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	dq.heap[i].deadline = deadline;
	dq.heap[i].conn = conn;
	dq.heap[i].ctx = ctx;
	pthread_cond_signal(&dq.cv);
	pthread_mutex_unlock(&dq.mu);
}

static Delayed
dq_pop_locked(void)
{
	Delayed top = dq.heap[0];
	Delayed last = dq.heap[--dq.n];
	size_t i = 0;

	for (;;)
	{
		size_t c = 2 * i + 1;

		if (c >= dq.n)
			break;
		if (c + 1 < dq.n && dq.heap[c + 1].deadline < dq.heap[c].deadline)
			c++;
		if (dq.heap[c].deadline >= last.deadline)
			break;
		dq.heap[i] = dq.heap[c];
		i = c;
	}
	if (dq.n > 0)
		dq.heap[i] = last;
	return top;
}

static void *
dq_thread(void *arg)
{
	pthread_mutex_lock(&dq.mu);
	while (!dq.stop)
	{
		uint64_t now = fk_now_ms();

		if (dq.n == 0)
			pthread_cond_wait(&dq.cv, &dq.mu);
		else if (dq.heap[0].deadline > now)
		{
			struct timespec ts;
			uint64_t wait = dq.heap[0].deadline - now;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += (time_t)(wait / 1000);
			ts.tv_nsec += (long)(wait % 1000) * 1000000L;
			if (ts.tv_nsec >= 1000000000L)
			{
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&dq.cv, &dq.mu, &ts);
		}
		else
		{
			Delayed d = dq_pop_locked();

			pthread_mutex_unlock(&dq.mu);
			d.ctx->resumed = true;
			MHD_resume_connection(d.conn);
			pthread_mutex_lock(&dq.mu);
		}
	}
	/* shutting down: release everything still held */
	while (dq.n > 0)
	{
		Delayed d = dq_pop_locked();

		d.ctx->resumed = true;
		d.ctx->action = ACT_DROP;
		MHD_resume_connection(d.conn);
	}
	pthread_mutex_unlock(&dq.mu);
	return NULL;
}

/* ---- block ticker ---- */
static void *
ticker_thread(void *arg)
{
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!__atomic_load_n(&stopping, __ATOMIC_ACQUIRE))
	{
		int slot_ms;
		bool paused;

		pthread_mutex_lock(&fk_lock);
		slot_ms = fk_cfg.faults.slot_ms;
		paused = fk_cfg.faults.paused;
		pthread_mutex_unlock(&fk_lock);
		next.tv_nsec += (long)slot_ms * 1000000L;
		while (next.tv_nsec >= 1000000000L)
		{
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		/* sleep in short steps so that shutdown never waits for a long slot */
		for (;;)
		{
			struct timespec now;
			struct timespec step;

			if (__atomic_load_n(&stopping, __ATOMIC_ACQUIRE))
				return NULL;
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec > next.tv_sec ||
			    (now.tv_sec == next.tv_sec && now.tv_nsec >= next.tv_nsec))
				break;
			step = now;
			step.tv_nsec += 50000000L;
			if (step.tv_nsec >= 1000000000L)
			{
				step.tv_sec++;
				step.tv_nsec -= 1000000000L;
			}
			if (step.tv_sec > next.tv_sec ||
			    (step.tv_sec == next.tv_sec && step.tv_nsec > next.tv_nsec))
				step = next;
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &step, NULL);
		}
		{
			/* do not try to catch up after a long stall (e.g. a debugger) */
			struct timespec now;

			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec > next.tv_sec + 1)
				next = now;
		}
		if (!paused)
			fk_chain_tick();
	}
	return NULL;
}

/* ---- HTTP ---- */

static enum MHD_Result
send_buf(struct MHD_Connection *conn, unsigned status, char *buf, size_t len, const char *ctype,
         int retry_after, int node)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer_with_free_callback(len, buf, &free);
	if (r == NULL)
	{
		free(buf);
		return MHD_NO;
	}
	if (ctype)
		MHD_add_response_header(r, "Content-Type", ctype);
	if (retry_after >= 0)
	{
		char v[16];

		snprintf(v, sizeof(v), "%d", retry_after);
		MHD_add_response_header(r, "Retry-After", v);
	}
	if (node >= 0)
	{
		char v[16];

		snprintf(v, sizeof(v), "%d", node);
		MHD_add_response_header(r, "X-Solana-Fake-Node", v);
	}
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
send_str(struct MHD_Connection *conn, unsigned status, const char *s, const char *ctype)
{
	return send_buf(conn, status, strdup(s), strlen(s), ctype, -1, -1);
}

static bool
is_control_path(const char *url)
{
	return strcmp(url, "/control") == 0 || strcmp(url, "/ledger") == 0 ||
	       strcmp(url, "/stats") == 0 || strcmp(url, "/health") == 0;
}

static enum MHD_Result
handle_admin(struct MHD_Connection *conn, const char *url, const char *method, ReqCtx *ctx)
{
	char *s;

	fk_stat_http(H_CONTROL);
	if (strcmp(url, "/health") == 0 && strcmp(method, "GET") == 0)
		return send_str(conn, 200, "ok", "text/plain");
	if (strcmp(url, "/stats") == 0 && strcmp(method, "GET") == 0)
	{
		s = fk_stats_json();
		return send_buf(conn, 200, s, strlen(s), "application/json", -1, -1);
	}
	if (strcmp(url, "/ledger") == 0 && strcmp(method, "GET") == 0)
	{
		const char *sm = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "summary");
		const char *off = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "offset");
		const char *lim = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "limit");
		bool summary = sm && strcmp(sm, "0") != 0 && strcmp(sm, "false") != 0;

		s = fk_ledger_json(summary, off ? strtoull(off, NULL, 10) : 0,
		                   lim ? strtoull(lim, NULL, 10) : 0);
		return send_buf(conn, 200, s, strlen(s), "application/json", -1, -1);
	}
	if (strcmp(url, "/control") == 0 && strcmp(method, "GET") == 0)
	{
		s = fk_control_get();
		return send_buf(conn, 200, s, strlen(s), "application/json", -1, -1);
	}
	if (strcmp(url, "/control") == 0 && strcmp(method, "POST") == 0)
	{
		const char *em = NULL;

		s = fk_control_post(ctx->body.data ? ctx->body.data : "", ctx->body.len, &em);
		if (s == NULL)
		{
			json_t *e = json_pack("{s:s}", "error", em ? em : "bad request");
			char *es = json_dumps(e, JSON_COMPACT);

			json_decref(e);
			return send_buf(conn, 400, es, strlen(es), "application/json", -1, -1);
		}
		return send_buf(conn, 200, s, strlen(s), "application/json", -1, -1);
	}
	return send_str(conn, 405, "{\"error\":\"method not allowed\"}", "application/json");
}

static void
suspend_until(struct MHD_Connection *conn, ReqCtx *ctx, uint64_t delay_ms)
{
	ctx->suspended = true;
	MHD_suspend_connection(conn);
	dq_push(fk_now_ms() + delay_ms, conn, ctx);
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
        const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	ReqCtx *ctx = *con_cls;
	FkFaults f;
	bool drop = false;
	int status = 200;
	char *out;

	if (ctx == NULL)
	{
		ctx = fk_xcalloc(1, sizeof(ReqCtx));
		ctx->retry_after = -1;
		ctx->node = -1;
		*con_cls = ctx;
		fk_stat_http(H_REQUESTS);
		ctx->rpc = !is_control_path(url);
		if (ctx->rpc)
		{
			bool down;

			pthread_mutex_lock(&fk_lock);
			down = fk_cfg.faults.down;
			pthread_mutex_unlock(&fk_lock);
			if (down)
			{
				/* "unreachable": close the connection without any answer */
				fk_stat_http(H_DOWN);
				return MHD_NO;
			}
		}
		return MHD_YES;
	}
	if (ctx->resumed)
	{
		/* back from the delay queue */
		if (ctx->action == ACT_DROP)
			return MHD_NO;
		out = ctx->resp;
		ctx->resp = NULL;
		if (out == NULL)
			return send_str(conn, ctx->status, "", NULL);
		return send_buf(conn, ctx->status, out, ctx->resp_len, "application/json", ctx->retry_after,
		                ctx->node);
	}
	if (*upload_data_size > 0)
	{
		if (ctx->body.len + *upload_data_size > MAX_BODY)
			ctx->too_big = true;
		else
			fk_buf_put(&ctx->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (!ctx->rpc)
		return handle_admin(conn, url, method, ctx);

	/* JSON-RPC */
	if (strcmp(method, "POST") != 0)
	{
		fk_stat_http(H_NOT_FOUND);
		return send_str(conn, 405, "Used HTTP Method is not allowed. POST or OPTIONS is required",
		                "text/plain");
	}
	fk_stat_http(H_RPC_REQUESTS);
	pthread_mutex_lock(&fk_lock);
	f = fk_cfg.faults;
	pthread_mutex_unlock(&fk_lock);
	if (fk_roll(f.p_timeout))
	{
		/* no answer: hold the request, then drop the connection */
		fk_stat_http(H_TIMEOUT);
		ctx->action = ACT_DROP;
		suspend_until(conn, ctx, (uint64_t)f.timeout_hold_ms);
		return MHD_YES;
	}
	if (ctx->too_big)
	{
		fk_stat_http(H_TOO_LARGE);
		ctx->status = 413;
		ctx->resp = strdup("{\"error\":\"payload too large\"}");
	}
	else if (fk_roll(f.p_429))
	{
		fk_stat_http(H_429);
		ctx->status = 429;
		ctx->retry_after = f.retry_after_s;
		ctx->resp = strdup("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":429,\"message\":\"Too many "
		                   "requests for a specific RPC call\"},\"id\":null}");
	}
	else if (fk_roll(f.p_5xx))
	{
		static const unsigned codes[] = {500, 502, 503, 504};
		static unsigned rot;

		fk_stat_http(H_5XX);
		ctx->status = codes[__atomic_fetch_add(&rot, 1, __ATOMIC_RELAXED) % 4];
		ctx->resp = strdup("{\"error\":\"upstream error (solana-fake p_5xx)\"}");
	}
	else
	{
		const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");

		if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0)
		{
			fk_stat_http(H_BAD_CONTENT_TYPE);
			ctx->status = 415;
			ctx->resp = strdup("Supplied content type is not allowed. Content-Type: "
			                   "application/json is required");
		}
		else
		{
			/* load-balanced mode: the whole request (a batch too) goes to one node;
			 * POST /node/<i> asks node i directly */
			int pin = -1;
			int node;

			if (strncmp(url, "/node/", 6) == 0 && url[6] >= '0' && url[6] <= '9')
			{
				char *end;
				long v = strtol(url + 6, &end, 10);

				if ((*end == '\0' || strcmp(end, "/") == 0) && v < FK_MAX_NODES)
					pin = (int)v;
			}
			node = fk_route(&f, pin);
			if (f.nodes > 1)
				ctx->node = node;
			ctx->resp = fk_rpc_handle(ctx->body.data ? ctx->body.data : "", ctx->body.len, node,
			                          &drop, &status);
			ctx->status = (unsigned)status;
			if (drop)
			{
				/* the transaction landed; the caller never hears about it */
				fk_stat_http(H_LOST_RESPONSE);
				ctx->action = ACT_DROP;
				return MHD_NO;
			}
		}
	}
	ctx->resp_len = ctx->resp ? strlen(ctx->resp) : 0;
	if (f.latency_ms > 0)
	{
		suspend_until(conn, ctx, (uint64_t)(f.latency_ms + 0.5));
		return MHD_YES;
	}
	out = ctx->resp;
	ctx->resp = NULL;
	if (out == NULL)
		return send_str(conn, ctx->status, "", NULL);
	return send_buf(conn, ctx->status, out, ctx->resp_len,
	                ctx->status == 415 ? "text/plain" : "application/json", ctx->retry_after,
	                ctx->node);
}

static void
completed(void *cls, struct MHD_Connection *conn, void **con_cls,
          enum MHD_RequestTerminationCode toe)
{
	ReqCtx *ctx = *con_cls;

	if (ctx)
	{
		free(ctx->body.data);
		free(ctx->resp);
		free(ctx);
		*con_cls = NULL;
	}
}

static bool
loopback_addr(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
	{
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6)
	{
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return true;
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
			return in6->sin6_addr.s6_addr[12] == 127;
	}
	return false;
}

static enum MHD_Result
accept_policy(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	return loopback_addr(addr) ? MHD_YES : MHD_NO;
}

/* ---- options ---- */

static void
usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: solana-fake --listen 127.0.0.1:PORT [options]   (PORT 0 = any free port)\n"
	    "  --port-file FILE          write the bound port here once listening\n"
	    "  --slot-ms N               block time (default 400)\n"
	    "  --finalized-lag N         finalized trails processed by N blocks (default 32)\n"
	    "  --blockhash-window N      blockhash validity in blocks (default 150)\n"
	    "  --tree-capacity N         mints per tree, 0 = unlimited (default 0)\n"
	    "  --tree-block-limit N      at most N mints per tree per block, the rest wait (default "
	    "0)\n"
	    "  --min-priority-fee N      congestion: transactions paying less than N micro-lamports\n"
	    "                            per compute unit never land (default 0)\n"
	    "  --tree TREE:CREATOR       a tree created beforehand, with its creator (repeatable)\n"
	    "  --seed N                  RNG seed for faults (default 1)\n"
	    "  --threads N               HTTP worker threads (default 4)\n"
	    "  --latency-ms X --p-429 P --p-5xx P --p-timeout P --p-lost-response P\n"
	    "  --p-never-lands P --p-tx-error P --down --paused --retry-after-s N\n"
	    "  --timeout-hold-ms N --tx-error-code N\n"
	    "  --nodes N                 load-balanced pool of N node views (default 1)\n"
	    "  --node-lag L0,L1,...      fixed lag of each node in blocks (default 0)\n"
	    "  --lag-wander MIN-MAX      nodes 1..N-1 lag a wandering MIN..MAX blocks\n"
	    "  --route random|round-robin   how a request picks its node (default random)\n"
	    "  --webhook-log FILE        append one webhook delivery per landed/failed mint\n"
	    "  --webhook-secret whsec_…  Standard Webhooks HMAC secret\n"
	    "  --webhook-style standard|helius   --webhook-auth VALUE (helius Authorization)\n"
	    "  --quiet\n");
}

static int
parse_listen(const char *arg, struct sockaddr_storage *ss, socklen_t *sslen, bool *v6)
{
	char host[128];
	const char *colon;
	long port;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (arg[0] == '[')
	{
		const char *rb = strchr(arg, ']');

		if (rb == NULL || rb[1] != ':' || (size_t)(rb - arg - 1) >= sizeof(host))
			return -1;
		memcpy(host, arg + 1, (size_t)(rb - arg - 1));
		host[rb - arg - 1] = '\0';
		colon = rb + 1;
	}
	else
	{
		colon = strrchr(arg, ':');
		if (colon == NULL || (size_t)(colon - arg) >= sizeof(host))
			return -1;
		memcpy(host, arg, (size_t)(colon - arg));
		host[colon - arg] = '\0';
	}
	port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 0 || port > 65535)
		return -1;
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	{
		struct sockaddr_in *in = (struct sockaddr_in *)ss;
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET, host, &in->sin_addr) == 1)
		{
			in->sin_family = AF_INET;
			in->sin_port = htons((uint16_t)port);
			*sslen = sizeof(*in);
			*v6 = false;
		}
		else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1)
		{
			in6->sin6_family = AF_INET6;
			in6->sin6_port = htons((uint16_t)port);
			*sslen = sizeof(*in6);
			*v6 = true;
		}
		else
			return -1;
	}
	snprintf(fk_cfg.listen_host, sizeof(fk_cfg.listen_host), "%s", host);
	return loopback_addr((struct sockaddr *)ss) ? 0 : -2;
}

static int
parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return (errno || *end || end == s || s[0] == '-') ? -1 : 0;
}

static int
write_port_file(const char *path, int port)
{
	char tmp[4096];
	FILE *fp;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fp = fopen(tmp, "w");
	if (fp == NULL)
		return -1;
	fprintf(fp, "%d\n", port);
	if (fclose(fp) != 0 || rename(tmp, path) != 0)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	bool v6 = false;
	bool have_listen = false;
	const char *tree_specs[64];
	int ntree_specs = 0;
	const char *secret = NULL;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *di;
	pthread_t tick_th;
	pthread_t dq_th;
	sigset_t sigs;
	int sig;
	int i;
	unsigned flags;

	memset(&fk_cfg, 0, sizeof(fk_cfg));
	fk_cfg.finalized_lag = 32;
	fk_cfg.blockhash_window = 150;
	fk_cfg.seed = 1;
	fk_cfg.threads = 4;
	fk_cfg.faults.slot_ms = 400;
	fk_cfg.faults.retry_after_s = 1;
	fk_cfg.faults.timeout_hold_ms = 60000;
	fk_cfg.faults.tx_error_code = 6016;
	fk_cfg.faults.nodes = 1;
	fk_cfg.faults.route = FK_ROUTE_RANDOM;
	if (sodium_init() < 0)
		return 1;
	for (i = 1; i < argc; i++)
	{
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t u;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
		{
			usage(stdout);
			return 0;
		}
		if (strcmp(a, "--quiet") == 0)
		{
			fk_cfg.quiet = true;
			continue;
		}
		if (strcmp(a, "--down") == 0 || strcmp(a, "--paused") == 0)
		{
			if (a[2] == 'd')
				fk_cfg.faults.down = true;
			else
				fk_cfg.faults.paused = true;
			continue;
		}
		if (val == NULL || strncmp(a, "--", 2) != 0)
		{
			fprintf(stderr, "solana-fake: bad or incomplete option %s\n", a);
			usage(stderr);
			return 2;
		}
		i++;
		if (strcmp(a, "--listen") == 0)
		{
			int rc = parse_listen(val, &ss, &sslen, &v6);

			if (rc == -2)
			{
				fprintf(stderr,
				        "solana-fake: refusing to listen on %s: loopback addresses "
				        "only (127.0.0.0/8, ::1)\n",
				        val);
				return 2;
			}
			if (rc != 0)
			{
				fprintf(stderr, "solana-fake: bad --listen %s (want HOST:PORT)\n", val);
				return 2;
			}
			have_listen = true;
		}
		else if (strcmp(a, "--port-file") == 0)
			fk_cfg.port_file = val;
		else if (strcmp(a, "--finalized-lag") == 0 && parse_u64(val, &u) == 0 && u >= 1 &&
		         u < 100000)
			fk_cfg.finalized_lag = u;
		else if (strcmp(a, "--blockhash-window") == 0 && parse_u64(val, &u) == 0 && u >= 1 &&
		         u < 1000000)
			fk_cfg.blockhash_window = u;
		else if (strcmp(a, "--seed") == 0 && parse_u64(val, &u) == 0)
			fk_cfg.seed = u;
		else if (strcmp(a, "--threads") == 0 && parse_u64(val, &u) == 0 && u >= 1 && u <= 64)
			fk_cfg.threads = (int)u;
		else if (strcmp(a, "--tree") == 0 && ntree_specs < 64)
			tree_specs[ntree_specs++] = val;
		else if (strcmp(a, "--webhook-log") == 0)
			fk_cfg.webhook_log = val;
		else if (strcmp(a, "--webhook-secret") == 0)
			secret = val;
		else if (strcmp(a, "--webhook-auth") == 0)
			fk_cfg.webhook_auth = val;
		else if (strcmp(a, "--webhook-style") == 0 &&
		         (strcmp(val, "standard") == 0 || strcmp(val, "helius") == 0))
			fk_cfg.webhook_helius = strcmp(val, "helius") == 0;
		else
		{
			/* fault / chain settings share the control API's names */
			char name[64];
			size_t k;
			json_error_t jerr;
			json_t *jv;
			const char *em = NULL;

			snprintf(name, sizeof(name), "%s", a + 2);
			for (k = 0; name[k]; k++)
				if (name[k] == '-')
					name[k] = '_';
			jv = json_loads(val, JSON_DECODE_ANY, &jerr);
			if (jv == NULL)
				jv = json_string(val); /* 0,50,100  80-120  round-robin */
			if (jv == NULL || fk_apply_option(&fk_cfg.faults, name, jv, &em) != 0)
			{
				fprintf(stderr, "solana-fake: bad option %s %s%s%s\n", a, val, em ? ": " : "",
				        em ? em : "");
				json_decref(jv);
				return 2;
			}
			json_decref(jv);
		}
	}
	if (!have_listen)
	{
		fprintf(stderr, "solana-fake: --listen 127.0.0.1:PORT is required\n");
		usage(stderr);
		return 2;
	}
	if (fk_cfg.webhook_log && !fk_cfg.webhook_helius)
	{
		const char *b64;
		size_t klen = 0;

		if (secret == NULL)
		{
			fprintf(stderr, "solana-fake: --webhook-log needs --webhook-secret whsec_… "
			                "(or --webhook-style helius)\n");
			return 2;
		}
		b64 = strncmp(secret, "whsec_", 6) == 0 ? secret + 6 : secret;
		if (sodium_base642bin(fk_cfg.webhook_key, sizeof(fk_cfg.webhook_key), b64, strlen(b64),
		                      NULL, &klen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 &&
		    sodium_base642bin(fk_cfg.webhook_key, sizeof(fk_cfg.webhook_key), b64, strlen(b64),
		                      NULL, &klen, NULL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0)
		{
			fprintf(stderr, "solana-fake: --webhook-secret is not base64\n");
			return 2;
		}
		if (klen == 0)
		{
			fprintf(stderr, "solana-fake: empty --webhook-secret\n");
			return 2;
		}
		fk_cfg.webhook_key_len = klen;
	}
	if (fk_webhook_open() != 0)
		return 1;
	fk_chain_init();
	for (i = 0; i < ntree_specs; i++)
	{
		const char *em = NULL;

		if (fk_chain_add_tree(tree_specs[i], &em) != 0)
		{
			fprintf(stderr, "solana-fake: bad option --tree %s: %s\n", tree_specs[i], em);
			return 2;
		}
	}

	/* all threads inherit the blocked signals; main waits for them */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	pthread_mutex_init(&dq.mu, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&dq.cv, &ca);
		pthread_condattr_destroy(&ca);
	}
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
	if (!fk_cfg.quiet)
		flags |= MHD_USE_ERROR_LOG;
	if (v6)
		flags |= MHD_USE_IPv6;
	d = MHD_start_daemon(flags, 0, &accept_policy, NULL, &handler, NULL, MHD_OPTION_SOCK_ADDR,
	                     (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
	                     (unsigned)fk_cfg.threads, MHD_OPTION_NOTIFY_COMPLETED, &completed, NULL,
	                     MHD_OPTION_CONNECTION_LIMIT, (unsigned)10000,
	                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
	                     MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
	if (d == NULL)
	{
		fprintf(stderr, "solana-fake: cannot listen on %s port %d: %s\n", fk_cfg.listen_host,
		        ntohs(((struct sockaddr_in *)&ss)->sin_port), strerror(errno));
		fk_webhook_close();
		fk_chain_free();
		return 1;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fk_cfg.listen_port = di ? di->port : 0;
	pthread_create(&dq_th, NULL, dq_thread, NULL);
	pthread_create(&tick_th, NULL, ticker_thread, NULL);
	if (fk_cfg.port_file && write_port_file(fk_cfg.port_file, fk_cfg.listen_port) != 0)
	{
		fprintf(stderr, "solana-fake: cannot write %s: %s\n", fk_cfg.port_file, strerror(errno));
		__atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
	}
	else if (!fk_cfg.quiet)
		fprintf(stderr, "solana-fake: listening on http://%s%s%s:%d (pid %d)\n", v6 ? "[" : "",
		        fk_cfg.listen_host, v6 ? "]" : "", fk_cfg.listen_port, (int)getpid());
	if (!__atomic_load_n(&stopping, __ATOMIC_ACQUIRE))
		sigwait(&sigs, &sig);
	__atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
	pthread_join(tick_th, NULL);
	pthread_mutex_lock(&dq.mu);
	dq.stop = true;
	pthread_cond_signal(&dq.cv);
	pthread_mutex_unlock(&dq.mu);
	pthread_join(dq_th, NULL);
	MHD_quiesce_daemon(d);
	usleep(20000);
	MHD_stop_daemon(d);
	free(dq.heap);
	fk_webhook_close();
	fk_chain_free();
	return 0;
}
