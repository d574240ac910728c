
-- ---------------------------------------------------------------------------
-- Shared memory seen from SQL (src/common/shared.c): the wake-up at commit
-- and the webhook counters.
-- ---------------------------------------------------------------------------

-- Wake the workers when the calling transaction commits (not at all if it
-- rolls back).
CREATE FUNCTION @extschema@.wake_at_commit()
RETURNS void
AS 'MODULE_PATHNAME', 'mint_wake_at_commit_sql'
LANGUAGE C VOLATILE;

-- Webhook deliveries by outcome since the server started (mint.stats).
CREATE FUNCTION @extschema@._webhook_counters(
	OUT processed bigint, OUT duplicates bigint, OUT ignored bigint,
	OUT rejected_signature bigint, OUT rejected_timestamp bigint, OUT rejected_malformed bigint,
	OUT rejected_too_large bigint, OUT rejected_endpoint bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'mint_webhook_counters'
LANGUAGE C VOLATILE;
