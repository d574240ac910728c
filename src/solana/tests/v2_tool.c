/*
 * v2_tool.c -- the C side of the execution test of Bubblegum V2 (svm/test/c_v2.test.js):
 * builds mint_v2 transactions with the library for random metadata and says what the
 * program will emit, so that the real programs (LiteSVM) can prove it.  One JSON object
 * per command on stdout.  Built with the sanitizers (make solana-v2-tool).
 *
 *   v2_tool build PAYER_SECRET_HEX TREE BLOCKHASH SEED_HEX NONCE COLLECTION|- DEPTH BUFFER CANOPY
 * PRICE random MetadataArgsV2 from SEED (32 bytes hex) -> {tx_base64, data_offset, data_len,
 *       metadata, event_hex, asset_id, leaf_hash, cu_limit, cu_model}: the signed mint_v2
 *       transaction (payer = tree creator = collection authority) and the event predicted for
 *       leaf NONCE from the parameters (sol_leaf_event_for_params)
 *   v2_tool predict TX_BASE64 NONCE
 *       decodes the transaction (sol_tx_decode, sol_mint_v2_ix_decode) -> {ok:true, event_hex,
 *       asset_id, leaf_hash} (the event for leaf NONCE, sol_leaf_event_for_mint_v2) or
 *       {ok:false, error}
 *   v2_tool event EVENT_HEX
 *       sol_leaf_event_v2_decode -> {ok, nonce, asset_id, leaf_hash, flags}
 *   v2_tool core ACCOUNT_DATA_BASE64 AUTHORITY
 *       sol_core_collection_decode -> {ok, update_authority, num_minted, current_size, plugins,
 *       bubblegum_v2, royalty_basis_points|null, permanently_frozen|null, update_delegate|null,
 *       can_mint: sol_core_collection_can_mint(AUTHORITY)}
 *   v2_tool tree TREE_ACCOUNT_FILE TREE_CONFIG_BASE64
 *       a getAccountInfo result (base64) of the tree through sol_tree_shape_from_account, the
 *       TreeConfig's data through sol_tree_config_decode -> {ok, depth, buffer, canopy, size,
 *       version, num_minted, capacity}
 *   v2_tool txjson FILE
 *       a getTransaction response (encoding json) read from FILE through
 *       sol_leaf_from_transaction_json -> {ok, event_hex, asset_id, nonce, schema_version}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "sol_bubblegum.h"
#include "sol_budget.h"
#include "sol_codec.h"
#include "sol_crypto.h"
#include "sol_tx.h"

static uint8_t pool[4096];
static size_t pool_pos;

static unsigned
rnd(unsigned n)
{
	uint32_t x;

	if (pool_pos + 4 > sizeof(pool))
		pool_pos = 0;
	memcpy(&x, pool + pool_pos, 4);
	pool_pos += 4;
	return n ? x % n : 0;
}

static void
rbytes(uint8_t *dst, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = (uint8_t)rnd(256);
}

/* random UTF-8 text of at most max bytes (ASCII, 2-, 3- and 4-byte characters) */
static size_t
rtext(char *dst, size_t max, size_t min)
{
	static const char *chars[] = {"a",
	                              "Z",
	                              "7",
	                              " ",
	                              "#",
	                              "-",
	                              ".",
	                              "\xc3\xa9",
	                              "\xce\xa9",
	                              "\xe2\x82\xac",
	                              "\xe7\xa5\xa8",
	                              "\xf0\x9f\x8e\xab"};
	size_t target = min + rnd((unsigned)(max - min + 1));
	size_t n = 0;

	for (;;)
	{
		const char *c = chars[rnd(sizeof(chars) / sizeof(chars[0]))];
		size_t l = strlen(c);

		if (n + l > target)
			break;
		memcpy(dst + n, c, l);
		n += l;
	}
	while (n < min)
		dst[n++] = 'x';
	dst[n] = '\0';
	return n;
}

static int
fail(const char *msg)
{
	json_t *o = json_pack("{s:b, s:s}", "ok", 0, "error", msg);

	json_dumpf(o, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(o);
	return 0;
}

static json_t *
md_json(const SolMetadata *md)
{
	json_t *cr = json_array();
	char b58[SOL_PUBKEY_B58_MAX];
	json_t *o;
	size_t i;

	for (i = 0; i < md->num_creators; i++)
	{
		sol_pubkey_to_b58(md->creators[i].address, b58);
		json_array_append_new(cr,
		                      json_pack("{s:s, s:b, s:i}", "address", b58, "verified",
		                                md->creators[i].verified, "share", md->creators[i].share));
	}
	o = json_pack("{s:s, s:s, s:s, s:i, s:b, s:b, s:o}", "name", md->name, "symbol", md->symbol,
	              "uri", md->uri, "seller_fee_basis_points", md->seller_fee_basis_points,
	              "primary_sale_happened", md->primary_sale_happened, "is_mutable", md->is_mutable,
	              "creators", cr);
	if (md->has_collection)
	{
		sol_pubkey_to_b58(md->collection_key, b58);
		json_object_set_new(o, "collection", json_string(b58));
	}
	else
		json_object_set_new(o, "collection", json_null());
	return o;
}

static void
put_event(json_t *o, const SolLeafEvent *ev)
{
	uint8_t buf[SOL_LEAF_EVENT_V2_LEN];
	char hex[2 * SOL_LEAF_EVENT_V2_LEN + 1];
	char b58[SOL_PUBKEY_B58_MAX];

	sol_leaf_event_v2_encode(ev, buf);
	sol_hex_encode(buf, sizeof(buf), hex);
	json_object_set_new(o, "event_hex", json_string(hex));
	sol_pubkey_to_b58(ev->id, b58);
	json_object_set_new(o, "asset_id", json_string(b58));
	sol_hex_encode(ev->leaf_hash, 32, hex);
	json_object_set_new(o, "leaf_hash", json_string(hex));
	json_object_set_new(o, "nonce", json_integer((json_int_t)ev->nonce));
}

static void
emit(json_t *o)
{
	json_object_set_new(o, "ok", json_true());
	json_dumpf(o, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(o);
}

/* the offset of the Bubblegum instruction's data inside the wire transaction */
static long
data_offset(const uint8_t *wire, size_t len, const SolTxView *v, size_t *dlen)
{
	size_t i;

	for (i = 0; i < v->num_instructions; i++)
		if (memcmp(v->keys + 32 * (size_t)v->ixs[i].program_id_index, sol_bubblegum_program_id,
		           32) == 0)
		{
			*dlen = v->ixs[i].data_len;
			return (long)(v->ixs[i].data - wire);
		}
	(void)len;
	return -1;
}

static int
cmd_build(char **a)
{
	uint8_t secret[64];
	uint8_t seed[32];
	uint8_t coll[32];
	uint8_t bh[32];
	SolMetadata md;
	SolMintParams p;
	SolTreeShape shape;
	SolLeafEvent ev;
	SolError err;
	SolTxView v;
	uint8_t wire[SOL_PACKET_DATA_SIZE];
	char b64[2 * SOL_PACKET_DATA_SIZE];
	unsigned left = 100;
	size_t i;
	size_t dlen = 0;
	int n;
	json_t *o;

	if (sol_hex_decode(a[0], strlen(a[0]), secret, 64) != 64 ||
	    !sol_pubkey_from_b58(a[1], p.tree) || !sol_pubkey_from_b58(a[2], bh) ||
	    sol_hex_decode(a[3], strlen(a[3]), seed, 32) != 32)
		return fail("bad arguments");
	memset(&p, 0, sizeof(p));
	sol_pubkey_from_b58(a[1], p.tree);
	randombytes_buf_deterministic(pool, sizeof(pool), seed);
	memset(&md, 0, sizeof(md));
	md.name_len = rtext(md.name, SOL_MAX_NAME_LEN, 1);
	md.symbol_len = rtext(md.symbol, SOL_MAX_SYMBOL_LEN, 0);
	memcpy(md.uri, "https://t.example/", 18);
	md.uri_len = 18 + rtext(md.uri + 18, rnd(2) ? 40 : SOL_MAX_URI_LEN - 18, 0);
	md.seller_fee_basis_points = (uint16_t)rnd(10001);
	md.primary_sale_happened = rnd(2);
	md.is_mutable = rnd(2);
	md.has_token_standard = true;
	md.token_standard = 0;
	md.num_creators = rnd(6);
	memcpy(p.payer, secret + 32, 32);
	for (i = 0; i < md.num_creators; i++)
	{
		unsigned share = i + 1 == md.num_creators ? left : rnd(left + 1);

		left -= share;
		md.creators[i].share = (uint8_t)share;
		if (i == 0 && rnd(2))
		{
			memcpy(md.creators[i].address, p.payer, 32); /* the payer signs: verified */
			md.creators[i].verified = true;
		}
		else
			rbytes(md.creators[i].address, 32);
	}
	if (strcmp(a[5], "-") != 0)
	{
		char addr[64];
		const char *colon = strchr(a[5], ':'); /* ADDRESS[:PLUGINS besides BubblegumV2] */
		size_t alen = colon ? (size_t)(colon - a[5]) : strlen(a[5]);

		if (alen >= sizeof(addr))
			return fail("bad collection");
		memcpy(addr, a[5], alen);
		addr[alen] = '\0';
		if (!sol_pubkey_from_b58(addr, coll))
			return fail("bad collection");
		p.core_plugins = colon ? (uint8_t)atoi(colon + 1) : 0;
		p.to_collection = true;
		memcpy(p.collection_mint, coll, 32);
	}
	memcpy(p.owner, seed, 32); /* a fresh owner per ticket */
	p.md = &md;
	p.v2 = true;
	shape.max_depth = (uint32_t)atoi(a[6]);
	shape.max_buffer_size = (uint32_t)atoi(a[7]);
	shape.canopy_depth = (uint32_t)atoi(a[8]);
	shape.account_size =
	    sol_tree_account_size(shape.max_depth, shape.max_buffer_size, shape.canopy_depth);
	p.cu_price_micro_lamports = strtoull(a[9], NULL, 10);
	p.cu_limit = sol_mint_cu_limit(&p, &shape, 0);
	n = sol_build_mint_tx(&p, bh, secret, wire, sizeof(wire), NULL, &err);
	if (n < 0)
		return fail(err.message);
	if (sol_tx_decode(wire, (size_t)n, &v, &err) != 0)
		return fail(err.message);
	if (sol_leaf_event_for_params(&p, strtoull(a[4], NULL, 10), &ev) != 0)
		return fail("no asset id");
	sol_base64_encode(wire, (size_t)n, b64, sizeof(b64));
	o = json_pack("{s:s, s:i, s:o}", "tx_base64", b64, "tx_len", n, "metadata", md_json(&md));
	json_object_set_new(o, "data_offset", json_integer(data_offset(wire, (size_t)n, &v, &dlen)));
	json_object_set_new(o, "data_len", json_integer((json_int_t)dlen));
	json_object_set_new(o, "cu_limit", json_integer(p.cu_limit));
	json_object_set_new(o, "protocol_fee", json_integer(SOL_MINT_V2_PROTOCOL_FEE_LAMPORTS));
	json_object_set_new(o, "cu_model", json_integer(sol_mint_compute_units(&p, &shape)));
	{
		uint8_t id[32];
		uint8_t bump = 0;
		uint8_t tcb = 0;

		sol_asset_id_pda(p.tree, strtoull(a[4], NULL, 10), id, &bump);
		sol_tree_config_pda(p.tree, id, &tcb);
		json_object_set_new(o, "asset_id_bump", json_integer(bump));
		json_object_set_new(o, "tree_config_bump", json_integer(tcb));
	}
	put_event(o, &ev);
	sodium_memzero(secret, sizeof(secret));
	emit(o);
	return 0;
}

static int
cmd_predict(char **a)
{
	uint8_t wire[SOL_PACKET_DATA_SIZE + 4];
	SolTxView v;
	SolMintIx mi;
	SolLeafEvent ev;
	SolError err;
	int n = sol_base64_decode(a[0], strlen(a[0]), wire, sizeof(wire));
	json_t *o;

	if (n < 0)
		return fail("bad base64");
	if (sol_tx_decode(wire, (size_t)n, &v, &err) != 0 || sol_mint_v2_ix_decode(&v, &mi, &err) != 0)
		return fail(err.message);
	if (sol_leaf_event_for_mint_v2(&mi.md, mi.tree, strtoull(a[1], NULL, 10), mi.owner, mi.delegate,
	                               &ev) != 0)
		return fail("no asset id");
	o = json_pack("{s:o}", "metadata", md_json(&mi.md));
	put_event(o, &ev);
	emit(o);
	return 0;
}

static int
cmd_event(char **a)
{
	uint8_t buf[SOL_LEAF_EVENT_V2_LEN + 1];
	SolLeafEvent ev;
	int n = sol_hex_decode(a[0], strlen(a[0]), buf, sizeof(buf));
	json_t *o;

	if (n < 0 || sol_leaf_event_v2_decode(buf, (size_t)n, &ev) != 0)
		return fail("not a V2 LeafSchema event");
	o = json_object();
	put_event(o, &ev);
	json_object_set_new(o, "flags", json_integer(ev.flags));
	emit(o);
	return 0;
}

static int
cmd_core(char **a)
{
	static uint8_t buf[65536];
	SolCoreCollection c;
	uint8_t who[32];
	char b58[SOL_PUBKEY_B58_MAX];
	int n = sol_base64_decode(a[0], strlen(a[0]), buf, sizeof(buf));
	json_t *o;

	if (n < 0 || !sol_pubkey_from_b58(a[1], who))
		return fail("bad arguments");
	if (sol_core_collection_decode(buf, (size_t)n, &c) != 0)
		return fail("not an MPL Core collection");
	sol_pubkey_to_b58(c.update_authority, b58);
	o = json_pack("{s:s, s:i, s:i, s:i, s:b, s:b}", "update_authority", b58, "num_minted",
	              (json_int_t)c.num_minted, "current_size", (json_int_t)c.current_size, "plugins",
	              (json_int_t)c.num_plugins, "bubblegum_v2", c.has_bubblegum_v2, "can_mint",
	              sol_core_collection_can_mint(&c, who));
	json_object_set_new(o, "royalty_basis_points",
	                    c.has_royalties ? json_integer(c.royalty_basis_points) : json_null());
	json_object_set_new(o, "permanently_frozen",
	                    c.has_permanent_freeze ? json_boolean(c.permanently_frozen) : json_null());
	if (c.has_update_delegate && c.update_delegate_authority.kind == 3)
	{
		sol_pubkey_to_b58(c.update_delegate_authority.address, b58);
		json_object_set_new(o, "update_delegate", json_string(b58));
	}
	else
		json_object_set_new(o, "update_delegate", json_null());
	emit(o);
	return 0;
}

static char *
read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	if (f == NULL)
		return NULL;
	buf = malloc(1 << 24);
	*n = fread(buf, 1, 1 << 24, f);
	fclose(f);
	return buf;
}

static int
cmd_tree(char **a)
{
	static uint8_t cfg[256];
	SolTreeShape shape;
	SolTreeConfig tc;
	json_error_t jerr;
	size_t n = 0;
	char *buf = read_file(a[0], &n);
	json_t *res;
	int cn;
	int rc;

	if (buf == NULL)
		return fail("cannot open the file");
	res = json_loadb(buf, n, 0, &jerr);
	free(buf);
	if (res == NULL)
		return fail(jerr.text);
	rc = sol_tree_shape_from_account(res, &shape);
	json_decref(res);
	if (rc != 0)
		return fail("not a concurrent merkle tree account");
	cn = sol_base64_decode(a[1], strlen(a[1]), cfg, sizeof(cfg));
	if (cn < 0 || sol_tree_config_decode(cfg, (size_t)cn, &tc) != 0)
		return fail("not a TreeConfig");
	emit(json_pack("{s:i, s:i, s:i, s:I, s:i, s:I, s:I}", "depth", (json_int_t)shape.max_depth,
	               "buffer", (json_int_t)shape.max_buffer_size, "canopy",
	               (json_int_t)shape.canopy_depth, "size", (json_int_t)shape.account_size,
	               "version", (json_int_t)tc.version, "num_minted", (json_int_t)tc.num_minted,
	               "capacity", (json_int_t)tc.total_mint_capacity));
	return 0;
}

static int
cmd_txjson(char **a)
{
	SolLeafEvent ev;
	SolError err;
	FILE *f = fopen(a[0], "rb");
	char *buf;
	size_t n;
	json_t *o;
	int rc;

	if (f == NULL)
		return fail("cannot open the file");
	buf = malloc(1 << 20);
	n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	rc = sol_leaf_from_transaction_json(buf, n, &ev, &err);
	free(buf);
	if (rc != 0)
		return fail(err.message);
	o = json_pack("{s:i}", "schema_version", ev.schema_version);
	put_event(o, &ev);
	emit(o);
	return 0;
}

int
main(int argc, char **argv)
{
	static char line[131072];

	if (sodium_init() < 0)
		return 2;
	if (argc > 1)
	{
		if (strcmp(argv[1], "build") == 0 && argc == 12)
			return cmd_build(argv + 2);
		if (strcmp(argv[1], "predict") == 0 && argc == 4)
			return cmd_predict(argv + 2);
		if (strcmp(argv[1], "event") == 0 && argc == 3)
			return cmd_event(argv + 2);
		fprintf(stderr, "usage: see the head of v2_tool.c\n");
		return 2;
	}
	/* no arguments: one command per line on stdin (words separated by spaces) */
	while (fgets(line, sizeof(line), stdin))
	{
		char *w[12];
		int nw = 0;
		char *save = NULL;
		char *t;

		for (t = strtok_r(line, " \n", &save); t && nw < 12; t = strtok_r(NULL, " \n", &save))
			w[nw++] = t;
		if (nw == 11 && strcmp(w[0], "build") == 0)
			cmd_build(w + 1);
		else if (nw == 3 && strcmp(w[0], "predict") == 0)
			cmd_predict(w + 1);
		else if (nw == 2 && strcmp(w[0], "event") == 0)
			cmd_event(w + 1);
		else if (nw == 3 && strcmp(w[0], "core") == 0)
			cmd_core(w + 1);
		else if (nw == 3 && strcmp(w[0], "tree") == 0)
			cmd_tree(w + 1);
		else if (nw == 2 && strcmp(w[0], "txjson") == 0)
			cmd_txjson(w + 1);
		else
			fail("bad command");
		fflush(stdout);
	}
	return 0;
}
