/*
 * test_codec.c -- base58, compact-u16, Borsh reader/writer, base64, hex, UTF-8.
 */
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

#include "sol_codec.h"

#define V1 "bubblegum_vectors.json"
#define V2 "bubblegum_vectors2.json"

/* base58 <-> hex pairs from the independent implementations' vectors */
static void
test_b58_vectors(void)
{
	static const char *pairs[][2] = {
	    {"inputs.payer_pubkey", "inputs.payer_pubkey_hex"},
	    {"inputs.merkle_tree", "inputs.merkle_tree_hex"},
	    {"inputs.leaf_owner", "inputs.leaf_owner_hex"},
	    {"inputs.recent_blockhash", "inputs.recent_blockhash_hex"},
	    {"tree_config.pda", "tree_config.pda_hex"},
	    {"asset_ids.0.asset_id", "asset_ids.0.asset_id_hex"},
	    {"asset_ids.4.asset_id", "asset_ids.4.asset_id_hex"},
	    {"tx_mint_v1_A.signature_b58", "tx_mint_v1_A.signature_hex"},
	    {"noop_event_A_nonce0.noop_ix_data_b58", "noop_event_A_nonce0.noop_ix_data_hex"},
	};
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
	{
		const char *b58 = tv_str(V1, pairs[i][0]);
		const char *hex = tv_str(V1, pairs[i][1]);
		uint8_t raw[512];
		uint8_t dec[512];
		char enc[1024];
		int n = tv_hex(hex, raw, sizeof(raw));
		int m;

		CHECKM(n > 0, "%s", pairs[i][1]);
		m = sol_b58_decode(b58, strlen(b58), dec, sizeof(dec));
		CHECKM(m == n && memcmp(dec, raw, (size_t)n) == 0, "decode %s", pairs[i][0]);
		CHECK(sol_b58_encode(raw, (size_t)n, enc, sizeof(enc)) == (int)strlen(b58));
		CHECKM(strcmp(enc, b58) == 0, "encode %s -> %s", pairs[i][0], enc);
	}
}

static void
test_b58_leading_zeros(void)
{
	uint8_t zero[32] = {0};
	uint8_t out[40];
	char s[64];
	uint8_t mixed[3] = {0, 0, 1};

	CHECK(sol_b58_encode(zero, 32, s, sizeof(s)) == 32);
	CHECK(strcmp(s, "11111111111111111111111111111111") == 0);
	CHECK(sol_b58_decode(s, 32, out, sizeof(out)) == 32);
	CHECK(memcmp(out, zero, 32) == 0);
	CHECK(sol_b58_encode(mixed, 3, s, sizeof(s)) == 3 && strcmp(s, "112") == 0);
	CHECK(sol_b58_decode("112", 3, out, sizeof(out)) == 3 && out[0] == 0 && out[1] == 0 &&
	      out[2] == 1);
	CHECK(sol_b58_decode("", 0, out, sizeof(out)) == 0);
	CHECK(sol_b58_encode(NULL, 0, s, sizeof(s)) == 0 && s[0] == '\0');
	/* 58 = "21", 57 = "z" */
	CHECK(sol_b58_decode("21", 2, out, sizeof(out)) == 1 && out[0] == 58);
	CHECK(sol_b58_decode("z", 1, out, sizeof(out)) == 1 && out[0] == 57);
}

static void
test_b58_rejects(void)
{
	static const char *bad[] = {"0", "O", "I", "l", "+", "/", " 2", "2 ", "abc!", "\xff", "é"};
	uint8_t out[64];
	char s[64];
	uint8_t big[33];
	size_t i;
	const char with_nul[] = {'2', '\0', '2'};

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECKM(sol_b58_decode(bad[i], strlen(bad[i]), out, sizeof(out)) == -1, "%s", bad[i]);
	CHECK(sol_b58_decode(with_nul, 3, out, sizeof(out)) == -1);
	/* overflow: 33 bytes don't fit in 32 */
	memset(big, 0xff, sizeof(big));
	CHECK(sol_b58_encode(big, 33, s, sizeof(s)) > 0);
	CHECK(sol_b58_decode(s, strlen(s), out, 32) == -1);
	CHECK(sol_b58_decode(s, strlen(s), out, 33) == 33);
	/* leading '1's alone overflow */
	CHECK(sol_b58_decode("111", 3, out, 2) == -1);
	/* pubkey must be exactly 32 bytes */
	CHECK(!sol_pubkey_from_b58(tv_str(V1, "tx_mint_v1_A.signature_b58"), out));
	CHECK(!sol_pubkey_from_b58("1111111111111111111111111111111", out)); /* 31 zero bytes */
	CHECK(sol_pubkey_from_b58("11111111111111111111111111111111", out));
	CHECK(!sol_pubkey_from_b58("111111111111111111111111111111111", out)); /* 33 */
	CHECK(!sol_pubkey_from_b58("", out));
	CHECK(!sol_pubkey_from_b58(NULL, out));
	CHECK(!sol_pubkey_from_b58("AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ0", out));
	/* encoder buffer limits: a 44-char key needs 45 bytes */
	CHECK(sol_pubkey_from_b58("AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9", out));
	CHECK(sol_b58_encode(out, 32, s, 44) == -1);
	CHECK(sol_b58_encode(out, 32, s, 45) == 44);
	CHECK(sol_b58_encode(big, 0, s, 0) == -1);
}

static void
test_compact_u16_vectors(void)
{
	json_t *obj = tv_get(V2, "compact_u16");
	const char *key;
	json_t *val;
	int count = 0;

	CHECK(json_is_object(obj));
	json_object_foreach(obj, key, val)
	{
		long v = strtol(key, NULL, 10);
		uint8_t enc[3];
		uint8_t expect[3];
		size_t n = sol_compact_u16_encode((uint16_t)v, enc);
		int en = tv_hex(json_string_value(val), expect, sizeof(expect));
		uint16_t back = 0;

		CHECKM((int)n == en && memcmp(enc, expect, n) == 0, "encode %ld", v);
		CHECKM(sol_compact_u16_decode(expect, (size_t)en, &back) == en && back == v, "decode %ld",
		       v);
		count++;
	}
	CHECK(count == 11);
}

static void
test_compact_u16_strict(void)
{
	static const struct
	{
		uint8_t b[4];
		size_t n;
	} bad[] = {
	    {{0x80, 0x00}, 2},             /* alias of 0 */
	    {{0x81, 0x80, 0x00}, 3},       /* alias with zero 3rd byte */
	    {{0xff, 0xff, 0x04}, 3},       /* 0x1ffff > 0xffff */
	    {{0x80, 0x80, 0x80, 0x01}, 4}, /* continue bit on 3rd byte */
	    {{0x80}, 1},                   /* truncated */
	    {{0xff, 0xff}, 2},             /* truncated */
	    {{0}, 0},                      /* empty */
	};
	size_t i;
	uint32_t v;
	uint16_t out;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECKM(sol_compact_u16_decode(bad[i].b, bad[i].n, &out) == -1, "case %zu", i);
	/* exhaustive round trip; minimal length */
	for (v = 0; v <= 0xffff; v++)
	{
		uint8_t enc[3];
		size_t n = sol_compact_u16_encode((uint16_t)v, enc);
		size_t expect_n = v < 0x80 ? 1 : v < 0x4000 ? 2 : 3;

		if (n != expect_n || sol_compact_u16_decode(enc, n, &out) != (int)n || out != v)
		{
			CHECKM(0, "round trip %u", (unsigned)v);
			break;
		}
	}
	/* a valid value followed by extra bytes consumes only its own bytes */
	{
		uint8_t b[3] = {0x05, 0x80, 0x80};

		CHECK(sol_compact_u16_decode(b, 3, &out) == 1 && out == 5);
	}
}

static void
test_borsh_reader_writer(void)
{
	uint8_t buf[16];
	SolWriter w;
	SolReader r;
	uint8_t two = 2;

	sol_writer_init(&w, buf, sizeof(buf));
	sol_put_u16(&w, 0x0102);
	sol_put_u32(&w, 0x03040506);
	sol_put_u64(&w, 0x0708090a0b0c0d0eULL);
	CHECK(!w.overflow && w.len == 14);
	CHECK(bytes_eq_hex(buf, 14, "0201060504030e0d0c0b0a090807"));
	sol_put_u32(&w, 1); /* 18 > 16 */
	CHECK(w.overflow && w.len == 14);
	sol_reader_init(&r, buf, 14);
	CHECK(sol_get_u16(&r) == 0x0102);
	CHECK(sol_get_u32(&r) == 0x03040506);
	CHECK(sol_get_u64(&r) == 0x0708090a0b0c0d0eULL);
	CHECK(!r.error && r.pos == 14);
	sol_get_u8(&r);
	CHECK(r.error);
	sol_reader_init(&r, &two, 1);
	sol_get_bool(&r);
	CHECK(r.error); /* bool must be 0 or 1 */
	sol_writer_init(&w, buf, sizeof(buf));
	sol_put_string(&w, "abc", 3);
	CHECK(bytes_eq_hex(buf, w.len, "03000000616263"));
}

static void
test_base64(void)
{
	const char *b64 = tv_str(V1, "tx_mint_v1_A.wire_base64");
	const char *hex = tv_str(V1, "tx_mint_v1_A.wire_hex");
	uint8_t raw[1232];
	uint8_t dec[1232];
	char enc[2000];
	int n = tv_hex(hex, raw, sizeof(raw));

	CHECK(n == 478);
	CHECK(sol_base64_encode(raw, (size_t)n, enc, sizeof(enc)) == (int)strlen(b64));
	CHECK(strcmp(enc, b64) == 0);
	CHECK(sol_base64_decode(b64, strlen(b64), dec, sizeof(dec)) == n);
	CHECK(memcmp(dec, raw, (size_t)n) == 0);
	CHECK(sol_base64_decode("AAA", 3, dec, sizeof(dec)) == -1);   /* no padding */
	CHECK(sol_base64_decode("AA==x", 5, dec, sizeof(dec)) == -1); /* trailing garbage */
	CHECK(sol_base64_decode("A$A=", 4, dec, sizeof(dec)) == -1);  /* bad char */
	CHECK(sol_base64_decode(b64, strlen(b64), dec, 100) == -1);   /* overflow */
	CHECK(sol_base64_encode(raw, (size_t)n, enc, 100) == -1);
}

static void
test_hex_utf8(void)
{
	uint8_t out[4];

	CHECK(sol_hex_decode("0aFf", 4, out, 4) == 2 && out[0] == 0x0a && out[1] == 0xff);
	CHECK(sol_hex_decode("0", 1, out, 4) == -1);
	CHECK(sol_hex_decode("zz", 2, out, 4) == -1);
	CHECK(sol_hex_decode("0000000000", 10, out, 4) == -1);
	CHECK(sol_utf8_valid((const uint8_t *)"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x8e\xab", 15));
	CHECK(!sol_utf8_valid((const uint8_t *)"\xc0\x80", 2));         /* overlong NUL */
	CHECK(!sol_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3));     /* surrogate */
	CHECK(!sol_utf8_valid((const uint8_t *)"\xe2\x82", 2));         /* truncated */
	CHECK(!sol_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	CHECK(!sol_utf8_valid((const uint8_t *)"a\x80", 2));
	CHECK(sol_utf8_valid_prefix((const uint8_t *)"ab\xff", 3) == 2);
}

const SolTest sol_tests_codec[] = {
    {"b58_vectors", test_b58_vectors},
    {"b58_leading_zeros", test_b58_leading_zeros},
    {"b58_rejects", test_b58_rejects},
    {"compact_u16_vectors", test_compact_u16_vectors},
    {"compact_u16_strict", test_compact_u16_strict},
    {"borsh_reader_writer", test_borsh_reader_writer},
    {"base64", test_base64},
    {"hex_utf8", test_hex_utf8},
    {NULL, NULL},
};
