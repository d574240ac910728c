/*
 * test_metadata.c -- application metadata JSON, MetadataArgs Borsh, hashes,
 * LeafSchema event, getTransaction parsing, TreeConfig.
 */
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

#include "sol_bubblegum.h"
#include "sol_codec.h"
#include "sol_crypto.h"

#define V1 "bubblegum_vectors.json"
#define V2 "bubblegum_vectors2.json"

/* Sample A of the reference, in the application's snake_case format (defaults omitted). */
static const char sample_a_json[] =
    "{\"name\":\"Ticket #1\",\"symbol\":\"TIX\",\"uri\":\"https://example.com/t/1.json\","
    "\"creators\":[{\"address\":\"AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9\",\"share\":100}]}";

static void
test_metadata_sample_a(void)
{
	SolMetadata md;
	SolError err;
	uint8_t buf[SOL_METADATA_BORSH_MAX];
	uint8_t h[32];
	int n;

	CHECK(sol_metadata_from_json(sample_a_json, strlen(sample_a_json), &md, &err) == 0);
	CHECK(md.is_mutable && !md.primary_sale_happened && md.has_token_standard &&
	      md.token_standard == 0 && !md.has_collection && md.num_creators == 1);
	n = sol_metadata_borsh_encode(&md, buf, sizeof(buf));
	CHECK(n == json_integer_value(tv_get(V1, "metadata_samples.A.metadata_args_len")));
	CHECK(bytes_eq_hex(buf, (size_t)n, tv_str(V1, "metadata_samples.A.metadata_args_borsh_hex")));
	sol_metadata_data_hash(&md, h);
	CHECK(bytes_eq_hex(h, 32, tv_str(V1, "metadata_samples.A.data_hash_hex")));
	sol_metadata_creator_hash(&md, h);
	CHECK(bytes_eq_hex(h, 32, tv_str(V1, "metadata_samples.A.creator_hash_hex")));
	/* full form with every default spelled out gives the same bytes */
	{
		const char *full =
		    "{\"name\":\"Ticket #1\",\"symbol\":\"TIX\",\"uri\":\"https://example.com/t/1.json\","
		    "\"seller_fee_basis_points\":0,\"is_mutable\":true,\"primary_sale_happened\":false,"
		    "\"collection\":null,\"creators\":[{\"address\":"
		    "\"AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9\",\"share\":100,\"verified\":false}]}";
		uint8_t buf2[SOL_METADATA_BORSH_MAX];
		SolMetadata md2;

		CHECK(sol_metadata_from_json(full, strlen(full), &md2, &err) == 0);
		CHECK(sol_metadata_borsh_encode(&md2, buf2, sizeof(buf2)) == n);
		CHECK(memcmp(buf, buf2, (size_t)n) == 0);
	}
}

static int
decode_vector(const char *sample, SolMetadata *md, uint8_t *raw, size_t cap)
{
	char path[128];
	int n;
	SolError err;

	snprintf(path, sizeof(path), "metadata_samples.%s.metadata_args_borsh_hex", sample);
	n = tv_hex(tv_str(V1, path), raw, cap);
	if (n < 0)
		return -1;
	if (sol_metadata_borsh_decode(raw, (size_t)n, md, &err) != n)
		return -1;
	return n;
}

static void
test_metadata_samples_borsh(void)
{
	static const char *samples[] = {"A", "B", "EMPTY"};
	size_t i;

	for (i = 0; i < 3; i++)
	{
		SolMetadata md;
		uint8_t raw[SOL_METADATA_BORSH_MAX];
		uint8_t enc[SOL_METADATA_BORSH_MAX];
		uint8_t h[32];
		char path[128];
		int n = decode_vector(samples[i], &md, raw, sizeof(raw));

		CHECKM(n > 0, "%s", samples[i]);
		if (n <= 0)
			continue;
		CHECK(sol_metadata_borsh_encode(&md, enc, sizeof(enc)) == n);
		CHECK(memcmp(raw, enc, (size_t)n) == 0);
		sol_metadata_data_hash(&md, h);
		snprintf(path, sizeof(path), "metadata_samples.%s.data_hash_hex", samples[i]);
		CHECKM(bytes_eq_hex(h, 32, tv_str(V1, path)), "%s data_hash", samples[i]);
		sol_metadata_creator_hash(&md, h);
		snprintf(path, sizeof(path), "metadata_samples.%s.creator_hash_hex", samples[i]);
		CHECKM(bytes_eq_hex(h, 32, tv_str(V1, path)), "%s creator_hash", samples[i]);
		/* too-small output buffer */
		CHECK(sol_metadata_borsh_encode(&md, enc, (size_t)n - 1) == -1);
	}
	{
		SolMetadata b;
		uint8_t raw[SOL_METADATA_BORSH_MAX];
		uint8_t coll[32];
		SolError err;

		CHECK(decode_vector("B", &b, raw, sizeof(raw)) == 214);
		CHECK(strcmp(b.name, "Concert A - Row 12 Seat 7") == 0 && b.seller_fee_basis_points == 500);
		CHECK(b.primary_sale_happened && !b.is_mutable && b.has_edition_nonce &&
		      b.edition_nonce == 254);
		CHECK(b.has_uses && b.use_method == 2 && b.uses_remaining == 1 && b.uses_total == 1);
		CHECK(b.num_creators == 2 && b.creators[0].verified && b.creators[0].share == 60 &&
		      !b.creators[1].verified && b.creators[1].share == 40);
		CHECK(b58_to32(tv_str(V2, "collection_pdas.collection_mint"), coll));
		CHECK(b.has_collection && !b.collection_verified &&
		      memcmp(b.collection_key, coll, 32) == 0);
		CHECK(sol_metadata_validate(&b, &err) == 0);
	}
	{
		SolMetadata e;
		uint8_t raw[64];
		SolError err;

		CHECK(decode_vector("EMPTY", &e, raw, sizeof(raw)) == 25);
		/* token_standard None would be rejected on chain (6040) */
		CHECK(sol_metadata_validate(&e, &err) == -1 && strcmp(err.field, "token_standard") == 0);
	}
}

static void
test_metadata_borsh_rejects(void)
{
	SolMetadata md;
	uint8_t raw[SOL_METADATA_BORSH_MAX + 8];
	uint8_t bad[SOL_METADATA_BORSH_MAX + 8];
	SolError err;
	int n = decode_vector("B", &md, raw, sizeof(raw));
	int i;

	CHECK(n == 214);
	for (i = 0; i < n; i++)
		if (sol_metadata_borsh_decode(raw, (size_t)i, &md, &err) != -1)
		{
			CHECKM(0, "truncated at %d accepted", i);
			break;
		}
	/* name length 33 */
	memcpy(bad, raw, (size_t)n);
	bad[0] = 33;
	CHECK(sol_metadata_borsh_decode(bad, (size_t)n, &md, &err) == -1 &&
	      err.code == SOL_ERR_TOO_LONG);
	/* name length 2^32-1 */
	memset(bad, 0xff, 4);
	CHECK(sol_metadata_borsh_decode(bad, (size_t)n, &md, &err) == -1);
	/* invalid UTF-8 in name */
	memcpy(bad, raw, (size_t)n);
	bad[4] = 0xff;
	CHECK(sol_metadata_borsh_decode(bad, (size_t)n, &md, &err) == -1 &&
	      err.code == SOL_ERR_INVALID);
	/* primary_sale_happened = 2: offset 4+25+4+3+4+41+2 = 83 */
	memcpy(bad, raw, (size_t)n);
	CHECK(bad[83] == 1);
	bad[83] = 2;
	CHECK(sol_metadata_borsh_decode(bad, (size_t)n, &md, &err) == -1);
	/* edition_nonce option tag 2 (offset 85) */
	memcpy(bad, raw, (size_t)n);
	CHECK(bad[85] == 1);
	bad[85] = 2;
	CHECK(sol_metadata_borsh_decode(bad, (size_t)n, &md, &err) == -1);
	/* token_standard 4 (offset 88) */
	memcpy(bad, raw, (size_t)n);
	CHECK(bad[87] == 1 && bad[88] == 0);
	bad[88] = 4;
	CHECK(sol_metadata_borsh_decode(bad, (size_t)n, &md, &err) == -1);
	/* six creators (count at n - 2*34 - 4) */
	memcpy(bad, raw, (size_t)n);
	CHECK(bad[n - 72] == 2);
	bad[n - 72] = 6;
	CHECK(sol_metadata_borsh_decode(bad, (size_t)n, &md, &err) == -1);
	/* trailing bytes are reported through the consumed count */
	memcpy(bad, raw, (size_t)n);
	bad[n] = 0;
	CHECK(sol_metadata_borsh_decode(bad, (size_t)n + 1, &md, &err) == n);
}

typedef struct JsonCase
{
	const char *json;
	int code;
	const char *field;
} JsonCase;

#define ADDR1 "AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9"
#define ADDR2 "AKkzLhjhyFtM9j7WAhbaqYpFe49cXeJBg2kzLRC2PnNa"
#define BASE  "\"name\":\"n\",\"uri\":\"u\""

static void
test_metadata_json_strict(void)
{
	static const JsonCase cases[] = {
	    {"{" BASE ",\"foo\":1}", SOL_ERR_INVALID, "foo"},
	    {"{" BASE ",\"sellerFeeBasisPoints\":1}", SOL_ERR_INVALID, "sellerFeeBasisPoints"},
	    {"{\"uri\":\"u\"}", SOL_ERR_INVALID, "name"},
	    {"{\"name\":\"n\"}", SOL_ERR_INVALID, "uri"},
	    {"{\"name\":5,\"uri\":\"u\"}", SOL_ERR_INVALID, "name"},
	    {"{\"name\":null,\"uri\":\"u\"}", SOL_ERR_INVALID, "name"},
	    {"{\"name\":\"123456789012345678901234567890123\",\"uri\":\"u\"}", SOL_ERR_TOO_LONG,
	     "name"},
	    /* 16 x U+00E9 = 32 bytes is fine; one more ASCII byte is 33 bytes (17 characters) */
	    {"{\"name\":\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
	     "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9a\",\"uri\":\"u\"}",
	     SOL_ERR_TOO_LONG, "name"},
	    {"{" BASE ",\"symbol\":\"12345678901\"}", SOL_ERR_TOO_LONG, "symbol"},
	    {"{" BASE ",\"symbol\":false}", SOL_ERR_INVALID, "symbol"},
	    {"{" BASE ",\"seller_fee_basis_points\":10001}", SOL_ERR_INVALID,
	     "seller_fee_basis_points"},
	    {"{" BASE ",\"seller_fee_basis_points\":-1}", SOL_ERR_INVALID, "seller_fee_basis_points"},
	    {"{" BASE ",\"seller_fee_basis_points\":1.5}", SOL_ERR_INVALID, "seller_fee_basis_points"},
	    {"{" BASE ",\"seller_fee_basis_points\":1.0}", SOL_ERR_INVALID, "seller_fee_basis_points"},
	    {"{" BASE ",\"seller_fee_basis_points\":\"5\"}", SOL_ERR_INVALID,
	     "seller_fee_basis_points"},
	    {"{" BASE ",\"seller_fee_basis_points\":99999999999999999999}", SOL_ERR_INVALID, ""},
	    {"{" BASE ",\"is_mutable\":\"true\"}", SOL_ERR_INVALID, "is_mutable"},
	    {"{" BASE ",\"is_mutable\":1}", SOL_ERR_INVALID, "is_mutable"},
	    {"{" BASE ",\"primary_sale_happened\":null}", SOL_ERR_INVALID, "primary_sale_happened"},
	    {"{" BASE ",\"collection\":\"notbase58!\"}", SOL_ERR_INVALID, "collection"},
	    {"{" BASE ",\"collection\":\"" ADDR1 "x\"}", SOL_ERR_INVALID, "collection"},
	    {"{" BASE ",\"collection\":{}}", SOL_ERR_INVALID, "collection"},
	    {"{" BASE ",\"creators\":{}}", SOL_ERR_INVALID, "creators"},
	    {"{" BASE ",\"creators\":[1]}", SOL_ERR_INVALID, "creators[0]"},
	    {"{" BASE ",\"creators\":[{\"address\":\"" ADDR1 "\",\"share\":99}]}", SOL_ERR_INVALID,
	     "creators"},
	    {"{" BASE ",\"creators\":[{\"address\":\"" ADDR1 "\",\"share\":101}]}", SOL_ERR_INVALID,
	     "creators[0].share"},
	    {"{" BASE ",\"creators\":[{\"address\":\"" ADDR1 "\"}]}", SOL_ERR_INVALID,
	     "creators[0].share"},
	    {"{" BASE ",\"creators\":[{\"share\":100}]}", SOL_ERR_INVALID, "creators[0].address"},
	    {"{" BASE ",\"creators\":[{\"address\":\"0OIl\",\"share\":100}]}", SOL_ERR_INVALID,
	     "creators[0].address"},
	    {"{" BASE ",\"creators\":[{\"address\":\"" ADDR1 "\",\"share\":100,\"x\":1}]}",
	     SOL_ERR_INVALID, "creators[0].x"},
	    {"{" BASE ",\"creators\":[{\"address\":\"" ADDR1 "\",\"share\":100,\"verified\":\"yes\"}]}",
	     SOL_ERR_INVALID, "creators[0].verified"},
	    {"{" BASE ",\"creators\":[{\"address\":\"" ADDR1 "\",\"share\":50},{\"address\":\"" ADDR1
	     "\",\"share\":50}]}",
	     SOL_ERR_INVALID, "creators[1].address"},
	    {"{" BASE ",\"creators\":[{\"address\":\"" ADDR1 "\",\"share\":20},{\"address\":\"" ADDR2
	     "\",\"share\":20},{\"address\":\"11111111111111111111111111111111\",\"share\":20},"
	     "{\"address\":\"BGUMAp9Gq7iTEuizy4pqaxsTyUCBK68MDfK752saRPUY\",\"share\":20},"
	     "{\"address\":\"noopb9bkMVfRPU8AsbpTUg8AQkHtKwMYZiFUjNRtMmV\",\"share\":10},"
	     "{\"address\":\"cmtDvXumGCrqC1Age74AVPhSRVXJMd8PJS91L8KbNCK\",\"share\":10}]}",
	     SOL_ERR_INVALID, "creators"},
	    {"{" BASE ",\"name\":\"dup\"}", SOL_ERR_INVALID, ""},
	    {"[]", SOL_ERR_INVALID, ""},
	    {"", SOL_ERR_INVALID, ""},
	    {"{" BASE, SOL_ERR_INVALID, ""},
	    {"{\"name\":\"a\\u0000b\",\"uri\":\"u\"}", SOL_ERR_INVALID, ""},
	    {"{\"name\":\"ok\",\"uri\":\"bad \xff\xfe utf8\"}", SOL_ERR_INVALID, "uri"},
	    {"{\"name\":\"\xc0\x80\",\"uri\":\"u\"}", SOL_ERR_INVALID, "name"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		SolMetadata md;
		SolError err;

		memset(&err, 0, sizeof(err));
		CHECKM(sol_metadata_from_json(cases[i].json, strlen(cases[i].json), &md, &err) == -1,
		       "case %zu accepted", i);
		CHECKM(err.code == cases[i].code, "case %zu: code %d (%s)", i, err.code, err.message);
		CHECKM(strcmp(err.field, cases[i].field) == 0, "case %zu: field '%s' expected '%s'", i,
		       err.field, cases[i].field);
	}
}

static void
test_metadata_check_signers(void)
{
	SolMetadata md;
	SolError err;
	uint8_t a1[32];
	uint8_t a2[32];
	const char *js =
	    "{\"name\":\"n\",\"uri\":\"u\",\"creators\":[{\"address\":\"" ADDR1
	    "\",\"share\":50,\"verified\":true},{\"address\":\"" ADDR2 "\",\"share\":50}]}";

	b58_to32(ADDR1, a1);
	b58_to32(ADDR2, a2);
	CHECK(sol_metadata_from_json(js, strlen(js), &md, &err) == 0);
	CHECK(sol_metadata_check_signers(&md, a1, a1, &err) == 0);
	CHECK(sol_metadata_check_signers(&md, a2, a1, &err) == 0);
	CHECK(sol_metadata_check_signers(&md, a2, a2, &err) == -1 &&
	      strcmp(err.field, "creators[0].verified") == 0);
	md.creators[0].verified = false;
	CHECK(sol_metadata_check_signers(&md, a2, a2, &err) == 0);
}

static void
test_metadata_json_limits_ok(void)
{
	char js[1024];
	char uri[201];
	SolMetadata md;
	SolError err;

	memset(uri, 'u', 200);
	uri[200] = '\0';
	snprintf(
	    js, sizeof(js),
	    "{\"name\":\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
	    "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\",\"symbol\":\"1234567890\",\"uri\":\"%s\","
	    "\"seller_fee_basis_points\":10000,\"collection\":\"%s\","
	    "\"creators\":[{\"address\":\"%s\",\"share\":60,\"verified\":true},"
	    "{\"address\":\"%s\",\"share\":40}]}",
	    uri, ADDR2, ADDR1, ADDR2);
	CHECKM(sol_metadata_from_json(js, strlen(js), &md, &err) == 0, "%s", err.message);
	CHECK(md.name_len == 32 && md.symbol_len == 10 && md.uri_len == 200);
	CHECK(md.seller_fee_basis_points == 10000 && md.has_collection && !md.collection_verified);
	CHECK(md.num_creators == 2 && md.creators[0].verified && !md.creators[1].verified);
	/* 201-byte uri */
	snprintf(js, sizeof(js), "{\"name\":\"n\",\"uri\":\"%su\"}", uri);
	CHECK(sol_metadata_from_json(js, strlen(js), &md, &err) == -1 && err.code == SOL_ERR_TOO_LONG &&
	      strcmp(err.field, "uri") == 0);
	/* empty creators array is fine (no sum requirement) */
	snprintf(js, sizeof(js), "{\"name\":\"n\",\"uri\":\"u\",\"creators\":[]}");
	CHECK(sol_metadata_from_json(js, strlen(js), &md, &err) == 0 && md.num_creators == 0);
}

void
fill_event_a(SolLeafEvent *ev, SolMetadata *md)
{
	SolError err;
	uint8_t tree[32];

	sol_metadata_from_json(sample_a_json, strlen(sample_a_json), md, &err);
	b58_to32(tv_str(V1, "inputs.merkle_tree"), tree);
	memset(ev, 0, sizeof(*ev));
	ev->schema_version = 1; /* what the decoder reports for a V1 event */
	sol_asset_id_pda(tree, 0, ev->id, NULL);
	b58_to32(tv_str(V1, "inputs.leaf_owner"), ev->owner);
	memcpy(ev->delegate, ev->owner, 32);
	ev->nonce = 0;
	sol_metadata_data_hash(md, ev->data_hash);
	sol_metadata_creator_hash(md, ev->creator_hash);
	sol_leaf_hash(ev->id, ev->owner, ev->delegate, ev->nonce, ev->data_hash, ev->creator_hash,
	              ev->leaf_hash);
}

static void
test_leaf_event(void)
{
	SolLeafEvent ev;
	SolLeafEvent back;
	SolMetadata md;
	uint8_t buf[SOL_LEAF_EVENT_LEN + 1];
	char b58[400];

	fill_event_a(&ev, &md);
	CHECK(bytes_eq_hex(ev.leaf_hash, 32, tv_str(V1, "leaf_hash_A_nonce0")));
	sol_leaf_event_encode(&ev, buf);
	CHECK(
	    bytes_eq_hex(buf, SOL_LEAF_EVENT_LEN, tv_str(V1, "noop_event_A_nonce0.noop_ix_data_hex")));
	CHECK(sol_b58_encode(buf, SOL_LEAF_EVENT_LEN, b58, sizeof(b58)) > 0);
	CHECK(strcmp(b58, tv_str(V1, "noop_event_A_nonce0.noop_ix_data_b58")) == 0);
	memset(&back, 0, sizeof(back));
	CHECK(sol_leaf_event_decode(buf, SOL_LEAF_EVENT_LEN, &back) == 0);
	CHECK(memcmp(&back, &ev, sizeof(ev)) == 0);
	{
		uint8_t id[32];

		b58_to32(tv_str(V1, "noop_event_A_nonce0.parsed_by_getLeafSchemaSerializer.id"), id);
		CHECK(memcmp(back.id, id, 32) == 0);
	}
	/* rejections */
	CHECK(sol_leaf_event_decode(buf, SOL_LEAF_EVENT_LEN - 1, &back) == -1);
	buf[SOL_LEAF_EVENT_LEN] = 0;
	CHECK(sol_leaf_event_decode(buf, SOL_LEAF_EVENT_LEN + 1, &back) == -1);
	buf[0] = 0; /* ChangeLog event */
	CHECK(sol_leaf_event_decode(buf, SOL_LEAF_EVENT_LEN, &back) == -1);
	buf[0] = 1;
	buf[8] = 1; /* LeafSchema::V2 */
	CHECK(sol_leaf_event_decode(buf, SOL_LEAF_EVENT_LEN, &back) == -1);
	CHECK(sol_leaf_event_decode(NULL, 0, &back) == -1);
}

/* A getTransaction (encoding json) result for a mint with two compute-budget
 * instructions first (Bubblegum at outer index 2) and a decoy Noop event
 * under another outer instruction. */
char *
make_tx_json(const char *meta_err, bool with_event, const SolLeafEvent *ev)
{
	SolLeafEvent decoy = *ev;
	uint8_t buf[SOL_LEAF_EVENT_LEN];
	char ev58[400];
	char decoy58[400];
	char *out = malloc(8192);

	decoy.nonce = 77;
	memset(decoy.id, 9, 32);
	sol_leaf_event_encode(ev, buf);
	sol_b58_encode(buf, sizeof(buf), ev58, sizeof(ev58));
	sol_leaf_event_encode(&decoy, buf);
	sol_b58_encode(buf, sizeof(buf), decoy58, sizeof(decoy58));
	snprintf(
	    out, 8192,
	    "{\"slot\":48,\"blockTime\":null,\"meta\":{\"err\":%s,\"fee\":5000,"
	    "\"innerInstructions\":["
	    "{\"index\":0,\"instructions\":[{\"programIdIndex\":5,\"accounts\":[],\"data\":\"%s\","
	    "\"stackHeight\":2}]},"
	    "{\"index\":2,\"instructions\":["
	    "{\"programIdIndex\":4,\"accounts\":[],\"data\":\"3Bxs4h24hBtQy9rw\",\"stackHeight\":2},"
	    "%s"
	    "{\"programIdIndex\":6,\"accounts\":[1,2],\"data\":\"2\",\"stackHeight\":2}]}],"
	    "\"logMessages\":[],\"loadedAddresses\":{\"writable\":[],\"readonly\":[]}},"
	    "\"transaction\":{\"signatures\":[\"x\"],\"message\":{\"header\":{},"
	    "\"accountKeys\":[\"AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9\","
	    "\"9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu\","
	    "\"H1qSrtbWH1FSqVJD3ihd27tskVqeA3rK99PCrMFeD1r9\","
	    "\"ComputeBudget111111111111111111111111111111\","
	    "\"BGUMAp9Gq7iTEuizy4pqaxsTyUCBK68MDfK752saRPUY\","
	    "\"noopb9bkMVfRPU8AsbpTUg8AQkHtKwMYZiFUjNRtMmV\","
	    "\"cmtDvXumGCrqC1Age74AVPhSRVXJMd8PJS91L8KbNCK\"],"
	    "\"recentBlockhash\":\"US517G5965aydkZ46HS38QLi7UQiSojurfbQfKCELFx\","
	    "\"instructions\":[{\"programIdIndex\":3,\"accounts\":[],\"data\":\"K1FDJ7\"},"
	    "{\"programIdIndex\":3,\"accounts\":[],\"data\":\"3QCwqmHZ4mdq\"},"
	    "{\"programIdIndex\":4,\"accounts\":[2,1],\"data\":\"abc\"}]}}}",
	    meta_err, decoy58,
	    with_event ? "{\"programIdIndex\":5,\"accounts\":[],\"data\":\"EVENT\",\"stackHeight\":2},"
	               : "");
	if (with_event)
	{
		/* splice the real event in place of the placeholder */
		char *p = strstr(out, "\"EVENT\"");
		char *tmp = malloc(8192);

		snprintf(tmp, 8192, "%.*s\"%s\"%s", (int)(p - out), out, ev58, p + 7);
		free(out);
		out = tmp;
	}
	return out;
}

static void
test_leaf_from_transaction(void)
{
	SolLeafEvent ev;
	SolLeafEvent got;
	SolMetadata md;
	SolError err;
	char *js;
	char *wrapped;

	fill_event_a(&ev, &md);
	ev.nonce = 5; /* make the nonce distinctive */
	js = make_tx_json("null", true, &ev);
	memset(&got, 0, sizeof(got));
	CHECKM(sol_leaf_from_transaction_json(js, strlen(js), &got, &err) == 0, "%s", err.message);
	CHECK(memcmp(got.id, ev.id, 32) == 0 && got.nonce == 5);
	CHECK(memcmp(got.owner, ev.owner, 32) == 0);
	/* wrapped in a JSON-RPC response */
	wrapped = malloc(strlen(js) + 64);
	sprintf(wrapped, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":%s}", js);
	memset(&got, 0, sizeof(got));
	CHECK(sol_leaf_from_transaction_json(wrapped, strlen(wrapped), &got, &err) == 0);
	CHECK(got.nonce == 5);
	free(wrapped);
	free(js);
	/* landed with an error */
	js = make_tx_json("{\"InstructionError\":[2,{\"Custom\":6017}]}", true, &ev);
	CHECK(sol_leaf_from_transaction_json(js, strlen(js), &got, &err) == -1 &&
	      err.code == SOL_ERR_TX_FAILED && strstr(err.message, "6017") != NULL);
	free(js);
	/* no event under the Bubblegum instruction: the decoy under index 0 must not be used */
	js = make_tx_json("null", false, &ev);
	CHECK(sol_leaf_from_transaction_json(js, strlen(js), &got, &err) == -1 &&
	      err.code == SOL_ERR_NOT_FOUND);
	free(js);
	/* not found / malformed shapes */
	{
		const char *nf = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}";

		CHECK(sol_leaf_from_transaction_json(nf, strlen(nf), &got, &err) == -1 &&
		      err.code == SOL_ERR_NOT_FOUND);
	}
	CHECK(sol_leaf_from_transaction_json("null", 4, &got, &err) == -1 &&
	      err.code == SOL_ERR_NOT_FOUND);
	CHECK(sol_leaf_from_transaction_json("{", 1, &got, &err) == -1 && err.code == SOL_ERR_INVALID);
	CHECK(sol_leaf_from_transaction_json("[]", 2, &got, &err) == -1);
	CHECK(sol_leaf_from_transaction_json("{\"meta\":{}}", 11, &got, &err) == -1 &&
	      err.code == SOL_ERR_INVALID);
	{
		const char *odd = "{\"meta\":{\"err\":null,\"innerInstructions\":[{\"index\":0,"
		                  "\"instructions\":[{\"programIdIndex\":99,\"data\":7}]}]},"
		                  "\"transaction\":{\"message\":{\"accountKeys\":[1,{\"pubkey\":"
		                  "\"BGUMAp9Gq7iTEuizy4pqaxsTyUCBK68MDfK752saRPUY\"}],"
		                  "\"instructions\":[{\"programIdIndex\":-1},{\"programIdIndex\":1}]}}}";

		CHECK(sol_leaf_from_transaction_json(odd, strlen(odd), &got, &err) == -1 &&
		      err.code == SOL_ERR_NOT_FOUND);
	}
}

static void
test_tree_config_decode(void)
{
	uint8_t raw[128];
	int n = tv_hex(tv_str(V2, "tree_config_account_sample.hex"), raw, sizeof(raw));
	SolTreeConfig tc;
	uint8_t payer[32];

	CHECK(n >= 91);
	CHECK(sol_tree_config_decode(raw, (size_t)n, &tc) == 0);
	CHECK(tc.total_mint_capacity == 16384 && tc.num_minted == 42 && !tc.is_public &&
	      tc.version == 0 && tc.is_decompressible == 1);
	b58_to32(tv_str(V1, "inputs.payer_pubkey"), payer);
	CHECK(memcmp(tc.tree_creator, payer, 32) == 0);
	CHECK(sol_tree_config_decode(raw, 90, &tc) == -1);
	raw[0] ^= 1;
	CHECK(sol_tree_config_decode(raw, (size_t)n, &tc) == -1);
}

const SolTest sol_tests_metadata[] = {
    {"metadata_sample_a", test_metadata_sample_a},
    {"metadata_samples_borsh", test_metadata_samples_borsh},
    {"metadata_borsh_rejects", test_metadata_borsh_rejects},
    {"metadata_json_strict", test_metadata_json_strict},
    {"metadata_json_limits_ok", test_metadata_json_limits_ok},
    {"metadata_check_signers", test_metadata_check_signers},
    {"leaf_event", test_leaf_event},
    {"leaf_from_transaction", test_leaf_from_transaction},
    {"tree_config_decode", test_tree_config_decode},
    {NULL, NULL},
};
