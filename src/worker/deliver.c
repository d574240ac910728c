/*-------------------------------------------------------------------------
 *
 * deliver.c
 *	  Outbound webhooks (docs/DESIGN.md §14): worker 0 delivers the events
 *	  of the outbox (mint.events) to the tenants' endpoints.
 *
 * Each step of the worker's loop (deliver_tick) settles the answers that
 * came in, in one short transaction (mint._deliveries_done), claims as many
 * due deliveries as there is room for under mint.delivery_concurrency (one
 * transaction, mint._claim_deliveries: a lease, per-ticket order, a probe at
 * a time for a failing endpoint) and hands them to a curl multi handle of
 * its own, which it drives without ever waiting: a slow or dead endpoint
 * costs the minting loop nothing but the bounded number of transfers in
 * flight.  A worker that dies with transfers in flight loses nothing: the
 * deliveries stay pending and their leases expire, so they are sent again
 * (at least once; the receiver deduplicates by webhook-id).
 *
 * The same worker reaps the outbox (mint.reap_events, a transaction of its
 * own, a batch a minute): events past mint.event_retention go with their
 * deliveries, each tenant's oldest first, never one with a pending delivery
 * nor any later one (so what is kept has no gap).
 *
 * Every request is signed per Standard Webhooks over "id.timestamp.body"
 * (libsodium): "v1,<base64 HMAC-SHA256>" with every active secret and
 * "v1a,<base64 ed25519>" with every active signing key.  The body is the
 * event's payload, fixed at its commit, so every attempt sends the same
 * bytes under the same webhook-id; only the timestamp and the signatures
 * change.  Keys are held only while a request is built, then wiped.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include <curl/curl.h>
#include <sodium.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"

#include "mint_ext.h"
#include "api/validate.h"
#include "worker/deliver.h"

/* Settings; see the README's table. */
static bool delivery_allow_loopback = false;
static char *delivery_schedule = NULL;
static int delivery_timeout = 15000;
static int delivery_concurrency = 8;
static int event_retention = 30 * 86400; /* read by mint.reap_events (events.sql) */

/* The schedule, parsed by its check hook: delays in ms after each failure. */
#define MAX_STEPS 32
typedef struct Schedule
{
	int n;
	int ms[MAX_STEPS];
} Schedule;
static Schedule *schedule = NULL;

#define STANDARD_SCHEDULE "5s, 5min, 30min, 2h, 5h, 10h, 10h"
#define MAX_CONCURRENCY   256

typedef struct Delivery
{
	char *tenant_id;
	char *endpoint_id;
	char *event_id;
	char *body;
	CURL *easy;
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
	bool done;
	bool ok;
	long http_status;
	char error[256];
} Delivery;

static MemoryContext deliver_cxt = NULL; /* the deliveries in flight */
static MemoryContext tick_cxt = NULL;    /* one tick's, reset at its end */
static CURLM *multi = NULL;
static Delivery *inflight[MAX_CONCURRENCY];
static int ninflight = 0;
static TimestampTz next_claim = 0;
static TimestampTz next_reap = 0; /* at the first tick, then every minute */

#define REAP_BATCH 1000

static bool
check_schedule(char **newval, void **extra, GucSource source)
{
	Schedule s;
	char *copy;
	List *items;
	ListCell *lc;

	memset(&s, 0, sizeof(s));
	copy = pstrdup(*newval);
	if (!SplitIdentifierString(copy, ',', &items))
	{
		GUC_check_errdetail("The schedule is a comma-separated list of delays, such as \"%s\".",
		                    STANDARD_SCHEDULE);
		return false;
	}
	foreach (lc, items)
	{
		const char *item = (const char *)lfirst(lc);
		int ms;
		const char *hint = NULL;

		if (s.n == MAX_STEPS || !parse_int(item, &ms, GUC_UNIT_MS, &hint) || ms < 1)
		{
			GUC_check_errdetail(
			    "The schedule is at most %d delays of at least 1ms, such as \"%s\".", MAX_STEPS,
			    STANDARD_SCHEDULE);
			return false;
		}
		s.ms[s.n++] = ms;
	}
	if (s.n == 0)
	{
		GUC_check_errdetail("The schedule has at least one delay.");
		return false;
	}
	*extra = malloc(sizeof(Schedule)); /* (freed by guc.c with free()) */
	if (*extra == NULL)
		return false;
	memcpy(*extra, &s, sizeof(Schedule));
	return true;
}

static void
assign_schedule(const char *newval, void *extra)
{
	schedule = (Schedule *)extra;
}

void
deliver_define_settings(void)
{
	DefineCustomBoolVariable(
	    "mint.delivery_allow_loopback",
	    "Allow outbound webhook endpoints on http loopback addresses (tests only).", NULL,
	    &delivery_allow_loopback, false, PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable(
	    "mint.delivery_schedule",
	    "Delays between the attempts of an outbound webhook delivery (Standard Webhooks'), and "
	    "of an endpoint's probes; an endpoint that fails every one of them is disabled.",
	    NULL, &delivery_schedule, STANDARD_SCHEDULE, PGC_SIGHUP, GUC_LIST_INPUT, check_schedule,
	    assign_schedule, NULL);
	DefineCustomIntVariable("mint.delivery_timeout", "Timeout of one outbound webhook request.",
	                        NULL, &delivery_timeout, 15000, 100, 600000, PGC_SIGHUP, GUC_UNIT_MS,
	                        NULL, NULL, NULL);
	DefineCustomIntVariable(
	    "mint.delivery_concurrency", "Outbound webhook requests in flight at once (worker 0).",
	    NULL, &delivery_concurrency, 8, 1, MAX_CONCURRENCY, PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable(
	    "mint.event_retention",
	    "How long events (mint.events) and their outbound deliveries are kept before they are "
	    "reaped.",
	    "An event with a pending delivery is kept, and so is every later event of its tenant.",
	    &event_retention, 30 * 86400, 3600, INT_MAX, PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
}

/* ---------------------------------------------------------------------------
 * Keys (SQL: mint._outbound_new_key)
 * ---------------------------------------------------------------------------
 */
static text *
prefixed_base64(const char *prefix, const unsigned char *bin, size_t len)
{
	size_t b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *out = palloc(strlen(prefix) + b64len);
	text *t;

	strcpy(out, prefix);
	sodium_bin2base64(out + strlen(prefix), b64len, bin, len, sodium_base64_VARIANT_ORIGINAL);
	t = cstring_to_text(out);
	pfree(out);
	return t;
}

static bytea *
to_bytea(const unsigned char *bin, size_t len)
{
	bytea *b = palloc(VARHDRSZ + len);

	SET_VARSIZE(b, VARHDRSZ + len);
	memcpy(VARDATA(b), bin, len);
	return b;
}

PG_FUNCTION_INFO_V1(mint_outbound_new_key);

Datum
mint_outbound_new_key(PG_FUNCTION_ARGS)
{
	char *kind = text_to_cstring(PG_GETARG_TEXT_PP(0));
	TupleDesc tupdesc;
	Datum values[3];
	bool nulls[3] = {false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	if (sodium_init() < 0)
		elog(ERROR, "libsodium could not be initialised");
	if (strcmp(kind, "secret") == 0)
	{
		unsigned char key[24];

		randombytes_buf(key, sizeof(key));
		values[0] = PointerGetDatum(to_bytea(key, sizeof(key)));
		nulls[1] = true;
		values[2] = PointerGetDatum(prefixed_base64("whsec_", key, sizeof(key)));
		sodium_memzero(key, sizeof(key));
	}
	else if (strcmp(kind, "signing_key") == 0)
	{
		unsigned char pk[crypto_sign_PUBLICKEYBYTES];
		unsigned char sk[crypto_sign_SECRETKEYBYTES];

		if (crypto_sign_keypair(pk, sk) != 0)
			elog(ERROR, "could not make an ed25519 key pair");
		values[0] = PointerGetDatum(to_bytea(sk, sizeof(sk)));
		values[1] = PointerGetDatum(to_bytea(pk, sizeof(pk)));
		values[2] = PointerGetDatum(prefixed_base64("whpk_", pk, sizeof(pk)));
		sodium_memzero(sk, sizeof(sk));
	}
	else
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("unknown key kind \"%s\"", mint_clip(kind)),
		                errhint("The kinds are secret and signing_key.")));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ---------------------------------------------------------------------------
 * Transactions
 * ---------------------------------------------------------------------------
 */
static MemoryContext caller_cxt = NULL;

static void
tx_begin(const char *what)
{
	caller_cxt = CurrentMemoryContext;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, what);
}

static void
tx_commit(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	MemoryContextSwitchTo(caller_cxt);
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
}

/* ---------------------------------------------------------------------------
 * Requests
 * ---------------------------------------------------------------------------
 */
static size_t
discard_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	return size * nmemb; /* the answer's body is not read */
}

static void
delivery_free(Delivery *d)
{
	if (d->easy != NULL)
	{
		curl_multi_remove_handle(multi, d->easy);
		curl_easy_cleanup(d->easy);
	}
	if (d->headers != NULL)
		curl_slist_free_all(d->headers);
	pfree(d->tenant_id);
	pfree(d->endpoint_id);
	pfree(d->event_id);
	pfree(d->body);
	pfree(d);
}

/*
 * The URL may be sent to: https, or http on a loopback host when
 * mint.delivery_allow_loopback is on (checked again here: the setting may
 * have been turned off since the endpoint was registered).
 */
static bool
url_allowed(const char *url, char *why, size_t whylen)
{
	CURLU *u = curl_url();
	char *scheme = NULL;
	char *host = NULL;
	bool ok = false;

	if (u == NULL)
	{
		snprintf(why, whylen, "out of memory");
		return false;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		snprintf(why, whylen, "the endpoint url does not parse");
	else if (strcmp(scheme, "https") == 0)
		ok = true;
	else if (strcmp(scheme, "http") == 0 && delivery_allow_loopback &&
	         (strcmp(host, "127.0.0.1") == 0 || strcmp(host, "localhost") == 0 ||
	          strcmp(host, "[::1]") == 0))
		ok = true;
	else
		snprintf(why, whylen,
		         "the endpoint url is not https (http only on loopback, with "
		         "mint.delivery_allow_loopback on)");
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

/* "v1,<b64> v1,<b64> v1a,<b64>" over id.ts.body; the keys are wiped by the caller. */
static char *
sign(const char *id, const char *ts, const char *body, bytea **secrets, int nsec, bytea **sks,
     int nsk)
{
	StringInfoData msg;
	StringInfoData out;
	int i;

	initStringInfo(&msg);
	appendStringInfo(&msg, "%s.%s.", id, ts);
	appendBinaryStringInfo(&msg, body, strlen(body));
	initStringInfo(&out);
	for (i = 0; i < nsec; i++)
	{
		crypto_auth_hmacsha256_state st;
		unsigned char mac[crypto_auth_hmacsha256_BYTES];
		char b64[sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES,
		                                   sodium_base64_VARIANT_ORIGINAL)];

		crypto_auth_hmacsha256_init(&st, (unsigned char *)VARDATA_ANY(secrets[i]),
		                            VARSIZE_ANY_EXHDR(secrets[i]));
		crypto_auth_hmacsha256_update(&st, (unsigned char *)msg.data, msg.len);
		crypto_auth_hmacsha256_final(&st, mac);
		sodium_memzero(&st, sizeof(st));
		sodium_bin2base64(b64, sizeof(b64), mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
		appendStringInfo(&out, "%sv1,%s", out.len > 0 ? " " : "", b64);
	}
	for (i = 0; i < nsk; i++)
	{
		unsigned char sig[crypto_sign_BYTES];
		char b64[sodium_base64_ENCODED_LEN(crypto_sign_BYTES, sodium_base64_VARIANT_ORIGINAL)];

		if (VARSIZE_ANY_EXHDR(sks[i]) != crypto_sign_SECRETKEYBYTES)
			continue;
		crypto_sign_detached(sig, NULL, (unsigned char *)msg.data, msg.len,
		                     (unsigned char *)VARDATA_ANY(sks[i]));
		sodium_bin2base64(b64, sizeof(b64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
		appendStringInfo(&out, "%sv1a,%s", out.len > 0 ? " " : "", b64);
	}
	pfree(msg.data);
	return out.data;
}

static int
bytea_elems(Datum arr, bool isnull, bytea ***out)
{
	Datum *elems;
	bool *nulls;
	int n;
	int i;
	int k = 0;

	*out = NULL;
	if (isnull)
		return 0;
	deconstruct_array(DatumGetArrayTypeP(arr), BYTEAOID, -1, false, TYPALIGN_INT, &elems, &nulls,
	                  &n);
	*out = palloc(sizeof(bytea *) * Max(n, 1));
	for (i = 0; i < n; i++)
		if (!nulls[i])
			(*out)[k++] = DatumGetByteaPP(elems[i]);
	return k;
}

static void
wipe(bytea **keys, int n)
{
	int i;

	for (i = 0; i < n; i++)
		sodium_memzero(VARDATA_ANY(keys[i]), VARSIZE_ANY_EXHDR(keys[i]));
}

/* A claimed delivery that cannot be sent is settled as a failure at once. */
static void
fail_now(Delivery *d, const char *why)
{
	d->done = true;
	d->ok = false;
	d->http_status = 0;
	strlcpy(d->error, why, sizeof(d->error));
}

/* Build the request of one claimed row and add it to the multi handle. */
static Delivery *
start(HeapTuple tup, TupleDesc desc)
{
	MemoryContext old = MemoryContextSwitchTo(deliver_cxt);
	Delivery *d = palloc0(sizeof(Delivery));
	char *url;
	char ts[32];
	char *sig;
	bool isnull;
	bytea **secrets;
	bytea **sks;
	int nsec;
	int nsk;
	char why[200];
	StringInfoData h;

	d->tenant_id = SPI_getvalue(tup, desc, 1);
	d->endpoint_id = SPI_getvalue(tup, desc, 2);
	d->event_id = SPI_getvalue(tup, desc, 3);
	d->body = SPI_getvalue(tup, desc, 5);
	MemoryContextSwitchTo(old);
	url = SPI_getvalue(tup, desc, 4); /* (the SPI call's memory) */
	if (d->body == NULL)
	{
		/* (the event is gone: it cannot be, the reaper keeps the events of
		 * pending deliveries) */
		MemoryContextSwitchTo(deliver_cxt);
		d->body = pstrdup("");
		MemoryContextSwitchTo(old);
		fail_now(d, "the event is missing");
		return d;
	}
	if (url == NULL || !url_allowed(url, why, sizeof(why)))
	{
		fail_now(d, url == NULL ? "the endpoint is missing" : why);
		return d;
	}
	nsec = bytea_elems(SPI_getbinval(tup, desc, 6, &isnull), isnull, &secrets);
	nsk = bytea_elems(SPI_getbinval(tup, desc, 7, &isnull), isnull, &sks);
	if (nsec + nsk == 0)
	{
		fail_now(d, "the endpoint has no active secret");
		return d;
	}
	snprintf(ts, sizeof(ts), INT64_FORMAT, (int64)time(NULL));
	sig = sign(d->event_id, ts, d->body, secrets, nsec, sks, nsk);
	wipe(secrets, nsec);
	wipe(sks, nsk);

	initStringInfo(&h);
	d->headers = curl_slist_append(NULL, "content-type: application/json");
	appendStringInfo(&h, "webhook-id: %s", d->event_id);
	d->headers = curl_slist_append(d->headers, h.data);
	resetStringInfo(&h);
	appendStringInfo(&h, "webhook-timestamp: %s", ts);
	d->headers = curl_slist_append(d->headers, h.data);
	resetStringInfo(&h);
	appendStringInfo(&h, "webhook-signature: %s", sig);
	d->headers = curl_slist_append(d->headers, h.data);
	d->headers = curl_slist_append(d->headers, "user-agent: mint_ext/" MINT_EXT_VERSION);
	d->headers = curl_slist_append(d->headers, "expect:");
	pfree(h.data);
	pfree(sig);

	d->easy = curl_easy_init();
	if (d->easy == NULL || d->headers == NULL ||
	    curl_easy_setopt(d->easy, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(d->easy, CURLOPT_PROTOCOLS_STR,
	                     delivery_allow_loopback ? "http,https" : "https") != CURLE_OK ||
	    curl_easy_setopt(d->easy, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(d->easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(d->easy, CURLOPT_TIMEOUT_MS, (long)delivery_timeout) != CURLE_OK ||
	    curl_easy_setopt(d->easy, CURLOPT_HTTPHEADER, d->headers) != CURLE_OK ||
	    curl_easy_setopt(d->easy, CURLOPT_POSTFIELDS, d->body) != CURLE_OK ||
	    curl_easy_setopt(d->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(d->body)) != CURLE_OK ||
	    curl_easy_setopt(d->easy, CURLOPT_WRITEFUNCTION, discard_cb) != CURLE_OK ||
	    curl_easy_setopt(d->easy, CURLOPT_PRIVATE, (void *)d) != CURLE_OK ||
	    curl_easy_setopt(d->easy, CURLOPT_ERRORBUFFER, d->errbuf) != CURLE_OK ||
	    curl_multi_add_handle(multi, d->easy) != CURLM_OK)
	{
		if (d->easy != NULL)
			curl_easy_cleanup(d->easy);
		d->easy = NULL;
		fail_now(d, "could not set up the request");
	}
	return d;
}

/* Collect finished transfers. */
static void
collect(void)
{
	CURLMsg *msg;
	int left;
	int running;

	curl_multi_perform(multi, &running);
	while ((msg = curl_multi_info_read(multi, &left)) != NULL)
	{
		Delivery *d = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&d);
		if (d == NULL)
			continue;
		d->done = true;
		curl_easy_getinfo(d->easy, CURLINFO_RESPONSE_CODE, &d->http_status);
		if (msg->data.result != CURLE_OK)
		{
			d->ok = false;
			/* curl's message names the host at most, never a key */
			snprintf(d->error, sizeof(d->error), "%s",
			         d->errbuf[0] ? d->errbuf : curl_easy_strerror(msg->data.result));
		}
		else if (d->http_status >= 200 && d->http_status < 300)
			d->ok = true;
		else
		{
			d->ok = false;
			snprintf(d->error, sizeof(d->error), "HTTP %ld", d->http_status);
		}
	}
}

static Datum
text_array(char **v, int n)
{
	Datum *d = palloc(sizeof(Datum) * Max(n, 1));
	int i;

	for (i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* Settle the finished deliveries in one transaction, and forget them. */
static void
settle(void)
{
	char **tenants = palloc(sizeof(char *) * Max(ninflight, 1));
	char **endpoints = palloc(sizeof(char *) * Max(ninflight, 1));
	char **ids = palloc(sizeof(char *) * Max(ninflight, 1));
	char **errs = palloc(sizeof(char *) * Max(ninflight, 1));
	Datum *oks = palloc(sizeof(Datum) * Max(ninflight, 1));
	Datum *codes = palloc(sizeof(Datum) * Max(ninflight, 1));
	Datum *steps;
	Datum args[7];
	Oid types[7] = {TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, BOOLARRAYOID,
	                INT4ARRAYOID, TEXTARRAYOID, INT4ARRAYOID};
	int n = 0;
	int i;
	int k;

	for (i = 0; i < ninflight; i++)
		if (inflight[i]->done)
		{
			tenants[n] = inflight[i]->tenant_id;
			endpoints[n] = inflight[i]->endpoint_id;
			ids[n] = inflight[i]->event_id;
			errs[n] = inflight[i]->error;
			oks[n] = BoolGetDatum(inflight[i]->ok);
			codes[n] = Int32GetDatum((int32)inflight[i]->http_status);
			n++;
		}
	if (n == 0)
		return;
	steps = palloc(sizeof(Datum) * schedule->n);
	for (i = 0; i < schedule->n; i++)
		steps[i] = Int32GetDatum(schedule->ms[i]);

	tx_begin("mint: settle webhook deliveries");
	args[0] = text_array(tenants, n);
	args[1] = text_array(endpoints, n);
	args[2] = text_array(ids, n);
	args[3] = PointerGetDatum(construct_array(oks, n, BOOLOID, 1, true, TYPALIGN_CHAR));
	args[4] = PointerGetDatum(construct_array(codes, n, INT4OID, 4, true, TYPALIGN_INT));
	args[5] = text_array(errs, n);
	args[6] = PointerGetDatum(construct_array(steps, schedule->n, INT4OID, 4, true, TYPALIGN_INT));
	if (SPI_execute_with_args("SELECT mint._deliveries_done($1, $2, $3, $4, $5, $6, $7)", 7, types,
	                          args, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not settle the webhook deliveries");
	tx_commit();

	for (i = 0, k = 0; i < ninflight; i++)
	{
		if (inflight[i]->done)
			delivery_free(inflight[i]);
		else
			inflight[k++] = inflight[i];
	}
	ninflight = k;
}

/* Claim up to the room left and start them; true when the claim was full. */
static bool
claim(void)
{
	int room = Min(delivery_concurrency, MAX_CONCURRENCY) - ninflight;
	Oid types[2] = {INT4OID, INT4OID};
	Datum args[2];
	uint64 i;
	bool full;

	if (room <= 0)
		return true;
	tx_begin("mint: claim webhook deliveries");
	args[0] = Int32GetDatum(room);
	args[1] = Int32GetDatum(delivery_timeout + 5000);
	if (SPI_execute_with_args("SELECT * FROM mint._claim_deliveries($1, $2)", 2, types, args, NULL,
	                          false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not claim webhook deliveries");
	full = SPI_processed == (uint64)room;
	for (i = 0; i < SPI_processed; i++)
		inflight[ninflight++] = start(SPI_tuptable->vals[i], SPI_tuptable->tupdesc);
	tx_commit();
	return full;
}

/*
 * Reap up to REAP_BATCH events past mint.event_retention with their
 * deliveries (mint.reap_events), in a transaction of its own; returns how
 * many (REAP_BATCH: more are due, call again soon).
 */
static int
reap(void)
{
	Oid types[1] = {INT4OID};
	Datum args[1];
	bool isnull;
	int reaped = 0;

	tx_begin("mint: reap events");
	args[0] = Int32GetDatum(REAP_BATCH);
	if (SPI_execute_with_args("SELECT mint.reap_events($1)", 1, types, args, NULL, false, 1) ==
	        SPI_OK_SELECT &&
	    SPI_processed == 1)
		reaped =
		    DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	tx_commit();
	return reaped;
}

long
deliver_tick(void)
{
	TimestampTz now = GetCurrentTimestamp();
	MemoryContext old;
	bool full = false;
	long wait;
	int running;

	if (schedule == NULL)
		return mint_poll_interval;
	if (deliver_cxt == NULL)
	{
		deliver_cxt =
		    AllocSetContextCreate(TopMemoryContext, "mint deliveries", ALLOCSET_DEFAULT_SIZES);
		tick_cxt =
		    AllocSetContextCreate(TopMemoryContext, "mint delivery tick", ALLOCSET_DEFAULT_SIZES);
	}
	if (multi == NULL)
	{
		multi = curl_multi_init();
		if (multi == NULL)
			elog(ERROR, "curl_multi_init failed");
	}
	old = MemoryContextSwitchTo(tick_cxt);

	if (ninflight > 0)
	{
		int before = ninflight;

		collect();
		settle();
		if (ninflight < before)
			next_claim = now; /* room again: the next due ones go at once */
	}
	if (now >= next_reap)
	{
		/* as the engine reaps keys and webhook events (db_reap): a batch a
		 * minute, one every 100 ms while a backlog lasts */
		int reaped = reap();

		next_reap = TimestampTzPlusMilliseconds(now, reaped == REAP_BATCH ? 100 : 60000);
	}
	if (now >= next_claim && ninflight < delivery_concurrency)
	{
		full = claim();
		next_claim = full ? now : TimestampTzPlusMilliseconds(now, mint_poll_interval);
		if (ninflight > 0)
		{
			curl_multi_perform(multi, &running);
			/* the ones that could not be sent at all are settled at once */
			settle();
		}
	}
	if (ninflight > 0)
		wait = 10;
	else if (full)
		wait = 0;
	else
		wait = Max(0, (long)((next_claim - now) / 1000));
	wait = Min(wait, Max(0, (long)((next_reap - now) / 1000)));
	MemoryContextSwitchTo(old);
	MemoryContextReset(tick_cxt);
	return wait;
}

void
deliver_shutdown(void)
{
	int i;

	for (i = 0; i < ninflight; i++)
		delivery_free(inflight[i]);
	ninflight = 0;
	if (multi != NULL)
		curl_multi_cleanup(multi);
	multi = NULL;
}
