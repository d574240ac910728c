/*
 * sol_tx.c
 *	  Legacy message compiler, signer, wire decoder.
 */
#include "sol_tx.h"

#include <stdlib.h>
#include <string.h>

#include "sol_codec.h"
#include "sol_crypto.h"

typedef struct KeyEntry
{
	uint8_t key[32];
	bool signer;
	bool writable;
	bool payer;
} KeyEntry;

typedef struct KeyTable
{
	KeyEntry e[SOL_MAX_TX_KEYS];
	size_t n;
} KeyTable;

static int
key_add(KeyTable *t, const uint8_t key[32], bool signer, bool writable)
{
	size_t i;

	for (i = 0; i < t->n; i++)
	{
		if (memcmp(t->e[i].key, key, 32) == 0)
		{
			t->e[i].signer |= signer;
			t->e[i].writable |= writable;
			return 0;
		}
	}
	if (t->n >= SOL_MAX_TX_KEYS)
		return -1;
	memcpy(t->e[t->n].key, key, 32);
	t->e[t->n].signer = signer;
	t->e[t->n].writable = writable;
	t->e[t->n].payer = false;
	t->n++;
	return 0;
}

static int
key_group(const KeyEntry *k)
{
	if (k->payer)
		return -1;
	if (k->signer)
		return k->writable ? 0 : 1;
	return k->writable ? 2 : 3;
}

static int
key_cmp(const void *a, const void *b)
{
	const KeyEntry *x = a;
	const KeyEntry *y = b;
	int gx = key_group(x);
	int gy = key_group(y);

	if (gx != gy)
		return gx < gy ? -1 : 1;
	return memcmp(x->key, y->key, 32);
}

static int
key_index(const KeyTable *t, const uint8_t key[32])
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (memcmp(t->e[i].key, key, 32) == 0)
			return (int)i;
	return -1;
}

int
sol_message_compile(const uint8_t payer[32], const SolInstruction *ixs, size_t nixs,
                    const uint8_t blockhash[32], uint8_t *out, size_t outcap, SolMessageInfo *info,
                    SolError *err)
{
	KeyTable *t;
	SolWriter w;
	size_t i;
	size_t j;
	unsigned nsig = 0;
	unsigned ro_signed = 0;
	unsigned ro_unsigned = 0;
	int rc = -1;

	if (nixs > SOL_MAX_TX_IXS)
		return sol_error_set(err, SOL_ERR_TOO_LARGE, "instructions", "too many instructions");
	t = calloc(1, sizeof(KeyTable));
	if (t == NULL)
		return sol_error_set(err, SOL_ERR_NOMEM, "", "out of memory");
	key_add(t, payer, true, true);
	t->e[0].payer = true;
	for (i = 0; i < nixs; i++)
	{
		for (j = 0; j < ixs[i].num_accounts; j++)
			if (key_add(t, ixs[i].accounts[j].pubkey, ixs[i].accounts[j].is_signer,
			            ixs[i].accounts[j].is_writable) != 0)
				goto too_many;
		if (key_add(t, ixs[i].program_id, false, false) != 0)
			goto too_many;
	}
	t->e[0].signer = t->e[0].writable = true;
	qsort(t->e, t->n, sizeof(KeyEntry), key_cmp);
	for (i = 0; i < t->n; i++)
	{
		if (t->e[i].signer)
		{
			nsig++;
			if (!t->e[i].writable)
				ro_signed++;
		}
		else if (!t->e[i].writable)
			ro_unsigned++;
	}
	if (nsig > SOL_MAX_TX_SIGNERS)
	{
		sol_error_set(err, SOL_ERR_TOO_LARGE, "signers", "more than %d signers",
		              SOL_MAX_TX_SIGNERS);
		goto done;
	}
	sol_writer_init(&w, out, outcap);
	sol_put_u8(&w, (uint8_t)nsig);
	sol_put_u8(&w, (uint8_t)ro_signed);
	sol_put_u8(&w, (uint8_t)ro_unsigned);
	sol_put_compact_u16(&w, (uint16_t)t->n);
	for (i = 0; i < t->n; i++)
		sol_put_bytes(&w, t->e[i].key, 32);
	sol_put_bytes(&w, blockhash, 32);
	sol_put_compact_u16(&w, (uint16_t)nixs);
	for (i = 0; i < nixs; i++)
	{
		int pidx = key_index(t, ixs[i].program_id);

		if (pidx <= 0)
		{
			sol_error_set(err, SOL_ERR_INVALID, "instructions",
			              "instruction %zu: the fee payer cannot be the program", i);
			goto done;
		}
		if (ixs[i].num_accounts > 255 || ixs[i].data_len > 0xffff)
			goto too_large;
		sol_put_u8(&w, (uint8_t)pidx);
		sol_put_compact_u16(&w, (uint16_t)ixs[i].num_accounts);
		for (j = 0; j < ixs[i].num_accounts; j++)
			sol_put_u8(&w, (uint8_t)key_index(t, ixs[i].accounts[j].pubkey));
		sol_put_compact_u16(&w, (uint16_t)ixs[i].data_len);
		sol_put_bytes(&w, ixs[i].data, ixs[i].data_len);
	}
	if (w.overflow)
		goto too_large;
	if (info)
	{
		info->num_required_signatures = (uint8_t)nsig;
		info->num_readonly_signed = (uint8_t)ro_signed;
		info->num_readonly_unsigned = (uint8_t)ro_unsigned;
		info->num_keys = t->n;
		for (i = 0; i < t->n; i++)
			memcpy(info->keys[i], t->e[i].key, 32);
	}
	rc = (int)w.len;
	goto done;
too_many:
	sol_error_set(err, SOL_ERR_TOO_LARGE, "accounts", "more than %d distinct accounts",
	              SOL_MAX_TX_KEYS);
	goto done;
too_large:
	sol_error_set(err, SOL_ERR_TOO_LARGE, "transaction",
	              "transaction does not fit in %zu bytes (Solana's limit is %d)", outcap,
	              SOL_PACKET_DATA_SIZE);
done:
	free(t);
	return rc;
}

int
sol_tx_build(const uint8_t payer[32], const SolInstruction *ixs, size_t nixs,
             const uint8_t blockhash[32], const uint8_t *const *secrets, size_t nsecrets,
             uint8_t *out, size_t outcap, uint8_t sig_out[64], SolError *err)
{
	uint8_t msg[SOL_PACKET_DATA_SIZE];
	SolMessageInfo *info;
	uint8_t prefix[3];
	size_t plen;
	size_t total;
	size_t i;
	size_t k;
	int mlen;
	int rc = -1;

	info = calloc(1, sizeof(SolMessageInfo));
	if (info == NULL)
		return sol_error_set(err, SOL_ERR_NOMEM, "", "out of memory");
	mlen = sol_message_compile(payer, ixs, nixs, blockhash, msg, sizeof(msg), info, err);
	if (mlen < 0)
	{
		if (err && err->code == SOL_ERR_TOO_LARGE && strcmp(err->field, "transaction") == 0)
			sol_error_set(err, SOL_ERR_TOO_LARGE, "transaction", "transaction exceeds %d bytes",
			              SOL_PACKET_DATA_SIZE);
		goto done;
	}
	plen = sol_compact_u16_encode(info->num_required_signatures, prefix);
	total = plen + (size_t)info->num_required_signatures * 64 + (size_t)mlen;
	if (total > SOL_PACKET_DATA_SIZE)
	{
		sol_error_set(err, SOL_ERR_TOO_LARGE, "transaction",
		              "transaction is %zu bytes; Solana's limit is %d", total,
		              SOL_PACKET_DATA_SIZE);
		goto done;
	}
	if (total > outcap)
	{
		sol_error_set(err, SOL_ERR_TOO_LARGE, "transaction",
		              "output buffer of %zu bytes too small for %zu", outcap, total);
		goto done;
	}
	memcpy(out, prefix, plen);
	memset(out + plen, 0, (size_t)info->num_required_signatures * 64);
	memcpy(out + plen + (size_t)info->num_required_signatures * 64, msg, (size_t)mlen);
	for (k = 0; k < nsecrets; k++)
	{
		bool used = false;

		for (i = 0; i < info->num_required_signatures; i++)
		{
			if (memcmp(info->keys[i], secrets[k] + 32, 32) == 0)
			{
				if (sol_sign(secrets[k], msg, (size_t)mlen, out + plen + 64 * i) != 0)
				{
					sol_error_set(err, SOL_ERR_INTERNAL, "signature", "signing failed");
					goto done;
				}
				used = true;
			}
		}
		if (!used)
		{
			sol_error_set(err, SOL_ERR_INVALID, "signers",
			              "keypair %zu is not a signer of this transaction", k);
			goto done;
		}
	}
	if (nsecrets > 0)
	{
		static const uint8_t zero[64] = {0};

		for (i = 0; i < info->num_required_signatures; i++)
		{
			if (memcmp(out + plen + 64 * i, zero, 64) == 0)
			{
				char b58[SOL_PUBKEY_B58_MAX];

				sol_pubkey_to_b58(info->keys[i], b58);
				sol_error_set(err, SOL_ERR_INVALID, "signers", "no keypair for signer %s", b58);
				goto done;
			}
		}
	}
	if (sig_out)
		memcpy(sig_out, out + plen, 64);
	rc = (int)total;
done:
	free(info);
	return rc;
}

int
sol_message_decode(const uint8_t *msg, size_t len, SolTxView *v, SolError *err)
{
	SolReader r;
	size_t i;
	size_t j;
	uint16_t nkeys;
	uint16_t nixs;

	memset(v, 0, sizeof(*v));
	if (len > SOL_PACKET_DATA_SIZE)
		return sol_error_set(err, SOL_ERR_TOO_LARGE, "message", "message over %d bytes",
		                     SOL_PACKET_DATA_SIZE);
	sol_reader_init(&r, msg, len);
	v->message = msg;
	v->message_len = len;
	v->num_required_signatures = sol_get_u8(&r);
	if (!r.error && (v->num_required_signatures & 0x80))
		return sol_error_set(err, SOL_ERR_INVALID, "message", "versioned messages not supported");
	v->num_readonly_signed = sol_get_u8(&r);
	v->num_readonly_unsigned = sol_get_u8(&r);
	nkeys = sol_get_compact_u16(&r);
	if (r.error)
		return sol_error_set(err, SOL_ERR_INVALID, "message", "truncated message header");
	v->num_keys = nkeys;
	v->keys = sol_get_bytes(&r, (size_t)nkeys * 32);
	v->blockhash = sol_get_bytes(&r, 32);
	nixs = sol_get_compact_u16(&r);
	if (r.error)
		return sol_error_set(err, SOL_ERR_INVALID, "message", "truncated account keys");
	if (nixs > SOL_MAX_TX_IXS)
		return sol_error_set(err, SOL_ERR_INVALID, "message", "too many instructions");
	v->num_instructions = nixs;
	for (i = 0; i < nixs; i++)
	{
		SolIxView *ix = &v->ixs[i];
		uint16_t n;

		ix->program_id_index = sol_get_u8(&r);
		n = sol_get_compact_u16(&r);
		ix->num_accounts = n;
		ix->accounts = sol_get_bytes(&r, n);
		n = sol_get_compact_u16(&r);
		ix->data_len = n;
		ix->data = sol_get_bytes(&r, n);
		if (r.error)
			return sol_error_set(err, SOL_ERR_INVALID, "message", "truncated instruction %zu", i);
		if (ix->program_id_index == 0 || ix->program_id_index >= nkeys)
			return sol_error_set(err, SOL_ERR_INVALID, "message",
			                     "instruction %zu: bad program id index", i);
		for (j = 0; j < ix->num_accounts; j++)
			if (ix->accounts[j] >= nkeys)
				return sol_error_set(err, SOL_ERR_INVALID, "message",
				                     "instruction %zu: account index out of range", i);
	}
	if (r.pos != r.len)
		return sol_error_set(err, SOL_ERR_INVALID, "message", "trailing bytes after message");
	/* sanitize (solana-sdk legacy Message::sanitize) */
	if (v->num_required_signatures == 0 || v->num_readonly_signed >= v->num_required_signatures)
		return sol_error_set(err, SOL_ERR_INVALID, "message", "no writable fee payer");
	if ((size_t)v->num_required_signatures + v->num_readonly_unsigned > nkeys)
		return sol_error_set(err, SOL_ERR_INVALID, "message", "header counts exceed keys");
	for (i = 0; i < nkeys; i++)
		for (j = i + 1; j < nkeys; j++)
			if (memcmp(v->keys + 32 * i, v->keys + 32 * j, 32) == 0)
				return sol_error_set(err, SOL_ERR_INVALID, "message", "duplicate account key");
	return 0;
}

int
sol_tx_decode(const uint8_t *wire, size_t len, SolTxView *v, SolError *err)
{
	uint16_t nsig = 0;
	int n;
	size_t off;
	const uint8_t *sigs;

	if (len > SOL_PACKET_DATA_SIZE)
		return sol_error_set(err, SOL_ERR_TOO_LARGE, "transaction", "transaction over %d bytes",
		                     SOL_PACKET_DATA_SIZE);
	n = sol_compact_u16_decode(wire, len, &nsig);
	if (n < 0)
		return sol_error_set(err, SOL_ERR_INVALID, "transaction", "bad signature count");
	off = (size_t)n;
	if ((size_t)nsig * 64 > len - off)
		return sol_error_set(err, SOL_ERR_INVALID, "transaction", "truncated signatures");
	sigs = wire + off;
	off += (size_t)nsig * 64;
	if (sol_message_decode(wire + off, len - off, v, err) != 0)
		return -1;
	v->num_signatures = nsig;
	v->signatures = sigs;
	if (nsig != v->num_required_signatures)
		return sol_error_set(err, SOL_ERR_INVALID, "transaction",
		                     "%u signatures but header requires %u", (unsigned)nsig,
		                     (unsigned)v->num_required_signatures);
	return 0;
}

bool
sol_tx_verify(const SolTxView *v)
{
	size_t i;

	if (v->num_signatures == 0 || v->num_signatures > v->num_keys)
		return false;
	for (i = 0; i < v->num_signatures; i++)
		if (!sol_verify(v->keys + 32 * i, v->message, v->message_len, v->signatures + 64 * i))
			return false;
	return true;
}

bool
sol_tx_key_is_signer(const SolTxView *v, size_t i)
{
	return i < v->num_required_signatures;
}

bool
sol_tx_key_is_writable(const SolTxView *v, size_t i)
{
	if (i >= v->num_keys)
		return false;
	if (i < v->num_required_signatures)
		return i < (size_t)(v->num_required_signatures - v->num_readonly_signed);
	return i < v->num_keys - v->num_readonly_unsigned;
}

size_t
sol_compute_unit_limit_data(uint32_t units, uint8_t out[5])
{
	SolWriter w;

	sol_writer_init(&w, out, 5);
	sol_put_u8(&w, 2);
	sol_put_u32(&w, units);
	return w.len;
}

size_t
sol_compute_unit_price_data(uint64_t micro_lamports, uint8_t out[9])
{
	SolWriter w;

	sol_writer_init(&w, out, 9);
	sol_put_u8(&w, 3);
	sol_put_u64(&w, micro_lamports);
	return w.len;
}

size_t
sol_compute_budget_ixs(uint32_t limit, uint64_t price_micro_lamports, SolInstruction *ixs,
                       uint8_t limit_data[5], uint8_t price_data[9])
{
	size_t n = 0;

	if (limit > 0)
	{
		memcpy(ixs[n].program_id, sol_compute_budget_program_id, 32);
		ixs[n].accounts = NULL;
		ixs[n].num_accounts = 0;
		ixs[n].data = limit_data;
		ixs[n].data_len = sol_compute_unit_limit_data(limit, limit_data);
		n++;
	}
	if (price_micro_lamports > 0)
	{
		memcpy(ixs[n].program_id, sol_compute_budget_program_id, 32);
		ixs[n].accounts = NULL;
		ixs[n].num_accounts = 0;
		ixs[n].data = price_data;
		ixs[n].data_len = sol_compute_unit_price_data(price_micro_lamports, price_data);
		n++;
	}
	return n;
}
