/*
 * fake_util.c
 *	  solana-fake helpers: buffers, RNG, string map, stats, webhook log.
 */
#include "fake.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

void *
fk_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
	{
		fprintf(stderr, "solana-fake: out of memory\n");
		abort();
	}
	return p;
}

void *
fk_xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (p == NULL)
	{
		fprintf(stderr, "solana-fake: out of memory\n");
		abort();
	}
	return p;
}

void *
fk_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
	{
		fprintf(stderr, "solana-fake: out of memory\n");
		abort();
	}
	return q;
}

char *
fk_xstrndup(const char *s, size_t n)
{
	char *p = fk_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
fk_buf_reserve(FkBuf *b, size_t extra)
{
	if (b->len + extra + 1 > b->cap)
	{
		size_t nc = b->cap ? b->cap * 2 : 256;

		while (nc < b->len + extra + 1)
			nc *= 2;
		b->data = fk_xrealloc(b->data, nc);
		b->cap = nc;
	}
}

void
fk_buf_put(FkBuf *b, const void *p, size_t n)
{
	fk_buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
fk_buf_puts(FkBuf *b, const char *s)
{
	fk_buf_put(b, s, strlen(s));
}

void
fk_buf_printf(FkBuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	fk_buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
fk_buf_json_str(FkBuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	fk_buf_reserve(b, n + 2);
	b->data[b->len++] = '"';
	for (i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char)s[i];

		fk_buf_reserve(b, 6);
		if (c == '"' || c == '\\')
		{
			b->data[b->len++] = '\\';
			b->data[b->len++] = (char)c;
		}
		else if (c < 0x20 || c == 0x7f)
		{
			b->data[b->len++] = '\\';
			b->data[b->len++] = 'u';
			b->data[b->len++] = '0';
			b->data[b->len++] = '0';
			b->data[b->len++] = hex[c >> 4];
			b->data[b->len++] = hex[c & 15];
		}
		else
			b->data[b->len++] = (char)c;
	}
	fk_buf_reserve(b, 1);
	b->data[b->len++] = '"';
	b->data[b->len] = '\0';
}

uint64_t
fk_rng_next(FkRng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double
fk_rng_double(FkRng *r)
{
	return (double)(fk_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

uint64_t
fk_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- string map ---- */

static uint64_t
fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++)
	{
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

uint64_t *
fk_strmap_get(FkStrMap *m, const char *k, size_t klen, bool create)
{
	size_t i;

	if (m->cap == 0)
	{
		if (!create)
			return NULL;
		m->cap = 1024;
		m->keys = fk_xcalloc(m->cap, sizeof(char *));
		m->vals = fk_xcalloc(m->cap, sizeof(uint64_t));
	}
	if (create && (m->count + 1) * 10 > m->cap * 7)
	{
		FkStrMap n = {0};
		size_t j;

		n.cap = m->cap * 2;
		n.keys = fk_xcalloc(n.cap, sizeof(char *));
		n.vals = fk_xcalloc(n.cap, sizeof(uint64_t));
		for (j = 0; j < m->cap; j++)
		{
			if (m->keys[j])
			{
				size_t p = fnv1a(m->keys[j], strlen(m->keys[j])) & (n.cap - 1);

				while (n.keys[p])
					p = (p + 1) & (n.cap - 1);
				n.keys[p] = m->keys[j];
				n.vals[p] = m->vals[j];
			}
		}
		n.count = m->count;
		free(m->keys);
		free(m->vals);
		*m = n;
	}
	i = fnv1a(k, klen) & (m->cap - 1);
	while (m->keys[i])
	{
		if (strlen(m->keys[i]) == klen && memcmp(m->keys[i], k, klen) == 0)
			return &m->vals[i];
		i = (i + 1) & (m->cap - 1);
	}
	if (!create)
		return NULL;
	m->keys[i] = fk_xstrndup(k, klen);
	m->vals[i] = 0;
	m->count++;
	return &m->vals[i];
}

void
fk_strmap_free(FkStrMap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ---- stats ---- */

const char *const fk_method_names[M__COUNT] = {"getHealth",
                                               "getVersion",
                                               "getSlot",
                                               "getBlockHeight",
                                               "getLatestBlockhash",
                                               "sendTransaction",
                                               "getSignatureStatuses",
                                               "getTransaction",
                                               "getAccountInfo",
                                               "getEpochInfo",
                                               "getGenesisHash",
                                               "isBlockhashValid",
                                               "getRecentPrioritizationFees",
                                               "other"};
static const char *const outcome_names[O__COUNT] = {"ok",
                                                    "duplicate",
                                                    "already_processed",
                                                    "blockhash_not_found",
                                                    "sig_verify_failed",
                                                    "invalid_params",
                                                    "simulation_failed",
                                                    "never_lands",
                                                    "dropped_bad_signature",
                                                    "dropped_bad_blockhash",
                                                    "lost_response",
                                                    "method_not_found",
                                                    "min_context_slot",
                                                    "invalid_request",
                                                    "unsupported_transaction"};
static const char *const http_names[H__COUNT] = {
    "requests",    "rpc_requests",   "batches",          "down",
    "p_429",       "p_5xx",          "p_timeout",        "lost_response",
    "parse_error", "body_too_large", "bad_content_type", "not_found",
    "control"};
static const char *const chain_names[C__COUNT] = {
    "blocks",           "landed_ok",  "landed_err",      "tx_error_injected", "tree_full",
    "expired_in_queue", "priced_out", "tree_block_full", "webhooks"};

static const char *const node_stat_names[N__COUNT] = {"requests", "calls", "min_context_slot",
                                                      "blockhash_not_found"};

static uint64_t st_method[M__COUNT][O__COUNT];
static uint64_t st_node[FK_MAX_NODES][N__COUNT];
static uint64_t st_http[H__COUNT];
static uint64_t st_chain[C__COUNT];

void
fk_stat_method(int method, int outcome)
{
	__atomic_fetch_add(&st_method[method][outcome], 1, __ATOMIC_RELAXED);
}

void
fk_stat_node(int node, int which)
{
	if (node >= 0 && node < FK_MAX_NODES)
		__atomic_fetch_add(&st_node[node][which], 1, __ATOMIC_RELAXED);
}

void
fk_stat_http(int which)
{
	__atomic_fetch_add(&st_http[which], 1, __ATOMIC_RELAXED);
}

void
fk_stat_chain(int which)
{
	__atomic_fetch_add(&st_chain[which], 1, __ATOMIC_RELAXED);
}

void
fk_stats_reset(void)
{
	int i;
	int j;

	for (i = 0; i < M__COUNT; i++)
		for (j = 0; j < O__COUNT; j++)
			__atomic_store_n(&st_method[i][j], 0, __ATOMIC_RELAXED);
	for (i = 0; i < H__COUNT; i++)
		__atomic_store_n(&st_http[i], 0, __ATOMIC_RELAXED);
	for (i = 0; i < FK_MAX_NODES; i++)
		for (j = 0; j < N__COUNT; j++)
			__atomic_store_n(&st_node[i][j], 0, __ATOMIC_RELAXED);
}

char *
fk_stats_json(void)
{
	json_t *root = json_object();
	json_t *http = json_object();
	json_t *methods = json_object();
	json_t *chain = json_object();
	json_t *nodes = json_array();
	uint64_t lags[FK_MAX_NODES];
	int nn = fk_node_lags(lags);
	char *s;
	int i;
	int j;

	for (i = 0; i < H__COUNT; i++)
		json_object_set_new(
		    http, http_names[i],
		    json_integer((json_int_t)__atomic_load_n(&st_http[i], __ATOMIC_RELAXED)));
	for (i = 0; i < M__COUNT; i++)
	{
		json_t *m = NULL;

		for (j = 0; j < O__COUNT; j++)
		{
			uint64_t v = __atomic_load_n(&st_method[i][j], __ATOMIC_RELAXED);

			if (v == 0)
				continue;
			if (m == NULL)
				m = json_object();
			json_object_set_new(m, outcome_names[j], json_integer((json_int_t)v));
		}
		if (m)
			json_object_set_new(methods, fk_method_names[i], m);
	}
	for (i = 0; i < C__COUNT; i++)
		json_object_set_new(
		    chain, chain_names[i],
		    json_integer((json_int_t)__atomic_load_n(&st_chain[i], __ATOMIC_RELAXED)));
	json_object_set_new(root, "http", http);
	json_object_set_new(root, "methods", methods);
	for (i = 0; i < nn; i++)
	{
		json_t *n = json_pack("{s:i,s:I}", "node", i, "lag", (json_int_t)lags[i]);

		for (j = 0; j < N__COUNT; j++)
			json_object_set_new(
			    n, node_stat_names[j],
			    json_integer((json_int_t)__atomic_load_n(&st_node[i][j], __ATOMIC_RELAXED)));
		json_array_append_new(nodes, n);
	}
	json_object_set_new(root, "chain", chain);
	json_object_set_new(root, "nodes", nodes);
	s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return s;
}

/* ---- webhook log ---- */

static FILE *wh_file;
static pthread_mutex_t wh_lock = PTHREAD_MUTEX_INITIALIZER;

int
fk_webhook_open(void)
{
	if (fk_cfg.webhook_log == NULL)
		return 0;
	wh_file = fopen(fk_cfg.webhook_log, "a");
	if (wh_file == NULL)
	{
		perror(fk_cfg.webhook_log);
		return -1;
	}
	return 0;
}

void
fk_webhook_close(void)
{
	if (wh_file)
		fclose(wh_file);
	wh_file = NULL;
}

/*
 * Append one delivery: {"headers":{...},"body":"<raw body>"}.  Standard
 * Webhooks: webhook-id / webhook-timestamp / webhook-signature (v1 = base64
 * HMAC-SHA256(key, id "." ts "." body)).  Helius: Authorization.
 */
void
fk_webhook_emit(const char *body, size_t len, const char *msg_id)
{
	json_t *line;
	json_t *hdr;
	char *s;

	if (wh_file == NULL)
		return;
	line = json_object();
	hdr = json_object();
	json_object_set_new(hdr, "content-type", json_string("application/json"));
	if (fk_cfg.webhook_helius)
	{
		if (fk_cfg.webhook_auth)
			json_object_set_new(hdr, "Authorization", json_string(fk_cfg.webhook_auth));
	}
	else
	{
		crypto_auth_hmacsha256_state st;
		unsigned char mac[crypto_auth_hmacsha256_BYTES];
		char ts[32];
		char b64[sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES,
		                                   sodium_base64_VARIANT_ORIGINAL)];
		char sig[sizeof(b64) + 4];

		snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
		crypto_auth_hmacsha256_init(&st, fk_cfg.webhook_key, fk_cfg.webhook_key_len);
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg_id, strlen(msg_id));
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
		crypto_auth_hmacsha256_final(&st, mac);
		sodium_bin2base64(b64, sizeof(b64), mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
		snprintf(sig, sizeof(sig), "v1,%s", b64);
		json_object_set_new(hdr, "webhook-id", json_string(msg_id));
		json_object_set_new(hdr, "webhook-timestamp", json_string(ts));
		json_object_set_new(hdr, "webhook-signature", json_string(sig));
	}
	json_object_set_new(line, "headers", hdr);
	json_object_set_new(line, "body", json_stringn(body, len));
	s = json_dumps(line, JSON_COMPACT);
	json_decref(line);
	if (s)
	{
		pthread_mutex_lock(&wh_lock);
		fputs(s, wh_file);
		fputc('\n', wh_file);
		fflush(wh_file);
		pthread_mutex_unlock(&wh_lock);
		free(s);
		fk_stat_chain(C_WEBHOOKS);
	}
}
