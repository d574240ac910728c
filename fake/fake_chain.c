/*
 * fake_chain.c
 *	  solana-fake: chain state (blocks, blockhashes, trees, ledger), the
 *	  Bubblegum mint emulation and the JSON-RPC methods.
 *
 * All mutable state is guarded by fk_lock; decoding, signature checks and
 * JSON building happen outside it.  Landed records are immutable, so their
 * fields may be read after the lock is released.
 */
#include "fake.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "sol_bubblegum.h"
#include "sol_codec.h"
#include "sol_crypto.h"
#include "sol_tx.h"

#define FK_API_VERSION  "2.2.7"
#define FK_SLOT_BASE    1000
#define FK_FEE          5000
#define MAX_B58_TX      1683
#define MAX_B64_TX      1644
#define TX_TYPE_NAME    "solana_transaction::versioned::VersionedTransaction"
#define SLOTS_PER_EPOCH 432000 /* agave DEFAULT_SLOTS_PER_EPOCH */

FkConfig fk_cfg;
pthread_mutex_t fk_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- errors (TransactionError) ---- */
enum
{
	E_NONE,
	E_CUSTOM,          /* InstructionError [ix, {"Custom": code}] */
	E_IX_INVALID_DATA, /* InstructionError [ix, "InvalidInstructionData"] */
	E_BLOCKHASH_NOT_FOUND,
	E_ALREADY_PROCESSED,
	E_DUPLICATE_IX, /* {"DuplicateInstruction": ix} */
	E_INVALID_ACCOUNT_FOR_FEE
};

typedef struct FkTxErr
{
	int kind;
	int ix;
	int code;
} FkTxErr;

static json_t *
err_json(const FkTxErr *e)
{
	switch (e->kind)
	{
		case E_CUSTOM:
			return json_pack("{s:[i,{s:i}]}", "InstructionError", e->ix, "Custom", e->code);
		case E_IX_INVALID_DATA:
			return json_pack("{s:[i,s]}", "InstructionError", e->ix, "InvalidInstructionData");
		case E_BLOCKHASH_NOT_FOUND:
			return json_string("BlockhashNotFound");
		case E_ALREADY_PROCESSED:
			return json_string("AlreadyProcessed");
		case E_DUPLICATE_IX:
			return json_pack("{s:i}", "DuplicateInstruction", e->ix);
		case E_INVALID_ACCOUNT_FOR_FEE:
			return json_string("InvalidAccountForFee");
		default:
			return json_null();
	}
}

/* TransactionError Display, as in solana-sdk transaction-error. */
static void
err_display(const FkTxErr *e, char *out, size_t cap)
{
	switch (e->kind)
	{
		case E_CUSTOM:
			snprintf(out, cap, "Error processing Instruction %d: custom program error: 0x%x", e->ix,
			         (unsigned)e->code);
			break;
		case E_IX_INVALID_DATA:
			snprintf(out, cap, "Error processing Instruction %d: invalid instruction data", e->ix);
			break;
		case E_BLOCKHASH_NOT_FOUND:
			snprintf(out, cap, "Blockhash not found");
			break;
		case E_ALREADY_PROCESSED:
			snprintf(out, cap, "This transaction has already been processed");
			break;
		case E_DUPLICATE_IX:
			snprintf(out, cap,
			         "Transaction contains a duplicate instruction (%d) that is not allowed",
			         e->ix);
			break;
		case E_INVALID_ACCOUNT_FOR_FEE:
			snprintf(out, cap, "This account may not be used to pay transaction fees");
			break;
		default:
			snprintf(out, cap, "ok");
	}
}

static const char *
custom_error_name(int code)
{
	switch (code)
	{
		case 100:
			return "InstructionMissing";
		case 101:
			return "InstructionFallbackNotFound";
		case 102:
			return "InstructionDidNotDeserialize";
		case 2000:
			return "ConstraintMut";
		case 2006:
			return "ConstraintSeeds";
		case 3005:
			return "AccountNotEnoughKeys";
		case 3008:
			return "InvalidProgramId";
		case 3010:
			return "AccountNotSigner";
		case 6004:
			return "CreatorShareTotalMustBe100";
		case 6005:
			return "DuplicateCreatorAddress";
		case 6006:
			return "CreatorDidNotVerify";
		case 6011:
			return "CreatorsTooLong";
		case 6012:
			return "MetadataNameTooLong";
		case 6013:
			return "MetadataSymbolTooLong";
		case 6014:
			return "MetadataUriTooLong";
		case 6015:
			return "MetadataBasisPointsTooHigh";
		case 6016:
			return "TreeAuthorityIncorrect";
		case 6017:
			return "InsufficientMintCapacity";
		case 6020:
			return "CollectionCannotBeVerifiedInThisInstruction";
		case 6021:
			return "CollectionNotFound";
		case 6040:
			return "InvalidTokenStandard";
		default:
			return "InjectedError";
	}
}

/* ---- records ---- */
enum
{
	TX_PENDING,
	TX_LANDED,
	TX_DROPPED
};

typedef struct TxRec
{
	uint8_t sig[64];
	uint32_t idx; /* position in ch.recs */
	uint8_t *wire;
	uint16_t wire_len;
	uint8_t state;
	uint8_t bgum_ix;
	bool to_collection;
	FkTxErr perr; /* program error found by emulation (lands failed) */
	FkTxErr err;  /* final meta.err */
	uint64_t bh_height;
	uint64_t height;
	uint64_t slot;
	int64_t block_time;
	uint64_t nonce;
	uint64_t cu_price; /* SetComputeUnitPrice, micro-lamports per unit (0: none) */
	uint8_t asset[32];
	uint8_t tree[32];
	uint8_t tree_config[32];
	uint8_t owner[32];
	uint8_t delegate[32];
	uint8_t payer[32];
	uint8_t tree_delegate[32];
	uint8_t data_hash[32];
	uint8_t creator_hash[32];
	char *name;
	char *symbol;
	char *uri;
} TxRec;

typedef struct FkTree
{
	uint8_t key[32];
	uint8_t config[32];
	uint8_t creator[32];
	uint64_t num_minted;
	bool created;     /* added by --tree / add_tree: its creator is set */
	uint64_t block_h; /* the block block_n counts mints of */
	uint32_t block_n;
	bool no_config;     /* ... without a Bubblegum tree config */
	uint64_t created_h; /* first block height that has the accounts (0 = before genesis) */
	/* num_minted history for lagging views: (height, num_minted after that block) of
	 * the blocks that minted into this tree, oldest first, only as far back as a view
	 * can lag (FK_MAX_NODE_LAG).  A ring: hist_cap is a power of two. */
	uint64_t *hist_h;
	uint64_t *hist_n;
	size_t hist_head;
	size_t hist_len;
	size_t hist_cap;
} FkTree;

static struct
{
	uint64_t tip; /* processed block height */
	uint8_t bh_key[32];
	FkRng req_rng;   /* request-level faults */
	FkRng chain_rng; /* landing faults */
	TxRec **recs;
	size_t nrecs;
	size_t caprecs;
	uint32_t *sigtab; /* rec index + 1, open addressing */
	size_t sigcap;
	uint32_t *pending;
	size_t npending;
	size_t cappending;
	uint32_t *ledger;
	size_t nledger;
	size_t capledger;
	FkTree *trees;
	size_t ntrees;
	size_t captrees;
	FkStrMap uri_counts; /* successful mints per uri */
	uint64_t landed_ok;
	uint64_t landed_err;
	uint64_t uris_with_dups;
	uint64_t extra_mints; /* sum over uris of (count - 1) */
	/* load-balanced mode: node i sees the chain as it was lag[i] blocks ago */
	uint64_t lag[FK_MAX_NODES];
	uint64_t wander_target[FK_MAX_NODES];
	uint64_t wander_next[FK_MAX_NODES]; /* tip at which a new target is drawn */
	FkRng lag_rng;
	uint64_t route_base;
	/* landed transactions (ok + failed) up to block h, at cum_tx[h & cum_mask] */
	uint64_t *cum_tx;
	uint64_t cum_mask;
	uint8_t genesis[32];
} ch;

static uint64_t
slot_of(uint64_t h)
{
	/* a skipped slot every 8 blocks: slot != block height, as on a real cluster */
	return h + h / 8 + FK_SLOT_BASE;
}

/*
 * Blockhash of block height h: bytes 0..8 = u64le(h) xor a key-derived mask,
 * bytes 8..32 = HMAC(key, u64le(h))[0..24].  Decodable without storing
 * every blockhash, and forgery-proof for the tests' purposes.
 */
static uint8_t bh_mask[8];

static void
blockhash_of(uint64_t h, uint8_t out[32])
{
	uint8_t mac[32];
	uint8_t hb[8];
	int i;

	for (i = 0; i < 8; i++)
		hb[i] = (uint8_t)(h >> (8 * i));
	crypto_auth_hmacsha256(mac, hb, 8, ch.bh_key);
	for (i = 0; i < 8; i++)
		out[i] = hb[i] ^ bh_mask[i];
	memcpy(out + 8, mac, 24);
}

/* Height that issued this blockhash (it may be in the future), or 0 if it is not ours. */
static uint64_t
blockhash_height(const uint8_t bh[32])
{
	uint8_t mac[32];
	uint8_t hb[8];
	uint64_t h = 0;
	int i;

	for (i = 0; i < 8; i++)
	{
		hb[i] = bh[i] ^ bh_mask[i];
		h |= (uint64_t)hb[i] << (8 * i);
	}
	crypto_auth_hmacsha256(mac, hb, 8, ch.bh_key);
	if (sodium_memcmp(mac, bh + 8, 24) != 0)
		return 0;
	return h;
}

static void
sigtab_insert(uint32_t idx)
{
	size_t i;

	if ((ch.nrecs + 1) * 2 > ch.sigcap)
	{
		size_t j;
		size_t ncap = ch.sigcap ? ch.sigcap * 2 : 4096;

		free(ch.sigtab);
		ch.sigtab = fk_xcalloc(ncap, sizeof(uint32_t));
		ch.sigcap = ncap;
		for (j = 0; j < ch.nrecs; j++)
		{
			uint64_t hk;

			if (j == idx)
				continue;
			memcpy(&hk, ch.recs[j]->sig, 8);
			i = hk & (ncap - 1);
			while (ch.sigtab[i])
				i = (i + 1) & (ncap - 1);
			ch.sigtab[i] = (uint32_t)j + 1;
		}
	}
	{
		uint64_t hk;

		memcpy(&hk, ch.recs[idx]->sig, 8);
		i = hk & (ch.sigcap - 1);
		while (ch.sigtab[i])
			i = (i + 1) & (ch.sigcap - 1);
		ch.sigtab[i] = idx + 1;
	}
}

static TxRec *
sig_lookup(const uint8_t sig[64])
{
	uint64_t hk;
	size_t i;

	if (ch.sigcap == 0)
		return NULL;
	memcpy(&hk, sig, 8);
	i = hk & (ch.sigcap - 1);
	while (ch.sigtab[i])
	{
		TxRec *r = ch.recs[ch.sigtab[i] - 1];

		if (memcmp(r->sig, sig, 64) == 0)
			return r;
		i = (i + 1) & (ch.sigcap - 1);
	}
	return NULL;
}

static FkTree *
tree_get(const uint8_t key[32], const uint8_t config[32], bool create)
{
	size_t i;

	for (i = 0; i < ch.ntrees; i++)
		if (memcmp(ch.trees[i].key, key, 32) == 0)
			return &ch.trees[i];
	if (!create)
		return NULL;
	if (ch.ntrees == ch.captrees)
	{
		ch.captrees = ch.captrees ? ch.captrees * 2 : 16;
		ch.trees = fk_xrealloc(ch.trees, ch.captrees * sizeof(FkTree));
	}
	memset(&ch.trees[ch.ntrees], 0, sizeof(FkTree));
	memcpy(ch.trees[ch.ntrees].key, key, 32);
	memcpy(ch.trees[ch.ntrees].config, config, 32);
	ch.trees[ch.ntrees].created_h = ch.tip;
	return &ch.trees[ch.ntrees++];
}

/* After a successful mint into t in block ch.tip (lock held). */
static void
tree_hist_note(FkTree *t)
{
	size_t last;

	if (t->hist_len > 0)
	{
		last = (t->hist_head + t->hist_len - 1) & (t->hist_cap - 1);
		if (t->hist_h[last] == ch.tip)
		{
			t->hist_n[last] = t->num_minted;
			return;
		}
	}
	/* drop entries no view can reach: entry 1 already answers for every height >= it */
	while (t->hist_len >= 2 &&
	       t->hist_h[(t->hist_head + 1) & (t->hist_cap - 1)] + FK_MAX_NODE_LAG <= ch.tip)
	{
		t->hist_head = (t->hist_head + 1) & (t->hist_cap - 1);
		t->hist_len--;
	}
	if (t->hist_len == t->hist_cap)
	{
		size_t ncap = t->hist_cap ? t->hist_cap * 2 : 16;
		uint64_t *nh = fk_xmalloc(ncap * sizeof(uint64_t));
		uint64_t *nn = fk_xmalloc(ncap * sizeof(uint64_t));
		size_t i;

		for (i = 0; i < t->hist_len; i++)
		{
			nh[i] = t->hist_h[(t->hist_head + i) & (t->hist_cap - 1)];
			nn[i] = t->hist_n[(t->hist_head + i) & (t->hist_cap - 1)];
		}
		free(t->hist_h);
		free(t->hist_n);
		t->hist_h = nh;
		t->hist_n = nn;
		t->hist_head = 0;
		t->hist_cap = ncap;
	}
	last = (t->hist_head + t->hist_len) & (t->hist_cap - 1);
	t->hist_h[last] = ch.tip;
	t->hist_n[last] = t->num_minted;
	t->hist_len++;
}

/* num_minted as seen at block height h (lock held).  O(log FK_MAX_NODE_LAG). */
static uint64_t
tree_minted_at(const FkTree *t, uint64_t h)
{
	size_t lo = 0;
	size_t hi = t->hist_len;

	if (h >= ch.tip || t->hist_len == 0 ||
	    h >= t->hist_h[(t->hist_head + t->hist_len - 1) & (t->hist_cap - 1)])
		return t->num_minted;
	/* the last entry with height <= h */
	while (lo < hi)
	{
		size_t mid = (lo + hi) / 2;

		if (t->hist_h[(t->hist_head + mid) & (t->hist_cap - 1)] <= h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? 0 : t->hist_n[(t->hist_head + lo - 1) & (t->hist_cap - 1)];
}

/*
 * A tree that exists before any mint (created elsewhere), spelled
 * "TREE:CREATOR" (base58 addresses).  Its tree config names CREATOR as
 * creator and delegate, and getAccountInfo answers for both accounts.
 * "TREE:CREATOR:no-config" is a merkle tree that Bubblegum did not create
 * (no tree config account).  Called with fk_lock held, or before the server
 * starts.
 */
static int
add_tree(const char *spec, const char **errmsg, uint64_t height)
{
	char tree58[64];
	char creator58[64];
	const char *colon = strchr(spec, ':');
	const char *colon2;
	bool no_config = false;
	uint8_t key[32];
	uint8_t creator[32];
	uint8_t config[32];
	FkTree *t;

	if (colon == NULL || (size_t)(colon - spec) >= sizeof(tree58))
	{
		*errmsg = "a tree is \"TREE:CREATOR\" (base58 addresses)";
		return -1;
	}
	memcpy(tree58, spec, (size_t)(colon - spec));
	tree58[colon - spec] = '\0';
	colon2 = strchr(colon + 1, ':');
	snprintf(creator58, sizeof(creator58), "%.*s",
	         (int)(colon2 ? (size_t)(colon2 - colon - 1) : strlen(colon + 1)), colon + 1);
	if (colon2 != NULL)
	{
		if (strcmp(colon2 + 1, "no-config") != 0)
		{
			*errmsg = "a tree is \"TREE:CREATOR\" or \"TREE:CREATOR:no-config\"";
			return -1;
		}
		no_config = true;
	}
	if (!sol_pubkey_from_b58(tree58, key) || !sol_pubkey_from_b58(creator58, creator))
	{
		*errmsg = "a tree is \"TREE:CREATOR\" (base58 addresses)";
		return -1;
	}
	sol_tree_config_pda(key, config, NULL);
	t = tree_get(key, config, false);
	if (t == NULL)
	{
		t = tree_get(key, config, true);
		t->created_h = height;
	}
	memcpy(t->creator, creator, 32);
	t->created = true;
	t->no_config = no_config;
	return 0;
}

/* At start-up: the tree exists since genesis, every node sees it. */
int
fk_chain_add_tree(const char *spec, const char **errmsg)
{
	return add_tree(spec, errmsg, 0);
}

static uint64_t
lag_of(int commitment)
{
	/* 0 processed, 1 confirmed, 2 finalized */
	if (commitment == 0)
		return 0;
	if (commitment == 1)
		return 1;
	return fk_cfg.finalized_lag;
}

/* The processed block height that `node` sees (lock held). */
static uint64_t
node_tip(int node)
{
	uint64_t l = ch.lag[node];

	return ch.tip > l ? ch.tip - l : 1;
}

/* The block height of node's bank at a commitment (lock held). */
static uint64_t
view_height(int node, int commitment)
{
	uint64_t t = node_tip(node);
	uint64_t lag = lag_of(commitment);

	return t > lag ? t - lag : 1;
}

static uint64_t
tx_count_at(uint64_t h)
{
	return ch.tip - h <= ch.cum_mask ? ch.cum_tx[h & ch.cum_mask] : 0;
}

/* Draw a wandering node's next target lag and when to draw again (lock held). */
static void
wander_draw(int i, const FkFaults *f)
{
	uint64_t span = (uint64_t)f->wander_max - f->wander_min + 1;

	ch.wander_target[i] = f->wander_min + fk_rng_next(&ch.lag_rng) % span;
	ch.wander_next[i] = ch.tip + 2 + fk_rng_next(&ch.lag_rng) % 7;
}

/*
 * Set every node's lag from the settings (lock held): fixed lags, or, for
 * nodes 1..N-1 with wander on, a lag that starts at a random point of the
 * range (or stays where it is if it is already inside it).
 */
static void
lags_apply(const FkFaults *old, const FkFaults *f)
{
	int i;

	for (i = 0; i < FK_MAX_NODES; i++)
	{
		bool was_wandering = old && old->wander && i > 0 && i < old->nodes;

		if (i >= f->nodes)
			ch.lag[i] = 0;
		else if (!(f->wander && i > 0))
			ch.lag[i] = f->node_lag[i];
		else if (!was_wandering)
		{
			wander_draw(i, f);
			ch.lag[i] = ch.wander_target[i];
		}
		else
		{
			if (ch.lag[i] < f->wander_min)
				ch.lag[i] = f->wander_min;
			if (ch.lag[i] > f->wander_max)
				ch.lag[i] = f->wander_max;
			if (ch.wander_target[i] < f->wander_min || ch.wander_target[i] > f->wander_max)
				wander_draw(i, f);
		}
	}
}

/* One block passed: move the wandering lags (lock held).  A node's view never
 * goes back: a lag grows by at most one per block (the node stalls), and
 * shrinks by up to 4 (the node catches up). */
static void
lags_tick(void)
{
	const FkFaults *f = &fk_cfg.faults;
	int i;

	if (!f->wander)
		return;
	for (i = 1; i < f->nodes; i++)
	{
		if (ch.tip >= ch.wander_next[i])
			wander_draw(i, f);
		if (ch.lag[i] < ch.wander_target[i])
			ch.lag[i]++;
		else if (ch.lag[i] > ch.wander_target[i])
		{
			uint64_t d = 1 + fk_rng_next(&ch.lag_rng) % 4;

			ch.lag[i] -= d < ch.lag[i] - ch.wander_target[i] ? d : ch.lag[i] - ch.wander_target[i];
		}
	}
}

int
fk_route(const FkFaults *f, int pin)
{
	static uint64_t counter;
	uint64_t k;
	FkRng r;

	if (f->nodes <= 1)
		return 0;
	if (pin >= 0 && pin < f->nodes)
		return pin;
	k = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
	if (f->route == FK_ROUTE_ROUND_ROBIN)
		return (int)(k % (uint64_t)f->nodes);
	/* the k-th draw of a seeded splitmix stream, without a lock */
	r.s = __atomic_load_n(&ch.route_base, __ATOMIC_RELAXED) + k * 0x9e3779b97f4a7c15ULL;
	return (int)(fk_rng_next(&r) % (uint64_t)f->nodes);
}

int
fk_node_lags(uint64_t lags[FK_MAX_NODES])
{
	int n;
	int i;

	pthread_mutex_lock(&fk_lock);
	n = fk_cfg.faults.nodes < 1 ? 1 : fk_cfg.faults.nodes;
	for (i = 0; i < n; i++)
		lags[i] = ch.lag[i];
	pthread_mutex_unlock(&fk_lock);
	return n;
}

static void
seed_rngs(void)
{
	ch.req_rng.s = fk_cfg.seed ^ 0x5eed5eed5eed5eedULL;
	ch.chain_rng.s = fk_cfg.seed ^ 0xc4a1c4a1c4a1c4a1ULL;
	ch.lag_rng.s = fk_cfg.seed ^ 0x1a611a611a611a61ULL;
	__atomic_store_n(&ch.route_base, fk_cfg.seed ^ 0x70b470b470b470b4ULL, __ATOMIC_RELAXED);
}

void
fk_chain_init(void)
{
	uint8_t seedb[8];
	int i;

	memset(&ch, 0, sizeof(ch));
	for (i = 0; i < 8; i++)
		seedb[i] = (uint8_t)(fk_cfg.seed >> (8 * i));
	crypto_generichash(ch.bh_key, 32, seedb, 8, (const unsigned char *)"solana-fake", 11);
	{
		uint8_t m[32];

		crypto_auth_hmacsha256(m, (const unsigned char *)"mask", 4, ch.bh_key);
		memcpy(bh_mask, m, 8);
	}
	/* the cluster's identity: fixed by the start-up seed, the same on every node */
	crypto_generichash(ch.genesis, 32, seedb, 8, (const unsigned char *)"solana-fake genesis", 19);
	seed_rngs();
	ch.tip = fk_cfg.finalized_lag + fk_cfg.blockhash_window + 1000;
	{
		uint64_t need = FK_MAX_NODE_LAG + fk_cfg.finalized_lag + 2;
		uint64_t cap = 1024;

		while (cap < need)
			cap *= 2;
		ch.cum_tx = fk_xcalloc(cap, sizeof(uint64_t));
		ch.cum_mask = cap - 1;
	}
	if (fk_cfg.faults.nodes < 1)
		fk_cfg.faults.nodes = 1;
	lags_apply(NULL, &fk_cfg.faults);
}

void
fk_chain_free(void)
{
	size_t i;

	for (i = 0; i < ch.nrecs; i++)
	{
		free(ch.recs[i]->wire);
		free(ch.recs[i]->name);
		free(ch.recs[i]->symbol);
		free(ch.recs[i]->uri);
		free(ch.recs[i]);
	}
	free(ch.recs);
	free(ch.sigtab);
	free(ch.pending);
	free(ch.ledger);
	for (i = 0; i < ch.ntrees; i++)
	{
		free(ch.trees[i].hist_h);
		free(ch.trees[i].hist_n);
	}
	free(ch.trees);
	free(ch.cum_tx);
	fk_strmap_free(&ch.uri_counts);
	memset(&ch, 0, sizeof(ch));
}

bool
fk_roll(double p)
{
	bool hit;

	if (p <= 0)
		return false;
	pthread_mutex_lock(&fk_lock);
	hit = fk_rng_double(&ch.req_rng) < p;
	pthread_mutex_unlock(&fk_lock);
	return hit;
}

/* ---- Bubblegum emulation (no lock needed) ---- */

typedef struct Prepared
{
	SolTxView v;
	int bgum_ix;
	bool to_collection;
	bool sig_ok;
	FkTxErr perr;
	uint64_t cu_price;
	SolMetadata md;
	uint8_t tree[32];
	uint8_t tree_config[32];
	uint8_t owner[32];
	uint8_t delegate[32];
	uint8_t payer[32];
	uint8_t tree_delegate[32];
	uint8_t data_hash[32];
	uint8_t creator_hash[32];
	char reject[200]; /* non-empty: transaction kind the fake does not run */
} Prepared;

static void
set_perr(Prepared *p, int kind, int ix, int code)
{
	if (p->perr.kind == E_NONE)
	{
		p->perr.kind = kind;
		p->perr.ix = ix;
		p->perr.code = code;
	}
}

static const uint8_t *
ix_key(const Prepared *p, const SolIxView *ix, size_t k, size_t *keyidx)
{
	size_t i = ix->accounts[k];

	if (keyidx)
		*keyidx = i;
	return p->v.keys + 32 * i;
}

static bool
is_signer_key(const Prepared *p, const uint8_t key[32])
{
	size_t i;

	for (i = 0; i < p->v.num_required_signatures; i++)
		if (memcmp(p->v.keys + 32 * i, key, 32) == 0)
			return true;
	return false;
}

/* Per-thread one-entry caches: a PDA search costs several curve checks. */
static int
tree_config_cached(const uint8_t tree[32], uint8_t out[32])
{
	static __thread uint8_t c_tree[32];
	static __thread uint8_t c_pda[32];
	static __thread bool c_valid;

	if (!c_valid || memcmp(c_tree, tree, 32) != 0)
	{
		if (sol_tree_config_pda(tree, c_pda, NULL) != 0)
			return -1;
		memcpy(c_tree, tree, 32);
		c_valid = true;
	}
	memcpy(out, c_pda, 32);
	return 0;
}

static bool
on_curve_cached(const uint8_t key[32])
{
	static __thread uint8_t c_key[32];
	static __thread bool c_val;
	static __thread bool c_valid;

	if (!c_valid || memcmp(c_key, key, 32) != 0)
	{
		c_val = sol_is_on_curve(key);
		memcpy(c_key, key, 32);
		c_valid = true;
	}
	return c_val;
}

static void
emulate_bubblegum(Prepared *p)
{
	const SolIxView *ix = &p->v.ixs[p->bgum_ix];
	int bi = p->bgum_ix;
	SolError err;
	int n;
	size_t need;
	size_t k;
	size_t ki;
	unsigned share_sum = 0;
	size_t i;
	size_t j;
	static const int mint_v1_signers[] = {4, 5};
	static const int mtc_signers[] = {4, 5, 6};

	if (ix->data_len < 8)
	{
		set_perr(p, E_CUSTOM, bi, 100);
		return;
	}
	if (memcmp(ix->data, sol_mint_v1_discriminator, 8) == 0)
		p->to_collection = false;
	else if (memcmp(ix->data, sol_mint_to_collection_v1_discriminator, 8) == 0)
		p->to_collection = true;
	else
	{
		set_perr(p, E_CUSTOM, bi, 101);
		return;
	}
	memset(&err, 0, sizeof(err));
	n = sol_metadata_borsh_decode(ix->data + 8, ix->data_len - 8, &p->md, &err);
	if (n < 0)
	{
		/* the program Borsh-decodes long strings and rejects them in its asserts */
		if (err.code == SOL_ERR_TOO_LONG && strcmp(err.field, "name") == 0)
			set_perr(p, E_CUSTOM, bi, 6012);
		else if (err.code == SOL_ERR_TOO_LONG && strcmp(err.field, "symbol") == 0)
			set_perr(p, E_CUSTOM, bi, 6013);
		else if (err.code == SOL_ERR_TOO_LONG && strcmp(err.field, "uri") == 0)
			set_perr(p, E_CUSTOM, bi, 6014);
		else if (strstr(err.message, "more than") != NULL)
			set_perr(p, E_CUSTOM, bi, 6011);
		else
			set_perr(p, E_CUSTOM, bi, 102);
		return;
	}
	if ((size_t)n != ix->data_len - 8)
	{
		/* stricter than Anchor (which ignores trailing bytes): a client bug */
		set_perr(p, E_CUSTOM, bi, 102);
		return;
	}
	need = p->to_collection ? 16 : 9;
	if (ix->num_accounts < need)
	{
		set_perr(p, E_CUSTOM, bi, 3005);
		return;
	}
	memcpy(p->tree, ix_key(p, ix, 3, NULL), 32);
	memcpy(p->owner, ix_key(p, ix, 1, NULL), 32);
	memcpy(p->delegate, ix_key(p, ix, 2, NULL), 32);
	memcpy(p->payer, ix_key(p, ix, 4, NULL), 32);
	memcpy(p->tree_delegate, ix_key(p, ix, 5, NULL), 32);
	/* pass 1: account types (Signer, Program), in declaration order */
	{
		const int *sg = p->to_collection ? mtc_signers : mint_v1_signers;
		size_t nsg = p->to_collection ? 3 : 2;
		int noop_i = p->to_collection ? 12 : 6;
		int cmt_i = p->to_collection ? 13 : 7;
		int sys_i = p->to_collection ? 15 : 8;

		for (k = 0; k < nsg; k++)
		{
			ix_key(p, ix, (size_t)sg[k], &ki);
			if (!sol_tx_key_is_signer(&p->v, ki))
			{
				set_perr(p, E_CUSTOM, bi, 3010);
				return;
			}
		}
		if (memcmp(ix_key(p, ix, (size_t)noop_i, NULL), sol_noop_program_id, 32) != 0 ||
		    memcmp(ix_key(p, ix, (size_t)cmt_i, NULL), sol_account_compression_program_id, 32) !=
		        0 ||
		    memcmp(ix_key(p, ix, (size_t)sys_i, NULL), sol_system_program_id, 32) != 0)
		{
			set_perr(p, E_CUSTOM, bi, 3008);
			return;
		}
	}
	/* pass 2: constraints (mut, seeds) */
	ix_key(p, ix, 0, &ki);
	if (!sol_tx_key_is_writable(&p->v, ki))
	{
		set_perr(p, E_CUSTOM, bi, 2000);
		return;
	}
	if (tree_config_cached(p->tree, p->tree_config) != 0 ||
	    memcmp(p->tree_config, ix_key(p, ix, 0, NULL), 32) != 0)
	{
		set_perr(p, E_CUSTOM, bi, 2006);
		return;
	}
	ix_key(p, ix, 3, &ki);
	if (!sol_tx_key_is_writable(&p->v, ki))
	{
		set_perr(p, E_CUSTOM, bi, 2000);
		return;
	}
	if (p->to_collection)
	{
		uint8_t cmd[32];
		uint8_t ced[32];
		const uint8_t *mint = ix_key(p, ix, 8, NULL);

		ix_key(p, ix, 9, &ki);
		if (!sol_tx_key_is_writable(&p->v, ki))
		{
			set_perr(p, E_CUSTOM, bi, 2000);
			return;
		}
		if (sol_collection_metadata_pda(mint, cmd, NULL) != 0 ||
		    sol_collection_master_edition_pda(mint, ced, NULL) != 0 ||
		    memcmp(cmd, ix_key(p, ix, 9, NULL), 32) != 0 ||
		    memcmp(ced, ix_key(p, ix, 10, NULL), 32) != 0)
		{
			set_perr(p, E_CUSTOM, bi, 2006);
			return;
		}
		if (!p->md.has_collection || memcmp(p->md.collection_key, mint, 32) != 0)
		{
			set_perr(p, E_CUSTOM, bi, 6021);
			return;
		}
		p->md.collection_verified = true; /* the program verifies before hashing */
	}
	else if (p->md.has_collection && p->md.collection_verified)
	{
		set_perr(p, E_CUSTOM, bi, 6020);
		return;
	}
	/* asserts.rs assert_metadata_is_mpl_compatible, then the token standard */
	if (p->md.seller_fee_basis_points > SOL_MAX_BASIS_POINTS)
	{
		set_perr(p, E_CUSTOM, bi, 6015);
		return;
	}
	for (i = 0; i < p->md.num_creators; i++)
	{
		share_sum += p->md.creators[i].share;
		for (j = 0; j < i; j++)
			if (memcmp(p->md.creators[i].address, p->md.creators[j].address, 32) == 0)
			{
				set_perr(p, E_CUSTOM, bi, 6005);
				return;
			}
	}
	if (p->md.num_creators > 0 && share_sum != 100)
	{
		set_perr(p, E_CUSTOM, bi, 6004);
		return;
	}
	if (!p->md.has_token_standard || p->md.token_standard != 0)
	{
		set_perr(p, E_CUSTOM, bi, 6040);
		return;
	}
	/* verified creators must sign: payer, tree delegate or a signer remaining account */
	for (i = 0; i < p->md.num_creators; i++)
	{
		const uint8_t *a = p->md.creators[i].address;
		bool ok = false;

		if (!p->md.creators[i].verified)
			continue;
		if (memcmp(a, p->payer, 32) == 0 || memcmp(a, p->tree_delegate, 32) == 0)
			ok = true;
		for (k = need; k < ix->num_accounts && !ok; k++)
			if (memcmp(ix_key(p, ix, k, &ki), a, 32) == 0 && sol_tx_key_is_signer(&p->v, ki))
				ok = true;
		if (!ok || !is_signer_key(p, a))
		{
			set_perr(p, E_CUSTOM, bi, 6006);
			return;
		}
	}
	sol_metadata_data_hash(&p->md, p->data_hash);
	sol_metadata_creator_hash(&p->md, p->creator_hash);
}

/*
 * Decode, sanitize and emulate.  Returns 0, or -1 with *msg set to the
 * -32602 message (sanitize / deserialize / unsupported).
 */
static int
prepare_tx(const uint8_t *wire, size_t len, Prepared *p, char *msg, size_t msgcap)
{
	SolError err;
	size_t i;
	int seen_cb[5] = {0};

	memset(p, 0, sizeof(*p));
	memset(&err, 0, sizeof(err));
	p->bgum_ix = -1;
	if (sol_tx_decode(wire, len, &p->v, &err) != 0)
	{
		if (strstr(err.message, "duplicate account key"))
			snprintf(msg, msgcap, "invalid transaction: Account loaded twice");
		else if (strstr(err.message, "truncated") || strstr(err.message, "trailing") ||
		         strstr(err.message, "signature count") || strstr(err.message, "versioned") ||
		         strstr(err.message, "too many instructions"))
			snprintf(msg, msgcap, "failed to deserialize %s: io error: %s", TX_TYPE_NAME,
			         err.message);
		else
			snprintf(msg, msgcap,
			         "invalid transaction: Transaction failed to sanitize accounts offsets "
			         "correctly");
		return -1;
	}
	p->sig_ok = sol_tx_verify(&p->v);
	for (i = 0; i < p->v.num_instructions; i++)
	{
		const SolIxView *ix = &p->v.ixs[i];
		const uint8_t *prog = p->v.keys + 32 * ix->program_id_index;

		if (memcmp(prog, sol_compute_budget_program_id, 32) == 0)
		{
			size_t want;
			int t = ix->data_len > 0 ? ix->data[0] : -1;

			if (p->bgum_ix >= 0)
			{
				snprintf(msg, msgcap,
				         "invalid transaction: solana-fake: compute-budget instructions must "
				         "precede the Bubblegum instruction");
				return -1;
			}
			want = (t == 3) ? 9 : 5;
			if (t < 1 || t > 4 || ix->data_len != want)
				set_perr(p, E_IX_INVALID_DATA, (int)i, 0);
			else if (seen_cb[t]++)
				set_perr(p, E_DUPLICATE_IX, (int)i, 0);
			else if (t == 3)
			{
				int b;

				for (b = 8; b >= 1; b--)
					p->cu_price = (p->cu_price << 8) | ix->data[b];
			}
		}
		else if (memcmp(prog, sol_bubblegum_program_id, 32) == 0)
		{
			if (p->bgum_ix >= 0)
			{
				snprintf(msg, msgcap,
				         "invalid transaction: solana-fake: one Bubblegum instruction per "
				         "transaction");
				return -1;
			}
			p->bgum_ix = (int)i;
		}
		else
		{
			char b58[SOL_PUBKEY_B58_MAX];

			sol_pubkey_to_b58(prog, b58);
			snprintf(msg, msgcap,
			         "invalid transaction: solana-fake runs only ComputeBudget + Bubblegum "
			         "mint_v1/mint_to_collection_v1 transactions (instruction %zu calls %s)",
			         i, b58);
			return -1;
		}
	}
	if (p->bgum_ix < 0)
	{
		snprintf(msg, msgcap, "invalid transaction: solana-fake: no Bubblegum mint instruction");
		return -1;
	}
	/* fee payer may not be a program or a PDA the mint writes */
	if (memcmp(p->v.keys, sol_bubblegum_program_id, 32) == 0 ||
	    memcmp(p->v.keys, sol_system_program_id, 32) == 0 ||
	    memcmp(p->v.keys, sol_noop_program_id, 32) == 0 ||
	    memcmp(p->v.keys, sol_account_compression_program_id, 32) == 0 ||
	    !on_curve_cached(p->v.keys))
		set_perr(p, E_INVALID_ACCOUNT_FOR_FEE, 0, 0);
	if (p->perr.kind == E_NONE)
		emulate_bubblegum(p);
	else
	{
		/* still fill the keys for the ledger when possible */
		const SolIxView *ix = &p->v.ixs[p->bgum_ix];

		if (ix->num_accounts >= 6)
		{
			memcpy(p->tree, ix_key(p, ix, 3, NULL), 32);
			memcpy(p->owner, ix_key(p, ix, 1, NULL), 32);
			memcpy(p->delegate, ix_key(p, ix, 2, NULL), 32);
			memcpy(p->payer, ix_key(p, ix, 4, NULL), 32);
			memcpy(p->tree_delegate, ix_key(p, ix, 5, NULL), 32);
		}
	}
	return 0;
}

/* ---- landing ---- */

static void
b58key(const uint8_t k[32], char out[SOL_PUBKEY_B58_MAX])
{
	sol_pubkey_to_b58(k, out);
}

static json_t *
jkey(const uint8_t k[32])
{
	char b[SOL_PUBKEY_B58_MAX];

	sol_pubkey_to_b58(k, b);
	return json_string(b);
}

static json_t *
jsig(const uint8_t s[64])
{
	char b[SOL_SIGNATURE_B58_MAX];

	sol_signature_to_b58(s, b);
	return json_string(b);
}

static void
land(TxRec *r)
{
	FkTree *t;

	r->height = ch.tip;
	r->slot = slot_of(ch.tip);
	r->block_time = (int64_t)time(NULL);
	r->state = TX_LANDED;
	memset(&r->err, 0, sizeof(r->err));
	if (r->perr.kind != E_NONE)
		r->err = r->perr;
	else
	{
		t = tree_get(r->tree, r->tree_config, true);
		if (fk_cfg.faults.tree_capacity > 0 && t->num_minted >= fk_cfg.faults.tree_capacity)
		{
			r->err.kind = E_CUSTOM;
			r->err.ix = r->bgum_ix;
			r->err.code = 6017;
			fk_stat_chain(C_TREE_FULL);
		}
		else if (fk_cfg.faults.p_tx_error > 0 &&
		         fk_rng_double(&ch.chain_rng) < fk_cfg.faults.p_tx_error)
		{
			r->err.kind = E_CUSTOM;
			r->err.ix = r->bgum_ix;
			r->err.code = fk_cfg.faults.tx_error_code;
			fk_stat_chain(C_TX_ERROR_INJECTED);
		}
		else
		{
			uint64_t *cnt;

			if (t->num_minted == 0 && !t->created)
				memcpy(t->creator, r->tree_delegate, 32);
			r->nonce = t->num_minted++;
			tree_hist_note(t);
			sol_asset_id_pda(r->tree, r->nonce, r->asset, NULL);
			cnt = fk_strmap_get(&ch.uri_counts, r->uri, strlen(r->uri), true);
			(*cnt)++;
			if (*cnt == 2)
				ch.uris_with_dups++;
			if (*cnt >= 2)
				ch.extra_mints++;
		}
	}
	if (r->err.kind == E_NONE)
	{
		ch.landed_ok++;
		fk_stat_chain(C_LANDED_OK);
	}
	else
	{
		ch.landed_err++;
		fk_stat_chain(C_LANDED_ERR);
	}
	if (ch.nledger == ch.capledger)
	{
		ch.capledger = ch.capledger ? ch.capledger * 2 : 1024;
		ch.ledger = fk_xrealloc(ch.ledger, ch.capledger * sizeof(uint32_t));
	}
}

static void
webhook_for(const TxRec *r)
{
	json_t *body;
	char sigb58[SOL_SIGNATURE_B58_MAX];
	char msg_id[SOL_SIGNATURE_B58_MAX + 8];
	char *s;
	bool ok = r->err.kind == E_NONE;

	sol_signature_to_b58(r->sig, sigb58);
	if (fk_cfg.webhook_helius)
	{
		json_t *compressed = json_array();
		json_t *el;

		if (ok)
		{
			json_t *md = json_pack("{s:s,s:s,s:s,s:i,s:b,s:b,s:s,s:s}", "name", r->name, "symbol",
			                       r->symbol, "uri", r->uri, "sellerFeeBasisPoints", 0,
			                       "primarySaleHappened", 0, "isMutable", 1, "tokenStandard",
			                       "NonFungible", "tokenProgramVersion", "Original");

			json_array_append_new(
			    compressed,
			    json_pack("{s:s,s:o,s:o,s:I,s:I,s:i,s:n,s:o,s:n,s:o,s:n,s:o,s:o}", "type",
			              "COMPRESSED_NFT_MINT", "treeId", jkey(r->tree), "assetId", jkey(r->asset),
			              "leafIndex", (json_int_t)r->nonce, "seq", (json_int_t)r->nonce + 1,
			              "instructionIndex", (int)r->bgum_ix, "innerInstructionIndex",
			              "newLeafOwner", jkey(r->owner), "oldLeafOwner", "newLeafDelegate",
			              jkey(r->delegate), "oldLeafDelegate", "treeDelegate",
			              jkey(r->tree_delegate), "metadata", md));
		}
		el = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:i,s:o,s:o,s:[],s:[],s:[],s:[],s:{s:o}}",
		               "description", ok ? "solana-fake minted a compressed NFT" : "", "type",
		               "COMPRESSED_NFT_MINT", "source", "BUBBLEGUM", "signature", sigb58, "slot",
		               (json_int_t)r->slot, "timestamp", (json_int_t)r->block_time, "fee", FK_FEE,
		               "feePayer", jkey(r->payer), "transactionError",
		               ok ? json_null() : err_json(&r->err), "nativeTransfers", "tokenTransfers",
		               "accountData", "instructions", "events", "compressed", compressed);
		body = json_array();
		json_array_append_new(body, el);
		msg_id[0] = '\0';
	}
	else
	{
		char ts[40];
		struct tm tm;
		time_t bt = (time_t)r->block_time;

		gmtime_r(&bt, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		body = json_pack(
		    "{s:s,s:s,s:{s:s,s:s,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:s,s:s,s:o}}", "type",
		    ok ? "mint.confirmed" : "mint.failed", "timestamp", ts, "data", "signature", sigb58,
		    "status", ok ? "confirmed" : "failed", "slot", (json_int_t)r->slot, "block_height",
		    (json_int_t)r->height, "block_time", (json_int_t)r->block_time, "tree", jkey(r->tree),
		    "leaf_nonce", ok ? json_integer((json_int_t)r->nonce) : json_null(), "asset_id",
		    ok ? jkey(r->asset) : json_null(), "owner", jkey(r->owner), "delegate",
		    jkey(r->delegate), "payer", jkey(r->payer), "tree_delegate", jkey(r->tree_delegate),
		    "name", r->name, "symbol", r->symbol, "uri", r->uri, "error",
		    ok ? json_null() : err_json(&r->err));
		snprintf(msg_id, sizeof(msg_id), "msg_%s", sigb58);
	}
	if (body == NULL)
		return;
	s = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (s)
	{
		fk_webhook_emit(s, strlen(s), msg_id);
		free(s);
	}
}

void
fk_chain_tick(void)
{
	TxRec **landed = NULL;
	size_t nl = 0;
	size_t kept = 0;
	size_t i;

	pthread_mutex_lock(&fk_lock);
	ch.tip++;
	fk_stat_chain(C_BLOCKS);
	if (ch.npending > 0)
		landed = fk_xmalloc(ch.npending * sizeof(TxRec *));
	for (i = 0; i < ch.npending; i++)
	{
		TxRec *r = ch.recs[ch.pending[i]];

		if (r->state != TX_PENDING)
			continue;
		if (ch.tip > r->bh_height + fk_cfg.blockhash_window)
		{
			r->state = TX_DROPPED;
			fk_stat_chain(r->cu_price < fk_cfg.faults.min_priority_fee ? C_PRICED_OUT
			                                                           : C_EXPIRED_IN_QUEUE);
			continue;
		}
		if (r->cu_price < fk_cfg.faults.min_priority_fee)
		{
			/* outbid: the leader fills its blocks with better-paying transactions */
			ch.pending[kept++] = ch.pending[i];
			continue;
		}
		if (fk_cfg.faults.tree_block_limit > 0)
		{
			/* every mint write-locks its tree, and a block gives one account only so
			 * many compute units: the rest wait for a later block */
			FkTree *t = tree_get(r->tree, r->tree_config, true);

			if (t->block_h != ch.tip)
			{
				t->block_h = ch.tip;
				t->block_n = 0;
			}
			if (t->block_n >= fk_cfg.faults.tree_block_limit)
			{
				fk_stat_chain(C_TREE_BLOCK_FULL);
				ch.pending[kept++] = ch.pending[i];
				continue;
			}
			t->block_n++;
		}
		land(r);
		ch.ledger[ch.nledger++] = ch.pending[i];
		landed[nl++] = r;
	}
	ch.npending = kept;
	ch.cum_tx[ch.tip & ch.cum_mask] = ch.landed_ok + ch.landed_err;
	lags_tick();
	pthread_mutex_unlock(&fk_lock);
	if (fk_cfg.webhook_log)
		for (i = 0; i < nl; i++)
			webhook_for(landed[i]);
	free(landed);
}

/* ---- JSON-RPC ---- */

typedef struct Call
{
	json_t *id;
	json_t *params; /* array or NULL */
	bool *drop;
	int outcome;
	int node; /* the node of the pool that answers */
} Call;

static json_t *
ctx_json(uint64_t slot)
{
	return json_pack("{s:s,s:I}", "apiVersion", FK_API_VERSION, "slot", (json_int_t)slot);
}

static json_t *
ok_resp(Call *c, json_t *result)
{
	return json_pack("{s:s,s:o,s:O}", "jsonrpc", "2.0", "result", result, "id", c->id);
}

static json_t *
err_resp(Call *c, int outcome, int code, const char *msg, json_t *data)
{
	json_t *e = json_pack("{s:i,s:s}", "code", code, "message", msg);

	if (data)
		json_object_set_new(e, "data", data);
	c->outcome = outcome;
	return json_pack("{s:s,s:o,s:O}", "jsonrpc", "2.0", "error", e, "id", c->id);
}

static json_t *
invalid_params(Call *c, const char *msg)
{
	return err_resp(c, O_INVALID_PARAMS, -32602, msg, NULL);
}

static json_t *
param(Call *c, size_t i)
{
	return c->params ? json_array_get(c->params, i) : NULL;
}

/* Config object at params[i]: NULL if absent/null; sets *bad if not an object. */
static json_t *
config_at(Call *c, size_t i, bool *bad)
{
	json_t *o = param(c, i);

	*bad = false;
	if (o == NULL || json_is_null(o))
		return NULL;
	if (!json_is_object(o))
	{
		*bad = true;
		return NULL;
	}
	return o;
}

/* 0 processed, 1 confirmed, 2 finalized; -1 bad */
static int
commitment_of(json_t *cfg, const char *key, int dflt)
{
	json_t *v = cfg ? json_object_get(cfg, key) : NULL;
	const char *s;

	if (v == NULL || json_is_null(v))
		return dflt;
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	if (strcmp(s, "processed") == 0 || strcmp(s, "recent") == 0)
		return 0;
	if (strcmp(s, "confirmed") == 0 || strcmp(s, "single") == 0 || strcmp(s, "singleGossip") == 0)
		return 1;
	if (strcmp(s, "finalized") == 0 || strcmp(s, "max") == 0 || strcmp(s, "root") == 0)
		return 2;
	return -1;
}

static const char bad_commitment_msg[] =
    "Invalid params: unknown variant, expected one of `processed`, `confirmed`, `finalized`.";

/* minContextSlot of a config object: *has set when present; an error response if it is not a u64.
 */
static json_t *
read_min_context(Call *c, json_t *cfg, bool *has, uint64_t *mcs)
{
	json_t *v = cfg ? json_object_get(cfg, "minContextSlot") : NULL;

	*has = false;
	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return invalid_params(c, "Invalid params: invalid type: expected u64.");
	*has = true;
	*mcs = (uint64_t)json_integer_value(v);
	return NULL;
}

/* agave's MinContextSlotNotReached: the bank the request would use is older. */
static json_t *
min_context_error(Call *c, uint64_t context_slot)
{
	fk_stat_node(c->node, N_MIN_CONTEXT_SLOT);
	return err_resp(c, O_MIN_CONTEXT_SLOT, -32016, "Minimum context slot has not been reached",
	                json_pack("{s:I}", "contextSlot", (json_int_t)context_slot));
}

/* common config: commitment + minContextSlot, on the answering node's view.
 * Returns an error response or NULL. */
static json_t *
read_commitment(Call *c, json_t *cfg, bool bad, int *commitment, uint64_t *ctx_height)
{
	bool has_mcs;
	uint64_t mcs = 0;
	json_t *e;

	if (bad)
		return invalid_params(c, "Invalid params: invalid type: expected a config object.");
	*commitment = commitment_of(cfg, "commitment", 2);
	if (*commitment < 0)
		return invalid_params(c, bad_commitment_msg);
	pthread_mutex_lock(&fk_lock);
	*ctx_height = view_height(c->node, *commitment);
	pthread_mutex_unlock(&fk_lock);
	e = read_min_context(c, cfg, &has_mcs, &mcs);
	if (e)
		return e;
	if (has_mcs && mcs > slot_of(*ctx_height))
		return min_context_error(c, slot_of(*ctx_height));
	return NULL;
}

static json_t *
m_height_or_slot(Call *c, bool slot)
{
	bool bad;
	json_t *cfg = config_at(c, 0, &bad);
	int cm;
	uint64_t h;
	json_t *e = read_commitment(c, cfg, bad, &cm, &h);

	if (e)
		return e;
	return ok_resp(c, json_integer((json_int_t)(slot ? slot_of(h) : h)));
}

static json_t *
m_latest_blockhash(Call *c)
{
	bool bad;
	json_t *cfg = config_at(c, 0, &bad);
	int cm;
	uint64_t h;
	uint8_t bh[32];
	char b58[SOL_PUBKEY_B58_MAX];
	json_t *e = read_commitment(c, cfg, bad, &cm, &h);

	if (e)
		return e;
	blockhash_of(h, bh);
	b58key(bh, b58);
	return ok_resp(c, json_pack("{s:o,s:{s:s,s:I}}", "context", ctx_json(slot_of(h)), "value",
	                            "blockhash", b58, "lastValidBlockHeight",
	                            (json_int_t)(h + fk_cfg.blockhash_window)));
}

/* getEpochInfo: agave's EpochInfo (no warm-up epochs: 432,000 slots each); keys sorted as
 * agave's serde_json map writes them. */
static json_t *
m_epoch_info(Call *c)
{
	bool bad;
	json_t *cfg = config_at(c, 0, &bad);
	int cm;
	uint64_t h;
	uint64_t txc;
	uint64_t slot;
	json_t *e = read_commitment(c, cfg, bad, &cm, &h);

	if (e)
		return e;
	pthread_mutex_lock(&fk_lock);
	txc = tx_count_at(h);
	pthread_mutex_unlock(&fk_lock);
	slot = slot_of(h);
	return ok_resp(c, json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "absoluteSlot", (json_int_t)slot,
	                            "blockHeight", (json_int_t)h, "epoch",
	                            (json_int_t)(slot / SLOTS_PER_EPOCH), "slotIndex",
	                            (json_int_t)(slot % SLOTS_PER_EPOCH), "slotsInEpoch",
	                            (json_int_t)SLOTS_PER_EPOCH, "transactionCount", (json_int_t)txc));
}

/*
 * getRecentPrioritizationFees [[address, ...]] (at most 128): one entry per
 * block of the node's last 150, the fee that landed a transaction there.  The
 * fake's fee market is a fixed pattern around min_priority_fee m: block h
 * reports m * (h mod 10) / 5, i.e. 0, 0.2 m, ... 1.8 m (every value 15 times
 * in 150 blocks), the same for every account list.
 */
static json_t *
m_recent_prioritization_fees(Call *c)
{
	json_t *list = param(c, 0);
	json_t *out;
	size_t i;
	uint64_t tip;
	uint64_t h;
	uint64_t from;
	uint64_t m;

	if (list != NULL && !json_is_null(list))
	{
		if (!json_is_array(list))
			return invalid_params(c, "Invalid params: invalid type: expected a sequence.");
		if (json_array_size(list) > 128)
			return invalid_params(c, "Too many inputs provided; max 128");
		for (i = 0; i < json_array_size(list); i++)
		{
			json_t *a = json_array_get(list, i);
			uint8_t k[32];

			if (!json_is_string(a) || !sol_pubkey_from_b58(json_string_value(a), k))
				return invalid_params(c, "Invalid param: Invalid");
		}
	}
	pthread_mutex_lock(&fk_lock);
	tip = node_tip(c->node);
	m = fk_cfg.faults.min_priority_fee;
	pthread_mutex_unlock(&fk_lock);
	from = tip > 149 ? tip - 149 : 1;
	out = json_array();
	for (h = from; h <= tip; h++)
		json_array_append_new(out, json_pack("{s:I,s:I}", "slot", (json_int_t)slot_of(h),
		                                     "prioritizationFee", (json_int_t)(m * (h % 10) / 5)));
	return ok_resp(c, out);
}

static json_t *
m_genesis_hash(Call *c)
{
	char b58[SOL_PUBKEY_B58_MAX];

	b58key(ch.genesis, b58); /* set once at start */
	return ok_resp(c, json_string(b58));
}

/* isBlockhashValid [blockhash, {commitment, minContextSlot}] on the node's bank */
static json_t *
m_is_blockhash_valid(Call *c)
{
	json_t *bv = param(c, 0);
	bool bad;
	json_t *cfg = config_at(c, 1, &bad);
	uint8_t raw[64];
	int n;
	int cm;
	uint64_t hv;
	uint64_t h;
	json_t *e;

	if (!json_is_string(bv))
		return invalid_params(c, "Invalid params: invalid type: expected a string.");
	/* agave: Hash::from_str, errors as format!("{e:?}") */
	if (json_string_length(bv) > 44)
		return invalid_params(c, "WrongSize");
	n = sol_b58_decode(json_string_value(bv), json_string_length(bv), raw, sizeof(raw));
	if (n < 0)
		return invalid_params(c, "Invalid");
	if (n != 32)
		return invalid_params(c, "WrongSize");
	e = read_commitment(c, cfg, bad, &cm, &hv);
	if (e)
		return e;
	h = blockhash_height(raw);
	return ok_resp(c, json_pack("{s:o,s:b}", "context", ctx_json(slot_of(hv)), "value",
	                            h != 0 && h <= hv && hv - h <= fk_cfg.blockhash_window));
}

static json_t *
preflight_failure(Call *c, int outcome, const FkTxErr *e)
{
	char disp[200];
	char msg[260];
	json_t *logs = json_array();

	err_display(e, disp, sizeof(disp));
	snprintf(msg, sizeof(msg), "Transaction simulation failed: %s", disp);
	if (e->kind == E_CUSTOM)
	{
		char line[300];

		json_array_append_new(
		    logs, json_string("Program BGUMAp9Gq7iTEuizy4pqaxsTyUCBK68MDfK752saRPUY invoke [1]"));
		snprintf(line, sizeof(line),
		         "Program log: AnchorError occurred. Error Code: %s. Error Number: %d. "
		         "Error Message: solana-fake.",
		         custom_error_name(e->code), e->code);
		json_array_append_new(logs, json_string(line));
		snprintf(line, sizeof(line),
		         "Program BGUMAp9Gq7iTEuizy4pqaxsTyUCBK68MDfK752saRPUY failed: custom program "
		         "error: 0x%x",
		         (unsigned)e->code);
		json_array_append_new(logs, json_string(line));
	}
	return err_resp(c, outcome, -32002, msg,
	                json_pack("{s:o,s:o,s:n,s:i,s:n,s:n,s:n,s:i}", "err", err_json(e), "logs", logs,
	                          "accounts", "unitsConsumed", 0, "returnData", "innerInstructions",
	                          "replacementBlockhash", "loadedAccountsDataSize", 0));
}

static TxRec *
new_record(const uint8_t *wire, size_t len, const Prepared *p)
{
	TxRec *r = fk_xcalloc(1, sizeof(TxRec));

	memcpy(r->sig, p->v.signatures, 64);
	r->wire = fk_xmalloc(len);
	memcpy(r->wire, wire, len);
	r->wire_len = (uint16_t)len;
	r->bgum_ix = (uint8_t)p->bgum_ix;
	r->to_collection = p->to_collection;
	r->perr = p->perr;
	r->cu_price = p->cu_price;
	memcpy(r->tree, p->tree, 32);
	memcpy(r->tree_config, p->tree_config, 32);
	memcpy(r->owner, p->owner, 32);
	memcpy(r->delegate, p->delegate, 32);
	memcpy(r->payer, p->payer, 32);
	memcpy(r->tree_delegate, p->tree_delegate, 32);
	memcpy(r->data_hash, p->data_hash, 32);
	memcpy(r->creator_hash, p->creator_hash, 32);
	r->name = fk_xstrndup(p->md.name, p->md.name_len);
	r->symbol = fk_xstrndup(p->md.symbol, p->md.symbol_len);
	r->uri = fk_xstrndup(p->md.uri, p->md.uri_len);
	return r;
}

static json_t *
m_send_transaction(Call *c)
{
	json_t *txv = param(c, 0);
	bool bad;
	json_t *cfg = config_at(c, 1, &bad);
	const char *enc = "base58";
	bool skip = false;
	int pc;
	const char *s;
	size_t slen;
	uint8_t wire[4096];
	int n;
	char msg[400];
	Prepared *p;
	json_t *resp = NULL;
	TxRec *rec;
	char sigb58[SOL_SIGNATURE_B58_MAX];
	bool has_mcs = false;
	uint64_t mcs = 0;
	int prep_rc;

	if (!json_is_string(txv))
		return invalid_params(c, "Invalid params: invalid type: expected a string.");
	if (bad)
		return invalid_params(c, "Invalid params: invalid type: expected a config object.");
	if (cfg)
	{
		json_t *v = json_object_get(cfg, "encoding");

		if (v && !json_is_null(v))
		{
			if (!json_is_string(v))
				return invalid_params(c, "Invalid params: invalid type: expected encoding string.");
			enc = json_string_value(v);
		}
		v = json_object_get(cfg, "skipPreflight");
		if (v && !json_is_null(v))
		{
			if (!json_is_boolean(v))
				return invalid_params(c, "Invalid params: invalid type: expected a boolean.");
			skip = json_is_true(v);
		}
		v = json_object_get(cfg, "maxRetries");
		if (v && !json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 0))
			return invalid_params(c, "Invalid params: invalid type: expected usize.");
		resp = read_min_context(c, cfg, &has_mcs, &mcs);
		if (resp)
			return resp;
	}
	pc = commitment_of(cfg, "preflightCommitment", 2);
	if (pc < 0)
		return invalid_params(c, bad_commitment_msg);
	s = json_string_value(txv);
	slen = json_string_length(txv);
	if (strcmp(enc, "base58") == 0)
	{
		if (slen > MAX_B58_TX)
		{
			snprintf(msg, sizeof(msg),
			         "base58 encoded %s too large: %zu bytes (max: encoded/raw %d/%d)",
			         TX_TYPE_NAME, slen, MAX_B58_TX, SOL_PACKET_DATA_SIZE);
			return invalid_params(c, msg);
		}
		n = sol_b58_decode(s, slen, wire, sizeof(wire));
		if (n < 0)
			return invalid_params(c, "invalid base58 encoding: InvalidCharacter");
	}
	else if (strcmp(enc, "base64") == 0)
	{
		if (slen > MAX_B64_TX)
		{
			snprintf(msg, sizeof(msg),
			         "base64 encoded %s too large: %zu bytes (max: encoded/raw %d/%d)",
			         TX_TYPE_NAME, slen, MAX_B64_TX, SOL_PACKET_DATA_SIZE);
			return invalid_params(c, msg);
		}
		n = sol_base64_decode(s, slen, wire, sizeof(wire));
		if (n < 0)
			return invalid_params(c, "invalid base64 encoding: InvalidByte");
	}
	else
	{
		snprintf(msg, sizeof(msg),
		         "unsupported encoding: %.40s. Supported encodings: base58, base64", enc);
		return invalid_params(c, msg);
	}
	if (n > SOL_PACKET_DATA_SIZE)
	{
		snprintf(msg, sizeof(msg), "decoded %s too large: %d bytes (max: %d bytes)", TX_TYPE_NAME,
		         n, SOL_PACKET_DATA_SIZE);
		return invalid_params(c, msg);
	}
	p = fk_xmalloc(sizeof(Prepared));
	prep_rc = prepare_tx(wire, (size_t)n, p, msg, sizeof(msg));
	if (prep_rc != 0 && strncmp(msg, "failed to deserialize", 21) == 0)
	{
		resp = invalid_params(c, msg);
		free(p);
		return resp;
	}
	if (has_mcs)
	{
		/* agave: the preflight bank (processed with skipPreflight) is chosen after
		 * deserializing and before sanitizing */
		uint64_t vs;

		pthread_mutex_lock(&fk_lock);
		vs = slot_of(skip ? node_tip(c->node) : view_height(c->node, pc));
		pthread_mutex_unlock(&fk_lock);
		if (mcs > vs)
		{
			free(p);
			return min_context_error(c, vs);
		}
	}
	if (prep_rc != 0)
	{
		resp = err_resp(c, strstr(msg, "solana-fake") ? O_UNSUPPORTED_TX : O_INVALID_PARAMS, -32602,
		                msg, NULL);
		free(p);
		return resp;
	}
	sol_signature_to_b58(p->v.signatures, sigb58);
	if (!skip && !p->sig_ok)
	{
		free(p);
		return err_resp(c, O_SIG_VERIFY_FAILED, -32003,
		                "Transaction signature verification failure", NULL);
	}
	pthread_mutex_lock(&fk_lock);
	rec = sig_lookup(p->v.signatures);
	{
		/* preflight runs on the answering node's bank; with skipPreflight the
		 * transaction is forwarded to the leader (the global tip), which knows
		 * every blockhash it issued */
		uint64_t h = blockhash_height(p->v.blockhash);
		uint64_t hb = skip ? ch.tip : view_height(c->node, pc);
		bool bh_ok = h != 0 && h <= hb && hb - h <= fk_cfg.blockhash_window;
		FkTxErr e = {0};

		if (!skip)
		{
			if (!bh_ok)
			{
				e.kind = E_BLOCKHASH_NOT_FOUND;
				resp = preflight_failure(c, O_BLOCKHASH_NOT_FOUND, &e);
				fk_stat_node(c->node, N_BLOCKHASH_NOT_FOUND);
			}
			else if (rec && rec->state == TX_LANDED && rec->height <= hb)
			{
				/* the preflight bank's status cache has it (a newer landing is not
				 * visible there: simulation passes and the send is a duplicate) */
				e.kind = E_ALREADY_PROCESSED;
				resp = preflight_failure(c, O_ALREADY_PROCESSED, &e);
			}
			else if (p->perr.kind != E_NONE)
				resp = preflight_failure(c, O_SIMULATION_FAILED, &p->perr);
			else
			{
				FkTree *t = tree_get(p->tree, p->tree_config, false);

				if (t && fk_cfg.faults.tree_capacity > 0 &&
				    tree_minted_at(t, node_tip(c->node)) >= fk_cfg.faults.tree_capacity)
				{
					e.kind = E_CUSTOM;
					e.ix = p->bgum_ix;
					e.code = 6017;
					resp = preflight_failure(c, O_SIMULATION_FAILED, &e);
				}
			}
		}
		if (resp == NULL)
		{
			if (rec && rec->state != TX_DROPPED)
				c->outcome = O_DUPLICATE;
			else if (!p->sig_ok)
				c->outcome = O_DROPPED_BAD_SIGNATURE; /* sigverify stage drops it */
			else if (!bh_ok)
				c->outcome = O_DROPPED_BAD_BLOCKHASH; /* never lands */
			else if (fk_cfg.faults.p_never_lands > 0 &&
			         fk_rng_double(&ch.req_rng) < fk_cfg.faults.p_never_lands)
				c->outcome = O_NEVER_LANDS;
			else
			{
				if (rec == NULL)
				{
					rec = new_record(wire, (size_t)n, p);
					if (ch.nrecs == ch.caprecs)
					{
						ch.caprecs = ch.caprecs ? ch.caprecs * 2 : 1024;
						ch.recs = fk_xrealloc(ch.recs, ch.caprecs * sizeof(TxRec *));
					}
					rec->idx = (uint32_t)ch.nrecs;
					ch.recs[ch.nrecs] = rec;
					sigtab_insert((uint32_t)ch.nrecs);
					ch.nrecs++;
				}
				rec->bh_height = h;
				rec->state = TX_PENDING;
				if (ch.npending == ch.cappending)
				{
					ch.cappending = ch.cappending ? ch.cappending * 2 : 1024;
					ch.pending = fk_xrealloc(ch.pending, ch.cappending * sizeof(uint32_t));
				}
				ch.pending[ch.npending++] = rec->idx;
				c->outcome = O_OK;
			}
			if (fk_cfg.faults.p_lost_response > 0 &&
			    fk_rng_double(&ch.req_rng) < fk_cfg.faults.p_lost_response)
			{
				*c->drop = true;
				fk_stat_method(M_SEND_TRANSACTION, O_LOST_RESPONSE);
			}
		}
	}
	pthread_mutex_unlock(&fk_lock);
	free(p);
	if (resp)
		return resp;
	return ok_resp(c, json_string(sigb58));
}

static const char *
status_name(uint64_t height, uint64_t tip)
{
	if (tip >= height + fk_cfg.finalized_lag)
		return "finalized";
	if (tip >= height + 1)
		return "confirmed";
	return "processed";
}

static json_t *
m_signature_statuses(Call *c)
{
	json_t *sigs = param(c, 0);
	bool bad;
	json_t *cfg = config_at(c, 1, &bad);
	bool history = false;
	json_t *vals;
	size_t i;
	uint64_t tip;
	uint8_t(*raw)[64];
	size_t nsig;

	if (!json_is_array(sigs))
		return invalid_params(c, "Invalid params: invalid type: expected a sequence.");
	if (bad)
		return invalid_params(c, "Invalid params: invalid type: expected a config object.");
	if (cfg)
	{
		json_t *v = json_object_get(cfg, "searchTransactionHistory");

		if (v && !json_is_null(v))
		{
			if (!json_is_boolean(v))
				return invalid_params(c, "Invalid params: invalid type: expected a boolean.");
			history = json_is_true(v);
		}
	}
	nsig = json_array_size(sigs);
	if (nsig > 256)
		return invalid_params(c, "Too many inputs provided; max 256");
	raw = fk_xmalloc((nsig ? nsig : 1) * 64);
	for (i = 0; i < nsig; i++)
	{
		json_t *s = json_array_get(sigs, i);

		if (!json_is_string(s) ||
		    sol_b58_decode(json_string_value(s), json_string_length(s), raw[i], 64) != 64)
		{
			free(raw);
			return invalid_params(c, "Invalid param: WrongSize");
		}
	}
	vals = json_array();
	pthread_mutex_lock(&fk_lock);
	tip = node_tip(c->node); /* agave: the processed bank */
	for (i = 0; i < nsig; i++)
	{
		TxRec *r = sig_lookup(raw[i]);
		json_t *st;

		if (r == NULL || r->state != TX_LANDED || r->height > tip /* after this node's view */ ||
		    (!history && tip > r->height + fk_cfg.blockhash_window))
		{
			json_array_append_new(vals, json_null());
			continue;
		}
		st = json_pack("{s:I,s:o,s:o,s:s}", "slot", (json_int_t)r->slot, "confirmations",
		               tip >= r->height + fk_cfg.finalized_lag
		                   ? json_null()
		                   : json_integer((json_int_t)(tip - r->height)),
		               "err", err_json(&r->err), "confirmationStatus", status_name(r->height, tip));
		if (r->err.kind == E_NONE)
			json_object_set_new(st, "status", json_pack("{s:n}", "Ok"));
		else
			json_object_set_new(st, "status", json_pack("{s:o}", "Err", err_json(&r->err)));
		json_array_append_new(vals, st);
	}
	pthread_mutex_unlock(&fk_lock);
	free(raw);
	return ok_resp(c, json_pack("{s:o,s:o}", "context", ctx_json(slot_of(tip)), "value", vals));
}

static void
b58_of(const uint8_t *d, size_t n, char *out, size_t cap)
{
	if (sol_b58_encode(d, n, out, cap) < 0)
		out[0] = '\0';
}

static int
key_index(const SolTxView *v, const uint8_t k[32])
{
	size_t i;

	for (i = 0; i < v->num_keys; i++)
		if (memcmp(v->keys + 32 * i, k, 32) == 0)
			return (int)i;
	return -1;
}

static json_t *
inner_ix(int prog, json_t *accounts, const uint8_t *data, size_t len, int stack)
{
	char b58[1024];

	b58_of(data, len, b58, sizeof(b58));
	return json_pack("{s:i,s:o,s:s,s:i}", "programIdIndex", prog, "accounts", accounts, "data", b58,
	                 "stackHeight", stack);
}

static void logf_append(json_t *logs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
logf_append(json_t *logs, const char *fmt, ...)
{
	char line[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	json_array_append_new(logs, json_string(line));
}

#define BGUM_B58   "BGUMAp9Gq7iTEuizy4pqaxsTyUCBK68MDfK752saRPUY"
#define NOOP_B58   "noopb9bkMVfRPU8AsbpTUg8AQkHtKwMYZiFUjNRtMmV"
#define CMT_B58    "cmtDvXumGCrqC1Age74AVPhSRVXJMd8PJS91L8KbNCK"
#define CB_B58     "ComputeBudget111111111111111111111111111111"
#define TREE_DEPTH 14

/* getTransaction result for a landed record (no lock needed: landed records are immutable). */
static json_t *
tx_result(const TxRec *r, const char *encoding, bool with_version)
{
	SolTxView *v = fk_xmalloc(sizeof(SolTxView));
	json_t *res;
	json_t *meta;
	json_t *logs = json_array();
	json_t *inner = json_array();
	json_t *pre = json_array();
	json_t *post = json_array();
	json_t *txj;
	size_t i;
	size_t j;
	bool ok = r->err.kind == E_NONE;
	json_int_t units = 0;
	char sigb58[SOL_SIGNATURE_B58_MAX];

	sol_tx_decode(r->wire, r->wire_len, v, NULL);
	sol_signature_to_b58(r->sig, sigb58);
	for (i = 0; i < v->num_keys; i++)
	{
		json_int_t bal = i == 0 ? 10000000000LL : 1141440;

		json_array_append_new(pre, json_integer(bal));
		json_array_append_new(post, json_integer(i == 0 ? bal - FK_FEE : bal));
	}
	/* logs, instruction by instruction */
	for (i = 0; i < v->num_instructions; i++)
	{
		if ((int)i != r->bgum_ix)
		{
			logf_append(logs, "Program %s invoke [1]", CB_B58);
			if (r->err.kind == E_IX_INVALID_DATA && r->err.ix == (int)i)
			{
				logf_append(logs, "Program %s failed: invalid instruction data", CB_B58);
				break;
			}
			logf_append(logs, "Program %s success", CB_B58);
			units += 150;
			continue;
		}
		logf_append(logs, "Program %s invoke [1]", BGUM_B58);
		logf_append(logs, "Program log: Instruction: %s",
		            r->to_collection ? "MintToCollectionV1" : "MintV1");
		if (!ok)
		{
			if (r->err.kind == E_CUSTOM)
			{
				logf_append(logs,
				            "Program log: AnchorError occurred. Error Code: %s. Error Number: "
				            "%d. Error Message: solana-fake.",
				            custom_error_name(r->err.code), r->err.code);
				logf_append(logs, "Program %s consumed 20931 of 199700 compute units", BGUM_B58);
				logf_append(logs, "Program %s failed: custom program error: 0x%x", BGUM_B58,
				            (unsigned)r->err.code);
			}
			units += 20931;
			break;
		}
		else
		{
			char asset[SOL_PUBKEY_B58_MAX];
			SolLeafEvent ev;
			uint8_t evb[SOL_LEAF_EVENT_LEN];
			uint8_t append[40];
			uint8_t cl[2 + 32 + 4 + (TREE_DEPTH + 1) * 36 + 8 + 4];
			int noop = key_index(v, sol_noop_program_id);
			int cmt = key_index(v, sol_account_compression_program_id);
			int tc = key_index(v, r->tree_config);
			int mt = key_index(v, r->tree);
			SolWriter w;
			uint8_t node[32];
			json_t *grp;

			b58key(r->asset, asset);
			memcpy(ev.id, r->asset, 32);
			memcpy(ev.owner, r->owner, 32);
			memcpy(ev.delegate, r->delegate, 32);
			ev.nonce = r->nonce;
			memcpy(ev.data_hash, r->data_hash, 32);
			memcpy(ev.creator_hash, r->creator_hash, 32);
			sol_leaf_hash(r->asset, r->owner, r->delegate, r->nonce, r->data_hash, r->creator_hash,
			              ev.leaf_hash);
			sol_leaf_event_encode(&ev, evb);
			/* spl-account-compression append: sha256("global:append")[0..8] || leaf */
			{
				uint8_t h[32];

				crypto_hash_sha256(h, (const unsigned char *)"global:append", 13);
				memcpy(append, h, 8);
				memcpy(append + 8, ev.leaf_hash, 32);
			}
			/* ChangeLog event V1: id, path (leaf..root), seq, index */
			sol_writer_init(&w, cl, sizeof(cl));
			sol_put_u8(&w, 0);
			sol_put_u8(&w, 0);
			sol_put_bytes(&w, r->tree, 32);
			sol_put_u32(&w, TREE_DEPTH + 1);
			memcpy(node, ev.leaf_hash, 32);
			for (j = 0; j <= TREE_DEPTH; j++)
			{
				uint8_t in[33];

				sol_put_bytes(&w, node, 32);
				sol_put_u32(&w, (uint32_t)(((1ULL << TREE_DEPTH) + r->nonce) >> j));
				memcpy(in, node, 32);
				in[32] = (uint8_t)j;
				sol_keccak256(in, 33, node);
			}
			sol_put_u64(&w, r->nonce + 1);
			sol_put_u32(&w, (uint32_t)r->nonce);
			grp = json_array();
			json_array_append_new(grp, inner_ix(noop, json_array(), evb, sizeof(evb), 2));
			json_array_append_new(
			    grp, inner_ix(cmt, json_pack("[i,i,i]", mt, tc, noop), append, sizeof(append), 2));
			json_array_append_new(grp, inner_ix(noop, json_array(), cl, w.len, 3));
			json_array_append_new(inner,
			                      json_pack("{s:i,s:o}", "index", r->bgum_ix, "instructions", grp));
			logf_append(logs, "Program %s invoke [2]", NOOP_B58);
			logf_append(logs, "Program %s consumed 97 of 181706 compute units", NOOP_B58);
			logf_append(logs, "Program %s success", NOOP_B58);
			logf_append(logs, "Program %s invoke [2]", CMT_B58);
			logf_append(logs, "Program log: Instruction: Append");
			logf_append(logs, "Program %s invoke [3]", NOOP_B58);
			logf_append(logs, "Program %s consumed 97 of 173257 compute units", NOOP_B58);
			logf_append(logs, "Program %s success", NOOP_B58);
			logf_append(logs, "Program %s consumed 10317 of 180949 compute units", CMT_B58);
			logf_append(logs, "Program %s success", CMT_B58);
			logf_append(logs, "Program log: Leaf asset ID: %s", asset);
			logf_append(logs, "Program %s consumed 38592 of 199700 compute units", BGUM_B58);
			logf_append(logs, "Program %s success", BGUM_B58);
			units += 38592;
		}
	}
	meta = json_pack("{s:o,s:I,s:o,s:o,s:o,s:o,s:[],s:[],s:[],s:{s:[],s:[]},s:I}", "err",
	                 err_json(&r->err), "fee", (json_int_t)FK_FEE, "preBalances", pre,
	                 "postBalances", post, "innerInstructions", inner, "logMessages", logs,
	                 "preTokenBalances", "postTokenBalances", "rewards", "loadedAddresses",
	                 "writable", "readonly", "computeUnitsConsumed", units);
	if (ok)
		json_object_set_new(meta, "status", json_pack("{s:n}", "Ok"));
	else
		json_object_set_new(meta, "status", json_pack("{s:o}", "Err", err_json(&r->err)));
	if (strcmp(encoding, "base64") == 0 || strcmp(encoding, "base58") == 0)
	{
		char buf[4096];

		if (encoding[4] == '6')
			sol_base64_encode(r->wire, r->wire_len, buf, sizeof(buf));
		else
			b58_of(r->wire, r->wire_len, buf, sizeof(buf));
		txj = json_pack("[s,s]", buf, encoding);
	}
	else
	{
		json_t *keys = json_array();
		json_t *ixs = json_array();
		char bh[SOL_PUBKEY_B58_MAX];

		for (i = 0; i < v->num_keys; i++)
			json_array_append_new(keys, jkey(v->keys + 32 * i));
		for (i = 0; i < v->num_instructions; i++)
		{
			json_t *acc = json_array();
			char data[2048];

			for (j = 0; j < v->ixs[i].num_accounts; j++)
				json_array_append_new(acc, json_integer(v->ixs[i].accounts[j]));
			b58_of(v->ixs[i].data, v->ixs[i].data_len, data, sizeof(data));
			json_array_append_new(ixs, json_pack("{s:i,s:o,s:s,s:n}", "programIdIndex",
			                                     (int)v->ixs[i].program_id_index, "accounts", acc,
			                                     "data", data, "stackHeight"));
		}
		b58key(v->blockhash, bh);
		txj = json_pack("{s:[s],s:{s:o,s:{s:i,s:i,s:i},s:s,s:o}}", "signatures", sigb58, "message",
		                "accountKeys", keys, "header", "numRequiredSignatures",
		                (int)v->num_required_signatures, "numReadonlySignedAccounts",
		                (int)v->num_readonly_signed, "numReadonlyUnsignedAccounts",
		                (int)v->num_readonly_unsigned, "recentBlockhash", bh, "instructions", ixs);
		/* one signature array must list them all */
		if (v->num_signatures > 1)
		{
			json_t *sa = json_array();

			for (i = 0; i < v->num_signatures; i++)
				json_array_append_new(sa, jsig(v->signatures + 64 * i));
			json_object_set_new(txj, "signatures", sa);
		}
	}
	res = json_pack("{s:I,s:I,s:o,s:o}", "slot", (json_int_t)r->slot, "blockTime",
	                (json_int_t)r->block_time, "meta", meta, "transaction", txj);
	if (with_version)
		json_object_set_new(res, "version", json_string("legacy"));
	free(v);
	return res;
}

static json_t *
m_get_transaction(Call *c)
{
	json_t *sv = param(c, 0);
	json_t *cfg = param(c, 1);
	const char *enc = "json";
	int cm;
	bool with_version = false;
	uint8_t sig[64];
	TxRec *r;
	bool visible = false;

	if (!json_is_string(sv))
		return invalid_params(c, "Invalid params: invalid type: expected a string.");
	if (sol_b58_decode(json_string_value(sv), json_string_length(sv), sig, 64) != 64)
		return invalid_params(c, "Invalid param: WrongSize");
	if (cfg && json_is_string(cfg))
	{
		enc = json_string_value(cfg);
		cfg = NULL;
	}
	else if (cfg && !json_is_null(cfg) && !json_is_object(cfg))
		return invalid_params(c, "Invalid params: invalid type: expected a config object.");
	else if (cfg && json_is_null(cfg))
		cfg = NULL;
	if (cfg)
	{
		json_t *e = json_object_get(cfg, "encoding");
		json_t *m = json_object_get(cfg, "maxSupportedTransactionVersion");

		if (e && json_is_string(e))
			enc = json_string_value(e);
		else if (e && !json_is_null(e))
			return invalid_params(c, "Invalid params: invalid type: expected encoding string.");
		if (m && !json_is_null(m))
		{
			if (!json_is_integer(m) || json_integer_value(m) < 0 || json_integer_value(m) > 255)
				return invalid_params(c, "Invalid params: invalid type: expected u8.");
			with_version = true;
		}
	}
	if (strcmp(enc, "json") != 0 && strcmp(enc, "jsonParsed") != 0 && strcmp(enc, "base64") != 0 &&
	    strcmp(enc, "base58") != 0)
		return invalid_params(c, "Invalid params: unknown variant, expected one of `binary`, "
		                         "`base64`, `base58`, `json`, `jsonParsed`.");
	cm = commitment_of(cfg, "commitment", 2);
	if (cm < 0)
		return invalid_params(c, bad_commitment_msg);
	if (cm == 0)
		return invalid_params(c, "Method does not support commitment below `confirmed`");
	pthread_mutex_lock(&fk_lock);
	r = sig_lookup(sig);
	if (r && r->state == TX_LANDED && r->height <= view_height(c->node, cm))
		visible = true;
	pthread_mutex_unlock(&fk_lock);
	if (!visible)
		return ok_resp(c, json_null());
	return ok_resp(c, tx_result(r, strcmp(enc, "jsonParsed") == 0 ? "json" : enc, with_version));
}

static json_t *
m_get_account_info(Call *c)
{
	json_t *kv = param(c, 0);
	bool bad;
	json_t *cfg = config_at(c, 1, &bad);
	int cm;
	uint64_t h;
	uint8_t key[32];
	uint8_t data[96];
	bool found = false;
	const char *owner = NULL;
	uint64_t hv;
	size_t i;
	json_t *e;

	if (!json_is_string(kv) || !sol_pubkey_from_b58(json_string_value(kv), key))
		return invalid_params(c, "Invalid param: WrongSize");
	e = read_commitment(c, cfg, bad, &cm, &h);
	if (e)
		return e;
	pthread_mutex_lock(&fk_lock);
	/* account state is the node's processed bank (as it always was for one node:
	 * the commitment only sets context.slot) */
	hv = node_tip(c->node);
	for (i = 0; i < ch.ntrees; i++)
	{
		if (ch.trees[i].created_h > hv)
			continue; /* created after this node's view */
		if (memcmp(ch.trees[i].key, key, 32) == 0)
		{
			/* the merkle tree account: its header (account type, version, max buffer
			 * size, max depth, authority = the tree config) */
			SolWriter w;

			sol_writer_init(&w, data, sizeof(data));
			sol_put_u8(&w, 1);
			sol_put_u8(&w, 0);
			sol_put_u32(&w, 64);
			sol_put_u32(&w, TREE_DEPTH);
			sol_put_bytes(&w, ch.trees[i].config, 32);
			sol_put_u64(&w, 1000);
			memset(data + w.len, 0, sizeof(data) - w.len);
			owner = CMT_B58;
			found = true;
			break;
		}
		if (memcmp(ch.trees[i].config, key, 32) == 0 && !ch.trees[i].no_config)
		{
			SolWriter w;
			static const uint8_t disc[8] = {0x7a, 0xf5, 0xaf, 0xf8, 0xab, 0x22, 0x00, 0xcf};

			sol_writer_init(&w, data, sizeof(data));
			sol_put_bytes(&w, disc, 8);
			sol_put_bytes(&w, ch.trees[i].creator, 32);
			sol_put_bytes(&w, ch.trees[i].creator, 32);
			/* unlimited (0): the capacity of a depth-30 tree, so that a worker that
			 * counts capacity never runs the fake's trees dry */
			sol_put_u64(&w,
			            fk_cfg.faults.tree_capacity ? fk_cfg.faults.tree_capacity : (1ULL << 30));
			sol_put_u64(&w, tree_minted_at(&ch.trees[i], hv));
			sol_put_u8(&w, 0);
			sol_put_u8(&w, 1);
			sol_put_u8(&w, 0);
			memset(data + w.len, 0, sizeof(data) - w.len);
			owner = BGUM_B58;
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&fk_lock);
	if (!found)
		return ok_resp(c, json_pack("{s:o,s:n}", "context", ctx_json(slot_of(h)), "value"));
	{
		char b64[200];

		sol_base64_encode(data, sizeof(data), b64, sizeof(b64));
		return ok_resp(c, json_pack("{s:o,s:{s:[s,s],s:b,s:I,s:s,s:I,s:i}}", "context",
		                            ctx_json(slot_of(h)), "value", "data", b64, "base64",
		                            "executable", 0, "lamports", (json_int_t)1559040, "owner",
		                            owner, "rentEpoch", (json_int_t)0, "space", 96));
	}
}

static int
method_of(const char *m)
{
	int i;

	for (i = 0; i < M_OTHER; i++)
		if (strcmp(m, fk_method_names[i]) == 0)
			return i;
	return M_OTHER;
}

/* One call object -> response object (NULL for a notification). */
static json_t *
rpc_call(json_t *req, int node, bool *drop)
{
	Call c;
	json_t *resp;
	json_t *method;
	json_t *params;
	json_t *jv;
	int m;
	bool notification;

	memset(&c, 0, sizeof(c));
	c.drop = drop;
	c.outcome = O_OK;
	c.node = node;
	fk_stat_node(node, N_CALLS);
	if (!json_is_object(req))
	{
		c.id = json_null();
		resp = err_resp(&c, O_INVALID_REQUEST, -32600, "Invalid request", NULL);
		fk_stat_method(M_OTHER, O_INVALID_REQUEST);
		return resp;
	}
	c.id = json_object_get(req, "id");
	notification = c.id == NULL;
	if (c.id == NULL)
		c.id = json_null();
	jv = json_object_get(req, "jsonrpc");
	method = json_object_get(req, "method");
	params = json_object_get(req, "params");
	if (!json_is_string(jv) || strcmp(json_string_value(jv), "2.0") != 0 ||
	    !json_is_string(method) ||
	    (!json_is_null(c.id) && !json_is_string(c.id) && !json_is_integer(c.id)) ||
	    (params && !json_is_array(params) && !json_is_object(params) && !json_is_null(params)))
	{
		fk_stat_method(M_OTHER, O_INVALID_REQUEST);
		return err_resp(&c, O_INVALID_REQUEST, -32600, "Invalid request", NULL);
	}
	if (params && json_is_object(params))
	{
		m = method_of(json_string_value(method));
		fk_stat_method(m, O_INVALID_PARAMS);
		return invalid_params(&c, "Invalid params: invalid type: map, expected a sequence.");
	}
	c.params = json_is_array(params) ? params : NULL;
	m = method_of(json_string_value(method));
	switch (m)
	{
		case M_GET_HEALTH:
			resp = ok_resp(&c, json_string("ok"));
			break;
		case M_GET_VERSION:
			resp = ok_resp(&c, json_pack("{s:s,s:I}", "solana-core", FK_API_VERSION, "feature-set",
			                             (json_int_t)3294202862LL));
			break;
		case M_GET_SLOT:
			resp = m_height_or_slot(&c, true);
			break;
		case M_GET_BLOCK_HEIGHT:
			resp = m_height_or_slot(&c, false);
			break;
		case M_GET_LATEST_BLOCKHASH:
			resp = m_latest_blockhash(&c);
			break;
		case M_SEND_TRANSACTION:
			resp = m_send_transaction(&c);
			break;
		case M_GET_SIGNATURE_STATUSES:
			resp = m_signature_statuses(&c);
			break;
		case M_GET_TRANSACTION:
			resp = m_get_transaction(&c);
			break;
		case M_GET_ACCOUNT_INFO:
			resp = m_get_account_info(&c);
			break;
		case M_GET_EPOCH_INFO:
			resp = m_epoch_info(&c);
			break;
		case M_GET_GENESIS_HASH:
			resp = m_genesis_hash(&c);
			break;
		case M_IS_BLOCKHASH_VALID:
			resp = m_is_blockhash_valid(&c);
			break;
		case M_GET_RECENT_PRIORITIZATION_FEES:
			resp = m_recent_prioritization_fees(&c);
			break;
		default:
			resp = err_resp(&c, O_METHOD_NOT_FOUND, -32601, "Method not found", NULL);
			break;
	}
	fk_stat_method(m, c.outcome);
	if (notification)
	{
		json_decref(resp);
		return NULL;
	}
	return resp;
}

char *
fk_rpc_handle(const char *body, size_t len, int node, bool *drop, int *http_status)
{
	json_error_t jerr;
	json_t *req = json_loadb(body, len, JSON_DECODE_ANY, &jerr);
	json_t *out = NULL;
	char *s;

	*drop = false;
	*http_status = 200;
	if (node < 0 || node >= FK_MAX_NODES)
		node = 0;
	fk_stat_node(node, N_REQUESTS);
	if (req == NULL)
	{
		fk_stat_http(H_PARSE_ERROR);
		return strdup("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"Parse "
		              "error\"},\"id\":null}");
	}
	if (json_is_array(req))
	{
		size_t i;

		fk_stat_http(H_BATCHES);
		if (json_array_size(req) == 0)
		{
			json_decref(req);
			return strdup("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid "
			              "request\"},\"id\":null}");
		}
		out = json_array();
		for (i = 0; i < json_array_size(req); i++)
		{
			json_t *r = rpc_call(json_array_get(req, i), node, drop);

			if (r)
				json_array_append_new(out, r);
		}
		if (json_array_size(out) == 0)
		{
			json_decref(out);
			out = NULL;
		}
	}
	else
		out = rpc_call(req, node, drop);
	json_decref(req);
	if (out == NULL)
		return NULL;
	s = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	return s;
}

/* ---- ledger, control ---- */

typedef struct UriCount
{
	const char *uri;
	uint64_t n;
} UriCount;

char *
fk_ledger_json(bool summary, uint64_t offset, uint64_t limit)
{
	FkBuf b = {0};
	TxRec **snap = NULL;
	size_t nsnap = 0;
	UriCount *uc = NULL;
	size_t nuc = 0;
	size_t i;
	uint64_t total;
	uint64_t ok;
	uint64_t failed;
	uint64_t dups;
	uint64_t extra;
	uint64_t tip;
	uint64_t distinct;
	size_t npending;

	pthread_mutex_lock(&fk_lock);
	total = ch.nledger;
	ok = ch.landed_ok;
	failed = ch.landed_err;
	dups = ch.uris_with_dups;
	extra = ch.extra_mints;
	tip = ch.tip;
	distinct = ch.uri_counts.count;
	npending = ch.npending;
	if (offset < total)
	{
		size_t n = total - offset;

		if (summary)
			n = 0;
		else if (limit > 0 && limit < n)
			n = limit;
		snap = fk_xmalloc((n ? n : 1) * sizeof(TxRec *));
		for (i = 0; i < n; i++)
			snap[i] = ch.recs[ch.ledger[offset + i]];
		nsnap = n;
	}
	/* uri counts: all in full mode, only duplicates in summary mode */
	uc = fk_xmalloc((ch.uri_counts.count ? ch.uri_counts.count : 1) * sizeof(UriCount));
	for (i = 0; i < ch.uri_counts.cap; i++)
		if (ch.uri_counts.keys[i] && (!summary || ch.uri_counts.vals[i] > 1))
		{
			uc[nuc].uri = ch.uri_counts.keys[i];
			uc[nuc].n = ch.uri_counts.vals[i];
			nuc++;
		}
	pthread_mutex_unlock(&fk_lock);

	fk_buf_printf(&b,
	              "{\"block_height\":%" PRIu64 ",\"total\":%" PRIu64 ",\"ok\":%" PRIu64
	              ",\"failed\":%" PRIu64 ",\"pending\":%zu,\"distinct_uris\":%" PRIu64
	              ",\"uris_with_duplicates\":%" PRIu64 ",\"extra_mints\":%" PRIu64,
	              tip, total, ok, failed, npending, distinct, dups, extra);
	if (summary)
	{
		fk_buf_puts(&b, ",\"duplicates\":{");
		for (i = 0; i < nuc; i++)
		{
			if (i)
				fk_buf_puts(&b, ",");
			fk_buf_json_str(&b, uc[i].uri, strlen(uc[i].uri));
			fk_buf_printf(&b, ":%" PRIu64, uc[i].n);
		}
		fk_buf_puts(&b, "}}");
	}
	else
	{
		fk_buf_printf(&b, ",\"offset\":%" PRIu64 ",\"mints\":[", offset);
		for (i = 0; i < nsnap; i++)
		{
			const TxRec *r = snap[i];
			char k[SOL_SIGNATURE_B58_MAX];

			if (i)
				fk_buf_puts(&b, ",");
			sol_signature_to_b58(r->sig, k);
			fk_buf_printf(&b,
			              "{\"signature\":\"%s\",\"status\":\"%s\",\"slot\":%" PRIu64
			              ",\"block_height\":%" PRIu64,
			              k, r->err.kind == E_NONE ? "ok" : "failed", r->slot, r->height);
			b58key(r->tree, k);
			fk_buf_printf(&b, ",\"tree\":\"%s\",\"cu_price\":%" PRIu64, k, r->cu_price);
			if (r->err.kind == E_NONE)
			{
				fk_buf_printf(&b, ",\"leaf_nonce\":%" PRIu64, r->nonce);
				b58key(r->asset, k);
				fk_buf_printf(&b, ",\"asset_id\":\"%s\"", k);
			}
			else
				fk_buf_puts(&b, ",\"leaf_nonce\":null,\"asset_id\":null");
			b58key(r->owner, k);
			fk_buf_printf(&b, ",\"owner\":\"%s\"", k);
			b58key(r->payer, k);
			fk_buf_printf(&b, ",\"payer\":\"%s\",\"name\":", k);
			fk_buf_json_str(&b, r->name, strlen(r->name));
			fk_buf_puts(&b, ",\"uri\":");
			fk_buf_json_str(&b, r->uri, strlen(r->uri));
			fk_buf_puts(&b, ",\"err\":");
			if (r->err.kind == E_NONE)
				fk_buf_puts(&b, "null");
			else
			{
				json_t *e = err_json(&r->err);
				char *es = json_dumps(e, JSON_COMPACT | JSON_ENCODE_ANY);

				fk_buf_puts(&b, es ? es : "null");
				free(es);
				json_decref(e);
			}
			fk_buf_puts(&b, "}");
		}
		fk_buf_puts(&b, "],\"uri_counts\":{");
		for (i = 0; i < nuc; i++)
		{
			if (i)
				fk_buf_puts(&b, ",");
			fk_buf_json_str(&b, uc[i].uri, strlen(uc[i].uri));
			fk_buf_printf(&b, ":%" PRIu64, uc[i].n);
		}
		fk_buf_puts(&b, "}}");
	}
	free(snap);
	free(uc);
	return b.data;
}

static json_t *
faults_json(const FkFaults *f)
{
	json_t *o;
	json_t *lags = json_array();
	int i;

	for (i = 0; i < f->nodes; i++)
		json_array_append_new(lags, json_integer((json_int_t)f->node_lag[i]));
	o = json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:b,s:b,s:i,s:i,s:i,s:I,s:i}", "latency_ms",
	              f->latency_ms, "p_429", f->p_429, "p_5xx", f->p_5xx, "p_timeout", f->p_timeout,
	              "p_lost_response", f->p_lost_response, "p_never_lands", f->p_never_lands,
	              "p_tx_error", f->p_tx_error, "down", (int)f->down, "paused", (int)f->paused,
	              "retry_after_s", f->retry_after_s, "timeout_hold_ms", f->timeout_hold_ms,
	              "tx_error_code", f->tx_error_code, "tree_capacity", (json_int_t)f->tree_capacity,
	              "slot_ms", f->slot_ms);
	json_object_set_new(o, "min_priority_fee", json_integer((json_int_t)f->min_priority_fee));
	json_object_set_new(o, "tree_block_limit", json_integer((json_int_t)f->tree_block_limit));
	json_object_set_new(o, "nodes", json_integer(f->nodes));
	json_object_set_new(o, "node_lag", lags);
	json_object_set_new(
	    o, "lag_wander",
	    f->wander ? json_pack("[I,I]", (json_int_t)f->wander_min, (json_int_t)f->wander_max)
	              : json_null());
	json_object_set_new(o, "route",
	                    json_string(f->route == FK_ROUTE_ROUND_ROBIN ? "round-robin" : "random"));
	return o;
}

char *
fk_control_get(void)
{
	json_t *o;
	char *s;

	pthread_mutex_lock(&fk_lock);
	o = faults_json(&fk_cfg.faults);
	json_object_set_new(o, "finalized_lag", json_integer((json_int_t)fk_cfg.finalized_lag));
	json_object_set_new(o, "blockhash_window", json_integer((json_int_t)fk_cfg.blockhash_window));
	json_object_set_new(o, "seed", json_integer((json_int_t)fk_cfg.seed));
	json_object_set_new(o, "block_height", json_integer((json_int_t)ch.tip));
	json_object_set_new(o, "slot", json_integer((json_int_t)slot_of(ch.tip)));
	{
		json_t *now = json_array();
		int i;

		for (i = 0; i < fk_cfg.faults.nodes; i++)
			json_array_append_new(now, json_integer((json_int_t)ch.lag[i]));
		json_object_set_new(o, "node_lags", now);
		json_object_set_new(o, "genesis_hash", jkey(ch.genesis));
	}
	pthread_mutex_unlock(&fk_lock);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

static int
get_prob(json_t *v, double *out, const char **errmsg)
{
	if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1)
	{
		*errmsg = "probabilities must be numbers in [0, 1]";
		return -1;
	}
	*out = json_number_value(v);
	return 0;
}

static int
get_int(json_t *v, long long lo, long long hi, long long *out, const char **errmsg)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
	{
		*errmsg = "value must be an integer in range";
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

/* "0,50,100", [0,50,100] or 50: the fixed lag of nodes 0, 1, 2, ... */
static int
get_node_lags(json_t *v, FkFaults *f, const char **errmsg)
{
	uint32_t lags[FK_MAX_NODES] = {0};
	size_t n = 0;

	*errmsg = "node_lag is a list of lags in blocks, \"L0,L1,...\" or [L0,L1,...], at most 16 "
	          "entries of 0..10000";
	if (json_is_integer(v))
	{
		if (json_integer_value(v) < 0 || json_integer_value(v) > FK_MAX_NODE_LAG)
			return -1;
		lags[n++] = (uint32_t)json_integer_value(v);
	}
	else if (json_is_array(v))
	{
		size_t k;
		json_t *e;

		if (json_array_size(v) > FK_MAX_NODES)
			return -1;
		json_array_foreach(v, k, e)
		{
			if (!json_is_integer(e) || json_integer_value(e) < 0 ||
			    json_integer_value(e) > FK_MAX_NODE_LAG)
				return -1;
			lags[n++] = (uint32_t)json_integer_value(e);
		}
	}
	else if (json_is_string(v))
	{
		const char *p = json_string_value(v);

		while (*p)
		{
			char *end;
			unsigned long long x;

			if (n == FK_MAX_NODES || *p < '0' || *p > '9')
				return -1;
			x = strtoull(p, &end, 10);
			if (x > FK_MAX_NODE_LAG || (*end != ',' && *end != '\0'))
				return -1;
			lags[n++] = (uint32_t)x;
			p = *end == ',' ? end + 1 : end;
			if (*end == ',' && *p == '\0')
				return -1;
		}
		if (n == 0)
			return -1;
	}
	else
		return -1;
	memcpy(f->node_lag, lags, sizeof(lags));
	return 0;
}

/* "MIN-MAX" or [MIN, MAX]; null, false or "off" turns wandering off */
static int
get_lag_wander(json_t *v, FkFaults *f, const char **errmsg)
{
	long long lo;
	long long hi;

	*errmsg = "lag_wander is \"MIN-MAX\" or [MIN, MAX] with 0 <= MIN <= MAX <= 10000 (null or "
	          "\"off\": no wandering)";
	if (json_is_null(v) || json_is_false(v) ||
	    (json_is_string(v) && strcmp(json_string_value(v), "off") == 0))
	{
		f->wander = false;
		return 0;
	}
	if (json_is_string(v))
	{
		const char *p = json_string_value(v);
		char *end;

		if (*p < '0' || *p > '9')
			return -1;
		lo = strtoll(p, &end, 10);
		if (*end != '-' || end[1] < '0' || end[1] > '9')
			return -1;
		hi = strtoll(end + 1, &end, 10);
		if (*end != '\0')
			return -1;
	}
	else if (json_is_array(v) && json_array_size(v) == 2 && json_is_integer(json_array_get(v, 0)) &&
	         json_is_integer(json_array_get(v, 1)))
	{
		lo = json_integer_value(json_array_get(v, 0));
		hi = json_integer_value(json_array_get(v, 1));
	}
	else
		return -1;
	if (lo < 0 || hi < lo || hi > FK_MAX_NODE_LAG)
		return -1;
	f->wander = true;
	f->wander_min = (uint32_t)lo;
	f->wander_max = (uint32_t)hi;
	return 0;
}

int
fk_apply_option(FkFaults *f, const char *name, json_t *v, const char **errmsg)
{
	long long i;

	if (strcmp(name, "latency_ms") == 0)
	{
		if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 600000)
		{
			*errmsg = "latency_ms must be a number in [0, 600000]";
			return -1;
		}
		f->latency_ms = json_number_value(v);
		return 0;
	}
	if (strcmp(name, "p_429") == 0)
		return get_prob(v, &f->p_429, errmsg);
	if (strcmp(name, "p_5xx") == 0)
		return get_prob(v, &f->p_5xx, errmsg);
	if (strcmp(name, "p_timeout") == 0)
		return get_prob(v, &f->p_timeout, errmsg);
	if (strcmp(name, "p_lost_response") == 0)
		return get_prob(v, &f->p_lost_response, errmsg);
	if (strcmp(name, "p_never_lands") == 0)
		return get_prob(v, &f->p_never_lands, errmsg);
	if (strcmp(name, "p_tx_error") == 0)
		return get_prob(v, &f->p_tx_error, errmsg);
	if (strcmp(name, "down") == 0 || strcmp(name, "paused") == 0)
	{
		if (!json_is_boolean(v))
		{
			*errmsg = "down/paused must be true or false";
			return -1;
		}
		if (name[0] == 'd')
			f->down = json_is_true(v);
		else
			f->paused = json_is_true(v);
		return 0;
	}
	if (strcmp(name, "retry_after_s") == 0)
	{
		if (get_int(v, 0, 86400, &i, errmsg))
			return -1;
		f->retry_after_s = (int)i;
		return 0;
	}
	if (strcmp(name, "timeout_hold_ms") == 0)
	{
		if (get_int(v, 0, 3600000, &i, errmsg))
			return -1;
		f->timeout_hold_ms = (int)i;
		return 0;
	}
	if (strcmp(name, "tx_error_code") == 0)
	{
		if (get_int(v, 0, 0xffffffffLL, &i, errmsg))
			return -1;
		f->tx_error_code = (int)i;
		return 0;
	}
	if (strcmp(name, "tree_block_limit") == 0)
	{
		if (get_int(v, 0, 1000000, &i, errmsg))
			return -1;
		f->tree_block_limit = (uint32_t)i;
		return 0;
	}
	if (strcmp(name, "min_priority_fee") == 0)
	{
		if (get_int(v, 0, INT64_MAX, &i, errmsg))
			return -1;
		f->min_priority_fee = (uint64_t)i;
		return 0;
	}
	if (strcmp(name, "tree_capacity") == 0)
	{
		if (get_int(v, 0, (long long)1 << 40, &i, errmsg))
			return -1;
		f->tree_capacity = (uint64_t)i;
		return 0;
	}
	if (strcmp(name, "slot_ms") == 0)
	{
		if (get_int(v, 1, 3600000, &i, errmsg))
			return -1;
		f->slot_ms = (int)i;
		return 0;
	}
	if (strcmp(name, "nodes") == 0)
	{
		if (get_int(v, 1, FK_MAX_NODES, &i, errmsg))
			return -1;
		f->nodes = (int)i;
		return 0;
	}
	if (strcmp(name, "node_lag") == 0)
		return get_node_lags(v, f, errmsg);
	if (strcmp(name, "lag_wander") == 0)
		return get_lag_wander(v, f, errmsg);
	if (strcmp(name, "route") == 0)
	{
		const char *r = json_is_string(v) ? json_string_value(v) : "";

		if (strcmp(r, "random") == 0)
			f->route = FK_ROUTE_RANDOM;
		else if (strcmp(r, "round-robin") == 0 || strcmp(r, "round_robin") == 0)
			f->route = FK_ROUTE_ROUND_ROBIN;
		else
		{
			*errmsg = "route is \"random\" or \"round-robin\"";
			return -1;
		}
		return 0;
	}
	*errmsg = "unknown setting";
	return -1;
}

char *
fk_control_post(const char *body, size_t len, const char **errmsg)
{
	json_error_t jerr;
	json_t *o = json_loadb(body, len, 0, &jerr);
	FkFaults f;
	const char *k;
	json_t *v;
	long long advance = 0;
	bool reset = false;
	bool reseed = false;
	long long seed = 0;
	static __thread char errbuf[200];

	if (!json_is_object(o))
	{
		json_decref(o);
		*errmsg = "body must be a JSON object";
		return NULL;
	}
	pthread_mutex_lock(&fk_lock);
	f = fk_cfg.faults;
	pthread_mutex_unlock(&fk_lock);
	json_object_foreach(o, k, v)
	{
		const char *em = NULL;

		if (strcmp(k, "advance") == 0)
		{
			if (get_int(v, 0, 1000000, &advance, &em) == 0)
				continue;
		}
		else if (strcmp(k, "add_tree") == 0 && json_is_string(v))
		{
			int rc;

			pthread_mutex_lock(&fk_lock);
			rc = add_tree(json_string_value(v), &em, ch.tip); /* lagging nodes see it later */
			pthread_mutex_unlock(&fk_lock);
			if (rc == 0)
				continue;
		}
		else if (strcmp(k, "reset_stats") == 0 && json_is_boolean(v))
		{
			reset = json_is_true(v);
			continue;
		}
		else if (strcmp(k, "seed") == 0)
		{
			if (get_int(v, 0, INT64_MAX, &seed, &em) == 0)
			{
				reseed = true;
				continue;
			}
		}
		else if (fk_apply_option(&f, k, v, &em) == 0)
			continue;
		snprintf(errbuf, sizeof(errbuf), "%s: %s", k, em ? em : "bad value");
		*errmsg = errbuf;
		json_decref(o);
		return NULL;
	}
	json_decref(o);
	pthread_mutex_lock(&fk_lock);
	{
		FkFaults old = fk_cfg.faults;

		fk_cfg.faults = f;
		if (reseed)
		{
			fk_cfg.seed = (uint64_t)seed;
			seed_rngs();
		}
		lags_apply(&old, &f);
	}
	pthread_mutex_unlock(&fk_lock);
	if (reset)
		fk_stats_reset();
	while (advance-- > 0)
		fk_chain_tick();
	return fk_control_get();
}
