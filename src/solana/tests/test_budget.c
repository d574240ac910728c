/*
 * test_budget.c -- tree account shapes and the compute-unit limit of a mint.
 * The sizes are those of trees the real Account Compression program accepted
 * (svm/ create_tree); the units' constants come from sol_budget.c.
 */
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

#include "sol_budget.h"
#include "sol_codec.h"
#include "sol_crypto.h"
#include "sol_rpc.h"

static void
header(uint8_t *buf, size_t len, uint32_t depth, uint32_t buffer)
{
	SolWriter w;

	memset(buf, 0, len);
	sol_writer_init(&w, buf, len);
	sol_put_u8(&w, 1); /* ConcurrentMerkleTree */
	sol_put_u8(&w, 0); /* header V1 */
	sol_put_u32(&w, buffer);
	sol_put_u32(&w, depth);
}

static void
test_tree_sizes(void)
{
	/* (depth, buffer, canopy) -> the account size create_tree used */
	static const struct
	{
		uint32_t d, b, c;
		uint64_t size;
	} t[] = {{14, 64, 0, 31800},     {20, 64, 3, 44728},   {24, 64, 7, 60728},
	         {30, 512, 13, 1037304}, {14, 64, 13, 556024}, {30, 2048, 17, 10437624}};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
	{
		uint8_t buf[64];
		SolTreeShape s;

		CHECKM(sol_tree_account_size(t[i].d, t[i].b, t[i].c) == t[i].size, "%u/%u/%u", t[i].d,
		       t[i].b, t[i].c);
		header(buf, sizeof(buf), t[i].d, t[i].b);
		memset(&s, 0, sizeof(s));
		CHECK(sol_tree_shape_decode(buf, sizeof(buf), t[i].size, &s) == 0);
		CHECK(s.max_depth == t[i].d && s.max_buffer_size == t[i].b && s.canopy_depth == t[i].c &&
		      s.account_size == t[i].size);
		/* a size that is no canopy of this tree, or a header that is no tree */
		CHECK(sol_tree_shape_decode(buf, sizeof(buf), t[i].size + 32, &s) == -1);
		CHECK(sol_tree_shape_decode(buf, SOL_TREE_HEADER_LEN - 1, t[i].size, &s) == -1);
		buf[0] = 0;
		CHECK(sol_tree_shape_decode(buf, sizeof(buf), t[i].size, &s) == -1);
	}
	{
		/* the C fake's 96-byte tree account (depth 14, buffer 64): no shape */
		uint8_t buf[96];
		SolTreeShape s;

		header(buf, sizeof(buf), 14, 64);
		CHECK(sol_tree_shape_decode(buf, sizeof(buf), 96, &s) == -1);
		header(buf, sizeof(buf), 31, 64);
		CHECK(sol_tree_shape_decode(buf, sizeof(buf), sol_tree_account_size(31, 64, 0), &s) == -1);
	}
}

static json_t *
account_result(const uint8_t *data, size_t len, long long space)
{
	char *b64 = malloc(4 * ((len + 2) / 3) + 1);
	json_t *v;

	sol_base64_encode(data, len, b64, 4 * ((len + 2) / 3) + 1);
	v = json_pack("{s:{s:i}, s:{s:[s,s], s:b, s:i, s:s, s:i}}", "context", "slot", 1, "value",
	              "data", b64, "base64", "executable", 0, "lamports", 1, "owner",
	              "cmtDvXumGCrqC1Age74AVPhSRVXJMd8PJS91L8KbNCK", "rentEpoch", 0);
	if (space >= 0)
		json_object_set_new(json_object_get(v, "value"), "space", json_integer(space));
	free(b64);
	return v;
}

static void
test_tree_shape_json(void)
{
	uint64_t size = sol_tree_account_size(20, 64, 3);
	uint8_t *data = calloc(1, size);
	SolTreeShape s;
	json_t *r;

	header(data, size, 20, 64);
	/* the whole account, without "space": the size is the data's length */
	r = account_result(data, size, -1);
	memset(&s, 0, sizeof(s));
	CHECK(sol_tree_shape_from_account(r, &s) == 0);
	CHECK(s.max_depth == 20 && s.max_buffer_size == 64 && s.canopy_depth == 3 &&
	      s.account_size == size);
	json_decref(r);
	/* a slice of the data with "space" giving the size */
	r = account_result(data, 120, (long long)size);
	memset(&s, 0, sizeof(s));
	CHECK(sol_tree_shape_from_account(r, &s) == 0 && s.canopy_depth == 3);
	json_decref(r);
	/* no account; data too short; another encoding */
	r = json_pack("{s:{s:i}, s:n}", "context", "slot", 1, "value");
	CHECK(sol_tree_shape_from_account(r, &s) == -1);
	json_decref(r);
	r = account_result(data, 30, (long long)size);
	CHECK(sol_tree_shape_from_account(r, &s) == -1);
	json_decref(r);
	r = json_pack("{s:{s:[s,s]}}", "value", "data", "AAAA", "base58");
	CHECK(sol_tree_shape_from_account(r, &s) == -1);
	json_decref(r);
	free(data);
}

static void
params(SolMintParams *p, SolMetadata *md, bool to_collection, size_t creators)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	memset(md, 0, sizeof(*md));
	b58_to32("9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu", p->tree);
	md->num_creators = creators;
	for (i = 0; i < creators; i++)
	{
		md->creators[i].address[0] = (uint8_t)(i + 1);
		md->creators[i].share = (uint8_t)(i == 0 ? 100 - 10 * (creators - 1) : 10);
	}
	p->md = md;
	p->to_collection = to_collection;
	if (to_collection)
		b58_to32("AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9", p->collection_mint);
	p->cu_price_micro_lamports = 1;
}

static void
test_cu_limit(void)
{
	SolMintParams p;
	SolMetadata md;
	SolTreeShape small = {14, 64, 0, 31800};
	SolTreeShape big = {30, 2048, 17, 10437624};
	uint8_t pda[32];
	uint8_t tc_bump;
	uint32_t units;

	params(&p, &md, false, 0);
	sol_tree_config_pda(p.tree, pda, &tc_bump);
	/* mint_v1, no creators, depth 14 / buffer 64 / canopy 0, both budget instructions */
	units = sol_mint_compute_units(&p, &small);
	CHECK(units ==
	      (uint32_t)(34100 + 275 * 14 + (31800 + 249) / 250 + 1500 * (255 - tc_bump) + 300));
	CHECK(sol_mint_cu_limit(&p, &small, 0) == (units * 110 + 99) / 100 + 30000);
	CHECK(sol_mint_cu_limit(&p, &small, 1) ==
	      ((units + 240 * 13 + 91 * 169) * 110 + 99) / 100 + 1500 * (14 + 16));
	CHECK(sol_mint_cu_limit(&p, &small, 2) == SOL_MAX_COMPUTE_UNITS);
	CHECK(sol_mint_cu_limit(&p, &small, 7) == SOL_MAX_COMPUTE_UNITS);
	/* about a third of the 200,000 a price on the default limit pays for */
	CHECK(sol_mint_cu_limit(&p, &small, 0) < 85000);

	/* each creator, a verified one, a collection, a bigger tree cost more */
	params(&p, &md, false, 5);
	CHECK(sol_mint_compute_units(&p, &small) == units + 5 * 860);
	md.creators[0].verified = true;
	CHECK(sol_mint_compute_units(&p, &small) == units + 5 * 860 + 510);
	params(&p, &md, true, 0);
	CHECK(sol_mint_compute_units(&p, &small) > units + 6000);
	params(&p, &md, false, 0);
	CHECK(sol_mint_compute_units(&p, &big) ==
	      units - 275 * 14 - (31800 + 249) / 250 + 275 * 30 + 40 * 17 + (10437624 + 249) / 250);
	/* an unknown tree is priced as the largest one (depth 30, 10 MiB) */
	CHECK(sol_mint_compute_units(&p, NULL) > sol_mint_compute_units(&p, &big));
	CHECK(sol_mint_cu_limit(&p, NULL, 0) < SOL_MAX_COMPUTE_UNITS);
	/* no price: one budget instruction */
	p.cu_price_micro_lamports = 0;
	CHECK(sol_mint_compute_units(&p, &small) == units - 150);

	/* the worst leaf: 2^(depth-1) for these depths (leaf 0 is cheaper) */
	CHECK(sol_mint_leaf_units_max(14) == 240 * 13 + 91 * 169);
	CHECK(sol_mint_leaf_units_max(30) == 240 * 29 + 91 * 841);
	CHECK(sol_mint_leaf_units_max(3) == 3400 + 545 * 3);
}

static void
test_budget_errors(void)
{
	CHECK(sol_error_is_budget("{\"InstructionError\":[2,\"ProgramFailedToComplete\"]}"));
	CHECK(sol_error_is_budget("{\"InstructionError\":[1,\"ComputationalBudgetExceeded\"]}"));
	CHECK(!sol_error_is_budget("{\"InstructionError\":[0,{\"Custom\":6016}]}"));
	CHECK(!sol_error_is_budget("\"InsufficientFundsForFee\""));
	CHECK(!sol_error_is_budget(NULL));
}

/*
 * A node's getAccountInfo answer for a rent-exempt account carries
 * "rentEpoch": 18446744073709551615 (u64::MAX), which jansson cannot hold: the
 * answer still parses (the tree account's shape is read from it), while
 * strings and reals that look alike are left alone.
 */
static void
test_u64_max_answer(void)
{
	uint64_t size = sol_tree_account_size(14, 64, 0);
	uint8_t *data = calloc(1, size);
	char *b64 = malloc(4 * ((size + 2) / 3) + 1);
	char *body = malloc(4 * size + 512);
	uint64_t id = 7;
	SolRpcResult r;
	SolTreeShape s;

	header(data, size, 14, 64);
	sol_base64_encode(data, size, b64, 4 * ((size + 2) / 3) + 1);
	sprintf(body,
	        "{\"jsonrpc\":\"2.0\",\"result\":{\"context\":{\"apiVersion\":\"2.2.7\",\"slot\":"
	        "1234},\"value\":{\"data\":[\"%s\",\"base64\"],\"executable\":false,\"lamports\":"
	        "1000,\"owner\":\"cmtDvXumGCrqC1Age74AVPhSRVXJMd8PJS91L8KbNCK\",\"rentEpoch\":"
	        "18446744073709551615,\"space\":%llu,\"note\":\"18446744073709551615\",\"x\":"
	        "1.8446744073709551615e19}},\"id\":7}",
	        b64, (unsigned long long)size);
	CHECK(sol_rpc_parse_response(200, body, strlen(body), &id, 1, false, &r) == 0);
	CHECK(r.cls == SOL_RPC_OK);
	if (r.cls == SOL_RPC_OK)
	{
		const json_t *v = json_object_get(r.result, "value");

		CHECK(sol_tree_shape_from_account(r.result, &s) == 0 && s.max_depth == 14 &&
		      s.account_size == size);
		CHECK(json_integer_value(json_object_get(v, "rentEpoch")) == INT64_MAX);
		CHECK(strcmp(json_string_value(json_object_get(v, "note")), "18446744073709551615") == 0);
		CHECK(json_real_value(json_object_get(v, "x")) > 1.8e19);
	}
	sol_rpc_result_clear(&r);
	free(data);
	free(b64);
	free(body);
}

const SolTest sol_tests_budget[] = {
    {"u64_max_answer", test_u64_max_answer},   {"tree_sizes", test_tree_sizes},
    {"tree_shape_json", test_tree_shape_json}, {"cu_limit", test_cu_limit},
    {"budget_errors", test_budget_errors},     {NULL, NULL},
};
