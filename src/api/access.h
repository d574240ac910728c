/*-------------------------------------------------------------------------
 *
 * access.h
 *	  Confining application roles to their tenants.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MINT_ACCESS_H
#define MINT_ACCESS_H

extern bool mint_tenant_access(const char *tenant_id);
extern void mint_check_tenant_access(const char *tenant_id);

#endif /* MINT_ACCESS_H */
