/*
 * sol_metadata.c
 *	  Bubblegum MetadataArgs: strict application JSON parser, Borsh
 *	  encode/decode, data and creator hashes.
 */
#include "sol_bubblegum.h"

#include <stdio.h>
#include <string.h>

#include "sol_codec.h"
#include "sol_crypto.h"

static int
copy_string(const json_t *v, const char *field, char *dst, size_t *dst_len, size_t limit,
            SolError *err)
{
	const char *s;
	size_t n;

	if (!json_is_string(v))
		return sol_error_set(err, SOL_ERR_INVALID, field, "%s must be a string", field);
	s = json_string_value(v);
	n = json_string_length(v);
	if (!sol_utf8_valid((const uint8_t *)s, n) || memchr(s, '\0', n) != NULL)
		return sol_error_set(err, SOL_ERR_INVALID, field, "%s is not valid UTF-8 text", field);
	if (n > limit)
		return sol_error_set(err, SOL_ERR_TOO_LONG, field,
		                     "%s is %zu bytes; the limit is %zu UTF-8 bytes", field, n, limit);
	memcpy(dst, s, n);
	dst[n] = '\0';
	*dst_len = n;
	return 0;
}

static int
get_int(const json_t *v, const char *field, json_int_t lo, json_int_t hi, json_int_t *out,
        SolError *err)
{
	json_int_t x;

	if (!json_is_integer(v))
		return sol_error_set(err, SOL_ERR_INVALID, field, "%s must be an integer", field);
	x = json_integer_value(v);
	if (x < lo || x > hi)
		return sol_error_set(err, SOL_ERR_INVALID, field, "%s must be between %lld and %lld", field,
		                     (long long)lo, (long long)hi);
	*out = x;
	return 0;
}

static int
get_bool(const json_t *v, const char *field, bool *out, SolError *err)
{
	if (!json_is_boolean(v))
		return sol_error_set(err, SOL_ERR_INVALID, field, "%s must be true or false", field);
	*out = json_is_true(v);
	return 0;
}

static int
get_pubkey(const json_t *v, const char *field, uint8_t out[32], SolError *err)
{
	if (!json_is_string(v) || !sol_pubkey_from_b58(json_string_value(v), out) ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return sol_error_set(err, SOL_ERR_INVALID, field,
		                     "%s must be a base58 public key (32 bytes)", field);
	return 0;
}

static int
parse_creators(const json_t *arr, SolMetadata *md, SolError *err)
{
	size_t i;
	size_t j;
	unsigned sum = 0;
	char field[64];

	if (!json_is_array(arr))
		return sol_error_set(err, SOL_ERR_INVALID, "creators", "creators must be an array");
	if (json_array_size(arr) > SOL_MAX_CREATORS)
		return sol_error_set(err, SOL_ERR_INVALID, "creators", "at most %d creators",
		                     SOL_MAX_CREATORS);
	md->num_creators = json_array_size(arr);
	for (i = 0; i < md->num_creators; i++)
	{
		const json_t *c = json_array_get(arr, i);
		SolCreator *cr = &md->creators[i];
		const char *key;
		json_t *val;
		bool have_addr = false;
		bool have_share = false;

		snprintf(field, sizeof(field), "creators[%zu]", i);
		if (!json_is_object(c))
			return sol_error_set(err, SOL_ERR_INVALID, field, "%s must be an object", field);
		cr->verified = false;
		json_object_foreach((json_t *)c, key, val)
		{
			json_int_t x;

			snprintf(field, sizeof(field), "creators[%zu].%.30s", i, key);
			if (strcmp(key, "address") == 0)
			{
				if (get_pubkey(val, field, cr->address, err) != 0)
					return -1;
				have_addr = true;
			}
			else if (strcmp(key, "share") == 0)
			{
				if (get_int(val, field, 0, 100, &x, err) != 0)
					return -1;
				cr->share = (uint8_t)x;
				have_share = true;
			}
			else if (strcmp(key, "verified") == 0)
			{
				if (get_bool(val, field, &cr->verified, err) != 0)
					return -1;
			}
			else
				return sol_error_set(err, SOL_ERR_INVALID, field, "unknown key %s", field);
		}
		if (!have_addr)
		{
			snprintf(field, sizeof(field), "creators[%zu].address", i);
			return sol_error_set(err, SOL_ERR_INVALID, field, "%s is required", field);
		}
		if (!have_share)
		{
			snprintf(field, sizeof(field), "creators[%zu].share", i);
			return sol_error_set(err, SOL_ERR_INVALID, field, "%s is required", field);
		}
		for (j = 0; j < i; j++)
			if (memcmp(md->creators[j].address, cr->address, 32) == 0)
			{
				snprintf(field, sizeof(field), "creators[%zu].address", i);
				return sol_error_set(err, SOL_ERR_INVALID, field, "duplicate creator address");
			}
		sum += cr->share;
	}
	if (md->num_creators > 0 && sum != 100)
		return sol_error_set(err, SOL_ERR_INVALID, "creators",
		                     "creator shares must sum to 100 (got %u)", sum);
	return 0;
}

int
sol_metadata_from_jansson(const json_t *obj, SolMetadata *out, SolError *err)
{
	SolMetadata md;
	const char *key;
	json_t *val;
	bool have_name = false;
	bool have_uri = false;

	memset(&md, 0, sizeof(md));
	md.is_mutable = true;
	md.has_token_standard = true;
	md.token_standard = 0; /* NonFungible */
	if (!json_is_object(obj))
		return sol_error_set(err, SOL_ERR_INVALID, "", "metadata must be a JSON object");
	json_object_foreach((json_t *)obj, key, val)
	{
		json_int_t x;

		if (strcmp(key, "name") == 0)
		{
			if (copy_string(val, "name", md.name, &md.name_len, SOL_MAX_NAME_LEN, err) != 0)
				return -1;
			have_name = true;
		}
		else if (strcmp(key, "symbol") == 0)
		{
			if (copy_string(val, "symbol", md.symbol, &md.symbol_len, SOL_MAX_SYMBOL_LEN, err) != 0)
				return -1;
		}
		else if (strcmp(key, "uri") == 0)
		{
			if (copy_string(val, "uri", md.uri, &md.uri_len, SOL_MAX_URI_LEN, err) != 0)
				return -1;
			have_uri = true;
		}
		else if (strcmp(key, "seller_fee_basis_points") == 0)
		{
			if (get_int(val, "seller_fee_basis_points", 0, SOL_MAX_BASIS_POINTS, &x, err) != 0)
				return -1;
			md.seller_fee_basis_points = (uint16_t)x;
		}
		else if (strcmp(key, "creators") == 0)
		{
			if (parse_creators(val, &md, err) != 0)
				return -1;
		}
		else if (strcmp(key, "is_mutable") == 0)
		{
			if (get_bool(val, "is_mutable", &md.is_mutable, err) != 0)
				return -1;
		}
		else if (strcmp(key, "primary_sale_happened") == 0)
		{
			if (get_bool(val, "primary_sale_happened", &md.primary_sale_happened, err) != 0)
				return -1;
		}
		else if (strcmp(key, "collection") == 0)
		{
			if (!json_is_null(val))
			{
				if (get_pubkey(val, "collection", md.collection_key, err) != 0)
					return -1;
				md.has_collection = true;
				md.collection_verified = false;
			}
		}
		else
		{
			char field[64];

			snprintf(field, sizeof(field), "%.60s", key);
			return sol_error_set(err, SOL_ERR_INVALID, field, "unknown metadata key \"%.60s\"",
			                     key);
		}
	}
	if (!have_name)
		return sol_error_set(err, SOL_ERR_INVALID, "name", "name is required");
	if (!have_uri)
		return sol_error_set(err, SOL_ERR_INVALID, "uri", "uri is required");
	*out = md;
	return 0;
}

/* Name the JSON key whose value holds the byte at offset pos (best effort). */
static void
key_before(const char *json, size_t len, size_t pos, char *field, size_t fieldcap)
{
	size_t i;

	field[0] = '\0';
	if (pos > len)
		pos = len;
	for (i = pos; i > 0; i--)
	{
		if (json[i - 1] == ':')
		{
			size_t end;
			size_t start;

			end = i - 1;
			while (end > 0 && (json[end - 1] == ' ' || json[end - 1] == '\t' ||
			                   json[end - 1] == '\n' || json[end - 1] == '\r'))
				end--;
			if (end == 0 || json[end - 1] != '"')
				return;
			end--;
			start = end;
			while (start > 0 && json[start - 1] != '"')
				start--;
			if (start == 0)
				return;
			snprintf(field, fieldcap, "%.*s", (int)(end - start < 60 ? end - start : 60),
			         json + start);
			return;
		}
	}
}

int
sol_metadata_from_json(const char *json, size_t len, SolMetadata *out, SolError *err)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	if (json == NULL)
		return sol_error_set(err, SOL_ERR_INVALID, "", "metadata is missing");
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
	{
		if (!sol_utf8_valid((const uint8_t *)json, len))
		{
			char field[64];
			size_t i = sol_utf8_valid_prefix((const uint8_t *)json, len);

			key_before(json, len, i, field, sizeof(field));
			return sol_error_set(err, SOL_ERR_INVALID, field, "invalid UTF-8 in metadata%s%s",
			                     field[0] ? " field " : "", field);
		}
		return sol_error_set(err, SOL_ERR_INVALID, "", "metadata is not valid JSON: %s", jerr.text);
	}
	rc = sol_metadata_from_jansson(root, out, err);
	json_decref(root);
	return rc;
}

int
sol_metadata_validate(const SolMetadata *md, SolError *err)
{
	size_t i;
	size_t j;
	unsigned sum = 0;

	if (md->name_len > SOL_MAX_NAME_LEN)
		return sol_error_set(err, SOL_ERR_TOO_LONG, "name", "name too long");
	if (md->symbol_len > SOL_MAX_SYMBOL_LEN)
		return sol_error_set(err, SOL_ERR_TOO_LONG, "symbol", "symbol too long");
	if (md->uri_len > SOL_MAX_URI_LEN)
		return sol_error_set(err, SOL_ERR_TOO_LONG, "uri", "uri too long");
	if (md->seller_fee_basis_points > SOL_MAX_BASIS_POINTS)
		return sol_error_set(err, SOL_ERR_INVALID, "seller_fee_basis_points",
		                     "basis points over 10000");
	if (md->num_creators > SOL_MAX_CREATORS)
		return sol_error_set(err, SOL_ERR_INVALID, "creators", "too many creators");
	for (i = 0; i < md->num_creators; i++)
	{
		sum += md->creators[i].share;
		for (j = 0; j < i; j++)
			if (memcmp(md->creators[i].address, md->creators[j].address, 32) == 0)
				return sol_error_set(err, SOL_ERR_INVALID, "creators", "duplicate creator");
	}
	if (md->num_creators > 0 && sum != 100)
		return sol_error_set(err, SOL_ERR_INVALID, "creators", "shares must sum to 100");
	if (!md->has_token_standard || md->token_standard != 0)
		return sol_error_set(err, SOL_ERR_INVALID, "token_standard",
		                     "token_standard must be Some(NonFungible)");
	return 0;
}

int
sol_metadata_borsh_encode(const SolMetadata *md, uint8_t *out, size_t outcap)
{
	SolWriter w;
	size_t i;

	if (md->num_creators > SOL_MAX_CREATORS || md->name_len > SOL_MAX_NAME_LEN ||
	    md->symbol_len > SOL_MAX_SYMBOL_LEN || md->uri_len > SOL_MAX_URI_LEN)
		return -1;
	sol_writer_init(&w, out, outcap);
	sol_put_string(&w, md->name, md->name_len);
	sol_put_string(&w, md->symbol, md->symbol_len);
	sol_put_string(&w, md->uri, md->uri_len);
	sol_put_u16(&w, md->seller_fee_basis_points);
	sol_put_u8(&w, md->primary_sale_happened ? 1 : 0);
	sol_put_u8(&w, md->is_mutable ? 1 : 0);
	sol_put_u8(&w, md->has_edition_nonce ? 1 : 0);
	if (md->has_edition_nonce)
		sol_put_u8(&w, md->edition_nonce);
	sol_put_u8(&w, md->has_token_standard ? 1 : 0);
	if (md->has_token_standard)
		sol_put_u8(&w, md->token_standard);
	sol_put_u8(&w, md->has_collection ? 1 : 0);
	if (md->has_collection)
	{
		sol_put_u8(&w, md->collection_verified ? 1 : 0);
		sol_put_bytes(&w, md->collection_key, 32);
	}
	sol_put_u8(&w, md->has_uses ? 1 : 0);
	if (md->has_uses)
	{
		sol_put_u8(&w, md->use_method);
		sol_put_u64(&w, md->uses_remaining);
		sol_put_u64(&w, md->uses_total);
	}
	sol_put_u8(&w, md->token_program_version);
	sol_put_u32(&w, (uint32_t)md->num_creators);
	for (i = 0; i < md->num_creators; i++)
	{
		sol_put_bytes(&w, md->creators[i].address, 32);
		sol_put_u8(&w, md->creators[i].verified ? 1 : 0);
		sol_put_u8(&w, md->creators[i].share);
	}
	return w.overflow ? -1 : (int)w.len;
}

static int
get_string(SolReader *r, const char *field, char *dst, size_t *dst_len, size_t limit, SolError *err)
{
	uint32_t n = sol_get_u32(r);
	const uint8_t *p;

	if (r->error)
		return sol_error_set(err, SOL_ERR_INVALID, field, "truncated %s", field);
	if (n > limit)
		return sol_error_set(err, SOL_ERR_TOO_LONG, field, "%s longer than %zu bytes", field,
		                     limit);
	p = sol_get_bytes(r, n);
	if (p == NULL)
		return sol_error_set(err, SOL_ERR_INVALID, field, "truncated %s", field);
	if (!sol_utf8_valid(p, n))
		return sol_error_set(err, SOL_ERR_INVALID, field, "%s is not UTF-8", field);
	memcpy(dst, p, n);
	dst[n] = '\0';
	*dst_len = n;
	return 0;
}

static bool
get_option(SolReader *r)
{
	uint8_t t = sol_get_u8(r);

	if (t > 1)
		r->error = true;
	return t == 1;
}

int
sol_metadata_borsh_decode(const uint8_t *in, size_t len, SolMetadata *out, SolError *err)
{
	SolReader r;
	SolMetadata md;
	uint32_t ncreators;
	size_t i;

	memset(&md, 0, sizeof(md));
	sol_reader_init(&r, in, len);
	if (get_string(&r, "name", md.name, &md.name_len, SOL_MAX_NAME_LEN, err) != 0 ||
	    get_string(&r, "symbol", md.symbol, &md.symbol_len, SOL_MAX_SYMBOL_LEN, err) != 0 ||
	    get_string(&r, "uri", md.uri, &md.uri_len, SOL_MAX_URI_LEN, err) != 0)
		return -1;
	md.seller_fee_basis_points = sol_get_u16(&r);
	md.primary_sale_happened = sol_get_bool(&r);
	md.is_mutable = sol_get_bool(&r);
	md.has_edition_nonce = get_option(&r);
	if (md.has_edition_nonce)
		md.edition_nonce = sol_get_u8(&r);
	md.has_token_standard = get_option(&r);
	if (md.has_token_standard)
	{
		md.token_standard = sol_get_u8(&r);
		if (md.token_standard > 3)
			r.error = true;
	}
	md.has_collection = get_option(&r);
	if (md.has_collection)
	{
		const uint8_t *k;

		md.collection_verified = sol_get_bool(&r);
		k = sol_get_bytes(&r, 32);
		if (k)
			memcpy(md.collection_key, k, 32);
	}
	md.has_uses = get_option(&r);
	if (md.has_uses)
	{
		md.use_method = sol_get_u8(&r);
		if (md.use_method > 2)
			r.error = true;
		md.uses_remaining = sol_get_u64(&r);
		md.uses_total = sol_get_u64(&r);
	}
	md.token_program_version = sol_get_u8(&r);
	if (md.token_program_version > 1)
		r.error = true;
	ncreators = sol_get_u32(&r);
	if (r.error)
		return sol_error_set(err, SOL_ERR_INVALID, "metadata", "malformed MetadataArgs");
	if (ncreators > SOL_MAX_CREATORS)
		return sol_error_set(err, SOL_ERR_INVALID, "creators", "more than %d creators",
		                     SOL_MAX_CREATORS);
	md.num_creators = ncreators;
	for (i = 0; i < ncreators; i++)
	{
		const uint8_t *a = sol_get_bytes(&r, 32);

		if (a)
			memcpy(md.creators[i].address, a, 32);
		md.creators[i].verified = sol_get_bool(&r);
		md.creators[i].share = sol_get_u8(&r);
	}
	if (r.error)
		return sol_error_set(err, SOL_ERR_INVALID, "creators", "malformed creators");
	*out = md;
	return (int)r.pos;
}

void
sol_metadata_data_hash(const SolMetadata *md, uint8_t out[32])
{
	uint8_t buf[SOL_METADATA_BORSH_MAX];
	uint8_t inner[34];
	int n = sol_metadata_borsh_encode(md, buf, sizeof(buf));

	if (n < 0)
		n = 0;
	sol_keccak256(buf, (size_t)n, inner);
	inner[32] = (uint8_t)(md->seller_fee_basis_points & 0xff);
	inner[33] = (uint8_t)(md->seller_fee_basis_points >> 8);
	sol_keccak256(inner, sizeof(inner), out);
}

void
sol_metadata_creator_hash(const SolMetadata *md, uint8_t out[32])
{
	SolKeccak k;
	size_t i;

	sol_keccak_init(&k);
	for (i = 0; i < md->num_creators && i < SOL_MAX_CREATORS; i++)
	{
		uint8_t tail[2];

		tail[0] = md->creators[i].verified ? 1 : 0;
		tail[1] = md->creators[i].share;
		sol_keccak_update(&k, md->creators[i].address, 32);
		sol_keccak_update(&k, tail, 2);
	}
	sol_keccak_final(&k, out);
}

void
sol_leaf_hash(const uint8_t id[32], const uint8_t owner[32], const uint8_t delegate[32],
              uint64_t nonce, const uint8_t data_hash[32], const uint8_t creator_hash[32],
              uint8_t out[32])
{
	SolKeccak k;
	uint8_t version = 1; /* Version::V1.to_bytes() */
	uint8_t n[8];
	int i;

	for (i = 0; i < 8; i++)
		n[i] = (uint8_t)(nonce >> (8 * i));
	sol_keccak_init(&k);
	sol_keccak_update(&k, &version, 1);
	sol_keccak_update(&k, id, 32);
	sol_keccak_update(&k, owner, 32);
	sol_keccak_update(&k, delegate, 32);
	sol_keccak_update(&k, n, 8);
	sol_keccak_update(&k, data_hash, 32);
	sol_keccak_update(&k, creator_hash, 32);
	sol_keccak_final(&k, out);
}

int
sol_metadata_check_signers(const SolMetadata *md, const uint8_t payer[32],
                           const uint8_t tree_delegate[32], SolError *err)
{
	size_t i;

	for (i = 0; i < md->num_creators && i < SOL_MAX_CREATORS; i++)
	{
		char field[64];
		char b58[SOL_PUBKEY_B58_MAX];

		if (!md->creators[i].verified || memcmp(md->creators[i].address, payer, 32) == 0 ||
		    memcmp(md->creators[i].address, tree_delegate, 32) == 0)
			continue;
		snprintf(field, sizeof(field), "creators[%zu].verified", i);
		sol_pubkey_to_b58(md->creators[i].address, b58);
		return sol_error_set(err, SOL_ERR_INVALID, field,
		                     "creator %s is marked verified but does not sign the mint "
		                     "(Bubblegum would fail with CreatorDidNotVerify)",
		                     b58);
	}
	return 0;
}
