/*
 * test_crypto.c -- keccak, Solana's on-curve test (vectors/curve_vectors.txt),
 * PDAs, program ids, signing, keypair files.
 */
#include "test_util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "sol_codec.h"
#include "sol_crypto.h"

#define V1 "bubblegum_vectors.json"
#define V2 "bubblegum_vectors2.json"

static void
test_keccak(void)
{
	uint8_t h[32];
	uint8_t h2[32];
	uint8_t big[300];
	SolKeccak k;
	size_t split;
	size_t i;

	sol_keccak256("", 0, h);
	/* keccak256("") as listed for an empty creator list in the reference */
	CHECK(bytes_eq_hex(h, 32, tv_str(V1, "metadata_samples.EMPTY.creator_hash_hex")));
	sol_keccak256("abc", 3, h);
	CHECK(bytes_eq_hex(h, 32, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"));
	/* incremental == one-shot across the 136-byte rate boundary */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	sol_keccak256(big, sizeof(big), h);
	for (split = 0; split <= sizeof(big); split += 17)
	{
		sol_keccak_init(&k);
		sol_keccak_update(&k, big, split);
		sol_keccak_update(&k, big + split, sizeof(big) - split);
		sol_keccak_final(&k, h2);
		CHECKM(memcmp(h, h2, 32) == 0, "split %zu", split);
	}
	/* not SHA3-256 (which pads with 0x06): SHA3-256("") = a7ffc6f8... */
	sol_keccak256("", 0, h);
	tv_hex("a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a", h2, 32);
	CHECK(memcmp(h, h2, 32) != 0);
}

/* vectors/curve_vectors.txt: every candidate's Solana on-curve verdict */
static void
test_curve_table(void)
{
	FILE *f = fopen(tv_path("curve_vectors.txt"), "r");
	char line[512];
	int rows = 0;
	int sodium_disagrees = 0;

	CHECK(f != NULL);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f))
	{
		char *bar = strchr(line, '|');
		char hex[65];
		uint8_t h[32];
		bool expect;
		int svp;

		if (bar == NULL)
			continue;
		if (sscanf(bar, "| %64s |", hex) != 1 || tv_hex(hex, h, 32) != 32)
		{
			CHECKM(0, "bad line %s", line);
			continue;
		}
		expect = strstr(line, "on_curve=true") != NULL;
		CHECKM(strstr(line, expect ? "on_curve=true" : "on_curve=false") != NULL, "%s", line);
		CHECKM(sol_is_on_curve(h) == expect, "%s", hex);
		svp = strstr(line, "sodium_is_valid_point=1") != NULL;
		CHECK(crypto_core_ed25519_is_valid_point(h) == svp);
		if (svp != expect)
			sodium_disagrees++;
		rows++;
	}
	fclose(f);
	CHECK(rows == 12);
	/* the table is meaningful: is_valid_point would have got several rows wrong */
	CHECK(sodium_disagrees >= 5);
}

static void
test_curve_edges(void)
{
	/* non-canonical edge encodings: curve25519-dalek accepts all of them */
	static const char *edges[] = {
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "0100000000000000000000000000000000000000000000000000000000000000",
	    "0100000000000000000000000000000000000000000000000000000000000080",
	    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	    "5866666666666666666666666666666666666666666666666666666666666666",
	    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	};
	size_t i;
	int off = 0;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
	{
		uint8_t h[32];

		tv_hex(edges[i], h, 32);
		CHECKM(sol_is_on_curve(h), "%s", edges[i]);
	}
	/* y = 2 is not on the curve: (4-1)/(4d+1) is a non-residue */
	{
		uint8_t h[32] = {2};

		for (i = 2; i < 40; i++)
		{
			h[0] = (uint8_t)i;
			if (!sol_is_on_curve(h))
				off++;
		}
		CHECK(off > 5 && off < 35);
	}
}

/* Cross-check with the libsodium behaviour the reference verified to equal dalek:
 * crypto_core_ed25519_add(r, h, h) == 0  <=>  on curve (20 000 inputs there). */
static void
test_curve_random_crosscheck(void)
{
	int i;
	int on = 0;
	uint8_t seed[32] = {42};
	uint8_t h[32];

	for (i = 0; i < 3000; i++)
	{
		uint8_t r[32];
		bool expect;

		seed[1] = (uint8_t)i;
		seed[2] = (uint8_t)(i >> 8);
		crypto_hash_sha256(h, seed, sizeof(seed));
		expect = crypto_core_ed25519_add(r, h, h) == 0;
		if (sol_is_on_curve(h) != expect)
		{
			CHECKM(0, "mismatch at %d", i);
			break;
		}
		on += expect;
	}
	CHECK(on > 1300 && on < 1700); /* about half of all strings are on the curve */
}

static void
test_program_ids(void)
{
	static const struct
	{
		const char *b58;
		const uint8_t *raw;
	} ids[] = {
	    {"BGUMAp9Gq7iTEuizy4pqaxsTyUCBK68MDfK752saRPUY", sol_bubblegum_program_id},
	    {"noopb9bkMVfRPU8AsbpTUg8AQkHtKwMYZiFUjNRtMmV", sol_noop_program_id},
	    {"cmtDvXumGCrqC1Age74AVPhSRVXJMd8PJS91L8KbNCK", sol_account_compression_program_id},
	    {"11111111111111111111111111111111", sol_system_program_id},
	    {"metaqbxxUerdq28cj1RbAWkYQm3ybzjb6a8bt518x1s", sol_token_metadata_program_id},
	    {"ComputeBudget111111111111111111111111111111", sol_compute_budget_program_id},
	};
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
	{
		uint8_t k[32];

		CHECK(sol_pubkey_from_b58(ids[i].b58, k));
		CHECKM(memcmp(k, ids[i].raw, 32) == 0, "%s", ids[i].b58);
	}
}

static void
test_pdas(void)
{
	uint8_t tree[32];
	uint8_t out[32];
	uint8_t mint[32];
	uint8_t bump = 0;
	size_t i;
	json_t *assets = tv_get(V1, "asset_ids");

	CHECK(b58_to32(tv_str(V1, "inputs.merkle_tree"), tree));
	CHECK(sol_tree_config_pda(tree, out, &bump) == 0);
	CHECK(bytes_eq_hex(out, 32, tv_str(V1, "tree_config.pda_hex")));
	CHECK(bump == json_integer_value(tv_get(V1, "tree_config.bump")));
	CHECK(json_array_size(assets) == 5);
	for (i = 0; i < json_array_size(assets); i++)
	{
		json_t *a = json_array_get(assets, i);
		uint64_t nonce = (uint64_t)json_integer_value(json_object_get(a, "nonce"));

		CHECK(sol_asset_id_pda(tree, nonce, out, &bump) == 0);
		CHECKM(bytes_eq_hex(out, 32, json_string_value(json_object_get(a, "asset_id_hex"))),
		       "nonce %llu", (unsigned long long)nonce);
		CHECK(bump == json_integer_value(json_object_get(a, "bump")));
	}
	CHECK(sol_collection_cpi_pda(out, &bump) == 0);
	CHECK(b58_to32(tv_str(V1, "collection_cpi.pda"), mint) && memcmp(out, mint, 32) == 0);
	CHECK(bump == 255);
	CHECK(b58_to32(tv_str(V2, "collection_pdas.collection_mint"), mint));
	CHECK(sol_collection_metadata_pda(mint, out, NULL) == 0);
	CHECK(b58_to32(tv_str(V2, "collection_pdas.metadata_pda"), tree) && memcmp(out, tree, 32) == 0);
	CHECK(sol_collection_master_edition_pda(mint, out, NULL) == 0);
	CHECK(b58_to32(tv_str(V2, "collection_pdas.master_edition_pda"), tree) &&
	      memcmp(out, tree, 32) == 0);
}

/* The tree config cache (16 entries) gives what a fresh derivation gives, for 40
 * trees asked in turn (every entry replaced), and again for the vector's tree. */
static void
test_tree_config_cache(void)
{
	uint8_t tree[32], out[32], want[32], vec[32];
	uint8_t bump = 0, wbump = 0;
	const uint8_t *s[1] = {tree};
	size_t l[1] = {32};
	int round, k;

	CHECK(b58_to32(tv_str(V1, "inputs.merkle_tree"), vec));
	for (round = 0; round < 3; round++)
		for (k = 0; k < 40; k++)
		{
			memcpy(tree, vec, 32);
			tree[0] ^= (uint8_t)k; /* k = 0 is the vector's tree itself */
			CHECK(sol_tree_config_pda(tree, out, &bump) == 0);
			CHECK(sol_find_program_address(s, l, 1, sol_bubblegum_program_id, want, &wbump, NULL) ==
			      0);
			CHECKM(memcmp(out, want, 32) == 0 && bump == wbump, "round %d tree %d", round, k);
			if (k == 0)
				CHECK(bytes_eq_hex(out, 32, tv_str(V1, "tree_config.pda_hex")));
		}
}

static void
test_pda_seed_limits(void)
{
	uint8_t seed[33] = {0};
	const uint8_t *s[17];
	size_t l[17];
	uint8_t out[32];
	SolError err;
	int i;

	for (i = 0; i < 17; i++)
	{
		s[i] = seed;
		l[i] = 1;
	}
	l[0] = 33;
	CHECK(sol_find_program_address(s, l, 1, sol_bubblegum_program_id, out, NULL, &err) == -1);
	CHECK(err.code == SOL_ERR_PDA);
	CHECK(sol_create_program_address(s, l, 1, sol_bubblegum_program_id, out, NULL) == -1);
	l[0] = 32;
	CHECK(sol_find_program_address(s, l, 15, sol_bubblegum_program_id, out, NULL, NULL) == 0);
	CHECK(sol_find_program_address(s, l, 16, sol_bubblegum_program_id, out, NULL, NULL) == -1);
	CHECK(sol_create_program_address(s, l, 17, sol_bubblegum_program_id, out, NULL) == -1);
	/* create_program_address refuses an on-curve result (tree_config bump 255) */
	{
		uint8_t tree[32];
		uint8_t b = 255;
		const uint8_t *ts[2];
		size_t tl[2] = {32, 1};

		b58_to32(tv_str(V1, "inputs.merkle_tree"), tree);
		ts[0] = tree;
		ts[1] = &b;
		CHECK(sol_create_program_address(ts, tl, 2, sol_bubblegum_program_id, out, &err) == -1);
		b = 250;
		CHECK(sol_create_program_address(ts, tl, 2, sol_bubblegum_program_id, out, NULL) == 0);
		CHECK(bytes_eq_hex(out, 32, tv_str(V1, "tree_config.pda_hex")));
	}
}

static void
test_sign_verify(void)
{
	uint8_t seed[32];
	uint8_t sk[64];
	uint8_t pk[32];
	uint8_t sig[64];
	uint8_t msg[512];
	int n = tv_hex(tv_str(V1, "tx_mint_v1_A.message_hex"), msg, sizeof(msg));

	tv_hex(tv_str(V1, "inputs.payer_seed_hex"), seed, 32);
	CHECK(sol_keypair_from_seed(seed, sk, pk) == 0);
	CHECK(bytes_eq_hex(pk, 32, tv_str(V1, "inputs.payer_pubkey_hex")));
	CHECK(n == 413);
	CHECK(sol_sign(sk, msg, (size_t)n, sig) == 0);
	CHECK(bytes_eq_hex(sig, 64, tv_str(V1, "tx_mint_v1_A.signature_hex")));
	CHECK(sol_verify(pk, msg, (size_t)n, sig));
	msg[100] ^= 1;
	CHECK(!sol_verify(pk, msg, (size_t)n, sig));
}

static char *
write_keyfile(const char *content, mode_t mode)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/sol_kp_XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, content, strlen(content)) != (ssize_t)strlen(content))
	{
		close(fd);
		return NULL;
	}
	fchmod(fd, mode);
	close(fd);
	return path;
}

static void
keypair_json(const uint8_t sk[64], char *out, size_t cap)
{
	size_t off = 0;
	int i;

	off += (size_t)snprintf(out + off, cap - off, "[");
	for (i = 0; i < 64; i++)
		off += (size_t)snprintf(out + off, cap - off, "%s%u", i ? "," : "", sk[i]);
	snprintf(out + off, cap - off, "]\n");
}

static void
expect_reject(const char *content, mode_t mode, int code)
{
	uint8_t sk[64];
	SolError err;
	char *p = write_keyfile(content, mode);

	CHECK(p != NULL);
	if (p == NULL)
		return;
	memset(&err, 0, sizeof(err));
	CHECKM(sol_keypair_load(p, sk, &err) == -1 && err.code == code, "mode %o content %.40s: %s",
	       (unsigned)mode, content, err.message);
	unlink(p);
}

static void
test_keypair_file(void)
{
	uint8_t seed[32];
	uint8_t sk[64];
	uint8_t pk[32];
	uint8_t loaded[64];
	char js[1024];
	char bad[2048];
	char *p;
	SolError err;

	memset(seed, 1, 32);
	sol_keypair_from_seed(seed, sk, pk);
	keypair_json(sk, js, sizeof(js));
	p = write_keyfile(js, 0600);
	CHECK(p != NULL && sol_keypair_load(p, loaded, &err) == 0);
	CHECK(memcmp(loaded, sk, 64) == 0);
	if (p)
		unlink(p);
	p = write_keyfile(js, 0400);
	CHECK(p != NULL && sol_keypair_load(p, loaded, &err) == 0);
	if (p)
		unlink(p);
	/* permissions */
	expect_reject(js, 0644, SOL_ERR_KEYPAIR);
	expect_reject(js, 0640, SOL_ERR_KEYPAIR);
	expect_reject(js, 0604, SOL_ERR_KEYPAIR);
	expect_reject(js, 0602, SOL_ERR_KEYPAIR);
	/* malformed */
	expect_reject("", 0600, SOL_ERR_KEYPAIR);
	expect_reject("not json", 0600, SOL_ERR_KEYPAIR);
	expect_reject("{\"a\":1}", 0600, SOL_ERR_KEYPAIR);
	expect_reject("[1,2,3]", 0600, SOL_ERR_KEYPAIR);
	memcpy(bad, js, strlen(js) + 1);
	*strrchr(bad, ',') = '\0';
	strcat(bad, "]"); /* 63 elements */
	expect_reject(bad, 0600, SOL_ERR_KEYPAIR);
	snprintf(bad, sizeof(bad), "[256%s", strchr(js, ','));
	expect_reject(bad, 0600, SOL_ERR_KEYPAIR);
	snprintf(bad, sizeof(bad), "[-1%s", strchr(js, ','));
	expect_reject(bad, 0600, SOL_ERR_KEYPAIR);
	snprintf(bad, sizeof(bad), "[1.0%s", strchr(js, ','));
	expect_reject(bad, 0600, SOL_ERR_KEYPAIR);
	snprintf(bad, sizeof(bad), "[\"1\"%s", strchr(js, ','));
	expect_reject(bad, 0600, SOL_ERR_KEYPAIR);
	/* public half does not match the seed */
	{
		uint8_t tampered[64];

		memcpy(tampered, sk, 64);
		tampered[63] ^= 1;
		keypair_json(tampered, bad, sizeof(bad));
		expect_reject(bad, 0600, SOL_ERR_KEYPAIR);
	}
	/* content parser: whitespace is fine, JSON oddities are not */
	{
		char spaced[2048];
		size_t off = 0;
		int i;

		off += (size_t)snprintf(spaced + off, sizeof(spaced) - off, " \n[");
		for (i = 0; i < 64; i++)
			off += (size_t)snprintf(spaced + off, sizeof(spaced) - off, "%s\n  %u ", i ? "," : "",
			                        sk[i]);
		snprintf(spaced + off, sizeof(spaced) - off, "]\r\n");
		memset(loaded, 0, sizeof(loaded));
		CHECK(sol_keypair_parse(spaced, strlen(spaced), loaded, &err) == 0 &&
		      memcmp(loaded, sk, 64) == 0);
		snprintf(bad, sizeof(bad), "%sx", js);
		CHECK(sol_keypair_parse(bad, strlen(bad), loaded, &err) == -1);
		snprintf(bad, sizeof(bad), "[0%u%s", sk[0], strchr(js, ','));
		CHECK(sol_keypair_parse(bad, strlen(bad), loaded, &err) == -1); /* leading zero */
		snprintf(bad, sizeof(bad), "[1,%s", js + 1);
		CHECK(sol_keypair_parse(bad, strlen(bad), loaded, &err) == -1); /* 65 elements */
		snprintf(bad, sizeof(bad), "[%s", js + 1);
		*strrchr(bad, ']') = ',';
		CHECK(sol_keypair_parse(bad, strlen(bad), loaded, &err) == -1); /* no closing bracket */
		CHECK(sol_keypair_parse("[]", 2, loaded, &err) == -1);
	}
	CHECK(sol_keypair_load("/nonexistent/kp.json", loaded, &err) == -1 && err.code == SOL_ERR_IO);
	CHECK(sol_keypair_load("/tmp", loaded, &err) == -1 && err.code == SOL_ERR_KEYPAIR);
}

const SolTest sol_tests_crypto[] = {
    {"keccak", test_keccak},
    {"curve_table", test_curve_table},
    {"curve_edges", test_curve_edges},
    {"curve_random_crosscheck", test_curve_random_crosscheck},
    {"program_ids", test_program_ids},
    {"pdas", test_pdas},
    {"tree_config_cache", test_tree_config_cache},
    {"pda_seed_limits", test_pda_seed_limits},
    {"sign_verify", test_sign_verify},
    {"keypair_file", test_keypair_file},
    {NULL, NULL},
};
