/*
 * test_fees.c -- priority fee: percentile, escalation up to the cap, the
 * getRecentPrioritizationFees request and answer (agave's shape).
 */
#include "test_util.h"

#include <string.h>

#include "sol_codec.h"
#include "sol_fees.h"
#include "sol_rpc.h"

static void
test_fee_percentile(void)
{
	uint64_t f[10] = {50, 0, 10, 40, 0, 20, 30, 90, 80, 60};
	uint64_t g[10];
	uint64_t one[1] = {7};

	CHECK(sol_fee_percentile(NULL, 0, 50) == 0);
	memcpy(g, f, sizeof(f));
	CHECK(sol_fee_percentile(g, 10, 0) == 0);    /* the lowest */
	CHECK(g[0] == 0 && g[1] == 0 && g[9] == 90); /* sorted in place */
	memcpy(g, f, sizeof(f));
	CHECK(sol_fee_percentile(g, 10, 100) == 90);
	memcpy(g, f, sizeof(f));
	CHECK(sol_fee_percentile(g, 10, 50) == 30); /* rank 5 of 0 0 10 20 30 40 50 60 80 90 */
	memcpy(g, f, sizeof(f));
	CHECK(sol_fee_percentile(g, 10, 51) == 40); /* rank ceil(5.1) = 6 */
	memcpy(g, f, sizeof(f));
	CHECK(sol_fee_percentile(g, 10, 75) == 60); /* rank 8 */
	memcpy(g, f, sizeof(f));
	CHECK(sol_fee_percentile(g, 10, -5) == 0 && sol_fee_percentile(g, 10, 500) == 90);
	CHECK(sol_fee_percentile(one, 1, 1) == 7 && sol_fee_percentile(one, 1, 100) == 7);
}

static void
test_fee_escalation(void)
{
	unsigned k;
	uint64_t last = 0;

	/* cap 0: the fixed price, whatever the market and the attempt */
	CHECK(sol_priority_fee(1000, 99999, 0, 0) == 1000);
	CHECK(sol_priority_fee(1000, 99999, 0, 7) == 1000);
	CHECK(sol_priority_fee(0, 5, 0, 3) == 0);
	/* dynamic: the higher of floor and market ... */
	CHECK(sol_priority_fee(100, 400, 2000, 0) == 400);
	CHECK(sol_priority_fee(500, 400, 2000, 0) == 500);
	/* ... plus a quarter of the cap per expired attempt, never above the cap */
	CHECK(sol_priority_fee(0, 400, 2000, 1) == 900);
	CHECK(sol_priority_fee(0, 400, 2000, 2) == 1400);
	CHECK(sol_priority_fee(0, 400, 2000, 3) == 1900);
	CHECK(sol_priority_fee(0, 400, 2000, 4) == 2000);
	CHECK(sol_priority_fee(0, 0, 2000, 4) == 2000); /* the cap after at most four */
	CHECK(sol_priority_fee(0, 0, 2001, 4) == 2001); /* a quarter rounded up */
	CHECK(sol_priority_fee(0, 0, 3, 1) == 1);
	CHECK(sol_priority_fee(0, 5000, 2000, 0) == 2000);                /* the market above the cap */
	CHECK(sol_priority_fee(9000, 0, 2000, 0) == 2000);                /* a floor above the cap */
	CHECK(sol_priority_fee(0, 0, UINT64_MAX, 1000000) == UINT64_MAX); /* no wrap */
	CHECK(sol_priority_fee(UINT64_MAX - 1, 0, UINT64_MAX, 3) == UINT64_MAX);
	for (k = 0; k < 20; k++)
	{
		uint64_t p = sol_priority_fee(10, 123, 1000, k);

		CHECK(p >= last && p <= 1000); /* never falls, never passes the cap */
		last = p;
	}
	CHECK(last == 1000);
}

static void
test_fee_rpc(void)
{
	static const char *bodies[] = {
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[{\"slot\":348125,\"prioritizationFee\":0},"
	    "{\"slot\":348126,\"prioritizationFee\":1000},{\"slot\":348127,\"prioritizationFee\":500},"
	    "{\"slot\":348128,\"prioritizationFee\":0}]}",
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[]}",
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[{\"slot\":1,\"prioritizationFee\":-1}]}",
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[{\"slot\":1}]}",
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"value\":[]}}",
	};
	uint64_t ids[1] = {1};
	SolRpcResult r[5];
	SolError err;
	uint64_t fees[8];
	size_t n = 99;
	uint8_t keys[2][32];
	json_t *p;
	int i;

	memset(r, 0, sizeof(r));
	for (i = 0; i < 5; i++)
		CHECK(sol_rpc_parse_response(200, bodies[i], strlen(bodies[i]), ids, 1, false, &r[i]) == 0);
	CHECK(sol_rpc_parse_prioritization_fees(&r[0], fees, 8, &n, &err) == 0 && n == 4);
	CHECK(fees[0] == 0 && fees[1] == 1000 && fees[2] == 500 && fees[3] == 0);
	CHECK(sol_fee_percentile(fees, n, 75) == 500);
	CHECK(sol_rpc_parse_prioritization_fees(&r[0], fees, 2, &n, &err) == 0 && n == 2); /* cap */
	CHECK(sol_rpc_parse_prioritization_fees(&r[1], fees, 8, &n, &err) == 0 && n == 0);
	CHECK(sol_rpc_parse_prioritization_fees(&r[2], fees, 8, &n, &err) == -1 && n == 0);
	CHECK(sol_rpc_parse_prioritization_fees(&r[3], fees, 8, &n, &err) == -1);
	CHECK(sol_rpc_parse_prioritization_fees(&r[4], fees, 8, &n, &err) == -1);
	for (i = 0; i < 5; i++)
		sol_rpc_result_clear(&r[i]);

	memset(keys[0], 0, 32);
	memset(keys[1], 0xff, 32);
	p = sol_rpc_params_recent_prioritization_fees((const uint8_t(*)[32])keys, 2);
	CHECK(p && json_array_size(p) == 1 && json_array_size(json_array_get(p, 0)) == 2);
	CHECK(strcmp(json_string_value(json_array_get(json_array_get(p, 0), 0)),
	             "11111111111111111111111111111111") == 0);
	json_decref(p);
}

const SolTest sol_tests_fees[] = {
    {"fee_percentile", test_fee_percentile},
    {"fee_escalation", test_fee_escalation},
    {"fee_rpc", test_fee_rpc},
    {NULL, NULL},
};
