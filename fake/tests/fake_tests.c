/*
 * fake_tests.c
 *	  End-to-end tests of solana-fake: each test starts the server on a free
 *	  loopback port (--listen 127.0.0.1:0 --port-file), talks HTTP to it with
 *	  libcurl (keep-alive) and stops it by pid.  The server binary is $FAKE_BIN
 *	  (default fake/solana-fake).  Prints "N passed, M failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "sol_bubblegum.h"
#include "sol_codec.h"
#include "sol_crypto.h"
#include "sol_tx.h"

/* ---- harness ---- */
static int n_passed;
static int n_failed;
static int cur_failed;
static const char *cur_test;
static char tmpdir[256];

#define CHECK(cond, ...)                                                                           \
	do                                                                                             \
	{                                                                                              \
		if (!(cond))                                                                               \
		{                                                                                          \
			cur_failed++;                                                                          \
			fprintf(stderr, "    FAIL %s:%d (%s): ", __FILE__, __LINE__, #cond);                   \
			fprintf(stderr, __VA_ARGS__);                                                          \
			fputc('\n', stderr);                                                                   \
		}                                                                                          \
	} while (0)

static void run_test(const char *name, void (*fn)(void));

/* ---- server process ---- */
typedef struct Srv
{
	pid_t pid;
	int port;
	CURL *curl;
	char base[64];
} Srv;

static const char *fake_bin;
static bool forbid_reuse;

static bool
srv_start(Srv *s, const char *extra)
{
	char portfile[300];
	char cmd[2048];
	char *argv[64];
	int argc = 0;
	char *tok;
	char *save;
	int i;
	static int seq;

	memset(s, 0, sizeof(*s));
	snprintf(portfile, sizeof(portfile), "%s/port.%d", tmpdir, ++seq);
	unlink(portfile);
	snprintf(cmd, sizeof(cmd), "%s --listen 127.0.0.1:0 --port-file %s --quiet %s", fake_bin,
	         portfile, extra ? extra : "");
	for (tok = strtok_r(cmd, " ", &save); tok && argc < 63; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	s->pid = fork();
	if (s->pid == 0)
	{
		execv(argv[0], argv);
		_exit(127);
	}
	for (i = 0; i < 1000; i++)
	{
		FILE *fp = fopen(portfile, "r");

		if (fp)
		{
			int ok = fscanf(fp, "%d", &s->port);

			fclose(fp);
			if (ok == 1 && s->port > 0)
				break;
		}
		if (waitpid(s->pid, NULL, WNOHANG) == s->pid)
		{
			s->pid = 0;
			return false;
		}
		usleep(10000);
	}
	if (s->port <= 0)
		return false;
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%d", s->port);
	s->curl = curl_easy_init();
	return true;
}

/* Stop by pid; returns the exit status (0 = clean, sanitizer reports make it non-zero). */
static int
srv_stop(Srv *s)
{
	int st = 0;

	if (s->curl)
		curl_easy_cleanup(s->curl);
	s->curl = NULL;
	if (s->pid <= 0)
		return -1;
	kill(s->pid, SIGTERM);
	if (waitpid(s->pid, &st, 0) != s->pid)
		return -1;
	s->pid = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- HTTP ---- */
typedef struct Resp
{
	CURLcode rc;
	long status;
	char *body;
	size_t len;
	char retry_after[32];
	char ctype[64];
	int node; /* X-Solana-Fake-Node, -1 if absent */
} Resp;

static size_t
wr_cb(char *p, size_t sz, size_t n, void *ud)
{
	Resp *r = ud;

	r->body = realloc(r->body, r->len + sz * n + 1);
	memcpy(r->body + r->len, p, sz * n);
	r->len += sz * n;
	r->body[r->len] = '\0';
	return sz * n;
}

static size_t
hdr_cb(char *p, size_t sz, size_t n, void *ud)
{
	Resp *r = ud;
	size_t len = sz * n;

	if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0)
		snprintf(r->retry_after, sizeof(r->retry_after), "%.*s", (int)(len - 12), p + 12);
	if (len > 13 && strncasecmp(p, "Content-Type:", 13) == 0)
		snprintf(r->ctype, sizeof(r->ctype), "%.*s", (int)(len - 13), p + 13);
	if (len > 19 && strncasecmp(p, "X-Solana-Fake-Node:", 19) == 0)
		r->node = atoi(p + 19);
	return len;
}

static void
resp_free(Resp *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

static Resp
http(Srv *s, const char *method, const char *path, const char *body, const char *ctype,
     long timeout_ms)
{
	Resp r;
	char url[256];
	struct curl_slist *h = NULL;
	char ct[128];

	memset(&r, 0, sizeof(r));
	r.node = -1;
	snprintf(url, sizeof(url), "%s%s", s->base, path);
	curl_easy_reset(s->curl);
	curl_easy_setopt(s->curl, CURLOPT_URL, url);
	curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, wr_cb);
	curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(s->curl, CURLOPT_HEADERFUNCTION, hdr_cb);
	curl_easy_setopt(s->curl, CURLOPT_HEADERDATA, &r);
	curl_easy_setopt(s->curl, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 20000L);
	curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
	if (forbid_reuse)
		curl_easy_setopt(s->curl, CURLOPT_FORBID_REUSE, 1L);
	if (strcmp(method, "POST") == 0)
	{
		snprintf(ct, sizeof(ct), "Content-Type: %s", ctype ? ctype : "application/json");
		h = curl_slist_append(h, ct);
		h = curl_slist_append(h, "Expect:");
		curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(s->curl, CURLOPT_POSTFIELDS, body ? body : "");
	}
	r.rc = curl_easy_perform(s->curl);
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &r.status);
	curl_slist_free_all(h);
	if (r.body == NULL)
		r.body = strdup("");
	if (getenv("FAKE_TRACE"))
	{
		/* FAKE_TRACE=FILE: every exchange, to compare two builds' answers */
		FILE *tf = fopen(getenv("FAKE_TRACE"), "a");

		if (tf)
		{
			fprintf(tf, "%s %s %s\n-> %ld %s\n", method, path, body ? body : "", r.status, r.body);
			fclose(tf);
		}
	}
	return r;
}

/* POST / with a JSON-RPC body; returns the parsed response or NULL. */
static json_t *
rpc_raw(Srv *s, const char *body)
{
	Resp r = http(s, "POST", "/", body, NULL, 0);
	json_t *j = NULL;

	if (r.rc == CURLE_OK && r.status == 200)
		j = json_loads(r.body, JSON_DECODE_ANY, NULL);
	resp_free(&r);
	return j;
}

static json_t *
rpc(Srv *s, const char *method, const char *params)
{
	char *body = NULL;
	json_t *j;

	if (asprintf(&body, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":%s}", method,
	             params ? params : "[]") < 0)
		return NULL;
	j = rpc_raw(s, body);
	free(body);
	return j;
}

/* the same, straight to one node of the pool: POST /node/<i> */
static json_t *
rpc_at(Srv *s, int node, const char *method, const char *params)
{
	char *body = NULL;
	char path[32];
	Resp r;
	json_t *j = NULL;

	if (asprintf(&body, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":%s}", method,
	             params ? params : "[]") < 0)
		return NULL;
	snprintf(path, sizeof(path), "/node/%d", node);
	r = http(s, "POST", path, body, NULL, 0);
	free(body);
	if (r.rc == CURLE_OK && r.status == 200 && r.node == node)
		j = json_loads(r.body, JSON_DECODE_ANY, NULL);
	resp_free(&r);
	return j;
}

static json_t *
control(Srv *s, const char *body)
{
	Resp r = http(s, "POST", "/control", body, NULL, 0);
	json_t *j = r.status == 200 ? json_loads(r.body, 0, NULL) : NULL;

	resp_free(&r);
	return j;
}

static void
advance(Srv *s, int n)
{
	char b[64];

	snprintf(b, sizeof(b), "{\"advance\":%d}", n);
	json_decref(control(s, b));
}

static json_t *
get_json(Srv *s, const char *path)
{
	Resp r = http(s, "GET", path, NULL, NULL, 0);
	json_t *j = r.status == 200 ? json_loads(r.body, 0, NULL) : NULL;

	resp_free(&r);
	return j;
}

static json_t *jget(json_t *o, const char *path);

/* dotted path lookup, e.g. "result.value.lastValidBlockHeight" or
 * "error.data.err.InstructionError.1" */
static json_int_t
jint(json_t *o, const char *path)
{
	json_t *v = jget(o, path);

	return json_is_integer(v) ? json_integer_value(v) : -999999;
}

static json_t *
jget(json_t *o, const char *path)
{
	char buf[256];
	char *save;
	char *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save))
		o = json_is_array(o) ? json_array_get(o, (size_t)atoi(tok)) : json_object_get(o, tok);
	return o;
}

static const char *
jstr(json_t *o, const char *path)
{
	json_t *v = jget(o, path);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* ---- transactions ---- */
static uint8_t payer_sk[64];
static uint8_t payer_pk[32];
static uint8_t tree_pk[32];
static uint8_t owner_pk[32];

static void
init_keys(void)
{
	uint8_t seed[32];
	uint8_t sk[64];

	memset(seed, 1, 32);
	sol_keypair_from_seed(seed, payer_sk, payer_pk);
	memset(seed, 2, 32);
	sol_keypair_from_seed(seed, sk, tree_pk);
	memset(seed, 3, 32);
	sol_keypair_from_seed(seed, sk, owner_pk);
}

static void
sample_md(SolMetadata *md, int ticket)
{
	memset(md, 0, sizeof(*md));
	snprintf(md->name, sizeof(md->name), "Ticket #%d", ticket);
	md->name_len = strlen(md->name);
	snprintf(md->symbol, sizeof(md->symbol), "TIX");
	md->symbol_len = 3;
	snprintf(md->uri, sizeof(md->uri), "https://example.com/t/%d.json", ticket);
	md->uri_len = strlen(md->uri);
	md->is_mutable = true;
	md->has_token_standard = true;
	md->token_standard = 0;
	md->num_creators = 1;
	memcpy(md->creators[0].address, payer_pk, 32);
	md->creators[0].share = 100;
}

static bool
latest_blockhash(Srv *s, const char *commitment, uint8_t bh[32], json_int_t *lvbh)
{
	char p[80];
	json_t *j;
	bool ok;

	snprintf(p, sizeof(p), "[{\"commitment\":\"%s\"}]", commitment);
	j = rpc(s, "getLatestBlockhash", p);
	ok = j && sol_pubkey_from_b58(jstr(j, "result.value.blockhash"), bh);
	if (lvbh)
		*lvbh = jint(j, "result.value.lastValidBlockHeight");
	json_decref(j);
	return ok;
}

/* SetComputeUnitPrice of the mints build_mint() makes (0: none) */
static uint64_t build_cu_price = 0;

/* Build a signed mint for `ticket`; returns wire length, fills base64 and signature b58. */
static int
build_mint(const uint8_t bh[32], int ticket, bool collection, uint8_t *wire, char *b64,
           char *sigb58)
{
	SolMintParams mp;
	SolMetadata md;
	SolError err;
	uint8_t sig[64];
	int n;

	sample_md(&md, ticket);
	memset(&mp, 0, sizeof(mp));
	memcpy(mp.payer, payer_pk, 32);
	memcpy(mp.tree, tree_pk, 32);
	memcpy(mp.owner, owner_pk, 32);
	memcpy(mp.tree_delegate, payer_pk, 32);
	mp.md = &md;
	if (collection)
	{
		uint8_t seed[32];
		uint8_t sk[64];

		memset(seed, 5, 32);
		sol_keypair_from_seed(seed, sk, mp.collection_mint);
		mp.to_collection = true;
		memcpy(mp.collection_authority, payer_pk, 32);
	}
	if (build_cu_price > 0)
	{
		mp.cu_price_micro_lamports = build_cu_price;
		mp.cu_limit = 300000;
	}
	n = sol_build_mint_tx(&mp, bh, payer_sk, wire, 1232, sig, &err);
	if (n < 0)
	{
		fprintf(stderr, "build_mint: %s\n", err.message);
		return -1;
	}
	if (b64)
		sol_base64_encode(wire, (size_t)n, b64, 2048);
	if (sigb58)
		sol_signature_to_b58(sig, sigb58);
	return n;
}

static json_t *
send_tx(Srv *s, const char *b64, bool skip, const char *preflight)
{
	char *p = NULL;
	json_t *j;

	if (asprintf(&p,
	             "[\"%s\",{\"encoding\":\"base64\",\"skipPreflight\":%s,"
	             "\"preflightCommitment\":\"%s\",\"maxRetries\":0}]",
	             b64, skip ? "true" : "false", preflight ? preflight : "confirmed") < 0)
		return NULL;
	j = rpc(s, "sendTransaction", p);
	free(p);
	return j;
}

static void
resign(uint8_t *wire, size_t len)
{
	/* single-signer wire: 01 || sig || message */
	sol_sign(payer_sk, wire + 65, len - 65, wire + 1);
}

static void
to_b64(const uint8_t *wire, size_t n, char *out)
{
	sol_base64_encode(wire, n, out, 4096);
}

static json_t *
ledger(Srv *s)
{
	return get_json(s, "/ledger");
}

/* ======================= tests ======================= */

static void
t_methods(void)
{
	Srv s;
	json_t *j;
	Resp r;
	uint8_t bh[32];
	json_int_t lv;
	json_int_t hp;

	CHECK(srv_start(&s, "--paused --finalized-lag 10 --blockhash-window 150"), "start");
	j = rpc(&s, "getHealth", NULL);
	CHECK(strcmp(jstr(j, "result"), "ok") == 0, "getHealth");
	CHECK(json_is_integer(jget(j, "id")) && strcmp(jstr(j, "jsonrpc"), "2.0") == 0, "envelope");
	json_decref(j);
	j = rpc_raw(&s, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getBlockHeight\",\"params\":[{"
	                "\"commitment\":\"processed\"}]},"
	                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"getBlockHeight\",\"params\":[{"
	                "\"commitment\":\"confirmed\"}]},"
	                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"getBlockHeight\"},"
	                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"getSlot\",\"params\":[{"
	                "\"commitment\":\"processed\"}]},"
	                "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"nope\"}]");
	CHECK(json_is_array(j) && json_array_size(j) == 5, "batch: array in, array out");
	hp = jint(j, "0.result");
	CHECK(hp - jint(j, "1.result") == 1, "confirmed lags 1");
	CHECK(hp - jint(j, "2.result") == 10, "finalized (default) lags --finalized-lag");
	CHECK(jint(j, "3.result") > hp, "slot > block height");
	CHECK(jint(j, "4.error.code") == -32601 && strcmp(jstr(j, "4.id"), "x") == 0,
	      "method not found in batch");
	json_decref(j);
	CHECK(latest_blockhash(&s, "finalized", bh, &lv), "getLatestBlockhash");
	CHECK(lv == hp - 10 + 150, "lastValidBlockHeight = height + window (%lld)", (long long)lv);
	advance(&s, 3);
	j = rpc(&s, "getBlockHeight", "[{\"commitment\":\"processed\"}]");
	CHECK(jint(j, "result") == hp + 3, "advance moves the chain");
	json_decref(j);
	j = rpc(&s, "getVersion", NULL);
	CHECK(strlen(jstr(j, "result.solana-core")) > 0 && jint(j, "result.feature-set") > 0,
	      "getVersion");
	json_decref(j);
	r = http(&s, "POST", "/", "{\"jsonrpc\":\"2.0\",\"method\":\"getHealth\"}", NULL, 0);
	CHECK(r.status == 200 && r.len == 0, "notification: no body");
	resp_free(&r);
	j = rpc(&s, "getSlot", "[{\"commitment\":\"processed\",\"minContextSlot\":99999999}]");
	CHECK(jint(j, "error.code") == -32016, "minContextSlot not reached");
	json_decref(j);
	j = rpc(&s, "getBlockHeight", "[{\"commitment\":\"bogus\"}]");
	CHECK(jint(j, "error.code") == -32602, "bad commitment");
	json_decref(j);
	j = rpc_raw(&s, "[]");
	CHECK(jint(j, "error.code") == -32600, "empty batch");
	json_decref(j);
	j = rpc_raw(&s, "{not json");
	CHECK(jint(j, "error.code") == -32700, "parse error");
	json_decref(j);
	j = rpc_raw(&s, "{\"id\":1,\"method\":\"getHealth\"}");
	CHECK(jint(j, "error.code") == -32600, "missing jsonrpc");
	json_decref(j);
	r = http(&s, "POST", "/", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getHealth\"}",
	         "text/plain", 0);
	CHECK(r.status == 415, "wrong content type -> 415 (%ld)", r.status);
	resp_free(&r);
	j = get_json(&s, "/control");
	CHECK(json_is_true(jget(j, "paused")) && jint(j, "finalized_lag") == 10, "GET /control");
	json_decref(j);
	j = control(&s, "{\"p_429\":2}");
	CHECK(j == NULL, "control rejects bad probability");
	j = control(&s, "{\"nonsense\":1}");
	CHECK(j == NULL, "control rejects unknown key");
	CHECK(srv_stop(&s) == 0, "clean exit");
}

static void
t_loopback_only(void)
{
	int st;
	pid_t pid;
	const char *bad[] = {"0.0.0.0:0", "10.1.2.3:0", "[::]:0", "8.8.8.8:53"};
	size_t i;

	for (i = 0; i < 4; i++)
	{
		pid = fork();
		if (pid == 0)
		{
			int fd = open("/dev/null", O_WRONLY);

			dup2(fd, 2);
			execl(fake_bin, fake_bin, "--listen", bad[i], (char *)NULL);
			_exit(127);
		}
		waitpid(pid, &st, 0);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2, "refuses %s", bad[i]);
	}
}

static void
t_land_once(void)
{
	Srv s;
	uint8_t bh[32];
	uint8_t wire[1232];
	char b64[2048];
	char b58tx[2048];
	char sig[100];
	json_t *j;
	int n;
	int i;
	char *p = NULL;

	CHECK(srv_start(&s, "--paused"), "start");
	CHECK(latest_blockhash(&s, "confirmed", bh, NULL), "blockhash");
	n = build_mint(bh, 1, false, wire, b64, sig);
	CHECK(n > 0, "build");
	for (i = 0; i < 3; i++)
	{
		j = send_tx(&s, b64, false, "confirmed");
		CHECK(strcmp(jstr(j, "result"), sig) == 0, "send #%d returns the signature", i);
		json_decref(j);
	}
	/* base58 (the default encoding) */
	sol_b58_encode(wire, (size_t)n, b58tx, sizeof(b58tx));
	CHECK(asprintf(&p, "[\"%s\",{\"preflightCommitment\":\"confirmed\"}]", b58tx) > 0, "fmt");
	j = rpc(&s, "sendTransaction", p);
	free(p);
	CHECK(strcmp(jstr(j, "result"), sig) == 0, "base58 send");
	json_decref(j);
	/* default preflightCommitment is finalized: a confirmed blockhash is too new there */
	j = send_tx(&s, b64, false, "finalized");
	CHECK(jint(j, "error.code") == -32002 &&
	          strcmp(jstr(j, "error.message"),
	                 "Transaction simulation failed: Blockhash not found") == 0,
	      "finalized preflight bank does not know a confirmed blockhash");
	json_decref(j);
	advance(&s, 1);
	/* landed in the newest block: not yet in the confirmed preflight bank */
	j = send_tx(&s, b64, false, "confirmed");
	CHECK(strcmp(jstr(j, "result"), sig) == 0, "landed but not in the preflight bank: duplicate");
	json_decref(j);
	advance(&s, 1);
	j = send_tx(&s, b64, false, "confirmed");
	CHECK(
	    jint(j, "error.code") == -32002 &&
	        strcmp(jstr(j, "error.message"),
	               "Transaction simulation failed: This transaction has already been processed") ==
	            0 &&
	        strcmp(jstr(j, "error.data.err"), "AlreadyProcessed") == 0,
	    "re-send after landing: AlreadyProcessed (%s)", jstr(j, "error.message"));
	json_decref(j);
	j = send_tx(&s, b64, true, NULL);
	CHECK(strcmp(jstr(j, "result"), sig) == 0, "skipPreflight re-send returns the signature");
	json_decref(j);
	advance(&s, 5);
	j = send_tx(&s, b64, true, NULL);
	json_decref(j);
	advance(&s, 2);
	j = ledger(&s);
	CHECK(jint(j, "total") == 1 && jint(j, "ok") == 1, "ledger total 1 (%lld)",
	      (long long)jint(j, "total"));
	{
		json_t *uc = jget(j, "uri_counts");

		CHECK(json_integer_value(json_object_get(uc, "https://example.com/t/1.json")) == 1,
		      "one mint for the ticket uri");
	}
	CHECK(strcmp(jstr(j, "mints.0.signature"), sig) == 0 && jint(j, "mints.0.leaf_nonce") == 0,
	      "ledger row");
	json_decref(j);
	j = get_json(&s, "/ledger?summary=1");
	CHECK(jint(j, "total") == 1 && jint(j, "uris_with_duplicates") == 0 && jget(j, "mints") == NULL,
	      "summary");
	json_decref(j);
	j = get_json(&s, "/stats");
	CHECK(jint(j, "methods.sendTransaction.ok") == 1 &&
	          jint(j, "methods.sendTransaction.duplicate") >= 4 &&
	          jint(j, "methods.sendTransaction.already_processed") == 1 &&
	          jint(j, "methods.sendTransaction.blockhash_not_found") == 1,
	      "stats by outcome");
	json_decref(j);
	CHECK(srv_stop(&s) == 0, "clean exit");
}

static void
t_rejections(void)
{
	Srv s;
	uint8_t bh[32];
	uint8_t wire[1232];
	uint8_t w2[1400];
	char b64[4096];
	json_t *j;
	int n;

	CHECK(srv_start(&s, "--paused --blockhash-window 5 --finalized-lag 3"), "start");
	CHECK(latest_blockhash(&s, "confirmed", bh, NULL), "blockhash");
	n = build_mint(bh, 2, false, wire, NULL, NULL);

	/* tampered signature */
	memcpy(w2, wire, (size_t)n);
	w2[10] ^= 1;
	to_b64(w2, (size_t)n, b64);
	j = send_tx(&s, b64, false, "confirmed");
	CHECK(jint(j, "error.code") == -32003 &&
	          strcmp(jstr(j, "error.message"), "Transaction signature verification failure") == 0,
	      "tampered signature");
	json_decref(j);
	j = send_tx(&s, b64, true, NULL);
	CHECK(json_is_string(jget(j, "result")), "skipPreflight: accepted, then dropped");
	json_decref(j);

	/* unknown blockhash */
	{
		uint8_t fake_bh[32];

		randombytes_buf(fake_bh, 32);
		n = build_mint(fake_bh, 3, false, w2, b64, NULL);
		j = send_tx(&s, b64, false, "confirmed");
		CHECK(jint(j, "error.code") == -32002 &&
		          strcmp(jstr(j, "error.message"),
		                 "Transaction simulation failed: Blockhash not found") == 0 &&
		          strcmp(jstr(j, "error.data.err"), "BlockhashNotFound") == 0,
		      "unknown blockhash");
		json_decref(j);
	}

	/* expired blockhash (window 5) */
	n = build_mint(bh, 4, false, w2, b64, NULL);
	advance(&s, 7);
	j = send_tx(&s, b64, false, "confirmed");
	CHECK(jint(j, "error.code") == -32002 &&
	          strcmp(jstr(j, "error.message"),
	                 "Transaction simulation failed: Blockhash not found") == 0,
	      "expired blockhash");
	json_decref(j);
	j = send_tx(&s, b64, true, NULL);
	CHECK(json_is_string(jget(j, "result")), "expired + skipPreflight: accepted, never lands");
	json_decref(j);

	CHECK(latest_blockhash(&s, "confirmed", bh, NULL), "fresh blockhash");
	/* wrong account order inside the Bubblegum instruction: tree_config <-> merkle_tree */
	{
		SolTxView v;
		SolError err;
		uint8_t tmp;
		uint8_t *acc;

		n = build_mint(bh, 5, false, w2, NULL, NULL);
		CHECK(sol_tx_decode(w2, (size_t)n, &v, &err) == 0, "decode");
		acc = (uint8_t *)v.ixs[v.num_instructions - 1].accounts;
		tmp = acc[0];
		acc[0] = acc[3];
		acc[3] = tmp;
		resign(w2, (size_t)n);
		to_b64(w2, (size_t)n, b64);
		j = send_tx(&s, b64, false, "confirmed");
		CHECK(jint(j, "error.code") == -32002 &&
		          strstr(jstr(j, "error.message"), "custom program error: 0x7d6") != NULL &&
		          jint(j, "error.data.err.InstructionError.1.Custom") == 2006,
		      "swapped accounts -> ConstraintSeeds (%s)", jstr(j, "error.message"));
		json_decref(j);
	}
	/* account key ordering: move the merkle tree into the read-only group */
	{
		SolTxView v;
		SolError err;
		size_t i;
		size_t k;
		size_t tree_i = 99;
		size_t last;
		uint8_t tmpk[32];

		n = build_mint(bh, 6, false, w2, NULL, NULL);
		CHECK(sol_tx_decode(w2, (size_t)n, &v, &err) == 0, "decode");
		for (i = 0; i < v.num_keys; i++)
			if (memcmp(v.keys + 32 * i, tree_pk, 32) == 0)
				tree_i = i;
		last = v.num_keys - 1;
		CHECK(tree_i < last, "tree key found");
		memcpy(tmpk, v.keys + 32 * tree_i, 32);
		memcpy((uint8_t *)v.keys + 32 * tree_i, v.keys + 32 * last, 32);
		memcpy((uint8_t *)v.keys + 32 * last, tmpk, 32);
		for (i = 0; i < v.num_instructions; i++)
		{
			SolIxView *ix = &v.ixs[i];

			for (k = 0; k < ix->num_accounts; k++)
			{
				uint8_t *a = (uint8_t *)&ix->accounts[k];

				if (*a == tree_i)
					*a = (uint8_t)last;
				else if (*a == last)
					*a = (uint8_t)tree_i;
			}
		}
		/* program id indexes precede the account list by 2 bytes (index, compact len) */
		for (i = 0; i < v.num_instructions; i++)
		{
			uint8_t *pidx = (uint8_t *)v.ixs[i].accounts - 2;

			if (*pidx == last)
				*pidx = (uint8_t)tree_i;
			else if (*pidx == tree_i)
				*pidx = (uint8_t)last;
		}
		resign(w2, (size_t)n);
		to_b64(w2, (size_t)n, b64);
		j = send_tx(&s, b64, false, "confirmed");
		CHECK(jint(j, "error.code") == -32002 &&
		          jint(j, "error.data.err.InstructionError.1.Custom") == 2000,
		      "read-only merkle tree -> ConstraintMut (%s)", jstr(j, "error.message"));
		json_decref(j);
	}
	/* oversized */
	{
		memset(w2, 0, sizeof(w2));
		memcpy(w2, wire, (size_t)n);
		to_b64(w2, 1233, b64);
		j = send_tx(&s, b64, false, "confirmed");
		CHECK(jint(j, "error.code") == -32602 &&
		          strstr(jstr(j, "error.message"), "too large: 1233 bytes (max: 1232 bytes)") !=
		              NULL,
		      "oversized (%s)", jstr(j, "error.message"));
		json_decref(j);
		{
			char *big = malloc(3000);

			memset(big, 'A', 2000);
			big[2000] = '\0';
			j = send_tx(&s, big, false, "confirmed");
			CHECK(jint(j, "error.code") == -32602 &&
			          strstr(jstr(j, "error.message"), "base64 encoded") != NULL,
			      "oversized encoding");
			json_decref(j);
			free(big);
		}
	}
	/* garbage and truncated */
	to_b64(wire, (size_t)n - 10, b64);
	j = send_tx(&s, b64, false, "confirmed");
	CHECK(jint(j, "error.code") == -32602, "truncated transaction");
	json_decref(j);
	j = send_tx(&s, "!!!", false, "confirmed");
	CHECK(jint(j, "error.code") == -32602, "bad base64");
	json_decref(j);
	/* metadata the program refuses: the only creator's share (last data byte) = 99 -> 6004 */
	{
		SolError err;
		SolTxView v;

		n = build_mint(bh, 7, false, w2, NULL, NULL);
		sol_tx_decode(w2, (size_t)n, &v, &err);
		((uint8_t *)v.ixs[0].data)[v.ixs[0].data_len - 1] = 99;
		resign(w2, (size_t)n);
		to_b64(w2, (size_t)n, b64);
		j = send_tx(&s, b64, false, "confirmed");
		CHECK(jint(j, "error.data.err.InstructionError.1.Custom") == 6004,
		      "shares != 100 -> 6004 (%s)", jstr(j, "error.message"));
		json_decref(j);
		j = send_tx(&s, b64, true, NULL);
		CHECK(json_is_string(jget(j, "result")), "skipPreflight: lands failed");
		json_decref(j);
	}
	advance(&s, 2);
	j = ledger(&s);
	CHECK(jint(j, "total") == 1 && jint(j, "failed") == 1 && jint(j, "ok") == 0,
	      "only the program-error tx landed (failed); bad sig / expired never land (total %lld)",
	      (long long)jint(j, "total"));
	CHECK(jint(j, "mints.0.err.InstructionError.1.Custom") == 6004, "ledger err");
	json_decref(j);
	CHECK(srv_stop(&s) == 0, "clean exit");
}

static void
t_leaf_event(void)
{
	Srv s;
	uint8_t bh[32];
	uint8_t wire[1232];
	char b64[2048];
	char sig[100];
	char sig2[100];
	char params[300];
	json_t *j;
	json_t *l;
	Resp r;
	SolLeafEvent ev;
	SolError err;
	uint8_t asset[32];
	char asset58[60];

	CHECK(srv_start(&s, "--paused --finalized-lag 4"), "start");
	CHECK(latest_blockhash(&s, "confirmed", bh, NULL), "blockhash");
	build_mint(bh, 1, false, wire, b64, sig);
	json_decref(send_tx(&s, b64, false, "confirmed"));
	build_mint(bh, 2, true, wire, b64, sig2);
	j = send_tx(&s, b64, false, "confirmed");
	CHECK(strcmp(jstr(j, "result"), sig2) == 0, "mint_to_collection_v1 accepted (%s)",
	      jstr(j, "error.message"));
	json_decref(j);
	advance(&s, 1);
	snprintf(params, sizeof(params),
	         "[\"%s\",{\"encoding\":\"json\",\"commitment\":\"confirmed\","
	         "\"maxSupportedTransactionVersion\":0}]",
	         sig);
	j = rpc(&s, "getTransaction", params);
	CHECK(j && json_is_null(jget(j, "result")), "not yet confirmed -> null");
	json_decref(j);
	advance(&s, 1);
	snprintf(params, sizeof(params), "[\"%s\",{\"commitment\":\"processed\"}]", sig);
	j = rpc(&s, "getTransaction", params);
	CHECK(jint(j, "error.code") == -32602, "processed not supported");
	json_decref(j);
	snprintf(params, sizeof(params),
	         "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getTransaction\",\"params\":[\"%s\",{"
	         "\"encoding\":\"json\",\"commitment\":\"confirmed\","
	         "\"maxSupportedTransactionVersion\":0}]}",
	         sig);
	r = http(&s, "POST", "/", params, NULL, 0);
	CHECK(sol_leaf_from_transaction_json(r.body, r.len, &ev, &err) == 0, "leaf parses: %s",
	      err.message);
	j = json_loads(r.body, 0, NULL);
	resp_free(&r);
	l = ledger(&s);
	sol_asset_id_pda(tree_pk, 0, asset, NULL);
	sol_pubkey_to_b58(asset, asset58);
	CHECK(ev.nonce == 0 && memcmp(ev.id, asset, 32) == 0, "event = PDA(asset, tree, 0)");
	CHECK(strcmp(jstr(l, "mints.0.asset_id"), asset58) == 0 && jint(l, "mints.0.leaf_nonce") == 0,
	      "ledger asset id matches");
	CHECK(strcmp(jstr(j, "result.version"), "legacy") == 0, "version legacy");
	CHECK(json_is_null(jget(j, "result.meta.err")), "meta.err null");
	CHECK(jint(j, "result.meta.innerInstructions.0.index") == 0 &&
	          jint(j, "result.meta.innerInstructions.0.instructions.0.stackHeight") == 2,
	      "inner group index / stackHeight");
	{
		/* sample A nonce 0: event bytes checked against mpl-bubblegum (bubblegum_vectors.json) */
		static const char want[] =
		    "0100cb000000010000fe70e8c4707c9ed609a31899fd5ffc39b1df53dc7da7a77d863ee2fc7734dca8"
		    "ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1ed4928c628d1c2c6ea"
		    "e90338905995612959273a5c63f93636c14614ac8737d10000000000000000fbfe4cdc8cd99f2e9c62"
		    "c4aebf4bb31d550b11931037488f11824205a780b48cbbb7a4b7cf0b6e932ce50b471e2fbd854e3740"
		    "91e2466ae7e4fce33f6f158fe2f6d130f5b7d41fc780715a22e96eaaf1ed5072bd8ccfca013913bfca"
		    "831dd94c";
		uint8_t evb[300];
		char hex[700];
		const char *d = jstr(j, "result.meta.innerInstructions.0.instructions.0.data");
		int en = sol_b58_decode(d, strlen(d), evb, sizeof(evb));

		/* sample A has name "Ticket #1", uri .../t/1.json: the metadata of ticket 1 */
		CHECK(en == 209, "209-byte event");
		if (en == 209)
		{
			sol_hex_encode(evb, 209, hex);
			CHECK(strcmp(hex, want) == 0, "event bytes equal the mpl-bubblegum vector");
		}
	}
	{
		json_t *logs = jget(j, "result.meta.logMessages");
		size_t i;
		bool found = false;
		char line[120];

		snprintf(line, sizeof(line), "Program log: Leaf asset ID: %s", asset58);
		for (i = 0; i < json_array_size(logs); i++)
			if (strcmp(json_string_value(json_array_get(logs, i)), line) == 0)
				found = true;
		CHECK(found, "logMessages has the asset id");
	}
	json_decref(j);
	/* the collection mint: nonce 1 */
	snprintf(params, sizeof(params),
	         "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getTransaction\",\"params\":[\"%s\",{"
	         "\"encoding\":\"json\",\"commitment\":\"confirmed\","
	         "\"maxSupportedTransactionVersion\":0}]}",
	         sig2);
	r = http(&s, "POST", "/", params, NULL, 0);
	CHECK(sol_leaf_from_transaction_json(r.body, r.len, &ev, &err) == 0 && ev.nonce == 1,
	      "collection mint leaf nonce 1");
	sol_asset_id_pda(tree_pk, 1, asset, NULL);
	CHECK(memcmp(ev.id, asset, 32) == 0, "collection asset id");
	resp_free(&r);
	/* base64 encoding returns the wire */
	snprintf(params, sizeof(params),
	         "[\"%s\",{\"encoding\":\"base64\",\"commitment\":\"confirmed\"}]", sig);
	j = rpc(&s, "getTransaction", params);
	CHECK(strcmp(jstr(j, "result.transaction.1"), "base64") == 0 &&
	          jget(j, "result.version") == NULL,
	      "base64 encoding; no version without maxSupported");
	json_decref(j);
	/* finalized after the lag */
	snprintf(params, sizeof(params), "[\"%s\",{\"commitment\":\"finalized\"}]", sig);
	j = rpc(&s, "getTransaction", params);
	CHECK(json_is_null(jget(j, "result")), "not finalized yet");
	json_decref(j);
	advance(&s, 4);
	j = rpc(&s, "getTransaction", params);
	CHECK(json_is_object(jget(j, "result")), "finalized");
	json_decref(j);
	/* getAccountInfo of the tree config */
	{
		uint8_t tc[32];
		char tc58[60];
		uint8_t data[200];
		SolTreeConfig cfg;
		const char *d;
		int dn;

		sol_tree_config_pda(tree_pk, tc, NULL);
		sol_pubkey_to_b58(tc, tc58);
		snprintf(params, sizeof(params), "[\"%s\",{\"encoding\":\"base64\"}]", tc58);
		j = rpc(&s, "getAccountInfo", params);
		d = jstr(j, "result.value.data.0");
		dn = sol_base64_decode(d, strlen(d), data, sizeof(data));
		CHECK(dn == 96 && sol_tree_config_decode(data, 96, &cfg) == 0 && cfg.num_minted == 2,
		      "TreeConfig num_minted 2");
		json_decref(j);
	}
	json_decref(l);
	CHECK(srv_stop(&s) == 0, "clean exit");
}

static void
t_statuses(void)
{
	Srv s;
	uint8_t bh[32];
	uint8_t wire[1232];
	char b64[2048];
	char sig[100];
	char p1[300];
	char p2[300];
	json_t *j;
	const char *seen[8];
	int i;

	CHECK(srv_start(&s, "--paused --finalized-lag 4 --blockhash-window 10"), "start");
	CHECK(latest_blockhash(&s, "processed", bh, NULL), "blockhash");
	build_mint(bh, 9, false, wire, b64, sig);
	j = send_tx(&s, b64, false, "processed");
	CHECK(strcmp(jstr(j, "result"), sig) == 0, "sent");
	json_decref(j);
	snprintf(p1, sizeof(p1), "[[\"%s\"]]", sig);
	snprintf(p2, sizeof(p2), "[[\"%s\"],{\"searchTransactionHistory\":true}]", sig);
	j = rpc(&s, "getSignatureStatuses", p1);
	CHECK(json_is_null(jget(j, "result.value.0")), "pending: null");
	json_decref(j);
	for (i = 0; i < 6; i++)
	{
		static char buf[6][32];

		advance(&s, 1);
		j = rpc(&s, "getSignatureStatuses", p1);
		snprintf(buf[i], sizeof(buf[i]), "%s", jstr(j, "result.value.0.confirmationStatus"));
		seen[i] = buf[i];
		if (i == 0)
			CHECK(jint(j, "result.value.0.confirmations") == 0 &&
			          json_is_null(jget(j, "result.value.0.err")) &&
			          json_is_null(jget(j, "result.value.0.status.Ok")),
			      "processed shape");
		if (i == 4)
			CHECK(json_is_null(jget(j, "result.value.0.confirmations")),
			      "rooted: null confirmations");
		json_decref(j);
	}
	CHECK(strcmp(seen[0], "processed") == 0, "processed (%s)", seen[0]);
	CHECK(strcmp(seen[1], "confirmed") == 0 && strcmp(seen[3], "confirmed") == 0,
	      "confirmed (%s %s)", seen[1], seen[3]);
	CHECK(strcmp(seen[4], "finalized") == 0 && strcmp(seen[5], "finalized") == 0, "finalized (%s)",
	      seen[4]);
	advance(&s, 10);
	j = rpc(&s, "getSignatureStatuses", p1);
	CHECK(json_is_null(jget(j, "result.value.0")), "old: not in the recent status cache");
	json_decref(j);
	j = rpc(&s, "getSignatureStatuses", p2);
	CHECK(strcmp(jstr(j, "result.value.0.confirmationStatus"), "finalized") == 0,
	      "searchTransactionHistory finds it");
	json_decref(j);
	CHECK(srv_stop(&s) == 0, "clean exit");
}

static void
t_never_lands_then_resend(void)
{
	Srv s;
	uint8_t bh[32];
	uint8_t wire[1232];
	char b64[2048];
	char sig[100];
	char p[300];
	json_t *j;
	Resp r;
	SolLeafEvent ev;
	SolError err;

	CHECK(srv_start(&s, "--paused --p-never-lands 1"), "start");
	CHECK(latest_blockhash(&s, "confirmed", bh, NULL), "blockhash");
	build_mint(bh, 1, false, wire, b64, sig);
	j = send_tx(&s, b64, false, "confirmed");
	CHECK(strcmp(jstr(j, "result"), sig) == 0, "accepted");
	json_decref(j);
	advance(&s, 3);
	snprintf(p, sizeof(p), "[[\"%s\"],{\"searchTransactionHistory\":true}]", sig);
	j = rpc(&s, "getSignatureStatuses", p);
	CHECK(json_is_null(jget(j, "result.value.0")), "dropped: unknown");
	json_decref(j);
	json_decref(control(&s, "{\"p_never_lands\":0,\"p_tx_error\":1,\"tx_error_code\":6099}"));
	j = send_tx(&s, b64, false, "confirmed");
	CHECK(strcmp(jstr(j, "result"), sig) == 0, "re-send of the same bytes accepted");
	json_decref(j);
	advance(&s, 2);
	j = rpc(&s, "getSignatureStatuses", p);
	CHECK(jint(j, "result.value.0.err.InstructionError.1.Custom") == 6099 &&
	          jint(j, "result.value.0.status.Err.InstructionError.1.Custom") == 6099,
	      "landed on re-send, failed with the injected error");
	json_decref(j);
	snprintf(p, sizeof(p),
	         "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getTransaction\",\"params\":[\"%s\",{"
	         "\"commitment\":\"confirmed\"}]}",
	         sig);
	r = http(&s, "POST", "/", p, NULL, 0);
	memset(&err, 0, sizeof(err));
	CHECK(sol_leaf_from_transaction_json(r.body, r.len, &ev, &err) != 0 &&
	          err.code == SOL_ERR_TX_FAILED,
	      "failed tx: no leaf, meta.err reported (%s)", err.message);
	resp_free(&r);
	j = get_json(&s, "/ledger?summary=1");
	CHECK(jint(j, "total") == 1 && jint(j, "failed") == 1 && jint(j, "distinct_uris") == 0,
	      "one failed landing, no successful mint");
	json_decref(j);
	CHECK(srv_stop(&s) == 0, "clean exit");
}

static void
t_chain_advances(void)
{
	Srv s;
	json_t *j;
	json_int_t h1;
	json_int_t h2;

	CHECK(srv_start(&s, "--slot-ms 5"), "start");
	j = rpc(&s, "getBlockHeight", "[{\"commitment\":\"processed\"}]");
	h1 = jint(j, "result");
	json_decref(j);
	usleep(200000);
	j = rpc(&s, "getBlockHeight", "[{\"commitment\":\"processed\"}]");
	h2 = jint(j, "result");
	json_decref(j);
	CHECK(h2 > h1 + 5, "blocks advance with --slot-ms (%lld -> %lld)", (long long)h1,
	      (long long)h2);
	CHECK(srv_stop(&s) == 0, "clean exit");
}

static void
t_tree_capacity(void)
{
	Srv s;
	uint8_t bh[32];
	uint8_t wire[1232];
	char b64[2048];
	json_t *j;
	int i;

	CHECK(srv_start(&s, "--paused --tree-capacity 2"), "start");
	CHECK(latest_blockhash(&s, "confirmed", bh, NULL), "blockhash");
	for (i = 0; i < 2; i++)
	{
		build_mint(bh, 100 + i, false, wire, b64, NULL);
		json_decref(send_tx(&s, b64, false, "confirmed"));
	}
	advance(&s, 1);
	build_mint(bh, 102, false, wire, b64, NULL);
	j = send_tx(&s, b64, false, "confirmed");
	CHECK(jint(j, "error.code") == -32002 &&
	          strstr(jstr(j, "error.message"), "custom program error: 0x1781") != NULL,
	      "full tree: preflight fails with 6017 (%s)", jstr(j, "error.message"));
	json_decref(j);
	j = send_tx(&s, b64, true, NULL);
	CHECK(json_is_string(jget(j, "result")), "skipPreflight accepted");
	json_decref(j);
	advance(&s, 1);
	j = ledger(&s);
	CHECK(jint(j, "ok") == 2 && jint(j, "failed") == 1 &&
	          jint(j, "mints.2.err.InstructionError.1.Custom") == 6017 &&
	          json_is_null(jget(j, "mints.2.leaf_nonce")),
	      "third mint landed with InsufficientMintCapacity");
	json_decref(j);
	CHECK(srv_stop(&s) == 0, "clean exit");
}

/* Congestion: a transaction below min_priority_fee never lands; the fee market the node reports. */
static void
t_priority_fees(void)
{
	Srv s;
	uint8_t bh[32];
	uint8_t wire[1232];
	char b64[2048];
	char sig_low[SOL_SIGNATURE_B58_MAX];
	char sig_ok[SOL_SIGNATURE_B58_MAX];
	char sig_none[SOL_SIGNATURE_B58_MAX];
	char params[200];
	char tree58[SOL_PUBKEY_B58_MAX];
	json_t *j;
	json_int_t sum = 0;
	size_t i;
	int seen[10] = {0};
	bool pattern = true;

	CHECK(srv_start(&s, "--paused --min-priority-fee 1000 --blockhash-window 5"), "start");
	advance(&s, 200);
	sol_pubkey_to_b58(tree_pk, tree58);
	snprintf(params, sizeof(params), "[[\"%s\"]]", tree58);
	j = rpc(&s, "getRecentPrioritizationFees", params);
	CHECK(json_array_size(jget(j, "result")) == 150, "150 recent slots (%zu)",
	      json_array_size(jget(j, "result")));
	for (i = 0; i < json_array_size(jget(j, "result")); i++)
	{
		json_t *e = json_array_get(jget(j, "result"), i);
		json_int_t f = json_integer_value(json_object_get(e, "prioritizationFee"));

		sum += f;
		if (f % 200 != 0 || f < 0 || f > 1800)
			pattern = false;
		else
			seen[f / 200]++;
	}
	for (i = 0; i < 10; i++)
		pattern = pattern && seen[i] == 15;
	CHECK(pattern && sum == 15 * 9000, "each of 0, 200 .. 1800 in 15 slots (sum %lld)",
	      (long long)sum);
	json_decref(j);
	j = rpc(&s, "getRecentPrioritizationFees", "[\"notalist\"]");
	CHECK(jint(j, "error.code") == -32602, "a non-list is invalid params");
	json_decref(j);
	j = rpc(&s, "getRecentPrioritizationFees", "[[\"0OIl\"]]");
	CHECK(jint(j, "error.code") == -32602, "a bad address is invalid params");
	json_decref(j);

	CHECK(latest_blockhash(&s, "processed", bh, NULL), "blockhash");
	build_cu_price = 999;
	build_mint(bh, 300, false, wire, b64, sig_low);
	json_decref(send_tx(&s, b64, true, NULL));
	build_cu_price = 1000;
	build_mint(bh, 301, false, wire, b64, sig_ok);
	json_decref(send_tx(&s, b64, true, NULL));
	build_cu_price = 0;
	build_mint(bh, 302, false, wire, b64, sig_none);
	json_decref(send_tx(&s, b64, true, NULL));
	advance(&s, 1);
	j = ledger(&s);
	CHECK(jint(j, "ok") == 1 && strcmp(jstr(j, "mints.0.signature"), sig_ok) == 0 &&
	          jint(j, "mints.0.cu_price") == 1000,
	      "only the transaction paying min_priority_fee lands, its price in the ledger");
	json_decref(j);
	advance(&s, 10);
	j = ledger(&s);
	CHECK(jint(j, "ok") == 1, "the under-priced ones never land");
	json_decref(j);
	j = get_json(&s, "/stats");
	CHECK(jint(j, "chain.priced_out") == 2, "both expire priced out (%lld)",
	      (long long)jint(j, "chain.priced_out"));
	json_decref(j);
	CHECK(srv_stop(&s) == 0, "clean exit");
}

/* A tree takes at most tree_block_limit mints a block; the others wait for later blocks. */
static void
t_tree_block_limit(void)
{
	Srv s;
	uint8_t bh[32];
	uint8_t wire[1232];
	char b64[2048];
	json_t *j;
	int i;
	int landed[3];

	CHECK(srv_start(&s, "--paused --tree-block-limit 2 --blockhash-window 50"), "start");
	advance(&s, 2);
	CHECK(latest_blockhash(&s, "processed", bh, NULL), "blockhash");
	for (i = 0; i < 5; i++)
	{
		build_mint(bh, 400 + i, false, wire, b64, NULL);
		json_decref(send_tx(&s, b64, true, NULL));
	}
	for (i = 0; i < 3; i++)
	{
		advance(&s, 1);
		j = ledger(&s);
		landed[i] = (int)jint(j, "ok");
		json_decref(j);
	}
	CHECK(landed[0] == 2 && landed[1] == 4 && landed[2] == 5,
	      "2 mints a block into the tree: 2, 4, 5 landed (%d, %d, %d)", landed[0], landed[1],
	      landed[2]);
	j = get_json(&s, "/stats");
	CHECK(jint(j, "chain.tree_block_full") == 3 + 1, "the waits are counted (%lld)",
	      (long long)jint(j, "chain.tree_block_full"));
	json_decref(j);
	CHECK(srv_stop(&s) == 0, "clean exit");
}

/* n getHealth requests; counts HTTP statuses / transport failures */
typedef struct Counts
{
	int ok;
	int s429;
	int s5xx;
	int nothing;
	int other;
	int retry_after_ok;
} Counts;

/*
 * Faults that close the connection without an answer are invisible on a
 * reused keep-alive connection: libcurl then silently retries the request
 * once on a fresh connection.  fresh=true forbids reuse so each request is
 * counted exactly once.
 */

static Counts
hammer_ex(Srv *s, int n, const char *body, bool fresh)
{
	Counts c;
	int i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < n; i++)
	{
		Resp r;

		forbid_reuse = fresh;
		r = http(s, "POST", "/", body, NULL, 5000);
		forbid_reuse = false;

		if (r.rc == CURLE_GOT_NOTHING || r.rc == CURLE_RECV_ERROR || r.rc == CURLE_SEND_ERROR)
			c.nothing++;
		else if (r.rc != CURLE_OK)
			c.other++;
		else if (r.status == 200)
			c.ok++;
		else if (r.status == 429)
		{
			c.s429++;
			if (atoi(r.retry_after) == 3)
				c.retry_after_ok++;
		}
		else if (r.status >= 500 && r.status <= 599)
			c.s5xx++;
		else
			c.other++;
		resp_free(&r);
	}
	return c;
}

static Counts
hammer(Srv *s, int n, const char *body)
{
	return hammer_ex(s, n, body, false);
}

#define NREQ         10000
#define WITHIN(x, p) ((x) >= (p)*NREQ * 0.95 && (x) <= (p)*NREQ * 1.05)

static const char health[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getHealth\"}";

static void
t_fault_rates(void)
{
	Srv s;
	Counts c;
	json_t *j;

	CHECK(srv_start(&s, "--paused --seed 7 --retry-after-s 3"), "start");
	json_decref(control(&s, "{\"p_429\":0.3}"));
	c = hammer(&s, NREQ, health);
	CHECK(WITHIN(c.s429, 0.3) && c.s429 + c.ok == NREQ && c.retry_after_ok == c.s429,
	      "p_429 0.3: %d x 429 (Retry-After on all), %d ok", c.s429, c.ok);
	json_decref(control(&s, "{\"p_429\":0,\"p_5xx\":0.2}"));
	c = hammer(&s, NREQ, health);
	CHECK(WITHIN(c.s5xx, 0.2) && c.s5xx + c.ok == NREQ, "p_5xx 0.2: %d x 5xx", c.s5xx);
	json_decref(control(&s, "{\"p_5xx\":0,\"p_timeout\":0.25,\"timeout_hold_ms\":0}"));
	c = hammer_ex(&s, NREQ, health, true);
	CHECK(WITHIN(c.nothing, 0.25) && c.nothing + c.ok == NREQ,
	      "p_timeout 0.25 (hold 0): %d without answer", c.nothing);
	j = get_json(&s, "/stats");
	CHECK(jint(j, "http.p_timeout") == c.nothing, "stats count timeouts");
	json_decref(j);
	json_decref(control(&s, "{\"p_timeout\":0,\"down\":true}"));
	c = hammer(&s, 50, health);
	CHECK(c.nothing == 50, "down: every RPC request fails (%d)", c.nothing);
	j = get_json(&s, "/control");
	CHECK(json_is_true(jget(j, "down")), "control still answers while down");
	json_decref(j);
	json_decref(control(&s, "{\"down\":false}"));
	c = hammer(&s, 10, health);
	CHECK(c.ok == 10, "back up");
	CHECK(srv_stop(&s) == 0, "clean exit");
}

static void
t_lost_response(void)
{
	Srv s;
	uint8_t bh[32];
	uint8_t wire[1232];
	char b64[2048];
	char sig[100];
	char *body = NULL;
	Counts c;
	json_t *j;

	CHECK(srv_start(&s, "--paused --seed 11"), "start");
	CHECK(latest_blockhash(&s, "confirmed", bh, NULL), "blockhash");
	build_mint(bh, 1, false, wire, b64, sig);
	json_decref(control(&s, "{\"p_lost_response\":1}"));
	CHECK(asprintf(&body,
	               "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sendTransaction\",\"params\":[\"%"
	               "s\",{\"encoding\":\"base64\",\"skipPreflight\":true}]}",
	               b64) > 0,
	      "fmt");
	c = hammer(&s, 1, body);
	CHECK(c.nothing == 1, "response lost");
	advance(&s, 1);
	j = ledger(&s);
	CHECK(jint(j, "ok") == 1 && strcmp(jstr(j, "mints.0.signature"), sig) == 0,
	      "the transaction landed anyway");
	json_decref(j);
	json_decref(control(&s, "{\"p_lost_response\":0.3}"));
	c = hammer_ex(&s, NREQ, body, true);
	CHECK(WITHIN(c.nothing, 0.3) && c.nothing + c.ok == NREQ,
	      "p_lost_response 0.3 over re-sends: %d lost", c.nothing);
	free(body);
	advance(&s, 1);
	j = ledger(&s);
	CHECK(jint(j, "total") == 1, "still one mint");
	json_decref(j);
	CHECK(srv_stop(&s) == 0, "clean exit");
}

static void
t_never_lands_and_tx_error(void)
{
	Srv s;
	uint8_t bh[32];
	uint8_t wire[1232];
	char b64[2048];
	json_t *j;
	int i;
	int accepted = 0;
	char *buf = malloc(200 * 1024);

	CHECK(srv_start(&s,
	                "--paused --seed 5 --p-never-lands 0.3 --p-tx-error 0.5 --tx-error-code 6016"),
	      "start");
	CHECK(latest_blockhash(&s, "confirmed", bh, NULL), "blockhash");
	for (i = 0; i < NREQ; i += 50)
	{
		size_t off = 0;
		int k;

		off += (size_t)sprintf(buf + off, "[");
		for (k = 0; k < 50; k++)
		{
			build_mint(bh, 1000 + i + k, false, wire, b64, NULL);
			off += (size_t)sprintf(
			    buf + off,
			    "%s{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"sendTransaction\",\"params\":[\"%"
			    "s\",{\"encoding\":\"base64\",\"preflightCommitment\":\"confirmed\"}]}",
			    k ? "," : "", k, b64);
		}
		sprintf(buf + off, "]");
		j = rpc_raw(&s, buf);
		for (k = 0; k < (int)json_array_size(j); k++)
			if (json_is_string(jget(json_array_get(j, (size_t)k), "result")))
				accepted++;
		json_decref(j);
		if (i % 2000 == 0)
			advance(&s, 1);
	}
	free(buf);
	advance(&s, 1);
	CHECK(accepted == NREQ, "every send accepted (%d)", accepted);
	j = get_json(&s, "/ledger?summary=1");
	CHECK(WITHIN(jint(j, "total"), 0.7), "p_never_lands 0.3: %lld of %d landed",
	      (long long)jint(j, "total"), NREQ);
	CHECK(jint(j, "failed") >= jint(j, "total") * 0.5 * 0.95 &&
	          jint(j, "failed") <= jint(j, "total") * 0.5 * 1.05,
	      "p_tx_error 0.5: %lld of %lld landed failed", (long long)jint(j, "failed"),
	      (long long)jint(j, "total"));
	CHECK(jint(j, "uris_with_duplicates") == 0, "no duplicates");
	json_decref(j);
	j = get_json(&s, "/ledger?offset=0&limit=3");
	CHECK(json_array_size(jget(j, "mints")) == 3, "limit");
	json_decref(j);
	j = get_json(&s, "/stats");
	CHECK(jint(j, "methods.sendTransaction.never_lands") + jint(j, "chain.landed_ok") +
	              jint(j, "chain.landed_err") ==
	          NREQ,
	      "stats add up");
	json_decref(j);
	CHECK(srv_stop(&s) == 0, "clean exit");
}

static void
t_timeout_does_not_block(void)
{
	Srv s;
	CURLM *m;
	CURL *held;
	struct curl_slist *h = NULL;
	char url[80];
	int running = 1;
	Counts c;
	CURLMsg *msg;
	int q;
	CURLcode held_rc = CURLE_OK;
	struct timeval t0;
	struct timeval t1;
	Resp r;

	CHECK(srv_start(&s, "--paused --threads 2 --p-timeout 1 --timeout-hold-ms 30000"), "start");
	m = curl_multi_init();
	held = curl_easy_init();
	snprintf(url, sizeof(url), "%s/", s.base);
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(held, CURLOPT_URL, url);
	curl_easy_setopt(held, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(held, CURLOPT_POSTFIELDS, health);
	curl_easy_setopt(held, CURLOPT_TIMEOUT_MS, 1500L);
	curl_multi_add_handle(m, held);
	/* wait until the server holds it (stats), however slow the machine */
	for (q = 0; q < 500; q++)
	{
		json_t *st;
		json_int_t held_n;

		curl_multi_perform(m, &running);
		curl_multi_poll(m, NULL, 0, 5, NULL);
		st = get_json(&s, "/stats");
		held_n = jint(st, "http.p_timeout");
		json_decref(st);
		if (held_n == 1)
			break;
	}
	CHECK(q < 500, "request held");
	json_decref(control(&s, "{\"p_timeout\":0}"));
	c = hammer(&s, 20, health);
	CHECK(c.ok == 20, "other requests are served while one is held");
	/* latency is a lower bound on every answer */
	json_decref(control(&s, "{\"latency_ms\":150}"));
	gettimeofday(&t0, NULL);
	r = http(&s, "POST", "/", health, NULL, 0);
	gettimeofday(&t1, NULL);
	CHECK(r.status == 200 &&
	          (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000 >= 145,
	      "latency_ms delays the answer");
	resp_free(&r);
	while (running)
	{
		curl_multi_perform(m, &running);
		curl_multi_poll(m, NULL, 0, 50, NULL);
	}
	while ((msg = curl_multi_info_read(m, &q)))
		if (msg->msg == CURLMSG_DONE)
			held_rc = msg->data.result;
	CHECK(held_rc == CURLE_OPERATION_TIMEDOUT, "the held request timed out client-side (%d)",
	      (int)held_rc);
	curl_multi_remove_handle(m, held);
	curl_easy_cleanup(held);
	curl_multi_cleanup(m);
	curl_slist_free_all(h);
	CHECK(srv_stop(&s) == 0, "clean exit with held connections");
}

static bool
verify_standard(json_t *line, const uint8_t *key, size_t klen)
{
	const char *id = jstr(line, "headers.webhook-id");
	const char *ts = jstr(line, "headers.webhook-timestamp");
	const char *sigh = jstr(line, "headers.webhook-signature");
	const char *body = jstr(line, "body");
	crypto_auth_hmacsha256_state st;
	uint8_t mac[32];
	uint8_t got[64];
	size_t glen = 0;

	if (strncmp(sigh, "v1,", 3) != 0)
		return false;
	if (sodium_base642bin(got, sizeof(got), sigh + 3, strlen(sigh + 3), NULL, &glen, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    glen != 32)
		return false;
	crypto_auth_hmacsha256_init(&st, key, klen);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)id, strlen(id));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)ts, strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)body, strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	return sodium_memcmp(mac, got, 32) == 0;
}

static json_t **
read_lines(const char *path, int *n)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	json_t **out = calloc(64, sizeof(json_t *));

	*n = 0;
	while (fp && getline(&line, &cap, fp) > 0 && *n < 64)
		out[(*n)++] = json_loads(line, 0, NULL);
	free(line);
	if (fp)
		fclose(fp);
	return out;
}

static void
t_webhooks(void)
{
	Srv s;
	char path[300];
	char args[600];
	uint8_t bh[32];
	uint8_t wire[1232];
	char b64[2048];
	char sig1[100];
	char sig2[100];
	json_t **lines;
	int n;
	int i;
	/* Standard Webhooks vector V1 secret (24 bytes) */
	static const char secret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
	uint8_t key[64];
	size_t klen;

	snprintf(path, sizeof(path), "%s/webhooks.log", tmpdir);
	unlink(path);
	snprintf(args, sizeof(args), "--paused --webhook-log %s --webhook-secret %s", path, secret);
	CHECK(srv_start(&s, args), "start");
	CHECK(latest_blockhash(&s, "confirmed", bh, NULL), "blockhash");
	build_mint(bh, 1, false, wire, b64, sig1);
	json_decref(send_tx(&s, b64, false, "confirmed"));
	advance(&s, 1);
	json_decref(control(&s, "{\"p_tx_error\":1}"));
	build_mint(bh, 2, false, wire, b64, sig2);
	json_decref(send_tx(&s, b64, false, "confirmed"));
	advance(&s, 1);
	CHECK(srv_stop(&s) == 0, "clean exit");
	sodium_base642bin(key, sizeof(key), secret + 6, strlen(secret + 6), NULL, &klen, NULL,
	                  sodium_base64_VARIANT_ORIGINAL);
	lines = read_lines(path, &n);
	CHECK(n == 2, "two deliveries (%d)", n);
	for (i = 0; i < n; i++)
	{
		json_t *b = json_loads(jstr(lines[i], "body"), 0, NULL);

		CHECK(verify_standard(lines[i], key, klen), "line %d verifies with the HMAC", i);
		CHECK(strncmp(jstr(lines[i], "headers.webhook-id"), "msg_", 4) == 0, "webhook-id");
		if (i == 0)
		{
			uint8_t asset[32];
			char a58[60];

			sol_asset_id_pda(tree_pk, 0, asset, NULL);
			sol_pubkey_to_b58(asset, a58);
			CHECK(strcmp(jstr(b, "type"), "mint.confirmed") == 0 &&
			          strcmp(jstr(b, "data.status"), "confirmed") == 0 &&
			          strcmp(jstr(b, "data.signature"), sig1) == 0 &&
			          strcmp(jstr(b, "data.asset_id"), a58) == 0 &&
			          jint(b, "data.leaf_nonce") == 0 && json_is_null(jget(b, "data.error")) &&
			          strcmp(jstr(b, "data.uri"), "https://example.com/t/1.json") == 0,
			      "confirmed body");
		}
		else
			CHECK(strcmp(jstr(b, "data.status"), "failed") == 0 &&
			          strcmp(jstr(b, "data.signature"), sig2) == 0 &&
			          jint(b, "data.error.InstructionError.1.Custom") == 6016 &&
			          json_is_null(jget(b, "data.asset_id")),
			      "failed body");
		json_decref(b);
		json_decref(lines[i]);
	}
	free(lines);

	/* Helius style */
	unlink(path);
	snprintf(args, sizeof(args),
	         "--paused --webhook-log %s --webhook-style helius --webhook-auth Bearer-xyz", path);
	CHECK(srv_start(&s, args), "start helius");
	CHECK(latest_blockhash(&s, "confirmed", bh, NULL), "blockhash");
	build_mint(bh, 1, false, wire, b64, sig1);
	json_decref(send_tx(&s, b64, false, "confirmed"));
	advance(&s, 1);
	CHECK(srv_stop(&s) == 0, "clean exit");
	lines = read_lines(path, &n);
	CHECK(n == 1, "one delivery");
	if (n == 1)
	{
		json_t *b = json_loads(jstr(lines[0], "body"), 0, NULL);

		CHECK(strcmp(jstr(lines[0], "headers.Authorization"), "Bearer-xyz") == 0, "Authorization");
		CHECK(json_is_array(b) && strcmp(jstr(b, "0.type"), "COMPRESSED_NFT_MINT") == 0 &&
		          strcmp(jstr(b, "0.signature"), sig1) == 0 &&
		          json_is_null(jget(b, "0.transactionError")) &&
		          jint(b, "0.events.compressed.0.leafIndex") == 0 &&
		          strlen(jstr(b, "0.events.compressed.0.assetId")) > 30,
		      "helius body");
		json_decref(b);
		json_decref(lines[0]);
	}
	free(lines);
}

/* ---- load-balanced mode (--nodes) ---- */

static json_int_t
slot_of_h(json_int_t h)
{
	return h + h / 8 + 1000; /* the fake's slot numbering */
}

static bool
blockhash_at(Srv *s, int node, const char *commitment, uint8_t bh[32], json_int_t *lvbh,
             json_int_t *ctx_slot)
{
	char p[80];
	json_t *j;
	bool ok;

	snprintf(p, sizeof(p), "[{\"commitment\":\"%s\"}]", commitment);
	j = rpc_at(s, node, "getLatestBlockhash", p);
	ok = j && sol_pubkey_from_b58(jstr(j, "result.value.blockhash"), bh);
	if (lvbh)
		*lvbh = jint(j, "result.value.lastValidBlockHeight");
	if (ctx_slot)
		*ctx_slot = jint(j, "result.context.slot");
	json_decref(j);
	return ok;
}

static json_t *
send_at(Srv *s, int node, const char *b64, bool skip, const char *preflight)
{
	char *p = NULL;
	json_t *j;

	if (asprintf(&p,
	             "[\"%s\",{\"encoding\":\"base64\",\"skipPreflight\":%s,"
	             "\"preflightCommitment\":\"%s\",\"maxRetries\":0}]",
	             b64, skip ? "true" : "false", preflight) < 0)
		return NULL;
	j = rpc_at(s, node, "sendTransaction", p);
	free(p);
	return j;
}

static json_int_t
height_at_node(Srv *s, int node, const char *commitment)
{
	char p[80];
	json_t *j;
	json_int_t h;

	snprintf(p, sizeof(p), "[{\"commitment\":\"%s\"}]", commitment);
	j = rpc_at(s, node, "getBlockHeight", p);
	h = jint(j, "result");
	json_decref(j);
	return h;
}

/* status of one signature on one node: the value (NULL = null) and context.slot */
static json_t *
status_at(Srv *s, int node, const char *sig, json_int_t *ctx_slot)
{
	char p[200];
	json_t *j;
	json_t *v;

	snprintf(p, sizeof(p), "[[\"%s\"]]", sig);
	j = rpc_at(s, node, "getSignatureStatuses", p);
	if (ctx_slot)
		*ctx_slot = jint(j, "result.context.slot");
	v = jget(j, "result.value.0");
	v = v && !json_is_null(v) ? json_incref(v) : NULL;
	json_decref(j);
	return v;
}

static bool
tx_visible_at(Srv *s, int node, const char *sig)
{
	char p[200];
	json_t *j;
	bool vis;

	snprintf(p, sizeof(p), "[\"%s\",{\"commitment\":\"confirmed\"}]", sig);
	j = rpc_at(s, node, "getTransaction", p);
	vis = json_is_object(jget(j, "result"));
	json_decref(j);
	return vis;
}

/* the TreeConfig num_minted a node reports, -1 = no account */
static json_int_t
tree_minted_at_node(Srv *s, int node)
{
	uint8_t cfg[32];
	char cfg58[SOL_PUBKEY_B58_MAX];
	char p[200];
	uint8_t data[128];
	json_t *j;
	json_int_t n = -1;

	sol_tree_config_pda(tree_pk, cfg, NULL);
	sol_pubkey_to_b58(cfg, cfg58);
	snprintf(p, sizeof(p), "[\"%s\",{\"encoding\":\"base64\",\"commitment\":\"processed\"}]",
	         cfg58);
	j = rpc_at(s, node, "getAccountInfo", p);
	if (json_is_object(jget(j, "result.value")))
	{
		const char *b64 = jstr(j, "result.value.data.0");

		if (sol_base64_decode(b64, strlen(b64), data, sizeof(data)) == 96)
		{
			int i;

			n = 0;
			for (i = 7; i >= 0; i--)
				n = (n << 8) | data[80 + i];
		}
	}
	json_decref(j);
	return n;
}

static json_t *
min_ctx_call(Srv *s, int node, const char *method, const char *params_fmt, json_int_t mcs)
{
	char p[600];

	snprintf(p, sizeof(p), params_fmt, (long long)mcs);
	return rpc_at(s, node, method, p);
}

static void
t_nodes_views(void)
{
	Srv s;
	static const json_int_t lag[3] = {0, 50, 100};
	json_int_t H;
	json_int_t s0;
	json_int_t lv0;
	json_int_t lv2;
	json_int_t cs0;
	json_int_t cs2;
	json_int_t cs;
	uint8_t bh0[32];
	uint8_t bh2[32];
	uint8_t wire[1232];
	char b64a[2048];
	char b64b[2048];
	char siga[100];
	char sigb[100];
	char genesis[64] = "";
	char bh58[SOL_PUBKEY_B58_MAX];
	char p[4400];
	json_t *j;
	json_t *st;
	int i;
	int k;

	CHECK(srv_start(&s, "--paused --nodes 3 --node-lag 0,50,100 --finalized-lag 10 "
	                    "--blockhash-window 300"),
	      "start");
	H = height_at_node(&s, 0, "processed");
	CHECK(H > 1000, "tip %lld", (long long)H);
	for (i = 0; i < 3; i++)
	{
		json_int_t h = H - lag[i];

		CHECK(height_at_node(&s, i, "processed") == h, "node %d processed height", i);
		CHECK(height_at_node(&s, i, "confirmed") == h - 1, "node %d confirmed height", i);
		CHECK(height_at_node(&s, i, "finalized") == h - 10, "node %d finalized height", i);
		j = rpc_at(&s, i, "getSlot", "[{\"commitment\":\"processed\"}]");
		CHECK(jint(j, "result") == slot_of_h(h), "node %d slot", i);
		json_decref(j);
		j = rpc_at(&s, i, "getEpochInfo", "[{\"commitment\":\"confirmed\"}]");
		CHECK(jint(j, "result.blockHeight") == h - 1 &&
		          jint(j, "result.absoluteSlot") == slot_of_h(h - 1) &&
		          jint(j, "result.epoch") == slot_of_h(h - 1) / 432000 &&
		          jint(j, "result.slotIndex") == slot_of_h(h - 1) % 432000 &&
		          jint(j, "result.slotsInEpoch") == 432000 &&
		          jint(j, "result.transactionCount") == 0,
		      "node %d getEpochInfo", i);
		json_decref(j);
		CHECK(blockhash_at(&s, i, "confirmed", bh0, &lv0, &cs), "node %d blockhash", i);
		CHECK(lv0 == h - 1 + 300 && cs == slot_of_h(h - 1),
		      "node %d getLatestBlockhash: lastValidBlockHeight %lld, context.slot %lld", i,
		      (long long)lv0, (long long)cs);
		j = rpc_at(&s, i, "getGenesisHash", NULL);
		if (i == 0)
			snprintf(genesis, sizeof(genesis), "%s", jstr(j, "result"));
		CHECK(strlen(genesis) >= 32 && strcmp(jstr(j, "result"), genesis) == 0,
		      "node %d: one genesis hash", i);
		json_decref(j);
	}

	/* minContextSlot above a node's view: -32016 with that view's slot */
	s0 = slot_of_h(H);
	j = min_ctx_call(&s, 1, "getSlot", "[{\"commitment\":\"processed\",\"minContextSlot\":%lld}]",
	                 s0);
	CHECK(jint(j, "error.code") == -32016 &&
	          strcmp(jstr(j, "error.message"), "Minimum context slot has not been reached") == 0 &&
	          jint(j, "error.data.contextSlot") == slot_of_h(H - 50),
	      "node 1 getSlot: -32016, contextSlot %lld", (long long)jint(j, "error.data.contextSlot"));
	json_decref(j);
	j = min_ctx_call(&s, 0, "getSlot", "[{\"commitment\":\"processed\",\"minContextSlot\":%lld}]",
	                 s0);
	CHECK(jint(j, "result") == s0, "node 0 has reached it");
	json_decref(j);
	{
		static const char *const calls[][2] = {
		    {"getBlockHeight", "[{\"commitment\":\"confirmed\",\"minContextSlot\":%lld}]"},
		    {"getEpochInfo", "[{\"commitment\":\"confirmed\",\"minContextSlot\":%lld}]"},
		    {"getLatestBlockhash", "[{\"commitment\":\"confirmed\",\"minContextSlot\":%lld}]"},
		    {"isBlockhashValid", "[\"11111111111111111111111111111111\",{\"commitment\":"
		                         "\"confirmed\",\"minContextSlot\":%lld}]"},
		    {"getAccountInfo", "[\"11111111111111111111111111111111\",{\"commitment\":"
		                       "\"confirmed\",\"minContextSlot\":%lld}]"},
		};

		for (k = 0; k < 5; k++)
		{
			j = min_ctx_call(&s, 2, calls[k][0], calls[k][1], s0);
			CHECK(jint(j, "error.code") == -32016 &&
			          jint(j, "error.data.contextSlot") == slot_of_h(H - 101),
			      "node 2 %s: -32016 at its confirmed slot", calls[k][0]);
			json_decref(j);
			j = min_ctx_call(&s, 2, calls[k][0], calls[k][1], slot_of_h(H - 101));
			CHECK(jget(j, "error") == NULL && jget(j, "result") != NULL,
			      "node 2 %s: minContextSlot = its slot is fine", calls[k][0]);
			if (jget(j, "result.context"))
				CHECK(jint(j, "result.context.slot") == slot_of_h(H - 101),
				      "node 2 %s: context.slot", calls[k][0]);
			json_decref(j);
		}
	}

	/* a lagging node hands out an older blockhash */
	CHECK(blockhash_at(&s, 0, "confirmed", bh0, &lv0, &cs0), "node 0 blockhash");
	CHECK(blockhash_at(&s, 2, "confirmed", bh2, &lv2, &cs2), "node 2 blockhash");
	CHECK(lv0 - lv2 == 100 && cs0 > cs2 && memcmp(bh0, bh2, 32) != 0,
	      "node 2's blockhash is 100 blocks older (%lld vs %lld)", (long long)lv2, (long long)lv0);
	sol_pubkey_to_b58(bh0, bh58);
	snprintf(p, sizeof(p), "[\"%s\",{\"commitment\":\"processed\"}]", bh58);
	j = rpc_at(&s, 2, "isBlockhashValid", p);
	CHECK(json_is_false(jget(j, "result.value")) &&
	          jint(j, "result.context.slot") == slot_of_h(H - 100),
	      "node 2 does not know node 0's blockhash yet");
	json_decref(j);
	j = rpc_at(&s, 0, "isBlockhashValid", p);
	CHECK(json_is_true(jget(j, "result.value")), "node 0 does");
	json_decref(j);

	/* mint A with node 2's blockhash, sent through node 2 */
	build_mint(bh2, 1, false, wire, b64a, siga);
	j = send_at(&s, 2, b64a, false, "confirmed");
	CHECK(strcmp(jstr(j, "result"), siga) == 0, "send A via node 2");
	json_decref(j);
	snprintf(p, sizeof(p),
	         "[\"%s\",{\"encoding\":\"base64\",\"skipPreflight\":true,\"minContextSlot\":%lld}]",
	         b64a, (long long)s0);
	j = rpc_at(&s, 2, "sendTransaction", p);
	CHECK(jint(j, "error.code") == -32016 &&
	          jint(j, "error.data.contextSlot") == slot_of_h(H - 100),
	      "sendTransaction minContextSlot on node 2 (processed bank with skipPreflight)");
	json_decref(j);
	/* agave's order: deserialize, then the bank (minContextSlot), then sanitize and sigverify */
	snprintf(p, sizeof(p), "[\"AAAA\",{\"encoding\":\"base64\",\"minContextSlot\":%lld}]",
	         (long long)s0);
	j = rpc_at(&s, 2, "sendTransaction", p);
	CHECK(jint(j, "error.code") == -32602, "undecodable transaction: -32602 before -32016");
	json_decref(j);
	{
		uint8_t w2[1232];
		char b64t[4096];
		int n = build_mint(bh2, 1, false, w2, NULL, NULL);

		w2[10] ^= 1; /* a bad signature */
		to_b64(w2, (size_t)n, b64t);
		snprintf(p, sizeof(p),
		         "[\"%s\",{\"encoding\":\"base64\",\"preflightCommitment\":\"confirmed\","
		         "\"minContextSlot\":%lld}]",
		         b64t, (long long)s0);
		j = rpc_at(&s, 2, "sendTransaction", p);
		CHECK(jint(j, "error.code") == -32016 &&
		          jint(j, "error.data.contextSlot") == slot_of_h(H - 101),
		      "bad signature: -32016 first (confirmed preflight bank)");
		json_decref(j);
	}
	/* mint B with node 0's blockhash: too new for node 2's preflight bank */
	build_mint(bh0, 2, false, wire, b64b, sigb);
	j = send_at(&s, 2, b64b, false, "processed");
	CHECK(jint(j, "error.code") == -32002 &&
	          strcmp(jstr(j, "error.data.err"), "BlockhashNotFound") == 0,
	      "node 2: BlockhashNotFound for a blockhash newer than its view");
	json_decref(j);
	j = send_at(&s, 2, b64b, true, "processed");
	CHECK(strcmp(jstr(j, "result"), sigb) == 0, "skipPreflight: node 2 forwards it to the leader");
	json_decref(j);

	advance(&s, 1); /* A and B land at H + 1 */
	st = status_at(&s, 0, siga, &cs);
	CHECK(st && jint(st, "slot") == slot_of_h(H + 1) && jint(st, "confirmations") == 0 &&
	          strcmp(jstr(st, "confirmationStatus"), "processed") == 0 && cs == slot_of_h(H + 1),
	      "node 0 sees A, context.slot = its processed slot");
	json_decref(st);
	st = status_at(&s, 0, sigb, NULL);
	CHECK(st != NULL, "B landed: the leader knew its blockhash");
	json_decref(st);
	for (i = 1; i < 3; i++)
	{
		st = status_at(&s, i, siga, &cs);
		CHECK(st == NULL && cs == slot_of_h(H + 1 - lag[i]),
		      "node %d: A unknown (null), context.slot %lld", i, (long long)cs);
		json_decref(st);
	}
	CHECK(tree_minted_at_node(&s, 0) == 2 && tree_minted_at_node(&s, 2) == -1,
	      "tree config: node 0 counts 2 mints, node 2 has no such account yet");
	j = rpc_at(&s, 0, "getEpochInfo", "[{\"commitment\":\"processed\"}]");
	CHECK(jint(j, "result.transactionCount") == 2, "node 0 transactionCount");
	json_decref(j);
	j = rpc_at(&s, 2, "getEpochInfo", "[{\"commitment\":\"processed\"}]");
	CHECK(jint(j, "result.transactionCount") == 0, "node 2 transactionCount");
	json_decref(j);
	/* a lagging node's status cache does not have it: a re-send is a duplicate */
	advance(&s, 1);
	j = send_at(&s, 0, b64a, false, "confirmed");
	CHECK(strcmp(jstr(j, "error.data.err"), "AlreadyProcessed") == 0, "node 0: AlreadyProcessed");
	json_decref(j);
	j = send_at(&s, 1, b64a, false, "finalized");
	CHECK(strcmp(jstr(j, "result"), siga) == 0, "node 1: the signature again (not in its bank)");
	json_decref(j);
	CHECK(tx_visible_at(&s, 0, siga) && !tx_visible_at(&s, 1, siga),
	      "getTransaction: node 0 yes, node 1 null");

	/* k blocks after H: node 1 sees the landing (H + 1) once H + k - 50 >= H + 1 */
	advance(&s, 48); /* k = 50 */
	st = status_at(&s, 1, siga, NULL);
	CHECK(st == NULL, "k=50: node 1 still null");
	json_decref(st);
	advance(&s, 1); /* k = 51 */
	st = status_at(&s, 1, siga, &cs);
	CHECK(st && strcmp(jstr(st, "confirmationStatus"), "processed") == 0 &&
	          jint(st, "confirmations") == 0 && cs == slot_of_h(H + 1),
	      "k=51: node 1 sees A as processed");
	json_decref(st);
	CHECK(!tx_visible_at(&s, 1, siga), "k=51: not yet confirmed on node 1");
	advance(&s, 1);
	CHECK(tx_visible_at(&s, 1, siga) && !tx_visible_at(&s, 2, siga), "k=52: node 1 has it");
	st = status_at(&s, 0, siga, NULL);
	CHECK(st && json_is_null(jget(st, "confirmations")) &&
	          strcmp(jstr(st, "confirmationStatus"), "finalized") == 0,
	      "node 0: finalized");
	json_decref(st);
	advance(&s, 49); /* k = 101 */
	st = status_at(&s, 2, siga, NULL);
	CHECK(st && strcmp(jstr(st, "confirmationStatus"), "processed") == 0, "k=101: node 2 sees A");
	json_decref(st);
	CHECK(tree_minted_at_node(&s, 2) == 2, "node 2 now has the tree config");

	j = get_json(&s, "/ledger?summary=1");
	CHECK(jint(j, "total") == 2 && jint(j, "ok") == 2 && jint(j, "uris_with_duplicates") == 0,
	      "the ledger: two mints");
	json_decref(j);
	j = get_json(&s, "/stats");
	CHECK(json_array_size(jget(j, "nodes")) == 3 && jint(j, "nodes.1.lag") == 50 &&
	          jint(j, "nodes.2.lag") == 100,
	      "stats: three nodes");
	CHECK(jint(j, "nodes.1.min_context_slot") == 1 && jint(j, "nodes.2.min_context_slot") == 7 &&
	          jint(j, "nodes.0.min_context_slot") == 0,
	      "stats: -32016 per node (%lld %lld)", (long long)jint(j, "nodes.1.min_context_slot"),
	      (long long)jint(j, "nodes.2.min_context_slot"));
	CHECK(jint(j, "nodes.2.blockhash_not_found") == 1 &&
	          jint(j, "nodes.0.blockhash_not_found") == 0,
	      "stats: BlockhashNotFound per node");
	CHECK(jint(j, "nodes.0.requests") > 10 && jint(j, "nodes.1.requests") > 10 &&
	          jint(j, "nodes.2.requests") > 10 &&
	          jint(j, "nodes.0.calls") == jint(j, "nodes.0.requests"),
	      "stats: requests per node");
	json_decref(j);
	CHECK(srv_stop(&s) == 0, "clean exit");

	/* another seed is another cluster */
	CHECK(srv_start(&s, "--paused --seed 2"), "start seed 2");
	j = rpc(&s, "getGenesisHash", NULL);
	CHECK(strlen(jstr(j, "result")) >= 32 && strcmp(jstr(j, "result"), genesis) != 0,
	      "seed 2: another genesis hash");
	json_decref(j);
	CHECK(srv_stop(&s) == 0, "clean exit");
	CHECK(srv_start(&s, "--paused"), "start seed 1");
	j = rpc(&s, "getGenesisHash", NULL);
	CHECK(strcmp(jstr(j, "result"), genesis) == 0, "seed 1 again: the same genesis hash");
	json_decref(j);
	CHECK(srv_stop(&s) == 0, "clean exit");
}

/* a lagging node's blockhash can be dead on the chain: preflight passes, the leader drops it */
static void
t_nodes_leader_drops_expired(void)
{
	Srv s;
	uint8_t bh[32];
	uint8_t wire[1232];
	char b64[2048];
	char sig[100];
	json_int_t lv;
	json_int_t H;
	json_t *j;
	json_t *st;

	CHECK(srv_start(&s, "--paused --nodes 2 --node-lag 0,100 --blockhash-window 60 "
	                    "--finalized-lag 10"),
	      "start");
	H = height_at_node(&s, 0, "processed");
	CHECK(blockhash_at(&s, 1, "confirmed", bh, &lv, NULL), "node 1 blockhash");
	CHECK(lv < H, "already expired on the chain (lastValidBlockHeight %lld < %lld)", (long long)lv,
	      (long long)H);
	build_mint(bh, 3, false, wire, b64, sig);
	j = send_at(&s, 0, b64, false, "confirmed");
	CHECK(strcmp(jstr(j, "error.data.err"), "BlockhashNotFound") == 0,
	      "node 0: BlockhashNotFound (expired)");
	json_decref(j);
	j = send_at(&s, 1, b64, false, "confirmed");
	CHECK(strcmp(jstr(j, "result"), sig) == 0, "node 1: preflight passes on its old bank");
	json_decref(j);
	advance(&s, 1);
	st = status_at(&s, 0, sig, NULL);
	CHECK(st == NULL, "never lands");
	json_decref(st);
	j = get_json(&s, "/stats");
	CHECK(jint(j, "chain.expired_in_queue") == 1, "the leader dropped it");
	json_decref(j);
	j = get_json(&s, "/ledger?summary=1");
	CHECK(jint(j, "total") == 0, "ledger empty");
	json_decref(j);
	CHECK(srv_stop(&s) == 0, "clean exit");
}

static void
t_nodes_routing(void)
{
	Srv s;
	Resp r;
	json_t *j;
	int i;
	int seen[3] = {0};
	json_int_t H;
	static const json_int_t lag[3] = {0, 50, 100};
	static const char bh_req[] =
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getBlockHeight\",\"params\":[{"
	    "\"commitment\":\"processed\"}]}";

	CHECK(srv_start(&s, "--paused --nodes 3 --node-lag 0,50,100 --route round-robin"), "start");
	for (i = 0; i < 6; i++)
	{
		r = http(&s, "POST", "/", health, NULL, 0);
		CHECK(r.status == 200 && r.node == i % 3, "round-robin: request %d to node %d (%d)", i,
		      i % 3, r.node);
		resp_free(&r);
	}
	H = height_at_node(&s, 0, "processed");
	/* a batch goes to one node */
	r = http(&s, "POST", "/",
	         "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getBlockHeight\",\"params\":[{"
	         "\"commitment\":\"processed\"}]},"
	         "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"getBlockHeight\",\"params\":[{"
	         "\"commitment\":\"processed\"}]},"
	         "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"getBlockHeight\",\"params\":[{"
	         "\"commitment\":\"processed\"}]}]",
	         NULL, 0);
	j = json_loads(r.body, 0, NULL);
	CHECK(r.node >= 0 && r.node < 3 && jint(j, "0.result") == H - lag[r.node] &&
	          jint(j, "1.result") == jint(j, "0.result") &&
	          jint(j, "2.result") == jint(j, "0.result"),
	      "batch: one node answers all of it");
	json_decref(j);
	resp_free(&r);
	r = http(&s, "POST", "/node/7", health, NULL, 0);
	CHECK(r.status == 200 && r.node >= 0 && r.node < 3, "/node/7 of 3: routed");
	resp_free(&r);
	j = get_json(&s, "/stats");
	CHECK(jint(j, "nodes.0.requests") + jint(j, "nodes.1.requests") + jint(j, "nodes.2.requests") ==
	          6 + 1 + 1 + 1,
	      "stats: every request counted once");
	CHECK(jint(j, "nodes.0.calls") + jint(j, "nodes.1.calls") + jint(j, "nodes.2.calls") ==
	          6 + 1 + 3 + 1,
	      "stats: every call counted once");
	json_decref(j);
	CHECK(srv_stop(&s) == 0, "clean exit");

	CHECK(srv_start(&s, "--paused --nodes 3 --node-lag 0,50,100"), "start random");
	H = height_at_node(&s, 0, "processed");
	for (i = 0; i < 300; i++)
	{
		r = http(&s, "POST", "/", bh_req, NULL, 0);
		j = json_loads(r.body, 0, NULL);
		if (r.node >= 0 && r.node < 3)
		{
			seen[r.node]++;
			CHECK(jint(j, "result") == H - lag[r.node], "random: the height of node %d", r.node);
		}
		else
			CHECK(false, "no node header");
		json_decref(j);
		resp_free(&r);
	}
	CHECK(seen[0] > 60 && seen[1] > 60 && seen[2] > 60, "random: %d %d %d", seen[0], seen[1],
	      seen[2]);
	CHECK(srv_stop(&s) == 0, "clean exit");

	CHECK(srv_start(&s, "--paused"), "start one node");
	r = http(&s, "POST", "/", health, NULL, 0);
	CHECK(r.status == 200 && r.node == -1, "one node: no X-Solana-Fake-Node header");
	resp_free(&r);
	CHECK(srv_stop(&s) == 0, "clean exit");
}

#define WANDER_STEPS 300

static void
wander_run(const char *args, json_int_t out[WANDER_STEPS][3], int *distinct1, bool *ok)
{
	Srv s;
	int i;
	int k;
	json_int_t prev_view[3] = {0, 0, 0};
	bool seen[121] = {false};

	*ok = true;
	*distinct1 = 0;
	if (!srv_start(&s, args))
	{
		*ok = false;
		return;
	}
	for (i = 0; i < WANDER_STEPS; i++)
	{
		json_t *j;
		json_int_t tip;

		advance(&s, 1);
		j = get_json(&s, "/control");
		tip = jint(j, "block_height");
		for (k = 0; k < 3; k++)
		{
			json_int_t l = json_integer_value(json_array_get(jget(j, "node_lags"), (size_t)k));

			out[i][k] = l;
			if (k == 0 ? l != 0 : (l < 80 || l > 120))
			{
				CHECK(false, "step %d node %d: lag %lld out of [80, 120]", i, k, (long long)l);
				*ok = false;
			}
			if (tip - l < prev_view[k])
			{
				CHECK(false, "step %d node %d: view went back", i, k);
				*ok = false;
			}
			prev_view[k] = tip - l;
		}
		if (out[i][1] >= 80 && out[i][1] <= 120 && !seen[out[i][1]])
		{
			seen[out[i][1]] = true;
			(*distinct1)++;
		}
		if (i % 50 == 0)
			for (k = 0; k < 3; k++)
				CHECK(height_at_node(&s, k, "processed") == tip - out[i][k],
				      "step %d: node %d answers from its lagged view", i, k);
		json_decref(j);
	}
	CHECK(srv_stop(&s) == 0, "clean exit");
}

static void
t_lag_wander(void)
{
	static json_int_t a[WANDER_STEPS][3];
	static json_int_t b[WANDER_STEPS][3];
	static json_int_t c[WANDER_STEPS][3];
	int da;
	int db;
	int dc;
	bool ok;
	Srv s;
	json_t *j;

	wander_run("--paused --nodes 3 --lag-wander 80-120 --seed 7", a, &da, &ok);
	CHECK(ok && da >= 10, "wanders within [80, 120] (%d distinct lags)", da);
	wander_run("--paused --nodes 3 --lag-wander 80-120 --seed 7", b, &db, &ok);
	CHECK(ok && memcmp(a, b, sizeof(a)) == 0, "same seed, same wander");
	wander_run("--paused --nodes 3 --lag-wander 80-120 --seed 8", c, &dc, &ok);
	CHECK(ok && memcmp(a, c, sizeof(a)) != 0, "another seed, another wander");

	/* at run time */
	CHECK(srv_start(&s, "--paused --nodes 3 --lag-wander 80-120"), "start");
	j = control(&s, "{\"lag_wander\":\"10-20\",\"advance\":5}");
	CHECK(json_integer_value(json_array_get(jget(j, "node_lags"), 1)) >= 10 &&
	          json_integer_value(json_array_get(jget(j, "node_lags"), 1)) <= 20 &&
	          json_integer_value(json_array_get(jget(j, "node_lags"), 2)) <= 20 &&
	          jint(j, "lag_wander.0") == 10 && jint(j, "lag_wander.1") == 20,
	      "lag_wander 10-20 at run time");
	json_decref(j);
	j = control(&s, "{\"lag_wander\":null,\"node_lag\":[0,5,7]}");
	CHECK(json_is_null(jget(j, "lag_wander")) && jint(j, "node_lags.1") == 5 &&
	          jint(j, "node_lags.2") == 7 && jint(j, "node_lag.2") == 7,
	      "fixed lags again");
	json_decref(j);
	j = control(&s, "{\"nodes\":2}");
	CHECK(jint(j, "nodes") == 2 && json_array_size(jget(j, "node_lags")) == 2, "nodes 2");
	json_decref(j);
	CHECK(srv_stop(&s) == 0, "clean exit");
}

static void
t_nodes_options(void)
{
	Srv s;
	json_t *j;
	size_t i;
	static const char *const bad_control[] = {
	    "{\"nodes\":0}",
	    "{\"nodes\":17}",
	    "{\"node_lag\":\"0,x\"}",
	    "{\"node_lag\":\"0,\"}",
	    "{\"node_lag\":[0,10001]}",
	    "{\"node_lag\":-1}",
	    "{\"lag_wander\":\"5-3\"}",
	    "{\"lag_wander\":\"5\"}",
	    "{\"lag_wander\":[1,20000]}",
	    "{\"route\":\"sticky\"}",
	    "{\"route\":1}",
	};
	static const char *const bad_cli[][2] = {
	    {"--nodes", "0"},        {"--nodes", "x"},      {"--node-lag", "1,x"},
	    {"--lag-wander", "9-3"}, {"--route", "sticky"},
	};

	CHECK(srv_start(&s, "--paused --nodes 4 --node-lag 0,1,2 --route round-robin"), "start");
	j = get_json(&s, "/control");
	CHECK(jint(j, "nodes") == 4 && jint(j, "node_lag.2") == 2 && jint(j, "node_lag.3") == 0 &&
	          strcmp(jstr(j, "route"), "round-robin") == 0 && json_is_null(jget(j, "lag_wander")) &&
	          strlen(jstr(j, "genesis_hash")) >= 32,
	      "GET /control shows the pool");
	json_decref(j);
	for (i = 0; i < sizeof(bad_control) / sizeof(bad_control[0]); i++)
	{
		j = control(&s, bad_control[i]);
		CHECK(j == NULL, "control rejects %s", bad_control[i]);
		json_decref(j);
	}
	j = control(&s, "{\"node_lag\":\"3,4\",\"route\":\"random\",\"lag_wander\":[1,2]}");
	CHECK(j && jint(j, "node_lag.0") == 3 && jint(j, "node_lag.1") == 4 &&
	          jint(j, "node_lag.2") == 0 && jint(j, "node_lags.0") == 3 &&
	          strcmp(jstr(j, "route"), "random") == 0,
	      "control sets node_lag, route and lag_wander");
	json_decref(j);
	CHECK(srv_stop(&s) == 0, "clean exit");
	for (i = 0; i < sizeof(bad_cli) / sizeof(bad_cli[0]); i++)
	{
		int st;
		pid_t pid = fork();

		if (pid == 0)
		{
			int fd = open("/dev/null", O_WRONLY);

			dup2(fd, 2);
			execl(fake_bin, fake_bin, "--listen", "127.0.0.1:0", bad_cli[i][0], bad_cli[i][1],
			      (char *)NULL);
			_exit(127);
		}
		waitpid(pid, &st, 0);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2, "refuses %s %s", bad_cli[i][0], bad_cli[i][1]);
	}
}

/* --nodes 1 (given or not) answers as the fake always did */
static void
t_one_node_same_answers(void)
{
	Srv a;
	Srv b;
	int k;
	static const char *const reqs[] = {
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getBlockHeight\"}",
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getSlot\",\"params\":[{\"commitment\":"
	    "\"confirmed\"}]}",
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getLatestBlockhash\",\"params\":[{"
	    "\"commitment\":\"processed\"}]}",
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getSignatureStatuses\",\"params\":[["
	    "\"1111111111111111111111111111111111111111111111111111111111111111\"]]}",
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getSlot\",\"params\":[{\"minContextSlot\":"
	    "99999999}]}",
	};

	CHECK(srv_start(&a, "--paused --seed 5"), "start a");
	CHECK(srv_start(&b, "--paused --seed 5 --nodes 1 --node-lag 0 --route round-robin"), "start b");
	for (k = 0; k < 5; k++)
	{
		Resp ra = http(&a, "POST", "/", reqs[k], NULL, 0);
		Resp rb = http(&b, "POST", "/", reqs[k], NULL, 0);

		CHECK(ra.status == 200 && strcmp(ra.body, rb.body) == 0 && ra.node == -1 && rb.node == -1,
		      "same answer: %s / %s", ra.body, rb.body);
		resp_free(&ra);
		resp_free(&rb);
	}
	CHECK(srv_stop(&a) == 0 && srv_stop(&b) == 0, "clean exit");
}

/* ---- main ---- */

static void
run_test(const char *name, void (*fn)(void))
{
	struct timeval t0;
	struct timeval t1;

	cur_test = name;
	cur_failed = 0;
	gettimeofday(&t0, NULL);
	fn();
	gettimeofday(&t1, NULL);
	if (cur_failed == 0)
		n_passed++;
	else
		n_failed++;
	printf("%s - %s (%.1f s)\n", cur_failed ? "FAIL" : "ok  ", name,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_usec - t0.tv_usec) / 1e6);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	static const struct
	{
		const char *name;
		void (*fn)(void);
	} tests[] = {
	    {"methods_and_commitment", t_methods},
	    {"loopback_only", t_loopback_only},
	    {"lands_once_however_often_sent", t_land_once},
	    {"rejections", t_rejections},
	    {"leaf_event_in_getTransaction", t_leaf_event},
	    {"signature_statuses_progress", t_statuses},
	    {"chain_advances", t_chain_advances},
	    {"tree_capacity", t_tree_capacity},
	    {"priority_fees", t_priority_fees},
	    {"tree_block_limit", t_tree_block_limit},
	    {"fault_rates_429_5xx_timeout_down", t_fault_rates},
	    {"lost_response", t_lost_response},
	    {"never_lands_then_resend_lands", t_never_lands_then_resend},
	    {"never_lands_and_tx_error_rates", t_never_lands_and_tx_error},
	    {"timeout_and_latency_do_not_block", t_timeout_does_not_block},
	    {"webhooks", t_webhooks},
	    {"nodes_lagging_views", t_nodes_views},
	    {"nodes_leader_drops_expired_blockhash", t_nodes_leader_drops_expired},
	    {"nodes_routing", t_nodes_routing},
	    {"nodes_lag_wander", t_lag_wander},
	    {"nodes_options", t_nodes_options},
	    {"nodes_one_node_same_answers", t_one_node_same_answers},
	};
	size_t i;

	fake_bin = getenv("FAKE_BIN") ? getenv("FAKE_BIN") : "fake/solana-fake";
	if (access(fake_bin, X_OK) != 0)
	{
		fprintf(stderr, "no executable %s (set FAKE_BIN)\n", fake_bin);
		return 2;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/solana-fake-test.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 2;
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	init_keys();
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (only == NULL || strstr(tests[i].name, only))
			run_test(tests[i].name, tests[i].fn);
	curl_global_cleanup();
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	printf("%d passed, %d failed\n", n_passed, n_failed);
	return n_failed ? 1 : 0;
}
