/*-------------------------------------------------------------------------
 *
 * webhook.c
 *	  mint.process_webhook(): verify, deduplicate and apply a provider's
 *	  webhook delivery exactly once.
 *
 * Verification comes first and works on the raw bytes of the body, before
 * anything is parsed or stored:
 *
 *	 endpoint known and enabled		-> else 404 rejected
 *	 body within the endpoint's limit	-> else 413 rejected (checked on the
 *										   datum's size, before detoasting)
 *	 scheme "standard" (Standard Webhooks):
 *		webhook-id, webhook-timestamp present and well formed -> else 400
 *		|now - timestamp| <= tolerance	-> else 400 (stale or from the future)
 *		some "v1,<base64>" entry of webhook-signature equals
 *		HMAC-SHA256(secret, id "." timestamp "." body) for some active
 *		secret, compared in constant time, or some "v1a,<base64>" entry is
 *		an ed25519 signature of the same content under some active public
 *		key (crypto_sign_verify_detached) -> else 401.  Entries of other
 *		versions are ignored; a header with no v1 or v1a entry is refused.
 *	 scheme "helius": the Authorization header equals an active secret,
 *		compared in constant time		-> else 401
 *
 * A rejected delivery writes nothing; it is only counted (mint.stats).  An
 * accepted one is handed to mint._webhook_accept() (webhook.sql), which
 * parses the JSON, records each event with INSERT ... ON CONFLICT DO NOTHING
 * RETURNING and applies the new ones through the job state machine, all in
 * the caller's transaction.
 *
 * Header names are matched case-insensitively; a header given twice (in two
 * spellings) is refused as ambiguous.  The current time is the wall clock
 * (clock_timestamp()), not the transaction's start.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sodium.h>

#include "access/detoast.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "api/validate.h"
#include "common/shared.h"
#include "common/spi.h"

PG_FUNCTION_INFO_V1(mint_process_webhook);
PG_FUNCTION_INFO_V1(mint_process_webhook_bytea);
PG_FUNCTION_INFO_V1(mint_webhook_key);
PG_FUNCTION_INFO_V1(mint_webhook_key_kind);
PG_FUNCTION_INFO_V1(mint_webhook_verify);
PG_FUNCTION_INFO_V1(mint_webhook_verify_endpoint);
PG_FUNCTION_INFO_V1(mint_raise_hidden);

/* Bounds on what a delivery's headers may hold. */
#define WH_MAX_ID_LEN         256
#define WH_MAX_SIG_HEADER_LEN 8192
#define WH_MAX_SIG_ENTRIES    64
#define WH_MAX_AUTH_LEN       4096
#define WH_MIN_KEY_LEN        16
#define WH_MAX_KEY_LEN        256
/*
 * A v1a entry costs one ed25519 verification per active public key, each
 * hashing the whole body: past this many v1a entries the delivery is refused
 * (a sender signs with two keys while it rotates).
 */
#define WH_MAX_V1A_ENTRIES 8
/* A public key as given: "whpk_" + base64 of 32 bytes (44 characters). */
#define WH_PK_PREFIX      "whpk_"
#define WH_SK_PREFIX      "whsk_"
#define WH_MAX_PK_B64_LEN 128

/* The keys of an endpoint that are active now. */
typedef struct WhKeys
{
	bytea **secrets; /* standard: HMAC keys (v1); helius: Authorization values */
	int nsecrets;
	bytea **pubkeys; /* standard: 32-byte ed25519 public keys (v1a) */
	int npubkeys;
} WhKeys;

/* An endpoint as process_webhook() reads it. */
typedef struct WhEndpoint
{
	char *scheme;
	bool enabled;
	int64 tolerance;
	int64 max_body;
	WhKeys keys;
} WhEndpoint;

/* wh_check()'s clock: the wall clock at the moment of the check. */
#define WH_WALL_CLOCK PG_INT64_MIN

/* Outcome of verification. */
typedef struct WhVerdict
{
	int http_status; /* 0: verified */
	MintWebhookCounter counter;
	const char *reason;
} WhVerdict;

/* A header we look for, matched case-insensitively. */
typedef struct WhHeader
{
	const char *name; /* lower case */
	char *value;      /* NULL: absent */
	bool bad;         /* given twice, or not a string */
} WhHeader;

enum
{
	H_ID,
	H_TIMESTAMP,
	H_SIGNATURE,
	H_AUTHORIZATION,
	H_COUNT
};

static SPIPlanPtr plan_endpoint = NULL;
static SPIPlanPtr plan_accept = NULL;

static void
wh_reject(WhVerdict *v, int http_status, MintWebhookCounter counter, const char *reason)
{
	v->http_status = http_status;
	v->counter = counter;
	v->reason = reason;
}

/*
 * wh_find_headers
 *	  Pick the headers we need out of the headers object.  Returns false
 *	  when the argument is not a JSON object.
 */
static bool
wh_find_headers(Jsonb *headers, WhHeader *want, int nwant)
{
	JsonbIterator *it;
	JsonbValue v;
	JsonbIteratorToken tok;
	int current = -1;

	for (int i = 0; i < nwant; i++)
	{
		want[i].value = NULL;
		want[i].bad = false;
	}
	if (!JB_ROOT_IS_OBJECT(headers) || JB_ROOT_IS_SCALAR(headers))
		return false;

	it = JsonbIteratorInit(&headers->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			current = -1;
			for (int i = 0; i < nwant; i++)
				if (v.val.string.len == (int)strlen(want[i].name) &&
				    pg_strncasecmp(v.val.string.val, want[i].name, v.val.string.len) == 0)
				{
					current = i;
					break;
				}
		}
		else if (tok == WJB_VALUE && current >= 0)
		{
			WhHeader *h = &want[current];

			if (h->value != NULL || h->bad || v.type != jbvString)
				h->bad = true;
			else
				h->value = pnstrdup(v.val.string.val, v.val.string.len);
			current = -1;
		}
	}
	return true;
}

/* webhook-id: 1-256 printable ASCII characters, no '.' (it separates the signed fields). */
static bool
wh_valid_id(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > WH_MAX_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (id[i] < 0x21 || id[i] > 0x7e || id[i] == '.')
			return false;
	return true;
}

/* webhook-timestamp: ^[1-9][0-9]{0,17}$ (integer unix seconds, signed as received). */
static bool
wh_parse_timestamp(const char *s, int64 *out)
{
	size_t n = strlen(s);
	int64 ts = 0;

	if (n == 0 || n > 18 || s[0] < '1' || s[0] > '9')
		return false;
	for (size_t i = 0; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		ts = ts * 10 + (s[i] - '0');
	}
	*out = ts;
	return true;
}

/* The wall clock in unix seconds, rounded down. */
static int64
wh_now_unix(void)
{
	TimestampTz now = GetCurrentTimestamp();
	int64 secs = now / USECS_PER_SEC;

	if (now < 0 && now % USECS_PER_SEC != 0)
		secs--;
	return secs + (int64)(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;
}

/*
 * wh_verify_standard
 *	  Standard Webhooks verification over the raw body with every active key.
 *	  Every v1 entry is compared with every secret's MAC (no early exit), each
 *	  comparison in constant time.  When no v1 entry matched, every v1a entry
 *	  is verified with every active public key (ed25519; nothing secret
 *	  there, so the first good signature ends the search).  Entries of other
 *	  versions (v2, ...) are ignored, but a header of nothing else is refused.
 */
static void
wh_verify_standard(WhHeader *h, const unsigned char *body, size_t len, const WhKeys *keys,
                   int64 now, int64 tolerance, WhVerdict *v)
{
	int64 ts;
	unsigned char(*macs)[crypto_auth_hmacsha256_BYTES];
	unsigned char(*v1a)[crypto_sign_BYTES];
	char *hdr;
	char *save = NULL;
	char *tok;
	int entries = 0;
	int v1_entries = 0;
	int v1a_entries = 0;
	int v1a_usable = 0; /* v1a entries that decode to 64 bytes */
	int unknown_entries = 0;
	int malformed_entries = 0;
	int matched = 0;

	if (h[H_ID].bad || h[H_TIMESTAMP].bad || h[H_SIGNATURE].bad)
	{
		wh_reject(v, 400, MINT_WH_REJECTED_MALFORMED,
		          "a webhook-* header is repeated or not a string");
		return;
	}
	if (h[H_ID].value == NULL)
	{
		wh_reject(v, 400, MINT_WH_REJECTED_MALFORMED, "missing webhook-id header");
		return;
	}
	if (!wh_valid_id(h[H_ID].value))
	{
		wh_reject(v, 400, MINT_WH_REJECTED_MALFORMED,
		          "invalid webhook-id header (1 to 256 printable ASCII characters, no '.')");
		return;
	}
	if (h[H_TIMESTAMP].value == NULL)
	{
		wh_reject(v, 400, MINT_WH_REJECTED_MALFORMED, "missing webhook-timestamp header");
		return;
	}
	if (!wh_parse_timestamp(h[H_TIMESTAMP].value, &ts))
	{
		wh_reject(v, 400, MINT_WH_REJECTED_MALFORMED,
		          "invalid webhook-timestamp header (integer unix seconds expected)");
		return;
	}
	if (now - ts > tolerance)
	{
		wh_reject(v, 400, MINT_WH_REJECTED_TIMESTAMP, "webhook-timestamp too old");
		return;
	}
	if (ts - now > tolerance)
	{
		wh_reject(v, 400, MINT_WH_REJECTED_TIMESTAMP, "webhook-timestamp too far in the future");
		return;
	}
	if (h[H_SIGNATURE].value == NULL)
	{
		wh_reject(v, 401, MINT_WH_REJECTED_SIGNATURE, "missing webhook-signature header");
		return;
	}
	if (strlen(h[H_SIGNATURE].value) > WH_MAX_SIG_HEADER_LEN)
	{
		wh_reject(v, 401, MINT_WH_REJECTED_SIGNATURE, "webhook-signature header too long");
		return;
	}
	if (keys->nsecrets == 0 && keys->npubkeys == 0)
	{
		wh_reject(v, 401, MINT_WH_REJECTED_SIGNATURE,
		          "the endpoint has no active secret or public key");
		return;
	}

	/* The expected MAC under each active secret, over id "." timestamp "." body. */
	macs = palloc(sizeof(*macs) * Max(keys->nsecrets, 1));
	for (int k = 0; k < keys->nsecrets; k++)
	{
		crypto_auth_hmacsha256_state st;

		crypto_auth_hmacsha256_init(&st, (const unsigned char *)VARDATA_ANY(keys->secrets[k]),
		                            VARSIZE_ANY_EXHDR(keys->secrets[k]));
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)h[H_ID].value,
		                              strlen(h[H_ID].value));
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)h[H_TIMESTAMP].value,
		                              strlen(h[H_TIMESTAMP].value));
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
		crypto_auth_hmacsha256_update(&st, body, len);
		crypto_auth_hmacsha256_final(&st, macs[k]);
		sodium_memzero(&st, sizeof(st));
	}
	v1a = palloc(sizeof(*v1a) * WH_MAX_V1A_ENTRIES);

	hdr = pstrdup(h[H_SIGNATURE].value);
	for (tok = strtok_r(hdr, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save))
	{
		char *comma = strchr(tok, ',');
		unsigned char sig[64];
		size_t siglen = 0;

		if (++entries > WH_MAX_SIG_ENTRIES)
			break;
		if (comma == NULL || comma == tok)
		{
			malformed_entries++;
			continue;
		}
		*comma = '\0';
		if (strcmp(tok, "v1") == 0)
		{
			v1_entries++;
			if (sodium_base642bin(sig, sizeof(sig), comma + 1, strlen(comma + 1), NULL, &siglen,
			                      NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
			    siglen != crypto_auth_hmacsha256_BYTES)
				continue; /* cannot equal any MAC */
			for (int k = 0; k < keys->nsecrets; k++)
				matched |= (sodium_memcmp(sig, macs[k], crypto_auth_hmacsha256_BYTES) == 0);
		}
		else if (strcmp(tok, "v1a") == 0)
		{
			/* Counted past the limit (the delivery is then refused), kept within. */
			if (++v1a_entries > WH_MAX_V1A_ENTRIES)
				continue;
			if (sodium_base642bin(v1a[v1a_usable], crypto_sign_BYTES, comma + 1, strlen(comma + 1),
			                      NULL, &siglen, NULL, sodium_base64_VARIANT_ORIGINAL) == 0 &&
			    siglen == crypto_sign_BYTES)
				v1a_usable++; /* else: cannot verify under any key */
		}
		else
			unknown_entries++; /* another version (v2, ...): not ours to judge */
	}
	sodium_memzero(macs, sizeof(*macs) * Max(keys->nsecrets, 1));
	pfree(macs);

	if (matched)
		return;
	if (v1a_entries > WH_MAX_V1A_ENTRIES)
	{
		wh_reject(v, 401, MINT_WH_REJECTED_SIGNATURE,
		          "more than " CppAsString2(WH_MAX_V1A_ENTRIES) " v1a signatures in "
		                                                        "webhook-signature");
		return;
	}
	if (v1a_usable > 0 && keys->npubkeys > 0)
	{
		/* ed25519 signs the whole message: id "." timestamp "." body, in one piece. */
		size_t idlen = strlen(h[H_ID].value);
		size_t tslen = strlen(h[H_TIMESTAMP].value);
		size_t mlen = idlen + 1 + tslen + 1 + len;
		unsigned char *msg = palloc(mlen);

		memcpy(msg, h[H_ID].value, idlen);
		msg[idlen] = '.';
		memcpy(msg + idlen + 1, h[H_TIMESTAMP].value, tslen);
		msg[idlen + 1 + tslen] = '.';
		if (len > 0)
			memcpy(msg + idlen + 1 + tslen + 1, body, len);
		for (int i = 0; i < v1a_usable && !matched; i++)
			for (int k = 0; k < keys->npubkeys && !matched; k++)
				matched = crypto_sign_verify_detached(
				              v1a[i], msg, mlen,
				              (const unsigned char *)VARDATA_ANY(keys->pubkeys[k])) == 0;
		pfree(msg);
		if (matched)
			return;
	}

	if (v1_entries == 0 && v1a_entries == 0)
		wh_reject(v, 401, MINT_WH_REJECTED_SIGNATURE,
		          malformed_entries > 0
		              ? "malformed webhook-signature header (version,signature expected)"
		          : unknown_entries > 0
		              ? "only signatures of unknown versions in webhook-signature (v1 and v1a "
		                "are verified)"
		              : "empty webhook-signature header");
	else if (v1_entries == 0 && keys->npubkeys == 0)
		wh_reject(v, 401, MINT_WH_REJECTED_SIGNATURE,
		          "no matching signature (v1a signatures only, and the endpoint has no active "
		          "public key)");
	else if (v1a_entries == 0 && keys->nsecrets == 0)
		wh_reject(v, 401, MINT_WH_REJECTED_SIGNATURE,
		          "no matching signature (v1 signatures only, and the endpoint has no active "
		          "secret)");
	else
		wh_reject(v, 401, MINT_WH_REJECTED_SIGNATURE, "no matching signature");
}

/*
 * wh_verify_helius
 *	  The Authorization header equals one of the configured values.  The
 *	  SHA-256 digests are compared, so neither the values' contents nor their
 *	  lengths show in the timing.
 */
static void
wh_verify_helius(WhHeader *h, const WhKeys *keys, WhVerdict *v)
{
	unsigned char got[crypto_hash_sha256_BYTES];
	int matched = 0;

	if (h[H_AUTHORIZATION].bad)
	{
		wh_reject(v, 400, MINT_WH_REJECTED_MALFORMED,
		          "the Authorization header is repeated or not a string");
		return;
	}
	if (h[H_AUTHORIZATION].value == NULL)
	{
		wh_reject(v, 401, MINT_WH_REJECTED_SIGNATURE, "missing Authorization header");
		return;
	}
	if (strlen(h[H_AUTHORIZATION].value) > WH_MAX_AUTH_LEN)
	{
		wh_reject(v, 401, MINT_WH_REJECTED_SIGNATURE, "Authorization header too long");
		return;
	}
	if (keys->nsecrets == 0)
	{
		wh_reject(v, 401, MINT_WH_REJECTED_SIGNATURE, "the endpoint has no active secret");
		return;
	}
	crypto_hash_sha256(got, (const unsigned char *)h[H_AUTHORIZATION].value,
	                   strlen(h[H_AUTHORIZATION].value));
	for (int k = 0; k < keys->nsecrets; k++)
	{
		unsigned char want[crypto_hash_sha256_BYTES];

		crypto_hash_sha256(want, (const unsigned char *)VARDATA_ANY(keys->secrets[k]),
		                   VARSIZE_ANY_EXHDR(keys->secrets[k]));
		matched |= (sodium_memcmp(got, want, sizeof(want)) == 0);
	}
	if (!matched)
		wh_reject(v, 401, MINT_WH_REJECTED_SIGNATURE, "Authorization does not match");
}

/*
 * wh_is_public_key
 *	  Whether an operator's value is a Standard Webhooks public key (v1a):
 *	  "whpk_" on a standard endpoint.  A Helius value is taken as it is.
 */
static bool
wh_is_public_key(const char *scheme, const char *value)
{
	return strcmp(scheme, "standard") == 0 &&
	       strncmp(value, WH_PK_PREFIX, strlen(WH_PK_PREFIX)) == 0;
}

/*
 * wh_decode_public_key
 *	  "whpk_" + base64 (padded or not) of a 32-byte ed25519 public key that
 *	  is a valid point (canonical, in the main subgroup, not of small order).
 *	  The errors never quote the value.
 */
static bytea *
wh_decode_public_key(const char *value)
{
	const char *b64 = value + strlen(WH_PK_PREFIX);
	size_t b64len = strlen(b64);
	unsigned char buf[WH_MAX_PK_B64_LEN];
	size_t n = 0;
	bytea *key;

	if (b64len == 0)
		ereport(ERROR,
		        (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("webhook public key is empty"),
		         errdetail("A Standard Webhooks public key is \"whpk_\" followed by the "
		                   "base64 of a 32-byte ed25519 public key."),
		         errhidestmt(true)));
	if (b64len > WH_MAX_PK_B64_LEN)
		ereport(ERROR,
		        (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		         errmsg("webhook public key is too long (%zu characters after \"whpk_\")", b64len),
		         errdetail("An ed25519 public key is 32 bytes: 44 base64 characters."),
		         errhidestmt(true)));
	if (sodium_base642bin(buf, sizeof(buf), b64, b64len, NULL, &n, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 &&
	    sodium_base642bin(buf, sizeof(buf), b64, b64len, NULL, &n, NULL,
	                      sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("webhook public key is not valid base64"),
		                errdetail("A Standard Webhooks public key is \"whpk_\" followed by the "
		                          "base64 of a 32-byte ed25519 public key."),
		                errhidestmt(true)));
	if (n != crypto_sign_PUBLICKEYBYTES)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("webhook public key decodes to %zu bytes", n),
		                errdetail("An ed25519 public key is %d bytes.", crypto_sign_PUBLICKEYBYTES),
		                errhidestmt(true)));
	if (!crypto_core_ed25519_is_valid_point(buf))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("webhook public key is not a valid ed25519 public key"),
		                errdetail("Its 32 bytes are not the canonical encoding of a point of "
		                          "the main subgroup, or the point has a small order."),
		                errhidestmt(true)));
	key = palloc(VARHDRSZ + n);
	SET_VARSIZE(key, VARHDRSZ + n);
	memcpy(VARDATA(key), buf, n);
	return key;
}

/*
 * wh_decode_key
 *	  The raw key of a secret or public key as an operator gives it.
 *	  standard: "whpk_" + base64 of a 32-byte ed25519 public key (v1a), or
 *	  "whsec_" (optional) + base64 of 16 to 256 bytes, padded or not (v1).
 *	  helius: the Authorization value itself, 1 to 4096 bytes.  Its errors
 *	  hide the statement from the server log (errhidestmt): its text holds
 *	  the secret.
 */
static bytea *
wh_decode_key(const char *scheme, const char *secret)
{
	bytea *key;

	if (wh_is_public_key(scheme, secret))
		return wh_decode_public_key(secret);
	if (strcmp(scheme, "standard") == 0)
	{
		const char *b64 = secret;
		unsigned char buf[WH_MAX_KEY_LEN + 3];
		size_t n = 0;

		if (strncmp(b64, WH_SK_PREFIX, strlen(WH_SK_PREFIX)) == 0)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("this is an ed25519 secret key (\"whsk_\"): a receiver "
			                       "needs only the public key"),
			                errhint("Register the pair's public key (\"whpk_\"), and keep the "
			                        "secret key with the sender only."),
			                errhidestmt(true)));
		if (strncmp(b64, "whsec_", 6) == 0)
			b64 += 6;
		if (*b64 == '\0')
			ereport(ERROR,
			        (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("webhook secret is empty"),
			         errdetail("A Standard Webhooks secret is \"whsec_\" followed by base64."),
			         errhidestmt(true)));
		if (sodium_base642bin(buf, sizeof(buf), b64, strlen(b64), NULL, &n, NULL,
		                      sodium_base64_VARIANT_ORIGINAL) != 0 &&
		    sodium_base642bin(buf, sizeof(buf), b64, strlen(b64), NULL, &n, NULL,
		                      sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0)
			ereport(ERROR,
			        (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			         errmsg("webhook secret is not valid base64"),
			         errdetail("A Standard Webhooks secret is \"whsec_\" followed by base64."),
			         errhidestmt(true)));
		if (n < WH_MIN_KEY_LEN || n > WH_MAX_KEY_LEN)
			ereport(ERROR,
			        (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			         errmsg("webhook secret decodes to %zu bytes", n),
			         errdetail("A key is %d to %d bytes (the specification asks for 24 to 64).",
			                   WH_MIN_KEY_LEN, WH_MAX_KEY_LEN),
			         errhidestmt(true)));
		key = palloc(VARHDRSZ + n);
		SET_VARSIZE(key, VARHDRSZ + n);
		memcpy(VARDATA(key), buf, n);
		sodium_memzero(buf, sizeof(buf));
		return key;
	}
	if (strcmp(scheme, "helius") == 0)
	{
		size_t n = strlen(secret);

		if (n == 0 || n > WH_MAX_AUTH_LEN)
			ereport(ERROR,
			        (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			         errmsg("a Helius Authorization value is 1 to %d bytes", WH_MAX_AUTH_LEN),
			         errhidestmt(true)));
		key = palloc(VARHDRSZ + n);
		SET_VARSIZE(key, VARHDRSZ + n);
		memcpy(VARDATA(key), secret, n);
		return key;
	}
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
	                errmsg("unknown webhook scheme \"%s\"", mint_clip(scheme)),
	                errhint("The schemes are \"standard\" and \"helius\"."), errhidestmt(true)));
	return NULL; /* keep compiler quiet */
}

/*
 * wh_load_endpoint
 *	  Read a provider's endpoint and its keys active now (SPI connected; the
 *	  values live in the SPI's memory).  false: no such provider.
 */
static bool
wh_load_endpoint(const char *provider, WhEndpoint *ep)
{
	Oid types[1] = {TEXTOID};
	Datum args[1] = {CStringGetTextDatum(provider)};
	HeapTuple tup;
	TupleDesc desc;
	bool isnull;

	if (SPI_execute_plan(mint_plan(&plan_endpoint,
	                               "SELECT e.scheme, e.enabled, "
	                               "pg_catalog.date_part('epoch', e.tolerance)::bigint, "
	                               "e.max_body_bytes::bigint, "
	                               "ARRAY(SELECT s.secret FROM mint.webhook_secrets s "
	                               "       WHERE s.provider = e.provider AND s.kind = 'secret' "
	                               "         AND (s.not_after IS NULL "
	                               "          OR s.not_after > pg_catalog.clock_timestamp()) "
	                               "       ORDER BY s.secret_id), "
	                               "ARRAY(SELECT s.secret FROM mint.webhook_secrets s "
	                               "       WHERE s.provider = e.provider AND s.kind = 'public_key' "
	                               "         AND (s.not_after IS NULL "
	                               "          OR s.not_after > pg_catalog.clock_timestamp()) "
	                               "       ORDER BY s.secret_id) "
	                               "FROM mint.webhook_endpoints e WHERE e.provider = $1",
	                               1, types),
	                     args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read mint.webhook_endpoints");
	if (SPI_processed == 0)
		return false;
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	ep->scheme = SPI_getvalue(tup, desc, 1);
	ep->enabled = DatumGetBool(SPI_getbinval(tup, desc, 2, &isnull));
	ep->tolerance = DatumGetInt64(SPI_getbinval(tup, desc, 3, &isnull));
	ep->max_body = DatumGetInt64(SPI_getbinval(tup, desc, 4, &isnull));
	for (int col = 5; col <= 6; col++)
	{
		ArrayType *arr = DatumGetArrayTypeP(SPI_getbinval(tup, desc, col, &isnull));
		Datum *elems;
		int n;
		bytea **keys;
		int nkeys = 0;

		deconstruct_array(arr, BYTEAOID, -1, false, TYPALIGN_INT, &elems, NULL, &n);
		keys = palloc(sizeof(bytea *) * (n + 1));
		for (int k = 0; k < n; k++)
		{
			bytea *key = DatumGetByteaPP(elems[k]);

			/* A public key is 32 bytes (a CHECK of the table says so too). */
			if (col == 6 && VARSIZE_ANY_EXHDR(key) != crypto_sign_PUBLICKEYBYTES)
				continue;
			keys[nkeys++] = key;
		}
		if (col == 5)
		{
			ep->keys.secrets = keys;
			ep->keys.nsecrets = nkeys;
		}
		else
		{
			ep->keys.pubkeys = keys;
			ep->keys.npubkeys = nkeys;
		}
	}
	return true;
}

/*
 * wh_check
 *	  Everything process_webhook() checks before it looks at the body's
 *	  content: the endpoint enabled, the size (on the datum, before it is
 *	  detoasted), the headers, the timestamp and signature (standard, against
 *	  now: unix seconds, or WH_WALL_CLOCK) or the Authorization (helius).
 *	  *raw and *len get the body's bytes once it is within the limit,
 *	  *event_id the webhook-id when it is well formed; v->http_status stays 0
 *	  when the delivery is verified.
 */
static void
wh_check(const WhEndpoint *ep, Jsonb *headers, Datum body_datum, int64 now, WhHeader *hdr,
         const unsigned char **raw, size_t *len, const char **event_id, WhVerdict *v)
{
	bytea *body;

	if (!ep->enabled)
	{
		wh_reject(v, 404, MINT_WH_REJECTED_ENDPOINT, "webhook endpoint disabled");
		return;
	}
	if ((int64)toast_raw_datum_size(body_datum) - VARHDRSZ > ep->max_body)
	{
		wh_reject(v, 413, MINT_WH_REJECTED_TOO_LARGE, "body larger than the endpoint's limit");
		return;
	}
	body = DatumGetByteaPP(body_datum); /* text and bytea share the varlena layout */
	*raw = (const unsigned char *)VARDATA_ANY(body);
	*len = VARSIZE_ANY_EXHDR(body);

	if (!wh_find_headers(headers, hdr, H_COUNT))
	{
		wh_reject(v, 400, MINT_WH_REJECTED_MALFORMED, "headers must be a JSON object");
		return;
	}
	if (strcmp(ep->scheme, "standard") == 0)
	{
		if (hdr[H_ID].value != NULL && wh_valid_id(hdr[H_ID].value))
			*event_id = hdr[H_ID].value;
		wh_verify_standard(hdr, *raw, *len, &ep->keys, now == WH_WALL_CLOCK ? wh_now_unix() : now,
		                   ep->tolerance, v);
	}
	else
		wh_verify_helius(hdr, &ep->keys, v);
}

/* The answer to a rejected delivery, as jsonb. */
static Datum
wh_rejected_answer(const WhVerdict *v, const char *event_id)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(
	    &buf, "{\"status\": \"rejected\", \"http_status\": %d, \"event_id\": ", v->http_status);
	if (event_id != NULL)
		escape_json(&buf, event_id);
	else
		appendStringInfoString(&buf, "null");
	appendStringInfoString(&buf, ", \"reason\": ");
	escape_json(&buf, v->reason);
	appendStringInfoChar(&buf, '}');
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
}

/*
 * mint.process_webhook(provider text, headers jsonb, body text | bytea) RETURNS jsonb
 *
 * SECURITY DEFINER: it reads the endpoint's secrets, which no application
 * role can.  NULL arguments are misuse (22004); everything a sender controls
 * is answered, never raised.  A text body is taken as it is stored (the
 * database encoding); a bytea body must be UTF-8.
 */
static Datum process_webhook(FunctionCallInfo fcinfo, bool body_is_bytea);
static Datum process_webhook_inner(FunctionCallInfo fcinfo, bool body_is_bytea);

Datum
mint_process_webhook(PG_FUNCTION_ARGS)
{
	return process_webhook(fcinfo, false);
}

Datum
mint_process_webhook_bytea(PG_FUNCTION_ARGS)
{
	return process_webhook(fcinfo, true);
}

/*
 * The statement that calls process_webhook holds the request's headers, and a
 * Helius Authorization header is the endpoint's secret: no error raised
 * while it runs logs that statement (log_min_error_statement).
 */
static Datum
process_webhook(FunctionCallInfo fcinfo, bool body_is_bytea)
{
	MemoryContext cxt = CurrentMemoryContext;
	volatile Datum result = (Datum)0;

	PG_TRY();
	{
		result = process_webhook_inner(fcinfo, body_is_bytea);
	}
	PG_CATCH();
	{
		ErrorData *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		edata->hide_stmt = true;
		ReThrowError(edata);
	}
	PG_END_TRY();
	return result;
}

static Datum
process_webhook_inner(FunctionCallInfo fcinfo, bool body_is_bytea)
{
	MemoryContext callercxt = CurrentMemoryContext;
	char *provider;
	Jsonb *headers;
	Datum body_datum;
	const unsigned char *raw = NULL;
	size_t len = 0;
	WhVerdict verdict = {0, MINT_WH_PROCESSED, NULL};
	WhHeader hdr[H_COUNT] = {
	    {"webhook-id"}, {"webhook-timestamp"}, {"webhook-signature"}, {"authorization"}};
	WhEndpoint ep;
	bool isnull;
	const char *event_id = NULL;
	Datum answer;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
		        (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
		         errmsg("provider, headers and body must not be null"),
		         errhint("Pass the raw request body (an empty body is '') and the request headers "
		                 "as a JSON object.")));
	provider = text_to_cstring(PG_GETARG_TEXT_PP(0));
	headers = PG_GETARG_JSONB_P(1);
	body_datum = PG_GETARG_DATUM(2);

	SPI_connect();
	if (!wh_load_endpoint(provider, &ep))
	{
		wh_reject(&verdict, 404, MINT_WH_REJECTED_ENDPOINT, "unknown webhook provider");
		goto rejected;
	}
	wh_check(&ep, headers, body_datum, WH_WALL_CLOCK, hdr, &raw, &len, &event_id, &verdict);
	if (verdict.http_status != 0)
		goto rejected;

	/*
	 * Verified.  The body must now be text the database can hold: no NUL
	 * byte, and valid UTF-8 when it came as bytea (JSON is UTF-8).
	 */
	{
		char *text_body;
		Oid types[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};
		Datum args[4];
		char nulls[4] = {' ', ' ', ' ', ' '};
		Datum d;
		char *status;

		if (memchr(raw, '\0', len) != NULL)
		{
			wh_reject(&verdict, 400, MINT_WH_REJECTED_MALFORMED, "body contains a NUL byte");
			goto rejected;
		}
		if (body_is_bytea)
		{
			if (!pg_verify_mbstr(PG_UTF8, (const char *)raw, len, true))
			{
				wh_reject(&verdict, 400, MINT_WH_REJECTED_MALFORMED, "body is not valid UTF-8");
				goto rejected;
			}
			text_body = pg_any_to_server((const char *)raw, len, PG_UTF8);
			if (text_body == (char *)raw)
				text_body = pnstrdup((const char *)raw, len);
		}
		else
			text_body = pnstrdup((const char *)raw, len);

		args[0] = CStringGetTextDatum(provider);
		args[1] = CStringGetTextDatum(ep.scheme);
		if (event_id != NULL)
			args[2] = CStringGetTextDatum(event_id);
		else
			nulls[2] = 'n';
		args[3] = CStringGetTextDatum(text_body);
		if (SPI_execute_plan(mint_plan(&plan_accept,
		                               "SELECT r, r->>'status', r->>'http_status' "
		                               "FROM mint._webhook_accept($1, $2, $3, $4) r",
		                               4, types),
		                     args, nulls, false, 1) != SPI_OK_SELECT ||
		    SPI_processed != 1)
			elog(ERROR, "mint._webhook_accept failed");
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		status = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
		if (strcmp(status, "processed") == 0)
			mint_webhook_count(MINT_WH_PROCESSED);
		else if (strcmp(status, "already_processed") == 0)
			mint_webhook_count(MINT_WH_DUPLICATE);
		else if (strcmp(status, "ignored") == 0)
			mint_webhook_count(MINT_WH_IGNORED);
		else if (strcmp(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3), "413") == 0)
			mint_webhook_count(MINT_WH_REJECTED_TOO_LARGE); /* over mint.webhook_max_events */
		else
			mint_webhook_count(MINT_WH_REJECTED_MALFORMED);
		MemoryContextSwitchTo(callercxt);
		answer = PointerGetDatum(PG_DETOAST_DATUM_COPY(d));
		SPI_finish();
		PG_RETURN_DATUM(answer);
	}

rejected:
	mint_webhook_count(verdict.counter);
	MemoryContextSwitchTo(callercxt);
	answer = wh_rejected_answer(&verdict, event_id);
	SPI_finish();
	PG_RETURN_DATUM(answer);
}

/*
 * mint._webhook_key(scheme text, secret text) RETURNS bytea
 *	  The raw key stored for a secret (internal; the secret functions call it).
 */
Datum
mint_webhook_key(PG_FUNCTION_ARGS)
{
	char *scheme = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char *secret = text_to_cstring(PG_GETARG_TEXT_PP(1));

	PG_RETURN_BYTEA_P(wh_decode_key(scheme, secret));
}

/*
 * mint._webhook_key_kind(scheme text, secret text) RETURNS text
 *	  What a value given to the secret functions is: 'public_key' (a "whpk_"
 *	  value on a standard endpoint, verifying v1a) or 'secret' (internal).
 */
Datum
mint_webhook_key_kind(PG_FUNCTION_ARGS)
{
	char *scheme = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char *secret = text_to_cstring(PG_GETARG_TEXT_PP(1));

	PG_RETURN_TEXT_P(cstring_to_text(wh_is_public_key(scheme, secret) ? "public_key" : "secret"));
}

/* "ok", or "<http status> <reason>". */
static text *
wh_verdict_text(const WhVerdict *v)
{
	if (v->http_status == 0)
		return cstring_to_text("ok");
	return cstring_to_text(psprintf("%d %s", v->http_status, v->reason));
}

/*
 * mint._webhook_verify(secrets text[], headers jsonb, body bytea,
 *						now bigint, tolerance integer) RETURNS text
 *	  The Standard Webhooks verification of process_webhook() with an injected
 *	  clock, for the conformance vectors (internal; superuser only); secrets
 *	  are "whsec_" values (v1) and "whpk_" public keys (v1a).  'ok', or
 *	  "<http status> <reason>".
 */
Datum
mint_webhook_verify(PG_FUNCTION_ARGS)
{
	ArrayType *arr = PG_GETARG_ARRAYTYPE_P(0);
	Jsonb *headers = PG_GETARG_JSONB_P(1);
	bytea *body = PG_GETARG_BYTEA_PP(2);
	int64 now = PG_GETARG_INT64(3);
	int32 tolerance = PG_GETARG_INT32(4);
	Datum *elems;
	bool *nulls;
	int n;
	WhKeys keys = {0};
	WhHeader hdr[H_COUNT] = {
	    {"webhook-id"}, {"webhook-timestamp"}, {"webhook-signature"}, {"authorization"}};
	WhVerdict verdict = {0, MINT_WH_PROCESSED, NULL};

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	keys.secrets = palloc(sizeof(bytea *) * (n + 1));
	keys.pubkeys = palloc(sizeof(bytea *) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		char *value;

		if (nulls[i])
			continue;
		value = TextDatumGetCString(elems[i]);
		if (wh_is_public_key("standard", value))
			keys.pubkeys[keys.npubkeys++] = wh_decode_key("standard", value);
		else
			keys.secrets[keys.nsecrets++] = wh_decode_key("standard", value);
	}
	if (!wh_find_headers(headers, hdr, H_COUNT))
		wh_reject(&verdict, 400, MINT_WH_REJECTED_MALFORMED, "headers must be a JSON object");
	else
		wh_verify_standard(hdr, (const unsigned char *)VARDATA_ANY(body), VARSIZE_ANY_EXHDR(body),
		                   &keys, now, tolerance, &verdict);
	PG_RETURN_TEXT_P(wh_verdict_text(&verdict));
}

/*
 * mint._webhook_verify_endpoint(provider text, headers jsonb, body bytea,
 *								 now bigint) RETURNS text
 *	  What process_webhook() decides before it parses the body (endpoint,
 *	  size, headers, timestamp, signature), against the endpoint's keys active
 *	  now, with the timestamp judged against an injected clock: signatures
 *	  made once (test vectors) verify through the endpoint's own keys,
 *	  rotation and retirement.  Nothing is stored or counted (internal;
 *	  superuser only).  'ok', or "<http status> <reason>".
 */
Datum
mint_webhook_verify_endpoint(PG_FUNCTION_ARGS)
{
	char *provider = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Jsonb *headers = PG_GETARG_JSONB_P(1);
	Datum body_datum = PG_GETARG_DATUM(2);
	int64 now = PG_GETARG_INT64(3);
	WhHeader hdr[H_COUNT] = {
	    {"webhook-id"}, {"webhook-timestamp"}, {"webhook-signature"}, {"authorization"}};
	WhVerdict verdict = {0, MINT_WH_PROCESSED, NULL};
	WhEndpoint ep;
	const unsigned char *raw = NULL;
	size_t len = 0;
	const char *event_id = NULL;

	if (now == WH_WALL_CLOCK)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("now is out of range")));
	SPI_connect();
	if (!wh_load_endpoint(provider, &ep))
		wh_reject(&verdict, 404, MINT_WH_REJECTED_ENDPOINT, "unknown webhook provider");
	else
		wh_check(&ep, headers, body_datum, now, hdr, &raw, &len, &event_id, &verdict);
	SPI_finish();
	PG_RETURN_TEXT_P(wh_verdict_text(&verdict));
}

/*
 * mint._raise_hidden(sqlstate, message, detail, hint)
 *	  Raise an error again, caught by an operator function that takes a
 *	  secret, without the calling statement in the server log (errhidestmt):
 *	  the statement's text holds the secret.  An integrity violation's detail
 *	  ("Failing row contains ...") may hold it too and is dropped.
 *	  Internal; granted to no one.
 */
Datum
mint_raise_hidden(PG_FUNCTION_ARGS)
{
	char *state = PG_ARGISNULL(0) ? "XX000" : text_to_cstring(PG_GETARG_TEXT_PP(0));
	char *message = PG_ARGISNULL(1) ? "error" : text_to_cstring(PG_GETARG_TEXT_PP(1));
	char *detail = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	char *hint = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	int code = ERRCODE_INTERNAL_ERROR;

	if (strlen(state) == 5 && strspn(state, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 5)
		code = MAKE_SQLSTATE(state[0], state[1], state[2], state[3], state[4]);
	if (strncmp(state, "23", 2) == 0)
		detail = NULL;
	if (detail != NULL && detail[0] == '\0')
		detail = NULL;
	if (hint != NULL && hint[0] == '\0')
		hint = NULL;
	ereport(ERROR, (errcode(code), errmsg_internal("%s", message),
	                detail ? errdetail_internal("%s", detail) : 0, hint ? errhint("%s", hint) : 0,
	                errhidestmt(true)));
	PG_RETURN_VOID();
}
