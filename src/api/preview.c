/*-------------------------------------------------------------------------
 *
 * preview.c
 *	  mint.preview_leaf(): the LeafSchema event Bubblegum will emit for a
 *	  job's mint at a given leaf, computed by the same code that builds the
 *	  transaction (an operator's check against what the program emitted).
 *
 * Includes the Solana client (jansson), so not utils/builtins.h.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"

#include "mint_ext.h"
#include "api/access.h"
#include "api/trees.h"
#include "api/validate.h"
#include "common/mintparams.h"
#include "common/spi.h"
#include "solana/sol_codec.h"

PG_FUNCTION_INFO_V1(mint_preview_leaf);

static char *
arg_text(FunctionCallInfo fcinfo, int argno, const char *name)
{
	text *t;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
		        (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not be null", name)));
	t = PG_GETARG_TEXT_PP(argno);
	return pnstrdup(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

static Datum
text_datum(const char *s)
{
	size_t n = strlen(s);
	text *t = palloc(VARHDRSZ + n);

	SET_VARSIZE(t, VARHDRSZ + n);
	memcpy(VARDATA(t), s, n);
	return PointerGetDatum(t);
}

static Datum
bytes_datum(const uint8 *b, size_t n)
{
	bytea *v = palloc(VARHDRSZ + n);

	SET_VARSIZE(v, VARHDRSZ + n);
	memcpy(VARDATA(v), b, n);
	return PointerGetDatum(v);
}

static Datum
key_datum(const uint8 key[32])
{
	char b58[SOL_PUBKEY_B58_MAX];

	sol_pubkey_to_b58(key, b58);
	return text_datum(b58);
}

/*
 * mint.preview_leaf(tenant_id, ticket_id, leaf_nonce): asset_id, leaf_owner,
 * leaf_delegate, data_hash, creator_hash, leaf_hash and the whole event (the
 * Noop instruction's 209 bytes; on a V2 tree the MPL Noop instruction's 274
 * bytes of LeafSchema V2) of the job's mint, were it to land at leaf
 * `leaf_nonce` of the tenant's active tree.  The leaf does not depend on the
 * fee payer, so no key is needed.
 */
Datum
mint_preview_leaf(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	char *tenant_id = arg_text(fcinfo, 0, "tenant_id");
	char *ticket_id = arg_text(fcinfo, 1, "ticket_id");
	int64 nonce;
	Oid types[2] = {TEXTOID, TEXTOID};
	Datum args[2];
	uint8 stand_in_payer[32];
	MintTree tree;
	SolMetadata md;
	SolMintParams p;
	SolError err;
	SolLeafEvent ev;
	uint8 event[SOL_LEAF_EVENT_V2_LEN];
	size_t event_len;
	TupleDesc desc;
	Datum values[7];
	bool nulls[7] = {0};
	MemoryContext cxt = CurrentMemoryContext;
	HeapTuple tuple;
	char *owner;
	char *metadata;

	if (PG_ARGISNULL(2))
		ereport(ERROR,
		        (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("leaf_nonce must not be null")));
	nonce = PG_GETARG_INT64(2);
	if (nonce < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("leaf_nonce must not be negative")));
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "mint.preview_leaf must return a record");

	mint_check_tenant_id(tenant_id);
	SPI_connect();
	mint_check_tenant_access(tenant_id);
	args[0] = text_datum(tenant_id);
	args[1] = text_datum(ticket_id);
	if (SPI_execute_plan(mint_plan(&plan,
	                               "SELECT j.owner, j.metadata::text FROM mint.mint_jobs j "
	                               "WHERE j.tenant_id = $1 AND j.ticket_id = $2",
	                               2, types),
	                     args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read mint.mint_jobs");
	if (SPI_processed == 0)
		ereport(ERROR, (errcode(ERRCODE_NO_DATA_FOUND),
		                errmsg("no mint job for ticket \"%s\" of tenant \"%s\"",
		                       mint_clip(ticket_id), tenant_id)));
	owner = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	metadata = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	mint_get_tree(tenant_id, &tree);

	memset(stand_in_payer, 0x11, sizeof(stand_in_payer));
	memset(&err, 0, sizeof(err));
	if (!mint_params(owner, metadata, tree.merkle_tree, tree.collection_mint, tree.version == 2,
	                 stand_in_payer, &md, &p, &err) ||
	    !mint_leaf_event(&p, (uint64)nonce, &ev))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("cannot compute the leaf: %s", err.message)));
	if (p.v2)
		sol_leaf_event_v2_encode(&ev, event);
	else
		sol_leaf_event_encode(&ev, event);
	event_len = p.v2 ? SOL_LEAF_EVENT_V2_LEN : SOL_LEAF_EVENT_LEN;
	SPI_finish();

	MemoryContextSwitchTo(cxt);
	values[0] = key_datum(ev.id);
	values[1] = key_datum(ev.owner);
	values[2] = key_datum(ev.delegate);
	values[3] = bytes_datum(ev.data_hash, 32);
	values[4] = bytes_datum(ev.creator_hash, 32);
	values[5] = bytes_datum(ev.leaf_hash, 32);
	values[6] = bytes_datum(event, event_len);
	tuple = heap_form_tuple(BlessTupleDesc(desc), values, nulls);
	PG_RETURN_DATUM(HeapTupleGetDatum(tuple));
}
