/*
 * sol_rpc.c
 *	  JSON-RPC over a libcurl multi handle; see sol_rpc.h.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "sol_rpc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "sol_codec.h"

#define DEFAULT_TIMEOUT_MS   10000
#define DEFAULT_MAX_RESPONSE (16 * 1024 * 1024)

typedef struct RpcSlot
{
	uint64_t id;
	void *tag;
	char method[40];
	bool done;
} RpcSlot;

typedef struct RpcTransfer
{
	struct RpcTransfer *next;
	CURL *easy;
	struct curl_slist *headers;
	char *body;
	char *resp;
	size_t resp_len;
	size_t resp_cap;
	bool too_big;
	size_t max_response;
	long retry_after_ms;
	bool batch;
	size_t nslots;
	RpcSlot *slots;
	char errbuf[CURL_ERROR_SIZE];
} RpcTransfer;

struct SolRpc
{
	CURLM *multi;
	char *url;
	char *auth_header;
	long timeout_ms;
	long connect_timeout_ms;
	size_t max_response;
	uint64_t next_id;
	RpcTransfer *transfers;
	size_t pending; /* calls not yet handed back */
	SolRpcResult *queue;
	size_t qlen;
	size_t qcap;
};

const char *
sol_rpc_class_name(SolRpcClass cls)
{
	switch (cls)
	{
		case SOL_RPC_OK:
			return "ok";
		case SOL_RPC_TRANSPORT:
			return "transport";
		case SOL_RPC_TIMEOUT:
			return "timeout";
		case SOL_RPC_RATE_LIMITED:
			return "rate_limited";
		case SOL_RPC_SERVER:
			return "server";
		case SOL_RPC_HTTP:
			return "http";
		case SOL_RPC_MALFORMED:
			return "malformed";
		case SOL_RPC_ERROR:
			return "rpc_error";
		case SOL_RPC_BLOCKHASH_NOT_FOUND:
			return "blockhash_not_found";
		case SOL_RPC_ALREADY_PROCESSED:
			return "already_processed";
		case SOL_RPC_PREFLIGHT_PERMANENT:
			return "preflight_permanent";
		case SOL_RPC_PREFLIGHT_FAILED:
			return "preflight_failed";
		case SOL_RPC_NODE_UNHEALTHY:
			return "node_unhealthy";
		case SOL_RPC_INVALID_REQUEST:
			return "invalid_request";
		case SOL_RPC_SIGNATURE_INVALID:
			return "signature_invalid";
		case SOL_RPC_HISTORY_UNAVAILABLE:
			return "history_unavailable";
		case SOL_RPC_CONTEXT_NOT_REACHED:
			return "context_not_reached";
		case SOL_RPC_CANCELLED:
			return "cancelled";
	}
	return "unknown";
}

bool
sol_rpc_class_retryable(SolRpcClass cls)
{
	switch (cls)
	{
		case SOL_RPC_TRANSPORT:
		case SOL_RPC_TIMEOUT:
		case SOL_RPC_RATE_LIMITED:
		case SOL_RPC_SERVER:
		case SOL_RPC_MALFORMED:
		case SOL_RPC_ERROR:
		case SOL_RPC_NODE_UNHEALTHY:
		case SOL_RPC_HISTORY_UNAVAILABLE:
		case SOL_RPC_CONTEXT_NOT_REACHED:
			return true;
		default:
			return false;
	}
}

void
sol_rpc_result_clear(SolRpcResult *r)
{
	if (r == NULL)
		return;
	if (r->result)
		json_decref(r->result);
	if (r->error)
		json_decref(r->error);
	r->result = NULL;
	r->error = NULL;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

SolRpc *
sol_rpc_new(const char *url, const SolRpcOptions *opts, SolError *err)
{
	SolRpc *c;

	if (url == NULL ||
	    (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0))
	{
		sol_error_set(err, SOL_ERR_INVALID, "url", "RPC URL must be http:// or https://");
		return NULL;
	}
	c = calloc(1, sizeof(SolRpc));
	if (c == NULL)
	{
		sol_error_set(err, SOL_ERR_NOMEM, "", "out of memory");
		return NULL;
	}
	c->url = strdup(url);
	c->multi = curl_multi_init();
	if (opts && opts->auth_header)
		c->auth_header = strdup(opts->auth_header);
	if (c->url == NULL || c->multi == NULL || (opts && opts->auth_header && !c->auth_header))
	{
		sol_rpc_free(c);
		sol_error_set(err, SOL_ERR_NOMEM, "", "cannot create curl multi handle");
		return NULL;
	}
	c->timeout_ms =
	    (opts && opts->default_timeout_ms > 0) ? opts->default_timeout_ms : DEFAULT_TIMEOUT_MS;
	c->connect_timeout_ms = (opts && opts->connect_timeout_ms > 0) ? opts->connect_timeout_ms : 0;
	c->max_response =
	    (opts && opts->max_response_bytes > 0) ? opts->max_response_bytes : DEFAULT_MAX_RESPONSE;
	c->next_id = 1;
	return c;
}

static void
transfer_free(SolRpc *c, RpcTransfer *t)
{
	if (t->easy)
	{
		curl_multi_remove_handle(c->multi, t->easy);
		curl_easy_cleanup(t->easy);
	}
	curl_slist_free_all(t->headers);
	free(t->body);
	free(t->resp);
	free(t->slots);
	free(t);
}

void
sol_rpc_free(SolRpc *c)
{
	RpcTransfer *t;
	size_t i;

	if (c == NULL)
		return;
	t = c->transfers;
	while (t)
	{
		RpcTransfer *next = t->next;

		transfer_free(c, t);
		t = next;
	}
	for (i = 0; i < c->qlen; i++)
		sol_rpc_result_clear(&c->queue[i]);
	free(c->queue);
	if (c->multi)
		curl_multi_cleanup(c->multi);
	free(c->url);
	free(c->auth_header);
	free(c);
}

size_t
sol_rpc_pending(const SolRpc *c)
{
	return c ? c->pending : 0;
}

static size_t
write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	RpcTransfer *t = userdata;
	size_t n = size * nmemb;

	if (t->too_big || n > t->max_response - t->resp_len)
	{
		t->too_big = true;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	if (t->resp_len + n + 1 > t->resp_cap)
	{
		size_t cap = t->resp_cap ? t->resp_cap : 4096;
		char *p;

		while (cap < t->resp_len + n + 1)
			cap *= 2;
		p = realloc(t->resp, cap);
		if (p == NULL)
		{
			t->too_big = true;
			return 0;
		}
		t->resp = p;
		t->resp_cap = cap;
	}
	memcpy(t->resp + t->resp_len, ptr, n);
	t->resp_len += n;
	t->resp[t->resp_len] = '\0';
	return n;
}

static size_t
header_cb(char *buf, size_t size, size_t nitems, void *userdata)
{
	RpcTransfer *t = userdata;
	size_t n = size * nitems;
	static const char name[] = "retry-after:";

	if (n > sizeof(name) - 1 && strncasecmp(buf, name, sizeof(name) - 1) == 0)
	{
		char val[128];
		size_t len = n - (sizeof(name) - 1);
		char *p;
		char *end;

		if (len >= sizeof(val))
			len = sizeof(val) - 1;
		memcpy(val, buf + sizeof(name) - 1, len);
		val[len] = '\0';
		p = val;
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (*p && strspn(p, "0123456789") == strlen(p) && strlen(p) <= 9)
			t->retry_after_ms = strtol(p, NULL, 10) * 1000;
		else if (*p)
		{
			time_t when = curl_getdate(p, NULL);

			if (when != (time_t)-1)
			{
				double d = difftime(when, time(NULL));

				t->retry_after_ms = d > 0 ? (long)(d * 1000) : 0;
			}
		}
	}
	return n;
}

static int
add_transfer(SolRpc *c, RpcTransfer *t, long timeout_ms, SolError *err)
{
	CURL *e = curl_easy_init();
	long connect_ms;

	if (e == NULL)
		return sol_error_set(err, SOL_ERR_NOMEM, "", "curl_easy_init failed");
	t->easy = e;
	t->retry_after_ms = -1;
	t->max_response = c->max_response;
	if (timeout_ms <= 0)
		timeout_ms = c->timeout_ms;
	connect_ms =
	    c->connect_timeout_ms > 0 ? c->connect_timeout_ms : (timeout_ms < 5000 ? timeout_ms : 5000);
	t->headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (t->headers && c->auth_header)
		t->headers = curl_slist_append(t->headers, c->auth_header);
	if (t->headers == NULL)
		return sol_error_set(err, SOL_ERR_NOMEM, "", "out of memory");
	if (curl_easy_setopt(e, CURLOPT_URL, c->url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, connect_ms) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(t->body)) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEDATA, t) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HEADERDATA, t) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)t) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_response) != CURLE_OK)
		return sol_error_set(err, SOL_ERR_INTERNAL, "", "curl_easy_setopt failed");
	if (curl_multi_add_handle(c->multi, e) != CURLM_OK)
		return sol_error_set(err, SOL_ERR_INTERNAL, "", "curl_multi_add_handle failed");
	t->next = c->transfers;
	c->transfers = t;
	c->pending += t->nslots;
	return 0;
}

int
sol_rpc_submit_batch(SolRpc *c, const SolRpcCall *calls, size_t n, long timeout_ms,
                     uint64_t *ids_out, SolError *err)
{
	RpcTransfer *t = NULL;
	json_t *body = NULL;
	size_t i;

	if (c == NULL || calls == NULL || n == 0)
	{
		sol_error_set(err, SOL_ERR_INVALID, "", "no calls");
		goto fail;
	}
	t = calloc(1, sizeof(RpcTransfer));
	if (t)
		t->slots = calloc(n, sizeof(RpcSlot));
	body = n > 1 ? json_array() : NULL;
	if (t == NULL || t->slots == NULL || (n > 1 && body == NULL))
	{
		sol_error_set(err, SOL_ERR_NOMEM, "", "out of memory");
		goto fail;
	}
	t->batch = n > 1;
	t->nslots = n;
	for (i = 0; i < n; i++)
	{
		json_t *req;
		json_t *params = calls[i].params;

		if (calls[i].method == NULL || strlen(calls[i].method) >= sizeof(t->slots[i].method))
		{
			sol_error_set(err, SOL_ERR_INVALID, "method", "bad method name");
			goto fail;
		}
		t->slots[i].id = c->next_id + i;
		t->slots[i].tag = calls[i].tag;
		snprintf(t->slots[i].method, sizeof(t->slots[i].method), "%s", calls[i].method);
		req = json_pack("{s:s, s:I, s:s}", "jsonrpc", "2.0", "id", (json_int_t)t->slots[i].id,
		                "method", calls[i].method);
		if (req == NULL)
		{
			sol_error_set(err, SOL_ERR_NOMEM, "", "out of memory");
			goto fail;
		}
		if (params)
			json_object_set(req, "params", params);
		if (n > 1)
			json_array_append_new(body, req);
		else
			body = req;
	}
	t->body = json_dumps(body, JSON_COMPACT);
	if (t->body == NULL)
	{
		sol_error_set(err, SOL_ERR_NOMEM, "", "out of memory");
		goto fail;
	}
	json_decref(body);
	body = NULL;
	if (add_transfer(c, t, timeout_ms, err) != 0)
		goto fail;
	c->next_id += n;
	for (i = 0; i < n; i++)
	{
		if (ids_out)
			ids_out[i] = t->slots[i].id;
		if (calls[i].params)
			json_decref(calls[i].params);
	}
	return 0;
fail:
	if (body)
		json_decref(body);
	if (t)
	{
		if (t->easy)
			curl_easy_cleanup(t->easy);
		curl_slist_free_all(t->headers);
		free(t->body);
		free(t->slots);
		free(t);
	}
	for (i = 0; calls && i < n; i++)
		if (calls[i].params)
			json_decref(calls[i].params);
	return -1;
}

uint64_t
sol_rpc_submit(SolRpc *c, const char *method, json_t *params, long timeout_ms, void *tag,
               SolError *err)
{
	SolRpcCall call;
	uint64_t id = 0;

	call.method = method;
	call.params = params;
	call.tag = tag;
	if (sol_rpc_submit_batch(c, &call, 1, timeout_ms, &id, err) != 0)
		return 0;
	return id;
}

static void
classify_rpc_error(SolRpcResult *r, const json_t *error)
{
	const json_t *code = json_object_get(error, "code");
	const json_t *msg = json_object_get(error, "message");
	const json_t *data = json_object_get(error, "data");
	const json_t *derr = json_is_object(data) ? json_object_get(data, "err") : NULL;
	const char *m = json_is_string(msg) ? json_string_value(msg) : "";

	r->error = json_incref((json_t *)error);
	if (!json_is_integer(code))
	{
		r->cls = SOL_RPC_MALFORMED;
		snprintf(r->message, sizeof(r->message), "JSON-RPC error without an integer code");
		return;
	}
	r->rpc_code = (long)json_integer_value(code);
	snprintf(r->message, sizeof(r->message), "%s", m);
	switch (r->rpc_code)
	{
		case -32002:
			if ((json_is_string(derr) &&
			     strcmp(json_string_value(derr), "BlockhashNotFound") == 0) ||
			    (derr == NULL && strstr(m, "Blockhash not found") != NULL))
				r->cls = SOL_RPC_BLOCKHASH_NOT_FOUND;
			else if ((json_is_string(derr) &&
			          strcmp(json_string_value(derr), "AlreadyProcessed") == 0) ||
			         (derr == NULL && strstr(m, "already been processed") != NULL))
				r->cls = SOL_RPC_ALREADY_PROCESSED;
			else if (json_is_object(derr) && json_object_get(derr, "InstructionError") != NULL)
			{
				const json_t *ie = json_object_get(derr, "InstructionError");
				const json_t *idx = json_array_get(ie, 0);
				const json_t *detail = json_array_get(ie, 1);
				const json_t *custom = json_object_get(detail, "Custom");

				r->cls = SOL_RPC_PREFLIGHT_PERMANENT;
				if (json_is_integer(idx))
					r->instruction_index = (int)json_integer_value(idx);
				if (json_is_integer(custom))
					r->custom_error = (long)json_integer_value(custom);
			}
			else
				r->cls = SOL_RPC_PREFLIGHT_FAILED;
			break;
		case -32003:
			r->cls = SOL_RPC_SIGNATURE_INVALID;
			break;
		case -32005:
			r->cls = SOL_RPC_NODE_UNHEALTHY;
			break;
		case -32011:
			r->cls = SOL_RPC_HISTORY_UNAVAILABLE;
			break;
		case -32016:
			r->cls = SOL_RPC_CONTEXT_NOT_REACHED;
			break;
		case -32600:
		case -32601:
		case -32602:
			r->cls = SOL_RPC_INVALID_REQUEST;
			break;
		default:
			r->cls = SOL_RPC_ERROR;
			break;
	}
}

/* Fill r from one response object (already matched to its call). */
static void
classify_element(SolRpcResult *r, const json_t *obj)
{
	const json_t *error;
	const json_t *result;

	if (!json_is_object(obj))
	{
		r->cls = SOL_RPC_MALFORMED;
		snprintf(r->message, sizeof(r->message), "response element is not an object");
		return;
	}
	error = json_object_get(obj, "error");
	result = json_object_get(obj, "result");
	if (error != NULL && !json_is_null(error))
	{
		if (!json_is_object(error))
		{
			r->cls = SOL_RPC_MALFORMED;
			snprintf(r->message, sizeof(r->message), "\"error\" is not an object");
			return;
		}
		classify_rpc_error(r, error);
		return;
	}
	if (result == NULL)
	{
		r->cls = SOL_RPC_MALFORMED;
		snprintf(r->message, sizeof(r->message), "response has neither result nor error");
		return;
	}
	r->cls = SOL_RPC_OK;
	r->result = json_incref((json_t *)result);
}

static bool
id_matches(const json_t *obj, uint64_t id)
{
	const json_t *jid = json_object_get(obj, "id");

	return json_is_integer(jid) && (uint64_t)json_integer_value(jid) == id;
}

static void
result_init(SolRpcResult *r, uint64_t id)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->retry_after_ms = -1;
	r->instruction_index = -1;
	r->custom_error = -1;
}

/*
 * Parse a body whose integers may not fit a json_int_t: nodes answer
 * "rentEpoch": 18446744073709551615 (u64::MAX) for every rent-exempt account,
 * which jansson refuses ("too big integer").  Such a number, outside strings,
 * becomes INT64_MAX padded with spaces (the same length); nothing read from
 * a response needs its value.  NULL if it still does not parse.
 */
static json_t *
load_clamping_big_integers(const char *body, size_t len)
{
	static const char max[] = "9223372036854775807";
	char *copy = malloc(len);
	json_error_t jerr;
	json_t *root;
	bool in_string = false;
	size_t i = 0;

	if (copy == NULL)
		return NULL;
	memcpy(copy, body, len);
	while (i < len)
	{
		char c = copy[i];

		if (in_string)
		{
			i += c == '\\' ? 2 : 1;
			in_string = c != '"';
			continue;
		}
		if (c == '"')
			in_string = true;
		if (c >= '0' && c <= '9')
		{
			size_t j = i;
			/* an integer: not a fraction, an exponent, nor followed by one */
			char before = i > 0 ? copy[i - 1] : ' ';
			bool integer = before != '.' && before != 'e' && before != 'E' && before != '+' &&
			               !(before == '-' && i > 1 && (copy[i - 2] == 'e' || copy[i - 2] == 'E'));

			while (j < len && copy[j] >= '0' && copy[j] <= '9')
				j++;
			if (j < len && (copy[j] == '.' || copy[j] == 'e' || copy[j] == 'E'))
				integer = false;
			if (integer && (j - i > 19 || (j - i == 19 && memcmp(copy + i, max, 19) > 0)))
			{
				memcpy(copy + i, max, 19);
				memset(copy + i + 19, ' ', j - i - 19);
			}
			i = j;
			continue;
		}
		i++;
	}
	root = json_loadb(copy, len, JSON_DECODE_ANY, &jerr);
	free(copy);
	return root;
}

/* Classify an HTTP response (status + body) for n calls whose ids are out[i].id. */
static void
classify_response(long status, const char *body, size_t len, bool batch, SolRpcResult *out,
                  size_t n)
{
	json_t *root = NULL;
	json_error_t jerr;
	size_t i;

	if (status == 200 || (status >= 400 && status < 500 && status != 429))
		if (body != NULL && len > 0)
		{
			root = json_loadb(body, len, JSON_DECODE_ANY, &jerr);
			if (root == NULL && strstr(jerr.text, "too big") != NULL)
				root = load_clamping_big_integers(body, len);
		}
	for (i = 0; i < n; i++)
	{
		SolRpcResult *r = &out[i];

		r->http_status = status;
		if (status == 429)
		{
			r->cls = SOL_RPC_RATE_LIMITED;
			snprintf(r->message, sizeof(r->message), "HTTP 429 Too Many Requests");
			continue;
		}
		if (status >= 500 && status <= 599)
		{
			r->cls = SOL_RPC_SERVER;
			snprintf(r->message, sizeof(r->message), "HTTP %ld", status);
			continue;
		}
		if (root == NULL)
		{
			r->cls = status == 200 ? SOL_RPC_MALFORMED : SOL_RPC_HTTP;
			snprintf(r->message, sizeof(r->message), "HTTP %ld: %s", status,
			         len == 0 ? "empty body" : "body is not JSON");
			continue;
		}
		if (json_is_array(root))
		{
			const json_t *match = NULL;
			size_t k;

			for (k = 0; k < json_array_size(root); k++)
				if (id_matches(json_array_get(root, k), r->id))
				{
					match = json_array_get(root, k);
					break;
				}
			if (!batch || match == NULL)
			{
				r->cls = SOL_RPC_MALFORMED;
				snprintf(r->message, sizeof(r->message), "no response for id %llu",
				         (unsigned long long)r->id);
				continue;
			}
			classify_element(r, match);
		}
		else if (json_is_object(root))
		{
			const json_t *jid = json_object_get(root, "id");

			/* a single object answers a single call, or is an error for the whole batch */
			if ((!batch && id_matches(root, r->id)) ||
			    ((jid == NULL || json_is_null(jid)) &&
			     json_is_object(json_object_get(root, "error"))))
				classify_element(r, root);
			else
			{
				r->cls = SOL_RPC_MALFORMED;
				snprintf(r->message, sizeof(r->message), "response id does not match request");
			}
		}
		else
		{
			r->cls = SOL_RPC_MALFORMED;
			snprintf(r->message, sizeof(r->message), "response is not a JSON object or array");
		}
		if (r->cls == SOL_RPC_OK && status != 200)
		{
			sol_rpc_result_clear(r);
			r->cls = SOL_RPC_HTTP;
			snprintf(r->message, sizeof(r->message), "HTTP %ld", status);
		}
	}
	if (root)
		json_decref(root);
}

int
sol_rpc_parse_response(long http_status, const char *body, size_t len, const uint64_t *ids,
                       size_t n, bool batch, SolRpcResult *out)
{
	size_t i;

	if (ids == NULL || out == NULL || n == 0)
		return -1;
	for (i = 0; i < n; i++)
		result_init(&out[i], ids[i]);
	classify_response(http_status, body, len, batch, out, n);
	return 0;
}

static void
complete_transfer(SolRpc *c, RpcTransfer *t, CURLcode cc)
{
	long status = 0;
	SolRpcResult *out;
	size_t i;

	c->pending -= t->nslots;
	if (c->qlen + t->nslots > c->qcap)
	{
		size_t cap = c->qcap ? c->qcap : 16;
		SolRpcResult *q;

		while (cap < c->qlen + t->nslots)
			cap *= 2;
		q = realloc(c->queue, cap * sizeof(SolRpcResult));
		if (q == NULL)
			return; /* out of memory: these calls are lost (pending already dropped) */
		c->queue = q;
		c->qcap = cap;
	}
	out = c->queue + c->qlen;
	c->qlen += t->nslots;
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	for (i = 0; i < t->nslots; i++)
	{
		result_init(&out[i], t->slots[i].id);
		out[i].tag = t->slots[i].tag;
		snprintf(out[i].method, sizeof(out[i].method), "%s", t->slots[i].method);
		out[i].curl_code = (int)cc;
		out[i].http_status = status;
	}
	if (cc != CURLE_OK)
	{
		for (i = 0; i < t->nslots; i++)
		{
			SolRpcResult *r = &out[i];

			if (cc == CURLE_OPERATION_TIMEDOUT)
				r->cls = SOL_RPC_TIMEOUT;
			else if (cc == CURLE_FILESIZE_EXCEEDED || t->too_big)
			{
				r->cls = SOL_RPC_MALFORMED;
				snprintf(r->message, sizeof(r->message), "response larger than %zu bytes",
				         t->max_response);
				continue;
			}
			else
				r->cls = SOL_RPC_TRANSPORT;
			snprintf(r->message, sizeof(r->message), "%s",
			         t->errbuf[0] ? t->errbuf : curl_easy_strerror(cc));
		}
		return;
	}
	classify_response(status, t->resp, t->resp_len, t->batch, out, t->nslots);
	for (i = 0; i < t->nslots; i++)
		out[i].retry_after_ms = t->retry_after_ms;
}

static void
drain(SolRpc *c)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(c->multi, &left)) != NULL)
	{
		RpcTransfer *t = NULL;
		RpcTransfer **pp;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		if (t == NULL)
			continue;
		complete_transfer(c, t, msg->data.result);
		for (pp = &c->transfers; *pp; pp = &(*pp)->next)
			if (*pp == t)
			{
				*pp = t->next;
				break;
			}
		transfer_free(c, t); /* msg is invalid after this */
	}
}

int
sol_rpc_poll(SolRpc *c, int max_wait_ms, SolRpcResult *out, size_t outcap)
{
	int64_t deadline;
	size_t n;

	if (c == NULL)
		return -1;
	if (max_wait_ms < 0)
		max_wait_ms = 0;
	deadline = now_ms() + max_wait_ms;
	for (;;)
	{
		int running = 0;
		int64_t remaining;

		curl_multi_perform(c->multi, &running);
		drain(c);
		if (c->qlen > 0 || c->transfers == NULL)
			break;
		remaining = deadline - now_ms();
		if (remaining <= 0)
			break;
		curl_multi_poll(c->multi, NULL, 0, remaining > 1000 ? 1000 : (int)remaining, NULL);
	}
	n = c->qlen < outcap ? c->qlen : outcap;
	if (n > 0)
	{
		memcpy(out, c->queue, n * sizeof(SolRpcResult));
		memmove(c->queue, c->queue + n, (c->qlen - n) * sizeof(SolRpcResult));
		c->qlen -= n;
	}
	return (int)n;
}

json_t *
sol_rpc_params_commitment(const char *commitment)
{
	if (commitment == NULL)
		return json_array();
	return json_pack("[{s:s}]", "commitment", commitment);
}

json_t *
sol_rpc_params_commitment_min(const char *commitment, uint64_t min_context_slot)
{
	json_t *p = sol_rpc_params_commitment(commitment);

	if (p != NULL && min_context_slot > 0)
	{
		if (json_array_size(p) == 0)
			json_array_append_new(p, json_object());
		json_object_set_new(json_array_get(p, 0), "minContextSlot",
		                    json_integer((json_int_t)min_context_slot));
	}
	return p;
}

json_t *
sol_rpc_params_send_transaction_min(const uint8_t *wire, size_t len, bool skip_preflight,
                                    const char *preflight_commitment, int max_retries,
                                    uint64_t min_context_slot)
{
	json_t *p = sol_rpc_params_send_transaction(wire, len, skip_preflight, preflight_commitment,
	                                            max_retries);

	if (p != NULL && min_context_slot > 0)
		json_object_set_new(json_array_get(p, 1), "minContextSlot",
		                    json_integer((json_int_t)min_context_slot));
	return p;
}

json_t *
sol_rpc_params_send_transaction(const uint8_t *wire, size_t len, bool skip_preflight,
                                const char *preflight_commitment, int max_retries)
{
	char b64[2 * SOL_PACKET_DATA_SIZE];
	json_t *cfg;

	if (wire == NULL || len == 0 || len > SOL_PACKET_DATA_SIZE ||
	    sol_base64_encode(wire, len, b64, sizeof(b64)) < 0)
		return NULL;
	cfg = json_pack("{s:s, s:b}", "encoding", "base64", "skipPreflight", skip_preflight);
	if (cfg == NULL)
		return NULL;
	if (preflight_commitment)
		json_object_set_new(cfg, "preflightCommitment", json_string(preflight_commitment));
	if (max_retries >= 0)
		json_object_set_new(cfg, "maxRetries", json_integer(max_retries));
	return json_pack("[s, o]", b64, cfg);
}

json_t *
sol_rpc_params_signature_statuses(const uint8_t (*sigs)[64], size_t n, bool search_history)
{
	json_t *arr;
	size_t i;

	if (sigs == NULL || n == 0 || n > 256)
		return NULL;
	arr = json_array();
	if (arr == NULL)
		return NULL;
	for (i = 0; i < n; i++)
	{
		char b58[SOL_SIGNATURE_B58_MAX];

		sol_signature_to_b58(sigs[i], b58);
		json_array_append_new(arr, json_string(b58));
	}
	return json_pack("[o, {s:b}]", arr, "searchTransactionHistory", search_history);
}

json_t *
sol_rpc_params_get_transaction(const uint8_t sig[64], const char *commitment)
{
	char b58[SOL_SIGNATURE_B58_MAX];

	sol_signature_to_b58(sig, b58);
	return json_pack("[s, {s:s, s:i, s:s}]", b58, "commitment",
	                 commitment ? commitment : "confirmed", "maxSupportedTransactionVersion", 0,
	                 "encoding", "json");
}

static uint64_t
submit_built(SolRpc *c, const char *method, json_t *params, long timeout_ms, void *tag,
             SolError *err)
{
	if (params == NULL)
	{
		sol_error_set(err, SOL_ERR_INVALID, "params", "invalid parameters for %s", method);
		return 0;
	}
	return sol_rpc_submit(c, method, params, timeout_ms, tag, err);
}

uint64_t
sol_rpc_get_latest_blockhash(SolRpc *c, const char *commitment, long timeout_ms, void *tag,
                             SolError *err)
{
	return submit_built(c, "getLatestBlockhash", sol_rpc_params_commitment(commitment), timeout_ms,
	                    tag, err);
}

uint64_t
sol_rpc_get_block_height(SolRpc *c, const char *commitment, long timeout_ms, void *tag,
                         SolError *err)
{
	return submit_built(c, "getBlockHeight", sol_rpc_params_commitment(commitment), timeout_ms, tag,
	                    err);
}

uint64_t
sol_rpc_send_transaction(SolRpc *c, const uint8_t *wire, size_t len,
                         const char *preflight_commitment, long timeout_ms, void *tag,
                         SolError *err)
{
	return submit_built(c, "sendTransaction",
	                    sol_rpc_params_send_transaction(wire, len, false, preflight_commitment, 0),
	                    timeout_ms, tag, err);
}

uint64_t
sol_rpc_get_signature_statuses(SolRpc *c, const uint8_t (*sigs)[64], size_t n, bool search_history,
                               long timeout_ms, void *tag, SolError *err)
{
	return submit_built(c, "getSignatureStatuses",
	                    sol_rpc_params_signature_statuses(sigs, n, search_history), timeout_ms, tag,
	                    err);
}

uint64_t
sol_rpc_get_transaction(SolRpc *c, const uint8_t sig[64], const char *commitment, long timeout_ms,
                        void *tag, SolError *err)
{
	return submit_built(c, "getTransaction", sol_rpc_params_get_transaction(sig, commitment),
	                    timeout_ms, tag, err);
}

static const json_t *
ok_result(const SolRpcResult *r, SolError *err)
{
	if (r == NULL || r->cls != SOL_RPC_OK || r->result == NULL)
	{
		sol_error_set(err, SOL_ERR_INVALID, "result", "not a successful result");
		return NULL;
	}
	return r->result;
}

static bool
get_u64(const json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

int
sol_rpc_parse_latest_blockhash(const SolRpcResult *r, uint8_t blockhash[32],
                               uint64_t *last_valid_block_height, SolError *err)
{
	const json_t *res = ok_result(r, err);
	const json_t *value;
	const json_t *bh;

	if (res == NULL)
		return -1;
	value = json_object_get(res, "value");
	bh = json_object_get(value, "blockhash");
	if (!json_is_string(bh) || !sol_pubkey_from_b58(json_string_value(bh), blockhash) ||
	    !get_u64(json_object_get(value, "lastValidBlockHeight"), last_valid_block_height))
		return sol_error_set(err, SOL_ERR_INVALID, "result",
		                     "getLatestBlockhash result lacks blockhash/lastValidBlockHeight");
	return 0;
}

int
sol_rpc_parse_u64(const SolRpcResult *r, uint64_t *out, SolError *err)
{
	const json_t *res = ok_result(r, err);

	if (res == NULL)
		return -1;
	if (!get_u64(res, out))
		return sol_error_set(err, SOL_ERR_INVALID, "result", "result is not an unsigned integer");
	return 0;
}

int
sol_rpc_parse_signature(const SolRpcResult *r, uint8_t sig[64], SolError *err)
{
	const json_t *res = ok_result(r, err);
	const char *s;

	if (res == NULL)
		return -1;
	if (!json_is_string(res))
		return sol_error_set(err, SOL_ERR_INVALID, "result", "result is not a string");
	s = json_string_value(res);
	if (sol_b58_decode(s, strlen(s), sig, 64) != 64)
		return sol_error_set(err, SOL_ERR_INVALID, "result", "result is not a base58 signature");
	return 0;
}

int
sol_rpc_parse_hash(const SolRpcResult *r, uint8_t hash[32], SolError *err)
{
	const json_t *res = ok_result(r, err);
	const char *s;

	if (res == NULL)
		return -1;
	if (!json_is_string(res))
		return sol_error_set(err, SOL_ERR_INVALID, "result", "result is not a string");
	s = json_string_value(res);
	if (sol_b58_decode(s, strlen(s), hash, 32) != 32)
		return sol_error_set(err, SOL_ERR_INVALID, "result", "result is not a base58 hash");
	return 0;
}

int
sol_rpc_parse_context_slot(const SolRpcResult *r, uint64_t *slot, SolError *err)
{
	const json_t *res = ok_result(r, err);
	const json_t *s;

	if (res == NULL)
		return -1;
	s = json_object_get(json_object_get(res, "context"), "slot");
	if (!json_is_integer(s) || json_integer_value(s) < 0)
		return sol_error_set(err, SOL_ERR_INVALID, "result", "result has no context.slot");
	*slot = (uint64_t)json_integer_value(s);
	return 0;
}

int
sol_rpc_parse_epoch_info(const SolRpcResult *r, uint64_t *block_height, uint64_t *absolute_slot,
                         SolError *err)
{
	const json_t *res = ok_result(r, err);
	const json_t *h;
	const json_t *s;

	if (res == NULL)
		return -1;
	h = json_object_get(res, "blockHeight");
	s = json_object_get(res, "absoluteSlot");
	if (!json_is_integer(h) || !json_is_integer(s) || json_integer_value(h) < 0 ||
	    json_integer_value(s) < 0)
		return sol_error_set(err, SOL_ERR_INVALID, "result",
		                     "getEpochInfo result lacks blockHeight or absoluteSlot");
	*block_height = (uint64_t)json_integer_value(h);
	*absolute_slot = (uint64_t)json_integer_value(s);
	return 0;
}

int
sol_rpc_parse_signature_statuses(const SolRpcResult *r, SolSignatureStatus *out, size_t n,
                                 SolError *err)
{
	const json_t *res = ok_result(r, err);
	const json_t *value;
	size_t i;

	if (res == NULL)
		return -1;
	value = json_object_get(res, "value");
	if (!json_is_array(value) || json_array_size(value) != n)
		return sol_error_set(err, SOL_ERR_INVALID, "result",
		                     "getSignatureStatuses value is not an array of %zu", n);
	for (i = 0; i < n; i++)
	{
		const json_t *st = json_array_get(value, i);
		const json_t *cs;
		const json_t *e;

		memset(&out[i], 0, sizeof(out[i]));
		out[i].confirmation = SOL_COMMITMENT_UNKNOWN;
		if (json_is_null(st))
			continue;
		if (!json_is_object(st) || !get_u64(json_object_get(st, "slot"), &out[i].slot))
			return sol_error_set(err, SOL_ERR_INVALID, "result", "malformed status %zu", i);
		out[i].found = true;
		cs = json_object_get(st, "confirmationStatus");
		if (json_is_string(cs))
		{
			if (strcmp(json_string_value(cs), "processed") == 0)
				out[i].confirmation = SOL_COMMITMENT_PROCESSED;
			else if (strcmp(json_string_value(cs), "confirmed") == 0)
				out[i].confirmation = SOL_COMMITMENT_CONFIRMED;
			else if (strcmp(json_string_value(cs), "finalized") == 0)
				out[i].confirmation = SOL_COMMITMENT_FINALIZED;
		}
		e = json_object_get(st, "err");
		if (e != NULL && !json_is_null(e))
		{
			char *s = json_dumps(e, JSON_COMPACT | JSON_ENCODE_ANY);

			out[i].failed = true;
			snprintf(out[i].err, sizeof(out[i].err), "%s", s ? s : "?");
			free(s);
		}
	}
	return 0;
}

uint64_t
sol_rpc_get_account_info(SolRpc *c, const uint8_t pubkey[32], const char *commitment,
                         long timeout_ms, void *tag, SolError *err)
{
	char b58[SOL_PUBKEY_B58_MAX];

	sol_pubkey_to_b58(pubkey, b58);
	return submit_built(c, "getAccountInfo",
	                    json_pack("[s, {s:s, s:s}]", b58, "encoding", "base64", "commitment",
	                              commitment ? commitment : "confirmed"),
	                    timeout_ms, tag, err);
}

int
sol_rpc_parse_account_data(const SolRpcResult *r, uint8_t *out, size_t cap, size_t *len,
                           bool *exists, SolError *err)
{
	uint8_t owner[32];

	return sol_rpc_parse_account(r, out, cap, len, exists, owner, err);
}

int
sol_rpc_parse_account(const SolRpcResult *r, uint8_t *out, size_t cap, size_t *len, bool *exists,
                      uint8_t owner[32], SolError *err)
{
	const json_t *res = ok_result(r, err);
	const json_t *value;
	const json_t *data;
	const json_t *b64;
	const json_t *enc;
	const json_t *own;
	int n;

	if (res == NULL)
		return -1;
	*exists = false;
	*len = 0;
	memset(owner, 0, 32);
	value = json_object_get(res, "value");
	if (value == NULL || !json_is_object(res))
		return sol_error_set(err, SOL_ERR_INVALID, "result", "getAccountInfo result lacks value");
	if (json_is_null(value))
		return 0;
	data = json_object_get(value, "data");
	b64 = json_array_get(data, 0);
	enc = json_array_get(data, 1);
	if (!json_is_string(b64) || !json_is_string(enc) ||
	    strcmp(json_string_value(enc), "base64") != 0)
		return sol_error_set(err, SOL_ERR_INVALID, "result",
		                     "account data is not [\"<base64>\", \"base64\"]");
	n = 0;
	if (out != NULL)
		n = sol_base64_decode(json_string_value(b64), json_string_length(b64), out, cap);
	if (n < 0)
		return sol_error_set(err, SOL_ERR_INVALID, "result",
		                     "account data is not valid base64 or exceeds %zu bytes", cap);
	own = json_object_get(value, "owner");
	if (!json_is_string(own) || !sol_pubkey_from_b58(json_string_value(own), owner))
		return sol_error_set(err, SOL_ERR_INVALID, "result", "account owner is not an address");
	*exists = true;
	*len = (size_t)n;
	return 0;
}

json_t *
sol_rpc_params_recent_prioritization_fees(const uint8_t (*accounts)[32], size_t n)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < n; i++)
	{
		char b58[SOL_PUBKEY_B58_MAX];

		sol_pubkey_to_b58(accounts[i], b58);
		json_array_append_new(list, json_string(b58));
	}
	return json_pack("[o]", list);
}

int
sol_rpc_parse_prioritization_fees(const SolRpcResult *r, uint64_t *fees, size_t cap, size_t *n,
                                  SolError *err)
{
	const json_t *res = ok_result(r, err);
	size_t i;
	size_t k = 0;

	*n = 0;
	if (res == NULL)
		return -1;
	if (!json_is_array(res))
		return sol_error_set(err, SOL_ERR_INVALID, "result",
		                     "getRecentPrioritizationFees result is not an array");
	for (i = 0; i < json_array_size(res); i++)
	{
		const json_t *f = json_object_get(json_array_get(res, i), "prioritizationFee");

		if (!json_is_integer(f) || json_integer_value(f) < 0)
			return sol_error_set(err, SOL_ERR_INVALID, "result",
			                     "getRecentPrioritizationFees entry %zu lacks prioritizationFee",
			                     i);
		if (k < cap)
			fees[k++] = (uint64_t)json_integer_value(f);
	}
	*n = k;
	return 0;
}
