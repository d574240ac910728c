/*
 * test_rpc.c -- the JSON-RPC client against a loopback HTTP server (plain
 * sockets in a thread, 127.0.0.1, port chosen by the kernel) that the test
 * starts and stops itself.  The path of the URL selects the server's
 * behaviour: /ok, /err/<code>/<variant>, /429, /503, /hang, /garbage,
 * /truncjson, /short, /big, /wrongid, /partialbatch, /wrongtype.
 */
#include "test_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "sol_bubblegum.h"
#include "sol_codec.h"
#include "sol_crypto.h"
#include "sol_rpc.h"
#include "sol_tx.h"

#define V1 "bubblegum_vectors.json"
#define V2 "bubblegum_vectors2.json"

typedef struct TestServer
{
	int listen_fd;
	int port;
	int stop_pipe[2];
	pthread_t thread;
	int hung[64];
	int nhung;
	int requests;
	char *tx_json; /* getTransaction result */
} TestServer;

static void
write_all(int fd, const char *buf, size_t n)
{
	while (n > 0)
	{
		ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		buf += w;
		n -= (size_t)w;
	}
}

static void
respond(int fd, int status, const char *reason, const char *extra_headers, const char *body)
{
	char head[512];

	snprintf(head, sizeof(head),
	         "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
	         "Connection: close\r\n%s\r\n",
	         status, reason, strlen(body), extra_headers ? extra_headers : "");
	write_all(fd, head, strlen(head));
	write_all(fd, body, strlen(body));
}

static json_t *
rpc_error(const json_t *id, int code, const char *message, json_t *data)
{
	json_t *err = json_pack("{s:i, s:s}", "code", code, "message", message);

	if (data)
		json_object_set_new(err, "data", data);
	return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id, "error", err);
}

static json_t *
rpc_result(const json_t *id, json_t *result)
{
	return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id, "result", result);
}

static json_t *
handle_ok(TestServer *s, const json_t *req)
{
	const json_t *id = json_object_get(req, "id");
	const char *method = json_string_value(json_object_get(req, "method"));
	const json_t *params = json_object_get(req, "params");
	const json_t *p0 = json_array_get(params, 0);
	const json_t *p1 = json_array_get(params, 1);

	if (method == NULL || !json_is_integer(id))
		return rpc_error(json_null(), -32600, "Invalid request", NULL);
	if (strcmp(method, "getLatestBlockhash") == 0)
		return rpc_result(id, json_pack("{s:{s:i}, s:{s:s, s:i}}", "context", "slot", 2792, "value",
		                                "blockhash", "EkSnNWid2cvwEVnVx9aBqawnmiCNiDgp3gUdkDPTKN1N",
		                                "lastValidBlockHeight", 3090));
	if (strcmp(method, "getBlockHeight") == 0)
	{
		const char *c = json_string_value(json_object_get(p0, "commitment"));

		return rpc_result(id, json_integer(c && strcmp(c, "finalized") == 0 ? 1233 : 1200));
	}
	if (strcmp(method, "sendTransaction") == 0)
	{
		uint8_t wire[1300];
		SolTxView v;
		int n;
		char sig58[SOL_SIGNATURE_B58_MAX];
		const char *enc = json_string_value(json_object_get(p1, "encoding"));

		if (!json_is_string(p0) || enc == NULL || strcmp(enc, "base64") != 0)
			return rpc_error(id, -32602, "invalid params", NULL);
		n = sol_base64_decode(json_string_value(p0), json_string_length(p0), wire, sizeof(wire));
		if (n < 0 || sol_tx_decode(wire, (size_t)n, &v, NULL) != 0)
			return rpc_error(id, -32602, "invalid transaction", NULL);
		if (!sol_tx_verify(&v))
			return rpc_error(id, -32003, "Transaction signature verification failure", NULL);
		sol_signature_to_b58(v.signatures, sig58);
		return rpc_result(id, json_string(sig58));
	}
	if (strcmp(method, "getSignatureStatuses") == 0)
	{
		json_t *value = json_array();
		size_t i;

		if (!json_is_array(p0) || !json_is_true(json_object_get(p1, "searchTransactionHistory")))
			return rpc_error(id, -32602, "invalid params", NULL);
		for (i = 0; i < json_array_size(p0); i++)
		{
			if (i == 0)
				json_array_append_new(value, json_pack("{s:i, s:n, s:n, s:{s:n}, s:s}", "slot", 48,
				                                       "confirmations", "err", "status", "Ok",
				                                       "confirmationStatus", "finalized"));
			else if (i == 1)
				json_array_append_new(value,
				                      json_pack("{s:i, s:i, s:{s:[i,{s:i}]}, s:s}", "slot", 50,
				                                "confirmations", 3, "err", "InstructionError", 0,
				                                "Custom", 6017, "confirmationStatus", "confirmed"));
			else
				json_array_append_new(value, json_null());
		}
		return rpc_result(id, json_pack("{s:{s:i}, s:o}", "context", "slot", 82, "value", value));
	}
	if (strcmp(method, "getTransaction") == 0)
	{
		const char *enc = json_string_value(json_object_get(p1, "encoding"));
		json_t *tx;

		if (enc == NULL || strcmp(enc, "json") != 0 ||
		    !json_is_integer(json_object_get(p1, "maxSupportedTransactionVersion")))
			return rpc_error(id, -32602, "invalid params", NULL);
		tx = json_loads(s->tx_json ? s->tx_json : "null", JSON_DECODE_ANY, NULL);
		return rpc_result(id, tx ? tx : json_null());
	}
	if (strcmp(method, "getAccountInfo") == 0)
	{
		uint8_t raw[128];
		char b64[256];
		int n = tv_hex(tv_str(V2, "tree_config_account_sample.hex"), raw, sizeof(raw));
		const char *enc = json_string_value(json_object_get(p1, "encoding"));

		if (enc == NULL || strcmp(enc, "base64") != 0 || !json_is_string(p0))
			return rpc_error(id, -32602, "invalid params", NULL);
		if (strcmp(json_string_value(p0), "H1qSrtbWH1FSqVJD3ihd27tskVqeA3rK99PCrMFeD1r9") != 0)
			return rpc_result(id, json_pack("{s:{s:i}, s:n}", "context", "slot", 1, "value"));
		sol_base64_encode(raw, (size_t)n, b64, sizeof(b64));
		return rpc_result(id,
		                  json_pack("{s:{s:i}, s:{s:[s,s], s:b, s:i, s:s}}", "context", "slot", 1,
		                            "value", "data", b64, "base64", "executable", 0, "lamports",
		                            1000, "owner", "BGUMAp9Gq7iTEuizy4pqaxsTyUCBK68MDfK752saRPUY"));
	}
	return rpc_error(id, -32601, "Method not found", NULL);
}

static json_t *
handle_err(const json_t *req, const char *path)
{
	const json_t *id = json_object_get(req, "id");
	int code = atoi(path + 5);
	const char *variant = strchr(path + 5, '/');
	json_t *data = NULL;

	variant = variant ? variant + 1 : "";
	if (strcmp(variant, "BlockhashNotFound") == 0 || strcmp(variant, "AlreadyProcessed") == 0 ||
	    strcmp(variant, "InsufficientFundsForFee") == 0)
		data = json_pack("{s:s, s:[], s:n}", "err", variant, "logs", "accounts");
	else if (strcmp(variant, "InstructionError") == 0)
		data = json_pack("{s:{s:[i,{s:i}]}, s:[s]}", "err", "InstructionError", 2, "Custom", 6017,
		                 "logs", "Program log: Error: InsufficientMintCapacity");
	else if (strcmp(variant, "unhealthy") == 0)
		data = json_pack("{s:i}", "numSlotsBehind", 42);
	return rpc_error(id ? id : json_null(), code, "error from test server", data);
}

static void
handle_conn(TestServer *s, int fd)
{
	char buf[65536];
	size_t len = 0;
	char *hdr_end = NULL;
	size_t clen = 0;
	char path[128] = "";
	char *cl;
	json_t *req;
	json_t *resp = NULL;
	char *body;
	struct timeval tv = {2, 0};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (hdr_end == NULL && len < sizeof(buf) - 1)
	{
		ssize_t r = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);

		if (r <= 0)
		{
			close(fd);
			return;
		}
		len += (size_t)r;
		buf[len] = '\0';
		hdr_end = strstr(buf, "\r\n\r\n");
	}
	if (hdr_end == NULL)
	{
		close(fd);
		return;
	}
	sscanf(buf, "%*s %127s", path);
	for (cl = buf; cl < hdr_end; cl++)
		if (strncasecmp(cl, "\r\nContent-Length:", 17) == 0)
		{
			clen = (size_t)strtoul(cl + 17, NULL, 10);
			break;
		}
	while ((size_t)(len - (size_t)(hdr_end + 4 - buf)) < clen && len < sizeof(buf) - 1)
	{
		ssize_t r = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);

		if (r <= 0)
			break;
		len += (size_t)r;
		buf[len] = '\0';
	}
	s->requests++;
	if (strcmp(path, "/hang") == 0)
	{
		if (s->nhung < 64)
			s->hung[s->nhung++] = fd;
		else
			close(fd);
		return;
	}
	if (strcmp(path, "/short") == 0)
	{
		const char *r = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
		                "100\r\nConnection: close\r\n\r\n{\"jsonrpc\":\"2.0\",\"res";

		write_all(fd, r, strlen(r));
	}
	else if (strcmp(path, "/429") == 0)
		respond(fd, 429, "Too Many Requests", "Retry-After: 3\r\n", "{\"error\":\"slow down\"}");
	else if (strcmp(path, "/429date") == 0)
	{
		char h[128];
		time_t t = time(NULL) + 10;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(h, sizeof(h), "Retry-After: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
		respond(fd, 429, "Too Many Requests", h, "");
	}
	else if (strcmp(path, "/503") == 0)
		respond(fd, 503, "Service Unavailable", NULL, "upstream down");
	else if (strcmp(path, "/garbage") == 0)
		respond(fd, 200, "OK", NULL, "<html>\x01\xff not json</html>");
	else if (strcmp(path, "/truncjson") == 0)
		respond(fd, 200, "OK", NULL, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"context\":");
	else if (strcmp(path, "/big") == 0)
	{
		char *big = malloc(5001);

		memset(big, ' ', 5000);
		big[0] = '{';
		big[4999] = '}';
		big[5000] = '\0';
		respond(fd, 200, "OK", NULL, big);
		free(big);
	}
	else
	{
		req = json_loadb(hdr_end + 4, clen, 0, NULL);
		if (req == NULL)
			respond(fd, 400, "Bad Request", NULL, "bad json");
		else
		{
			if (json_is_array(req))
			{
				size_t i;

				resp = json_array();
				/* answer in reverse order */
				for (i = json_array_size(req); i > 0; i--)
				{
					const json_t *r = json_array_get(req, i - 1);
					json_t *one;

					if (strcmp(path, "/partialbatch") == 0 && i == 1)
						continue;
					if (strncmp(path, "/err/", 5) == 0)
						one = handle_err(r, path);
					else if (strcmp(path, "/wrongtype") == 0)
						one = rpc_result(json_object_get(r, "id"), json_string("abc"));
					else
						one = handle_ok(s, r);
					json_array_append_new(resp, one);
				}
			}
			else if (strncmp(path, "/err/", 5) == 0)
				resp = handle_err(req, path);
			else if (strcmp(path, "/wrongid") == 0)
			{
				json_t *wrong = json_integer(999999);

				resp = rpc_result(wrong, json_integer(5));
				json_decref(wrong);
			}
			else if (strcmp(path, "/wrongtype") == 0)
				resp = rpc_result(json_object_get(req, "id"), json_string("abc"));
			else
				resp = handle_ok(s, req);
			body = json_dumps(resp, JSON_COMPACT);
			respond(fd, 200, "OK", NULL, body);
			free(body);
			json_decref(resp);
			json_decref(req);
		}
	}
	close(fd);
}

static void *
server_main(void *arg)
{
	TestServer *s = arg;

	for (;;)
	{
		struct pollfd p[2];

		p[0].fd = s->listen_fd;
		p[0].events = POLLIN;
		p[1].fd = s->stop_pipe[0];
		p[1].events = POLLIN;
		if (poll(p, 2, 1000) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (p[0].revents & POLLIN)
		{
			int fd = accept(s->listen_fd, NULL, NULL);

			if (fd >= 0)
				handle_conn(s, fd);
		}
	}
	return NULL;
}

static int
server_start(TestServer *s)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (s->listen_fd < 0)
		return -1;
	setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = 0;
	if (bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(s->listen_fd, 64) != 0 ||
	    getsockname(s->listen_fd, (struct sockaddr *)&a, &alen) != 0 || pipe(s->stop_pipe) != 0)
	{
		close(s->listen_fd);
		return -1;
	}
	s->port = ntohs(a.sin_port);
	if (pthread_create(&s->thread, NULL, server_main, s) != 0)
		return -1;
	return 0;
}

static void
server_stop(TestServer *s)
{
	int i;

	if (write(s->stop_pipe[1], "x", 1) != 1)
		return;
	pthread_join(s->thread, NULL);
	for (i = 0; i < s->nhung; i++)
		close(s->hung[i]);
	close(s->listen_fd);
	close(s->stop_pipe[0]);
	close(s->stop_pipe[1]);
	free(s->tx_json);
}

static SolRpc *
client(TestServer *s, const char *path, long timeout_ms)
{
	char url[128];
	SolRpcOptions o;
	SolError err;

	memset(&o, 0, sizeof(o));
	o.default_timeout_ms = timeout_ms;
	o.max_response_bytes = 4096;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", s->port, path);
	return sol_rpc_new(url, &o, &err);
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Poll until n results arrived (or 5 s). Results are sorted by id. */
static int
collect(SolRpc *c, SolRpcResult *res, int n)
{
	int got = 0;
	int64_t end = mono_ms() + 5000;
	int i;
	int j;

	while (got < n && mono_ms() < end)
	{
		int k = sol_rpc_poll(c, 100, res + got, (size_t)(n - got));

		if (k < 0)
			break;
		got += k;
	}
	for (i = 1; i < got; i++)
		for (j = i; j > 0 && res[j - 1].id > res[j].id; j--)
		{
			SolRpcResult t = res[j];

			res[j] = res[j - 1];
			res[j - 1] = t;
		}
	return got;
}

static void
clear_all(SolRpcResult *res, int n)
{
	int i;

	for (i = 0; i < n; i++)
		sol_rpc_result_clear(&res[i]);
}

static void
load_vector_tx(uint8_t *wire, int *n, uint8_t sig[64])
{
	*n = tv_hex(tv_str(V2, "tx_mint_v1_A_rust_order.wire_hex"), wire, 1300);
	memcpy(sig, wire + 1, 64);
}

static void
test_rpc_ok_concurrent(void)
{
	TestServer s;
	SolRpc *c;
	SolRpcResult res[8];
	SolError err;
	uint8_t wire[1300];
	uint8_t sig[64];
	uint8_t sigs[3][64];
	uint64_t ids[5];
	int n;
	int tags[5] = {0, 1, 2, 3, 4};
	SolLeafEvent ev;
	SolMetadata md;

	CHECK(server_start(&s) == 0);
	fill_event_a(&ev, &md);
	ev.nonce = 3;
	s.tx_json = make_tx_json("null", true, &ev);
	c = client(&s, "/ok", 3000);
	CHECK(c != NULL);
	if (c == NULL)
		return;
	load_vector_tx(wire, &n, sig);
	memcpy(sigs[0], sig, 64);
	memset(sigs[1], 1, 64);
	memset(sigs[2], 2, 64);
	/* five requests in flight at once on one multi handle */
	ids[0] = sol_rpc_get_latest_blockhash(c, "confirmed", 0, &tags[0], &err);
	ids[1] = sol_rpc_get_block_height(c, "finalized", 0, &tags[1], &err);
	ids[2] = sol_rpc_send_transaction(c, wire, (size_t)n, "confirmed", 0, &tags[2], &err);
	ids[3] =
	    sol_rpc_get_signature_statuses(c, (const uint8_t(*)[64])sigs, 3, true, 0, &tags[3], &err);
	ids[4] = sol_rpc_get_transaction(c, sig, "confirmed", 0, &tags[4], &err);
	CHECK(ids[0] && ids[1] && ids[2] && ids[3] && ids[4]);
	CHECK(sol_rpc_pending(c) == 5);
	CHECK(collect(c, res, 5) == 5);
	CHECK(sol_rpc_pending(c) == 0);
	{
		int i;

		for (i = 0; i < 5; i++)
		{
			CHECKM(res[i].cls == SOL_RPC_OK, "%d: %s %s", i, sol_rpc_class_name(res[i].cls),
			       res[i].message);
			CHECK(res[i].id == ids[i] && res[i].tag == &tags[i] && res[i].http_status == 200);
		}
	}
	{
		uint8_t bh[32];
		uint8_t expect[32];
		uint64_t lvbh = 0;
		uint64_t height = 0;
		uint8_t got_sig[64];
		SolSignatureStatus st[3];
		SolLeafEvent got;

		CHECK(strcmp(res[0].method, "getLatestBlockhash") == 0);
		CHECK(sol_rpc_parse_latest_blockhash(&res[0], bh, &lvbh, &err) == 0);
		CHECK(b58_to32("EkSnNWid2cvwEVnVx9aBqawnmiCNiDgp3gUdkDPTKN1N", expect) &&
		      memcmp(bh, expect, 32) == 0 && lvbh == 3090);
		CHECK(sol_rpc_parse_u64(&res[1], &height, &err) == 0 && height == 1233);
		CHECK(sol_rpc_parse_signature(&res[2], got_sig, &err) == 0 &&
		      memcmp(got_sig, sig, 64) == 0);
		CHECK(sol_rpc_parse_signature_statuses(&res[3], st, 3, &err) == 0);
		CHECK(st[0].found && !st[0].failed && st[0].slot == 48 &&
		      st[0].confirmation == SOL_COMMITMENT_FINALIZED);
		CHECK(st[1].found && st[1].failed && strstr(st[1].err, "6017") != NULL &&
		      st[1].confirmation == SOL_COMMITMENT_CONFIRMED);
		CHECK(!st[2].found);
		CHECK(sol_rpc_parse_signature_statuses(&res[3], st, 2, &err) == -1);
		CHECK(sol_leaf_from_transaction(res[4].result, &got, &err) == 0 && got.nonce == 3 &&
		      memcmp(got.id, ev.id, 32) == 0);
		/* parsers refuse results of the wrong call */
		CHECK(sol_rpc_parse_u64(&res[0], &height, &err) == -1);
		CHECK(sol_rpc_parse_latest_blockhash(&res[1], bh, &lvbh, &err) == -1);
	}
	clear_all(res, 5);
	/* a bad signature is reported by the server as -32003 */
	wire[10] ^= 1;
	CHECK(sol_rpc_send_transaction(c, wire, (size_t)n, "confirmed", 0, NULL, &err) != 0);
	CHECK(collect(c, res, 1) == 1 && res[0].cls == SOL_RPC_SIGNATURE_INVALID &&
	      res[0].rpc_code == -32003);
	clear_all(res, 1);
	sol_rpc_free(c);
	server_stop(&s);
}

static void
test_rpc_account_info(void)
{
	TestServer s;
	SolRpc *c;
	SolRpcResult res[2];
	SolError err;
	uint8_t tree[32];
	uint8_t cfg[32];
	uint8_t data[256];
	size_t len = 0;
	bool exists = false;
	SolTreeConfig tc;

	CHECK(server_start(&s) == 0);
	c = client(&s, "/ok", 3000);
	b58_to32(tv_str(V1, "inputs.merkle_tree"), tree);
	sol_tree_config_pda(tree, cfg, NULL);
	CHECK(sol_rpc_get_account_info(c, cfg, "confirmed", 0, NULL, &err) != 0);
	CHECK(sol_rpc_get_account_info(c, tree, "confirmed", 0, NULL, &err) != 0);
	CHECK(collect(c, res, 2) == 2);
	CHECK(sol_rpc_parse_account_data(&res[0], data, sizeof(data), &len, &exists, &err) == 0);
	CHECK(exists && len == 96);
	CHECK(sol_tree_config_decode(data, len, &tc) == 0 && tc.num_minted == 42 &&
	      tc.total_mint_capacity == 16384);
	CHECK(sol_rpc_parse_account_data(&res[0], data, 10, &len, &exists, &err) == -1);
	{
		uint8_t owner[32];
		uint8_t bgum[32];

		CHECK(sol_rpc_parse_account(&res[0], data, sizeof(data), &len, &exists, owner, &err) == 0);
		CHECK(b58_to32("BGUMAp9Gq7iTEuizy4pqaxsTyUCBK68MDfK752saRPUY", bgum) &&
		      memcmp(owner, bgum, 32) == 0);
		CHECK(sol_rpc_parse_account(&res[1], data, sizeof(data), &len, &exists, owner, &err) == 0);
		CHECK(!exists && owner[0] == 0 && owner[31] == 0);
	}
	CHECK(sol_rpc_parse_account_data(&res[1], data, sizeof(data), &len, &exists, &err) == 0);
	CHECK(!exists && len == 0);
	clear_all(res, 2);
	sol_rpc_free(c);
	server_stop(&s);
}

static void
test_rpc_context_epoch_genesis(void)
{
	static const char *bodies[] = {
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"context\":{\"apiVersion\":\"2.2.7\","
	    "\"slot\":341234567},\"value\":[null]}}",
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"absoluteSlot\":341234500,\"blockHeight\":"
	    "319000123,\"epoch\":789,\"slotIndex\":100,\"slotsInEpoch\":432000,"
	    "\"transactionCount\":1}}",
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":"
	    "\"5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d\"}",
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32016,\"message\":\"Minimum context "
	    "slot has not been reached\",\"data\":{\"contextSlot\":341234000}}}",
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"value\":[null]}}",
	};
	uint64_t ids[1] = {1};
	SolRpcResult r[5];
	SolError err;
	uint64_t slot = 0, height = 0;
	uint8_t hash[32];
	int i;
	json_t *p;

	memset(r, 0, sizeof(r));
	for (i = 0; i < 5; i++)
		CHECK(sol_rpc_parse_response(200, bodies[i], strlen(bodies[i]), ids, 1, false, &r[i]) == 0);
	CHECK(sol_rpc_parse_context_slot(&r[0], &slot, &err) == 0 && slot == 341234567);
	CHECK(sol_rpc_parse_epoch_info(&r[1], &height, &slot, &err) == 0 && height == 319000123 &&
	      slot == 341234500);
	CHECK(sol_rpc_parse_epoch_info(&r[0], &height, &slot, &err) == -1);
	CHECK(sol_rpc_parse_hash(&r[2], hash, &err) == 0 && hash[0] == 0x45);
	CHECK(r[3].cls == SOL_RPC_CONTEXT_NOT_REACHED && sol_rpc_class_retryable(r[3].cls));
	CHECK(strcmp(sol_rpc_class_name(r[3].cls), "context_not_reached") == 0);
	CHECK(sol_rpc_parse_context_slot(&r[4], &slot, &err) == -1);
	for (i = 0; i < 5; i++)
		sol_rpc_result_clear(&r[i]);

	p = sol_rpc_params_commitment_min("finalized", 42);
	CHECK(p && json_integer_value(json_object_get(json_array_get(p, 0), "minContextSlot")) == 42);
	json_decref(p);
	p = sol_rpc_params_commitment_min("finalized", 0);
	CHECK(p && json_object_get(json_array_get(p, 0), "minContextSlot") == NULL);
	json_decref(p);
	{
		uint8_t wire[100];

		memset(wire, 7, sizeof(wire));
		p = sol_rpc_params_send_transaction_min(wire, sizeof(wire), true, "confirmed", 0, 99);
		CHECK(p &&
		      json_integer_value(json_object_get(json_array_get(p, 1), "minContextSlot")) == 99 &&
		      json_is_true(json_object_get(json_array_get(p, 1), "skipPreflight")) &&
		      json_integer_value(json_object_get(json_array_get(p, 1), "maxRetries")) == 0);
		json_decref(p);
	}
}

static void
test_rpc_url_redact(void)
{
	static const struct
	{
		const char *in;
		const char *out;
	} cases[] = {
	    {"http://127.0.0.1:8899", "http://127.0.0.1:8899"},
	    {"https://api.devnet.solana.com/", "https://api.devnet.solana.com/"},
	    {"https://mainnet.helius-rpc.com/?api-key=0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
	     "https://mainnet.helius-rpc.com/?api-key=***"},
	    {"https://user:secret@rpc.example.com:8443/v1?a=1&b&c=3#frag",
	     "https://***@rpc.example.com:8443/v1?a=***&b&c=***"},
	    {"https://x.solana-mainnet.quiknode.pro/3f2a9c0d8e7b6a5f4e3d2c1b0a998877/",
	     "https://x.solana-mainnet.quiknode.pro/***/"},
	    {"https://x.rpcpool.com/0123456789abcdef0123", "https://x.rpcpool.com/***"},
	    {"not a url", "not a url"},
	};
	char out[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char big[256];

		sol_url_redact(cases[i].in, big, sizeof(big));
		CHECK(strcmp(big, cases[i].out) == 0);
		if (strcmp(big, cases[i].out) != 0)
			printf("  redact(%s) = %s\n", cases[i].in, big);
	}
	/* truncation never leaves the secret's tail and is always terminated */
	sol_url_redact("https://u:p@h/?k=secretsecret", out, 8);
	CHECK(strlen(out) == 7 && strstr(out, "secret") == NULL);
	sol_url_redact("https://h/?k=v", out, 1);
	CHECK(out[0] == '\0');
}

static void
test_rpc_batch_reordered(void)
{
	TestServer s;
	SolRpc *c;
	SolRpcResult res[4];
	SolRpcCall calls[3];
	uint64_t ids[3];
	SolError err;
	uint64_t h = 0;
	uint8_t bh[32];
	uint64_t lv;

	CHECK(server_start(&s) == 0);
	c = client(&s, "/ok", 3000);
	calls[0].method = "getBlockHeight";
	calls[0].params = sol_rpc_params_commitment("finalized");
	calls[0].tag = NULL;
	calls[1].method = "getLatestBlockhash";
	calls[1].params = sol_rpc_params_commitment("confirmed");
	calls[1].tag = NULL;
	calls[2].method = "getBlockHeight";
	calls[2].params = sol_rpc_params_commitment("confirmed");
	calls[2].tag = NULL;
	CHECK(sol_rpc_submit_batch(c, calls, 3, 0, ids, &err) == 0);
	CHECK(collect(c, res, 3) == 3);
	CHECK(s.requests == 1); /* one HTTP request */
	CHECK(res[0].id == ids[0] && res[1].id == ids[1] && res[2].id == ids[2]);
	CHECK(res[0].cls == SOL_RPC_OK && sol_rpc_parse_u64(&res[0], &h, &err) == 0 && h == 1233);
	CHECK(res[1].cls == SOL_RPC_OK && sol_rpc_parse_latest_blockhash(&res[1], bh, &lv, &err) == 0);
	CHECK(res[2].cls == SOL_RPC_OK && sol_rpc_parse_u64(&res[2], &h, &err) == 0 && h == 1200);
	clear_all(res, 3);
	sol_rpc_free(c);
	/* a batch answer that lacks one call: that call is malformed, the others are fine */
	c = client(&s, "/partialbatch", 3000);
	calls[0].method = "getBlockHeight";
	calls[0].params = sol_rpc_params_commitment("finalized");
	calls[1].method = "getBlockHeight";
	calls[1].params = sol_rpc_params_commitment("confirmed");
	CHECK(sol_rpc_submit_batch(c, calls, 2, 0, ids, &err) == 0);
	CHECK(collect(c, res, 2) == 2);
	CHECK(res[0].cls == SOL_RPC_MALFORMED && res[1].cls == SOL_RPC_OK);
	clear_all(res, 2);
	sol_rpc_free(c);
	server_stop(&s);
}

typedef struct ErrCase
{
	const char *path;
	SolRpcClass cls;
	long code;
} ErrCase;

static void
test_rpc_error_codes(void)
{
	static const ErrCase cases[] = {
	    {"/err/-32002/BlockhashNotFound", SOL_RPC_BLOCKHASH_NOT_FOUND, -32002},
	    {"/err/-32002/AlreadyProcessed", SOL_RPC_ALREADY_PROCESSED, -32002},
	    {"/err/-32002/InstructionError", SOL_RPC_PREFLIGHT_PERMANENT, -32002},
	    {"/err/-32002/InsufficientFundsForFee", SOL_RPC_PREFLIGHT_FAILED, -32002},
	    {"/err/-32003/none", SOL_RPC_SIGNATURE_INVALID, -32003},
	    {"/err/-32005/unhealthy", SOL_RPC_NODE_UNHEALTHY, -32005},
	    {"/err/-32011/none", SOL_RPC_HISTORY_UNAVAILABLE, -32011},
	    {"/err/-32602/none", SOL_RPC_INVALID_REQUEST, -32602},
	    {"/err/-32601/none", SOL_RPC_INVALID_REQUEST, -32601},
	    {"/err/-32004/none", SOL_RPC_ERROR, -32004},
	    {"/err/-32016/none", SOL_RPC_CONTEXT_NOT_REACHED, -32016},
	};
	TestServer s;
	size_t i;

	CHECK(server_start(&s) == 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		SolRpc *c = client(&s, cases[i].path, 3000);
		SolRpcResult r[1];
		SolError err;
		uint8_t wire[1300];
		uint8_t sig[64];
		int n;

		load_vector_tx(wire, &n, sig);
		CHECK(sol_rpc_send_transaction(c, wire, (size_t)n, "confirmed", 0, NULL, &err) != 0);
		CHECK(collect(c, r, 1) == 1);
		CHECKM(r[0].cls == cases[i].cls, "%s: got %s", cases[i].path, sol_rpc_class_name(r[0].cls));
		CHECK(r[0].rpc_code == cases[i].code && r[0].error != NULL && r[0].result == NULL);
		if (cases[i].cls == SOL_RPC_PREFLIGHT_PERMANENT)
			CHECK(r[0].instruction_index == 2 && r[0].custom_error == 6017);
		else
			CHECK(r[0].instruction_index == -1 && r[0].custom_error == -1);
		CHECK(sol_rpc_class_retryable(r[0].cls) ==
		      (cases[i].cls == SOL_RPC_NODE_UNHEALTHY || cases[i].cls == SOL_RPC_ERROR ||
		       cases[i].cls == SOL_RPC_HISTORY_UNAVAILABLE ||
		       cases[i].cls == SOL_RPC_CONTEXT_NOT_REACHED));
		clear_all(r, 1);
		sol_rpc_free(c);
	}
	/* a batch where every element is an error */
	{
		SolRpc *c = client(&s, "/err/-32002/AlreadyProcessed", 3000);
		SolRpcCall calls[2];
		SolRpcResult r[2];
		SolError err;

		calls[0].method = "getBlockHeight";
		calls[0].params = NULL;
		calls[0].tag = NULL;
		calls[1] = calls[0];
		CHECK(sol_rpc_submit_batch(c, calls, 2, 0, NULL, &err) == 0);
		CHECK(collect(c, r, 2) == 2 && r[0].cls == SOL_RPC_ALREADY_PROCESSED &&
		      r[1].cls == SOL_RPC_ALREADY_PROCESSED);
		clear_all(r, 2);
		sol_rpc_free(c);
	}
	server_stop(&s);
}

static SolRpcClass
one_call(TestServer *s, const char *path, long timeout_ms, SolRpcResult *r)
{
	SolRpc *c = client(s, path, timeout_ms);
	SolError err;
	SolRpcClass cls = SOL_RPC_CANCELLED;

	memset(r, 0, sizeof(*r));
	if (sol_rpc_get_block_height(c, "finalized", 0, NULL, &err) != 0 && collect(c, r, 1) == 1)
		cls = r->cls;
	sol_rpc_free(c);
	return cls;
}

static void
test_rpc_http_failures(void)
{
	TestServer s;
	SolRpcResult r;
	uint64_t h;
	SolError err;

	CHECK(server_start(&s) == 0);
	CHECK(one_call(&s, "/429", 3000, &r) == SOL_RPC_RATE_LIMITED);
	CHECK(r.http_status == 429 && r.retry_after_ms == 3000 && sol_rpc_class_retryable(r.cls));
	sol_rpc_result_clear(&r);
	CHECK(one_call(&s, "/429date", 3000, &r) == SOL_RPC_RATE_LIMITED);
	CHECKM(r.retry_after_ms >= 7000 && r.retry_after_ms <= 11000, "%ld", r.retry_after_ms);
	sol_rpc_result_clear(&r);
	CHECK(one_call(&s, "/503", 3000, &r) == SOL_RPC_SERVER);
	CHECK(r.http_status == 503 && r.retry_after_ms == -1);
	sol_rpc_result_clear(&r);
	CHECK(one_call(&s, "/garbage", 3000, &r) == SOL_RPC_MALFORMED);
	sol_rpc_result_clear(&r);
	CHECK(one_call(&s, "/truncjson", 3000, &r) == SOL_RPC_MALFORMED);
	sol_rpc_result_clear(&r);
	CHECK(one_call(&s, "/short", 3000, &r) == SOL_RPC_TRANSPORT);
	CHECK(r.curl_code != 0);
	sol_rpc_result_clear(&r);
	CHECK(one_call(&s, "/big", 3000, &r) == SOL_RPC_MALFORMED); /* over max_response_bytes */
	sol_rpc_result_clear(&r);
	CHECK(one_call(&s, "/wrongid", 3000, &r) == SOL_RPC_MALFORMED);
	sol_rpc_result_clear(&r);
	CHECK(one_call(&s, "/wrongtype", 3000, &r) == SOL_RPC_OK);
	CHECK(sol_rpc_parse_u64(&r, &h, &err) == -1 && err.code == SOL_ERR_INVALID);
	sol_rpc_result_clear(&r);
	server_stop(&s);
	/* nothing listens on the port any more: connection refused */
	CHECK(one_call(&s, "/ok", 3000, &r) == SOL_RPC_TRANSPORT);
	sol_rpc_result_clear(&r);
}

static void
test_rpc_timeout_nonblocking(void)
{
	TestServer s;
	SolRpc *c;
	SolRpcResult r[2];
	SolError err;
	uint64_t slow;
	uint64_t fast;
	int64_t t0;
	int64_t dt;
	int k;

	CHECK(server_start(&s) == 0);
	c = client(&s, "/hang", 5000);
	slow = sol_rpc_get_block_height(c, "finalized", 900, NULL, &err);
	fast = sol_rpc_get_block_height(c, "finalized", 250, NULL, &err);
	CHECK(slow && fast);
	/* poll returns within its budget while nothing completes */
	t0 = mono_ms();
	k = sol_rpc_poll(c, 60, r, 2);
	dt = mono_ms() - t0;
	CHECK(k == 0);
	CHECKM(dt >= 50 && dt < 240, "poll took %lld ms", (long long)dt);
	t0 = mono_ms();
	k = sol_rpc_poll(c, 0, r, 2);
	CHECK(k == 0 && mono_ms() - t0 < 50);
	/* per-request timeouts: the 250 ms call times out first */
	CHECK(collect(c, r, 1) == 1);
	CHECK(r[0].id == fast && r[0].cls == SOL_RPC_TIMEOUT);
	dt = mono_ms() - t0;
	CHECKM(dt >= 100 && dt < 800, "%lld", (long long)dt);
	CHECK(collect(c, r + 1, 1) == 1);
	CHECK(r[1].id == slow && r[1].cls == SOL_RPC_TIMEOUT && sol_rpc_class_retryable(r[1].cls));
	clear_all(r, 2);
	CHECK(sol_rpc_pending(c) == 0);
	/* nothing in flight: poll returns at once */
	t0 = mono_ms();
	CHECK(sol_rpc_poll(c, 1000, r, 2) == 0 && mono_ms() - t0 < 100);
	/* freeing the client with a request in flight is clean */
	CHECK(sol_rpc_get_block_height(c, "finalized", 5000, NULL, &err) != 0);
	sol_rpc_poll(c, 20, r, 2);
	sol_rpc_free(c);
	server_stop(&s);
}

static void
test_rpc_params_and_misuse(void)
{
	uint8_t sigs[257][64];
	json_t *p;
	SolError err;
	char *s;
	uint8_t wire[1300];
	uint8_t sig[64];
	int n;

	memset(sigs, 3, sizeof(sigs));
	CHECK(sol_rpc_params_signature_statuses((const uint8_t(*)[64])sigs, 257, true) == NULL);
	p = sol_rpc_params_signature_statuses((const uint8_t(*)[64])sigs, 256, true);
	CHECK(p != NULL && json_array_size(json_array_get(p, 0)) == 256 &&
	      json_is_true(json_object_get(json_array_get(p, 1), "searchTransactionHistory")));
	json_decref(p);
	load_vector_tx(wire, &n, sig);
	p = sol_rpc_params_send_transaction(wire, (size_t)n, false, "confirmed", 0);
	s = json_dumps(p, JSON_COMPACT);
	CHECK(s && strstr(s, tv_str(V2, "tx_mint_v1_A_rust_order.wire_base64")) != NULL &&
	      strstr(s, "\"encoding\":\"base64\"") && strstr(s, "\"maxRetries\":0") &&
	      strstr(s, "\"preflightCommitment\":\"confirmed\""));
	free(s);
	json_decref(p);
	CHECK(sol_rpc_params_send_transaction(wire, 1233, false, NULL, -1) == NULL);
	p = sol_rpc_params_get_transaction(sig, NULL);
	s = json_dumps(p, JSON_COMPACT);
	CHECK(s && strstr(s, tv_str(V1, "tx_mint_v1_A.signature_b58")) == NULL); /* other order */
	CHECK(s && strstr(s, "\"maxSupportedTransactionVersion\":0") &&
	      strstr(s, "\"encoding\":\"json\""));
	free(s);
	json_decref(p);
	CHECK(sol_rpc_new("file:///etc/passwd", NULL, &err) == NULL && err.code == SOL_ERR_INVALID);
	CHECK(sol_rpc_new("ftp://x", NULL, &err) == NULL);
	CHECK(sol_rpc_new(NULL, NULL, &err) == NULL);
	{
		SolRpc *c = sol_rpc_new("http://127.0.0.1:9/", NULL, &err);

		CHECK(c != NULL);
		CHECK(sol_rpc_submit(c, NULL, NULL, 0, NULL, &err) == 0);
		CHECK(sol_rpc_submit_batch(c, NULL, 0, 0, NULL, &err) == -1);
		CHECK(sol_rpc_send_transaction(c, wire, 0, NULL, 0, NULL, &err) == 0);
		CHECK(sol_rpc_pending(c) == 0);
		sol_rpc_free(c);
	}
}

const SolTest sol_tests_rpc[] = {
    {"rpc_ok_concurrent", test_rpc_ok_concurrent},
    {"rpc_batch_reordered", test_rpc_batch_reordered},
    {"rpc_account_info", test_rpc_account_info},
    {"rpc_url_redact", test_rpc_url_redact},
    {"rpc_context_epoch_genesis", test_rpc_context_epoch_genesis},
    {"rpc_error_codes", test_rpc_error_codes},
    {"rpc_http_failures", test_rpc_http_failures},
    {"rpc_timeout_nonblocking", test_rpc_timeout_nonblocking},
    {"rpc_params_and_misuse", test_rpc_params_and_misuse},
    {NULL, NULL},
};
