/*-------------------------------------------------------------------------
 *
 * validate.c
 *	  Everything a mint request must satisfy is checked at call time, so a
 *	  bad request gets a clear error with a standard SQLSTATE and writes
 *	  nothing; the worker never meets input it cannot mint.
 *
 * The metadata rules (Bubblegum's limits in UTF-8 bytes, creators, fee) and
 * the 1232-byte transaction limit are the Solana client's: the same code the
 * worker builds transactions with decides here, so the two cannot disagree.
 *
 * This file includes the Solana client's headers (which use jansson) and so
 * must not include utils/builtins.h: PostgreSQL's json_object() would clash.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sodium.h>

#include "mb/pg_wchar.h"
#include "utils/jsonb.h"

#include "api/validate.h"
#include "common/shared.h"
#include "common/mintparams.h"
#include "solana/sol_codec.h"

/*
 * A tenant id is 1..64 characters of [A-Za-z0-9._-]: it is part of job ids
 * ("mint:<tenant>:<ticket>"), so it may not contain ':'.
 */
void
mint_check_tenant_id(const char *tenant_id)
{
	size_t len = strlen(tenant_id);
	const char *p;

	if (len == 0 || len > MINT_TENANT_ID_MAX)
		ereport(ERROR, (errcode(len == 0 ? ERRCODE_INVALID_PARAMETER_VALUE
		                                 : ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
		                errmsg("tenant_id must be 1 to %d characters long", MINT_TENANT_ID_MAX)));
	for (p = tenant_id; *p; p++)
	{
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '.' || *p == '_' || *p == '-'))
			ereport(ERROR,
			        (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			         errmsg("invalid tenant_id \"%s\"", tenant_id),
			         errdetail("A tenant id may contain only letters, digits, '.', '_' and '-'.")));
	}
}

/*
 * Unicode general category Cf (format), from the Unicode Character Database
 * 14.0.0, UnicodeData.txt, field 2 = "Cf": inclusive ranges, sorted.
 * Generated with CPython 3.11's unicodedata (unidata_version 14.0.0, built
 * from that file) and checked against Perl 5.36's Unicode::UCD
 * (prop_invlist("General_Category=Cf"), also 14.0.0): the two agree.
 * Later versions may add code points (Unicode 15.0 extends the Egyptian
 * hieroglyph format controls past U+13438); update the table and the
 * version named here together.
 */
static const struct
{
	uint32 first;
	uint32 last;
} mint_unicode_cf[] = {
    {0x00AD, 0x00AD},   /* SOFT HYPHEN */
    {0x0600, 0x0605},   /* ARABIC NUMBER SIGN..ARABIC NUMBER MARK ABOVE */
    {0x061C, 0x061C},   /* ARABIC LETTER MARK */
    {0x06DD, 0x06DD},   /* ARABIC END OF AYAH */
    {0x070F, 0x070F},   /* SYRIAC ABBREVIATION MARK */
    {0x0890, 0x0891},   /* ARABIC POUND MARK ABOVE..ARABIC PIASTRE MARK ABOVE */
    {0x08E2, 0x08E2},   /* ARABIC DISPUTED END OF AYAH */
    {0x180E, 0x180E},   /* MONGOLIAN VOWEL SEPARATOR */
    {0x200B, 0x200F},   /* ZERO WIDTH SPACE..RIGHT-TO-LEFT MARK */
    {0x202A, 0x202E},   /* LEFT-TO-RIGHT EMBEDDING..RIGHT-TO-LEFT OVERRIDE */
    {0x2060, 0x2064},   /* WORD JOINER..INVISIBLE PLUS */
    {0x2066, 0x206F},   /* LEFT-TO-RIGHT ISOLATE..NOMINAL DIGIT SHAPES */
    {0xFEFF, 0xFEFF},   /* ZERO WIDTH NO-BREAK SPACE */
    {0xFFF9, 0xFFFB},   /* INTERLINEAR ANNOTATION ANCHOR..TERMINATOR */
    {0x110BD, 0x110BD}, /* KAITHI NUMBER SIGN */
    {0x110CD, 0x110CD}, /* KAITHI NUMBER SIGN ABOVE */
    {0x13430, 0x13438}, /* EGYPTIAN HIEROGLYPH VERTICAL JOINER..END SEGMENT */
    {0x1BCA0, 0x1BCA3}, /* SHORTHAND FORMAT LETTER OVERLAP..SHORTHAND FORMAT UP STEP */
    {0x1D173, 0x1D17A}, /* MUSICAL SYMBOL BEGIN BEAM..MUSICAL SYMBOL END PHRASE */
    {0xE0001, 0xE0001}, /* LANGUAGE TAG */
    {0xE0020, 0xE007F}, /* TAG SPACE..CANCEL TAG */
};

/*
 * mint_unicode_refused_category
 *	  The general category of a code point an id may not contain: "Cc"
 *	  (U+0000-001F, U+007F-009F), "Cf" (the table above), "Zl" (U+2028),
 *	  "Zp" (U+2029); NULL for any other.
 */
static const char *
mint_unicode_refused_category(uint32 cp)
{
	int lo = 0;
	int hi = lengthof(mint_unicode_cf) - 1;

	if (cp <= 0x1F || (cp >= 0x7F && cp <= 0x9F))
		return "Cc";
	if (cp == 0x2028)
		return "Zl";
	if (cp == 0x2029)
		return "Zp";
	while (lo <= hi)
	{
		int mid = (lo + hi) / 2;

		if (cp < mint_unicode_cf[mid].first)
			hi = mid - 1;
		else if (cp > mint_unicode_cf[mid].last)
			lo = mid + 1;
		else
			return "Cf";
	}
	return NULL;
}

/*
 * mint_check_id_chars
 *	  Refuse an id with a Unicode control, format, line or paragraph
 *	  separator character (categories Cc, Cf, Zl, Zp): they are invisible or
 *	  reorder what is displayed (U+202E), so two ids that look alike could
 *	  be different tickets.  The id is decoded as UTF-8 (converted first when
 *	  the database encoding is another one; in a SQL_ASCII database bytes
 *	  that are not UTF-8 are refused).
 */
static void
mint_check_id_chars(const char *what, const char *id, size_t len, const char *where)
{
	const unsigned char *u = (const unsigned char *)id;
	const unsigned char *end;
	int nchar = 0;

	if (GetDatabaseEncoding() != PG_UTF8)
		u = (const unsigned char *)pg_server_to_any(id, (int)len, PG_UTF8);
	end = u + strlen((const char *)u);
	while (u < end)
	{
		int l = (*u < 0x80) ? 1 : pg_utf_mblen(u);
		uint32 cp;
		const char *cat;

		nchar++;
		if (l > end - u || !pg_utf8_islegal(u, l))
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("%s%s is not valid UTF-8", where, what),
			                errdetail("Character %d is not a UTF-8 sequence.", nchar)));
		cp = (l == 1) ? *u : utf8_to_unicode(u);
		cat = mint_unicode_refused_category(cp);
		if (cat != NULL)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("%s%s contains a control or format character", where, what),
			                errdetail("Character %d is U+%04X (Unicode general category %s).",
			                          nchar, (unsigned int)cp, cat)));
		u += l;
	}
}

static void
mint_check_ticket_id(const char *ticket_id, const char *where)
{
	size_t len = strlen(ticket_id);

	if (len == 0 || len > MINT_TICKET_ID_MAX)
		ereport(ERROR,
		        (errcode(len == 0 ? ERRCODE_INVALID_PARAMETER_VALUE
		                          : ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
		         errmsg("%sticket_id must be 1 to %d bytes long", where, MINT_TICKET_ID_MAX)));
	mint_check_id_chars("ticket_id", ticket_id, len, where);
}

/*
 * mint_clip
 *	  An input as an error message may quote it: itself when it is short,
 *	  else its first MINT_ECHO_MAX bytes (cut at a character boundary),
 *	  "..." and its length.  Errors never echo unbounded input: a 10 MB
 *	  argument would otherwise become a 10 MB message and log line.
 */
const char *
mint_clip(const char *s)
{
	size_t len = strlen(s);
	int keep;

	if (len <= MINT_ECHO_MAX)
		return s;
	keep = pg_mbcliplen(s, (int)len, MINT_ECHO_MAX);
	return psprintf("%.*s... (%zu bytes)", keep, s, len);
}

/*
 * An idempotency key is 1..255 printable ASCII characters (the IETF draft's
 * sf-string), not starting or ending with a space.
 */
void
mint_check_idempotency_key(const char *key)
{
	size_t len = strlen(key);
	const char *p;

	if (len == 0 || len > MINT_IDEM_KEY_MAX)
		ereport(ERROR,
		        (errcode(len == 0 ? ERRCODE_INVALID_PARAMETER_VALUE
		                          : ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
		         errmsg("idempotency_key must be 1 to %d characters long", MINT_IDEM_KEY_MAX)));
	for (p = key; *p; p++)
	{
		if (*p < 0x20 || *p > 0x7e)
			ereport(ERROR,
			        (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			         errmsg("idempotency_key must be printable ASCII"),
			         errdetail("Byte %d is 0x%02x.", (int)(p - key) + 1, (unsigned char)*p)));
	}
	if (key[0] == ' ' || key[len - 1] == ' ')
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("idempotency_key must not start or end with a space")));
}

/*
 * mint_payer_key
 *	  The workers' public key, once a worker has loaded mint.keypair_path.
 */
static bool
mint_payer_key(uint8 out[32])
{
	char payer[48];

	SpinLockAcquire(&mint_shared->mutex);
	memcpy(payer, mint_shared->payer, sizeof(payer));
	SpinLockRelease(&mint_shared->mutex);
	return payer[0] != '\0' && sol_pubkey_from_b58(payer, out);
}

bool
mint_is_address(const char *s)
{
	uint8_t raw[32];

	return sol_pubkey_from_b58(s, raw);
}

static int
mint_sol_errcode(const SolError *err)
{
	switch (err->code)
	{
		case SOL_ERR_TOO_LONG:
			return ERRCODE_STRING_DATA_RIGHT_TRUNCATION;
		case SOL_ERR_TOO_LARGE:
			return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
		default:
			return ERRCODE_INVALID_PARAMETER_VALUE;
	}
}

/*
 * mint_check_ticket
 *	  Validate one ticket against the tenant's tree, canonicalise its metadata
 *	  and compute its fingerprint.  `where` prefixes messages ("tickets[3]: ").
 */
void
mint_check_ticket(MintTicket *t, const MintTree *tree, const char *where)
{
	SolMetadata md;
	SolMintParams mp;
	SolError err;
	uint8 stand_in_payer[32];
	uint8_t blockhash[32];
	uint8_t tx[SOL_PACKET_DATA_SIZE];
	crypto_hash_sha256_state st;

	mint_check_ticket_id(t->ticket_id, where);

	if (!mint_is_address(t->owner))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("%sinvalid owner \"%s\"", where, mint_clip(t->owner)),
		                errdetail("An owner is the base58 encoding of a 32-byte Solana address.")));

	if (!JB_ROOT_IS_OBJECT(t->metadata) || JB_ROOT_IS_SCALAR(t->metadata))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("%smetadata must be a JSON object", where)));
	t->metadata_text = JsonbToCString(NULL, &t->metadata->root, VARSIZE(t->metadata));

	/*
	 * Build the transaction the worker would send, with a stand-in payer
	 * and an all-zero blockhash: its size does not depend on their values,
	 * and a payer distinct from every other account is the largest layout.
	 */
	memset(&err, 0, sizeof(err));
	memset(stand_in_payer, 0x11, sizeof(stand_in_payer));
	if (!mint_params(t->owner, t->metadata_text, tree->merkle_tree, tree->collection_mint,
	                 tree->version == 2, stand_in_payer, &md, &mp, &err))
		ereport(ERROR, (errcode(mint_sol_errcode(&err)),
		                errmsg("%sinvalid metadata: %s", where, err.message),
		                err.field[0] ? errdetail("Field \"%s\".", err.field) : 0,
		                errhint("See the metadata format in the mint_ext README.")));
	memset(blockhash, 0, sizeof(blockhash));
	if (sol_build_mint_tx(&mp, blockhash, NULL, tx, sizeof(tx), NULL, &err) < 0)
		ereport(ERROR,
		        (errcode(mint_sol_errcode(&err)),
		         errmsg("%sticket \"%s\" cannot be minted: %s", where, t->ticket_id, err.message)));

	/*
	 * A creator marked verified must sign, and only the workers' key signs.
	 * Checked here when a worker has published that key, and by the worker
	 * before it signs in any case.
	 */
	if (mint_payer_key(stand_in_payer) &&
	    sol_metadata_check_signers(&md, stand_in_payer, stand_in_payer, &err) != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("%sinvalid metadata: %s", where, err.message),
		                errdetail("Only the workers' key (%s) can sign as a verified creator.",
		                          mint_shared->payer)));

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)t->owner, strlen(t->owner) + 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)t->metadata_text,
	                          strlen(t->metadata_text));
	crypto_hash_sha256_final(&st, t->fingerprint);
}

/*
 * mint_preview_tx
 *	  Base64 of the unsigned transaction the worker would send for a job
 *	  with this blockhash, signed by the workers' key (payer58).
 */
char *
mint_preview_tx(const char *owner, const char *metadata_text, const MintTree *tree,
                const char *payer58, const char *blockhash58)
{
	SolMetadata md;
	SolMintParams mp;
	SolError err;
	uint8 payer[32];
	uint8_t blockhash[32];
	uint8_t tx[SOL_PACKET_DATA_SIZE];
	int len;
	char *b64;
	int cap;

	if (!sol_pubkey_from_b58(blockhash58, blockhash))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("invalid recent_blockhash \"%s\"", mint_clip(blockhash58)),
		                errdetail("A blockhash is the base58 encoding of 32 bytes.")));
	if (!sol_pubkey_from_b58(payer58, payer))
		elog(ERROR, "invalid payer key in shared memory");
	memset(&err, 0, sizeof(err));
	if (!mint_params(owner, metadata_text, tree->merkle_tree, tree->collection_mint,
	                 tree->version == 2, payer, &md, &mp, &err) ||
	    (len = sol_build_mint_tx(&mp, blockhash, NULL, tx, sizeof(tx), NULL, &err)) < 0)
		ereport(ERROR, (errcode(mint_sol_errcode(&err)),
		                errmsg("cannot build the transaction: %s", err.message)));
	cap = 4 * ((len + 2) / 3) + 1;
	b64 = palloc(cap);
	if (sol_base64_encode(tx, len, b64, cap) < 0)
		elog(ERROR, "base64 encoding failed");
	return b64;
}

/*
 * mint_request_fingerprint
 *	  SHA-256 over the canonical request an idempotency key stands for: the
 *	  operation and, in order, every ticket id with its own fingerprint.
 */
void
mint_request_fingerprint(const char *operation, MintTicket *tickets, int n,
                         uint8 out[MINT_FINGERPRINT_LEN])
{
	crypto_hash_sha256_state st;
	int i;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)operation, strlen(operation) + 1);
	for (i = 0; i < n; i++)
	{
		crypto_hash_sha256_update(&st, (const unsigned char *)tickets[i].ticket_id,
		                          strlen(tickets[i].ticket_id) + 1);
		crypto_hash_sha256_update(&st, tickets[i].fingerprint, MINT_FINGERPRINT_LEN);
	}
	crypto_hash_sha256_final(&st, out);
}
