/*-------------------------------------------------------------------------
 *
 * trees.c
 *	  The tenants' active trees, cached per backend.
 *
 * Every call of the API needs one of the tenant's active trees (to build
 * the transaction it validates; the trees of a pool share the collection,
 * so any one will do), and trees change rarely: mint.register_tree(),
 * mint.add_tree(), mint.create_tree(), or an operator's own statement on
 * mint.trees (the worker's counters do not count: the trigger ignores them).  So a backend keeps
 *what it read, and every change of mint.trees drops every backend's copy:
 *
 *	 - a statement trigger on mint.trees (INSERT, UPDATE, DELETE, TRUNCATE)
 *	   queues a relcache invalidation of the table.  Like a catalog change,
 *	   it reaches the other backends when the change commits, the changing
 *	   backend at its next command, and is undone locally on abort;
 *	 - a relcache callback empties the cache on that invalidation (and on
 *	   a reset of the whole relcache, or the table being dropped);
 *	 - mint_get_tree() accepts pending invalidations first, so the next call
 *	   of a session sees a change committed before it, even inside an open
 *	   transaction block.
 *
 * A miss reads mint.trees with the latest snapshot, as catalogs are read:
 * the cache holds the latest committed state, never an older snapshot's.
 * An invalidation that arrives while a miss is being read keeps that read
 * out of the cache.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "api/trees.h"
#include "common/spi.h"

PG_FUNCTION_INFO_V1(mint_trees_changed);

typedef struct TreeCacheEntry
{
	char tenant_id[MINT_TENANT_ID_MAX + 1]; /* hash key */
	char *merkle_tree;
	char *collection_mint; /* NULL: none */
	int version;           /* mint.trees.version; 1 when not read yet */
} TreeCacheEntry;

static MemoryContext tree_cache_cxt = NULL;
static HTAB *tree_cache = NULL;
static Oid trees_relid = InvalidOid;
static uint64 tree_cache_generation = 0; /* bumped by every invalidation */
static SPIPlanPtr plan_tree = NULL;

/* A backend that serves very many tenants starts over rather than grow. */
#define TREE_CACHE_MAX 1024

static void
tree_cache_clear(void)
{
	if (tree_cache != NULL)
	{
		MemoryContextReset(tree_cache_cxt);
		tree_cache = NULL;
	}
}

static void
tree_cache_invalidate(Datum arg, Oid relid)
{
	if (relid != InvalidOid && relid != trees_relid)
		return;
	tree_cache_generation++;
	tree_cache_clear();
	/* looked up again: the extension may have been dropped and created again */
	trees_relid = InvalidOid;
}

static HTAB *
tree_cache_table(void)
{
	HASHCTL ctl;

	if (tree_cache_cxt == NULL)
	{
		tree_cache_cxt =
		    AllocSetContextCreate(CacheMemoryContext, "mint tree cache", ALLOCSET_SMALL_SIZES);
		CacheRegisterRelcacheCallback(tree_cache_invalidate, (Datum)0);
	}
	if (tree_cache == NULL)
	{
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = MINT_TENANT_ID_MAX + 1;
		ctl.entrysize = sizeof(TreeCacheEntry);
		ctl.hcxt = tree_cache_cxt;
		tree_cache =
		    hash_create("mint tree cache", 16, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	return tree_cache;
}

/*
 * mint_get_tree
 *	  The tenant's active tree; error when there is none.  The strings are
 *	  the caller's (palloc'd in the current memory context).  Call inside
 *	  SPI_connect(), with a tenant id that passed mint_check_tenant_id().
 */
void
mint_get_tree(const char *tenant_id, MintTree *tree)
{
	TreeCacheEntry *e;
	uint64 generation;
	Snapshot snapshot;
	Oid types[1] = {TEXTOID};
	Datum values[1];
	bool isnull;
	int rc;

	Assert(strlen(tenant_id) <= MINT_TENANT_ID_MAX);

	/*
	 * changes committed since this backend last looked.  The tree's version
	 * (0.2.0) is read through to_jsonb so that a library newer than the
	 * installed SQL (0.1.0, before ALTER EXTENSION ... UPDATE) still works.
	 */
	AcceptInvalidationMessages();

	e = hash_search(tree_cache_table(), tenant_id, HASH_FIND, NULL);
	if (e != NULL)
	{
		tree->merkle_tree = pstrdup(e->merkle_tree);
		tree->collection_mint = e->collection_mint ? pstrdup(e->collection_mint) : NULL;
		tree->version = e->version;
		return;
	}

	generation = tree_cache_generation;
	if (!OidIsValid(trees_relid))
		trees_relid = get_relname_relid("trees", get_namespace_oid("mint", false));

	values[0] = CStringGetTextDatum(tenant_id);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	rc = SPI_execute_snapshot(mint_plan(&plan_tree,
	                                    "SELECT merkle_tree, collection_mint, "
	                                    "COALESCE((pg_catalog.to_jsonb(t) ->> 'version')::int2, 1) "
	                                    "FROM mint.trees t WHERE tenant_id = $1 AND active "
	                                    "ORDER BY merkle_tree LIMIT 1",
	                                    1, types),
	                          values, NULL, snapshot, InvalidSnapshot, true, false, 1);
	UnregisterSnapshot(snapshot);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read mint.trees");
	if (SPI_processed == 0)
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
		                errmsg("tenant \"%s\" has no active merkle tree", tenant_id),
		                errhint("Register one with mint.register_tree().")));
	tree->merkle_tree = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	(void)SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	tree->collection_mint =
	    isnull ? NULL : SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	tree->version =
	    DatumGetInt16(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));

	/* an invalidation during the read: the answer may be stale already */
	if (generation != tree_cache_generation || !OidIsValid(trees_relid))
		return;
	if (hash_get_num_entries(tree_cache_table()) >= TREE_CACHE_MAX)
		tree_cache_clear();
	e = hash_search(tree_cache_table(), tenant_id, HASH_ENTER, NULL);
	e->merkle_tree = MemoryContextStrdup(tree_cache_cxt, tree->merkle_tree);
	e->collection_mint =
	    tree->collection_mint ? MemoryContextStrdup(tree_cache_cxt, tree->collection_mint) : NULL;
	e->version = tree->version;
}

/*
 * mint._trees_changed(): statement trigger on mint.trees.  Every backend
 * drops its cached trees once the change commits.
 */
Datum
mint_trees_changed(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *)fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
		                errmsg("mint._trees_changed() must be called as a trigger")));
	CacheInvalidateRelcacheByRelid(RelationGetRelid(td->tg_relation));
	return PointerGetDatum(NULL);
}
