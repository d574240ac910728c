/*
 * fuzz_decoders.c -- libFuzzer target over every decoder of the Solana client.
 * The first input byte selects the decoder; the rest is its input.  Besides
 * "no crash / no sanitizer report", round-trip properties are asserted.
 * First bytes 0xf0-0xff select the Bubblegum V2 decoders (fuzz_v2).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sol_bubblegum.h"
#include "sol_codec.h"
#include "sol_crypto.h"
#include "sol_errors.h"
#include "sol_rpc.h"
#include "sol_tx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_b58(const uint8_t *d, size_t n)
{
	uint8_t out[256];
	uint8_t back[256];
	char enc[512];
	int m = sol_b58_decode((const char *)d, n, out, sizeof(out));
	int e;
	char *s;

	if (m >= 0)
	{
		e = sol_b58_encode(out, (size_t)m, enc, sizeof(enc));
		if (e < 0 || sol_b58_decode(enc, (size_t)e, back, sizeof(back)) != m ||
		    memcmp(out, back, (size_t)m) != 0)
			abort();
	}
	s = malloc(n + 1);
	memcpy(s, d, n);
	s[n] = '\0';
	(void)sol_pubkey_from_b58(s, out);
	free(s);
}

/* sol_mint_v2_ix_decode: what it accepts re-encodes to the instruction's data */
static void
check_mint_v2(const SolTxView *v)
{
	SolMintIx mi;
	SolLeafEvent ev;
	SolLeafEvent back;
	uint8_t enc[SOL_MINT_V2_DATA_MAX];
	uint8_t evb[SOL_LEAF_EVENT_V2_LEN];
	const SolIxView *ix;
	int e;

	if (sol_mint_v2_ix_decode(v, &mi, NULL) != 0)
		return;
	if (!mi.v2 || mi.ix_index >= v->num_instructions ||
	    sol_metadata_v2_validate(&mi.md, NULL) != 0 || mi.md.has_collection != mi.to_collection)
		abort();
	ix = &v->ixs[mi.ix_index];
	memcpy(enc, sol_mint_v2_discriminator, 8);
	e = sol_metadata_v2_borsh_encode(&mi.md, enc + 8, sizeof(enc) - 10);
	if (e < 0 || (size_t)e + 10 != ix->data_len || memcmp(enc + 8, ix->data + 8, (size_t)e) != 0)
		abort();
	if (sol_leaf_event_for_mint_v2(&mi.md, mi.tree, 7, mi.owner, mi.delegate, &ev) == 0)
	{
		sol_leaf_event_v2_encode(&ev, evb);
		if (sol_leaf_event_v2_decode(evb, sizeof(evb), &back) != 0 ||
		    memcmp(&back, &ev, sizeof(ev)) != 0)
			abort();
	}
}

/* Bubblegum V2: MetadataArgsV2 Borsh (0), the V2 event (1), a mint_v2 transaction (2), an MPL
 * Core collection account (3) */
static void
fuzz_v2(const uint8_t *d, size_t n)
{
	SolMetadata md;
	SolLeafEvent ev;
	SolTxView v;
	uint8_t enc[SOL_LEAF_EVENT_V2_LEN + SOL_METADATA_V2_BORSH_MAX];
	uint8_t h[32];
	int k;

	if (n < 1)
		return;
	switch (d[0] % 4)
	{
		case 0:
			k = sol_metadata_v2_borsh_decode(d + 1, n - 1, &md, NULL);
			if (k >= 0)
			{
				int e = sol_metadata_v2_borsh_encode(&md, enc, sizeof(enc));

				if (e != k || memcmp(enc, d + 1, (size_t)e) != 0 ||
				    md.collection_verified != md.has_collection)
					abort();
				sol_metadata_v2_data_hash(&md, h);
				(void)sol_metadata_v2_validate(&md, NULL);
			}
			break;
		case 1:
			if (sol_leaf_event_v2_decode(d + 1, n - 1, &ev) == 0)
			{
				sol_leaf_event_v2_encode(&ev, enc);
				if (memcmp(enc, d + 1, SOL_LEAF_EVENT_V2_LEN) != 0 || ev.schema_version != 2 ||
				    (ev.flags & ~SOL_LEAF_FLAGS_KNOWN) != 0)
					abort();
			}
			break;
		case 3:
		{
			SolCoreCollection c;

			if (sol_core_collection_decode(d + 1, n - 1, &c) == 0 &&
			    (c.num_additional_delegates > SOL_CORE_MAX_DELEGATES ||
			     (sol_core_collection_can_mint(&c, c.update_authority) != c.has_bubblegum_v2)))
				abort();
			break;
		}
		default:
			if (sol_tx_decode(d + 1, n - 1, &v, NULL) == 0)
				check_mint_v2(&v);
			if (sol_message_decode(d + 1, n - 1, &v, NULL) == 0)
				check_mint_v2(&v);
			break;
	}
}

static void
fuzz_tx(const uint8_t *d, size_t n)
{
	SolTxView v;
	size_t i;
	size_t j;

	if (sol_tx_decode(d, n, &v, NULL) == 0)
	{
		if (v.num_signatures != v.num_required_signatures || v.num_keys == 0)
			abort();
		for (i = 0; i < v.num_instructions; i++)
		{
			if (v.ixs[i].program_id_index == 0 || v.ixs[i].program_id_index >= v.num_keys)
				abort();
			for (j = 0; j < v.ixs[i].num_accounts; j++)
				if (v.ixs[i].accounts[j] >= v.num_keys)
					abort();
		}
		(void)sol_tx_verify(&v);
		{
			SolMintIx mi;

			if (sol_mint_ix_decode(&v, &mi, NULL) == 0 && mi.ix_index >= v.num_instructions)
				abort();
			check_mint_v2(&v);
		}
	}
	(void)sol_message_decode(d, n, &v, NULL);
}

static void
fuzz_compact(const uint8_t *d, size_t n)
{
	uint16_t v;
	uint8_t enc[3];
	int k = sol_compact_u16_decode(d, n, &v);

	if (k > 0)
	{
		size_t e = sol_compact_u16_encode(v, enc);

		if ((int)e != k || memcmp(enc, d, e) != 0)
			abort(); /* strict decoder: only minimal encodings are accepted */
	}
}

static void
fuzz_borsh(const uint8_t *d, size_t n)
{
	SolMetadata md;
	uint8_t enc[SOL_METADATA_BORSH_MAX];
	uint8_t h[32];
	int k = sol_metadata_borsh_decode(d, n, &md, NULL);

	if (k >= 0)
	{
		int e = sol_metadata_borsh_encode(&md, enc, sizeof(enc));

		if (e != k || memcmp(enc, d, (size_t)e) != 0)
			abort();
		sol_metadata_data_hash(&md, h);
		sol_metadata_creator_hash(&md, h);
		(void)sol_metadata_validate(&md, NULL);
	}
}

static void
fuzz_metadata_json(const uint8_t *d, size_t n)
{
	SolMetadata md;
	SolMetadata back;
	SolError err;
	uint8_t enc[SOL_METADATA_BORSH_MAX];

	if (sol_metadata_from_json((const char *)d, n, &md, &err) == 0)
	{
		int e = sol_metadata_borsh_encode(&md, enc, sizeof(enc));

		if (e < 0 || sol_metadata_validate(&md, &err) != 0 ||
		    sol_metadata_borsh_decode(enc, (size_t)e, &back, NULL) != e)
			abort();
	}
}

static void
fuzz_leaf(const uint8_t *d, size_t n)
{
	SolLeafEvent ev;
	uint8_t enc[SOL_LEAF_EVENT_LEN];

	if (sol_leaf_event_decode(d, n, &ev) == 0)
	{
		sol_leaf_event_encode(&ev, enc);
		if (memcmp(enc, d, SOL_LEAF_EVENT_LEN) != 0)
			abort();
	}
	(void)sol_leaf_from_transaction_json((const char *)d, n, &ev, NULL);
}

static void
fuzz_rpc(const uint8_t *d, size_t n)
{
	uint64_t ids[3] = {1, 2, 3};
	SolRpcResult r[3];
	uint8_t bh[32];
	uint8_t sig[64];
	uint64_t u;
	SolSignatureStatus st[3];
	SolLeafEvent ev;
	long status;
	size_t i;

	if (n < 1)
		return;
	status = d[0] < 200 ? 200 : d[0] < 230 ? 429 : d[0] < 245 ? 503 : 400;
	if (sol_rpc_parse_response(status, (const char *)d + 1, n - 1, ids, d[0] & 1 ? 3 : 1, d[0] & 1,
	                           r) != 0)
		abort();
	for (i = 0; i < (d[0] & 1 ? 3u : 1u); i++)
	{
		(void)sol_rpc_parse_latest_blockhash(&r[i], bh, &u, NULL);
		(void)sol_rpc_parse_u64(&r[i], &u, NULL);
		(void)sol_rpc_parse_signature(&r[i], sig, NULL);
		(void)sol_rpc_parse_signature_statuses(&r[i], st, 3, NULL);
		{
			uint8_t acct[256];
			size_t alen;
			bool exists;

			(void)sol_rpc_parse_account_data(&r[i], acct, sizeof(acct), &alen, &exists, NULL);
		}
		if (r[i].cls == SOL_RPC_OK)
			(void)sol_leaf_from_transaction(r[i].result, &ev, NULL);
		sol_rpc_result_clear(&r[i]);
	}
}

static void
fuzz_misc(const uint8_t *d, size_t n)
{
	uint8_t out[1024];
	SolTreeConfig tc;

	(void)sol_base64_decode((const char *)d, n, out, sizeof(out));
	(void)sol_hex_decode((const char *)d, n, out, sizeof(out));
	(void)sol_utf8_valid(d, n);
	(void)sol_tree_config_decode(d, n, &tc);
	{
		uint8_t sk[64];

		(void)sol_keypair_parse((const char *)d, n, sk, NULL);
	}
	if (n >= 32)
		(void)sol_is_on_curve(d);
}

/* Transaction error describer: line 1 is the err JSON, the other lines are logMessages. */
static void
fuzz_errors(const uint8_t *d, size_t n)
{
	static const SolProgramKind ixs[3] = {SOL_PROG_COMPUTE_BUDGET, SOL_PROG_COMPUTE_BUDGET,
	                                      SOL_PROG_BUBBLEGUM};
	const char *logs[64];
	char out[SOL_TX_ERROR_DESC_MAX];
	size_t nlogs = 0;
	size_t cap;
	char *s;
	char *p;

	if (n < 1)
		return;
	cap = 1 + d[0] % sizeof(out);
	s = malloc(n);
	memcpy(s, d + 1, n - 1);
	s[n - 1] = '\0';
	p = strchr(s, '\n');
	while (p && nlogs < 64)
	{
		*p++ = '\0';
		logs[nlogs++] = p;
		p = strchr(p, '\n');
	}
	if (p)
		*p = '\0';
	memset(out, 'Z', sizeof(out));
	(void)sol_describe_tx_error(s, ixs, 3, out, cap);
	if (strlen(out) >= cap)
		abort();
	(void)sol_describe_tx_error_logs(s, ixs, 3, logs, nlogs, out, sizeof(out));
	if (strlen(out) >= sizeof(out))
		abort();
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] >= 0xf0) /* above the older selectors: their seeds keep their decoders */
	{
		fuzz_v2(data + 1, size - 1);
		return 0;
	}
	switch (data[0] % 9)
	{
		case 0:
			fuzz_b58(data + 1, size - 1);
			break;
		case 1:
			fuzz_tx(data + 1, size - 1);
			break;
		case 2:
			fuzz_compact(data + 1, size - 1);
			break;
		case 3:
			fuzz_borsh(data + 1, size - 1);
			break;
		case 4:
			fuzz_metadata_json(data + 1, size - 1);
			break;
		case 5:
			fuzz_leaf(data + 1, size - 1);
			break;
		case 6:
			fuzz_rpc(data + 1, size - 1);
			break;
		case 7:
			fuzz_misc(data + 1, size - 1);
			break;
		case 8:
			fuzz_errors(data + 1, size - 1);
			break;
		default:
			fuzz_tx(data + 1, size - 1);
			break;
	}
	return 0;
}
