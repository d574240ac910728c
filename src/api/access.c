/*-------------------------------------------------------------------------
 *
 * access.c
 *	  Which role may act for which tenant.
 *
 * A role may call the API for, and see the jobs of, a tenant when it is a
 * superuser or has the privileges of a role granted that tenant with
 * mint.grant_tenant().  The role that counts is the session's current role
 * (after SET ROLE), never a SECURITY DEFINER function's owner: the API
 * functions are themselves SECURITY DEFINER, so GetUserId() inside them is
 * the extension owner and GetOuterUserId() is the caller.  A definer wrapper
 * written by an application therefore never widens what its session may do.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"

#include "api/access.h"
#include "common/spi.h"

PG_FUNCTION_INFO_V1(mint_has_tenant_access);

static SPIPlanPtr plan_access = NULL;

/*
 * mint_tenant_access
 *	  May the session's role act for this tenant?  Caller is inside SPI.
 */
bool
mint_tenant_access(const char *tenant_id)
{
	Oid role = GetOuterUserId();
	Datum args[2];

	if (superuser_arg(role))
		return true;
	{
		Oid types[2] = {TEXTOID, OIDOID};

		(void)mint_plan(&plan_access,
		                "SELECT 1 FROM mint.tenant_roles WHERE tenant_id = $1 "
		                "AND pg_has_role($2, role_name::oid, 'USAGE') LIMIT 1",
		                2, types);
	}
	args[0] = CStringGetTextDatum(tenant_id);
	args[1] = ObjectIdGetDatum(role);
	if (SPI_execute_plan(plan_access, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read mint.tenant_roles");
	return SPI_processed > 0;
}

void
mint_check_tenant_access(const char *tenant_id)
{
	if (!mint_tenant_access(tenant_id))
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
		                errmsg("role \"%s\" may not act for tenant \"%s\"",
		                       GetUserNameFromId(GetOuterUserId(), false), tenant_id),
		                errhint("A superuser grants a role a tenant with mint.grant_tenant().")));
}

/*
 * mint.has_tenant_access(tenant_id) — the row filter of the mint views.
 *
 * Views scan many rows of one tenant in a row, so the last answer is kept
 * for the rest of the transaction (same role, same tenant).
 */
Datum
mint_has_tenant_access(PG_FUNCTION_ARGS)
{
	static LocalTransactionId cached_lxid = InvalidLocalTransactionId;
	static Oid cached_role = InvalidOid;
	static char cached_tenant[128];
	static bool cached_result = false;
	char *tenant_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Oid role = GetOuterUserId();
	bool result;

	if (cached_lxid == MyProc->lxid && cached_role == role && strcmp(cached_tenant, tenant_id) == 0)
		PG_RETURN_BOOL(cached_result);

	SPI_connect();
	result = mint_tenant_access(tenant_id);
	SPI_finish();

	if (strlen(tenant_id) < sizeof(cached_tenant))
	{
		cached_lxid = MyProc->lxid;
		cached_role = role;
		strcpy(cached_tenant, tenant_id);
		cached_result = result;
	}
	PG_RETURN_BOOL(result);
}

PG_FUNCTION_INFO_V1(mint_visible_tenants);

/*
 * mint._visible_tenants() RETURNS text[] — the tenants the session's role may
 * act for (an empty array when none), or NULL for a superuser, who may act
 * for every tenant.  The job listings (mint._jobs(), mint._tenant_stats())
 * read only these tenants' rows, so nothing about another tenant's rows
 * reaches a plan the caller can see.  Internal: granted to no one.
 */
Datum
mint_visible_tenants(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	Oid role = GetOuterUserId();
	Oid types[1] = {OIDOID};
	Datum args[1];
	Datum result;
	bool isnull;

	if (superuser_arg(role))
		PG_RETURN_NULL();
	SPI_connect();
	args[0] = ObjectIdGetDatum(role);
	if (SPI_execute_plan(mint_plan(&plan,
	                               "SELECT COALESCE(pg_catalog.array_agg(DISTINCT r.tenant_id), "
	                               "'{}'::text[]) FROM mint.tenant_roles r "
	                               "WHERE pg_catalog.pg_has_role($1, r.role_name::oid, 'USAGE')",
	                               1, types),
	                     args, NULL, true, 1) != SPI_OK_SELECT ||
	    SPI_processed != 1)
		elog(ERROR, "could not read mint.tenant_roles");
	result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	result = SPI_datumTransfer(result, false, -1); /* into the caller's context */
	SPI_finish();
	PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(mint_check_tenant_sql);

/*
 * mint._check_tenant(tenant_id) — mint_check_tenant_access() for the SQL
 * functions (mint.events_since): the same error, naming the session's role.
 * The caller has checked the tenant id's form (so the message is bounded).
 */
Datum
mint_check_tenant_sql(PG_FUNCTION_ARGS)
{
	char *tenant_id = text_to_cstring(PG_GETARG_TEXT_PP(0));

	SPI_connect();
	mint_check_tenant_access(tenant_id);
	SPI_finish();
	PG_RETURN_VOID();
}
