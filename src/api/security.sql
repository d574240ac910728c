
-- ---------------------------------------------------------------------------
-- Privileges: default deny.  Nothing but the types is usable by PUBLIC;
-- mint.grant_tenant() gives a role exactly what an application needs.
-- ---------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA @extschema@ FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.is_address(text) TO PUBLIC;
