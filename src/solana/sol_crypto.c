/*
 * sol_crypto.c
 *	  SHA-256 and Ed25519 via libsodium, program-derived addresses, program
 *	  ids, Solana CLI keypair files.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "sol_crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

/* BGUMAp9Gq7iTEuizy4pqaxsTyUCBK68MDfK752saRPUY */
const uint8_t sol_bubblegum_program_id[32] = {
    0x98, 0x8b, 0x80, 0xeb, 0x79, 0x35, 0x28, 0x69, 0xb2, 0x24, 0x74, 0x5f, 0x59, 0xdd, 0xbf, 0x8a,
    0x26, 0x58, 0xca, 0x13, 0xdc, 0x68, 0x81, 0x21, 0x26, 0x35, 0x1c, 0xae, 0x07, 0xc1, 0xa5, 0xa5};
/* noopb9bkMVfRPU8AsbpTUg8AQkHtKwMYZiFUjNRtMmV */
const uint8_t sol_noop_program_id[32] = {
    0x0b, 0xbc, 0x0f, 0xc0, 0xbb, 0x47, 0xca, 0x2f, 0x74, 0xc4, 0x11, 0x2e, 0x94, 0xab, 0x13, 0xcf,
    0xa3, 0xc6, 0x34, 0xe5, 0xdc, 0x17, 0xea, 0xcb, 0x03, 0xcd, 0x1a, 0x23, 0xcd, 0x7e, 0x78, 0x7c};
/* cmtDvXumGCrqC1Age74AVPhSRVXJMd8PJS91L8KbNCK */
const uint8_t sol_account_compression_program_id[32] = {
    0x09, 0x2a, 0x13, 0xee, 0x95, 0xc4, 0x1c, 0xba, 0x08, 0xa6, 0x7f, 0x5a, 0xc6, 0x7e, 0x8d, 0xf7,
    0xe1, 0xda, 0x11, 0x62, 0x5e, 0x1d, 0x64, 0x13, 0x7f, 0x8f, 0x4f, 0x23, 0x83, 0x03, 0x7f, 0x14};
/* 11111111111111111111111111111111 */
const uint8_t sol_system_program_id[32] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
/* metaqbxxUerdq28cj1RbAWkYQm3ybzjb6a8bt518x1s */
const uint8_t sol_token_metadata_program_id[32] = {
    0x0b, 0x70, 0x65, 0xb1, 0xe3, 0xd1, 0x7c, 0x45, 0x38, 0x9d, 0x52, 0x7f, 0x6b, 0x04, 0xc3, 0xcd,
    0x58, 0xb8, 0x6c, 0x73, 0x1a, 0xa0, 0xfd, 0xb5, 0x49, 0xb6, 0xd1, 0xbc, 0x03, 0xf8, 0x29, 0x46};
/* ComputeBudget111111111111111111111111111111 */
const uint8_t sol_compute_budget_program_id[32] = {
    0x03, 0x06, 0x46, 0x6f, 0xe5, 0x21, 0x17, 0x32, 0xff, 0xec, 0xad, 0xba, 0x72, 0xc3, 0x9b, 0xe7,
    0xbc, 0x8c, 0xe5, 0xbb, 0xc5, 0xf7, 0x12, 0x6b, 0x2c, 0x43, 0x9b, 0x3a, 0x40, 0x00, 0x00, 0x00};

void
sol_sha256(const void *data, size_t len, uint8_t out[32])
{
	crypto_hash_sha256(out, data, len);
}

int
sol_create_program_address(const uint8_t *const *seeds, const size_t *seed_lens, size_t nseeds,
                           const uint8_t program_id[32], uint8_t out[32], SolError *err)
{
	static const char marker[] = "ProgramDerivedAddress";
	crypto_hash_sha256_state st;
	uint8_t h[32];
	size_t i;

	if (nseeds > SOL_MAX_SEEDS)
		return sol_error_set(err, SOL_ERR_PDA, "seeds", "more than %d seeds", SOL_MAX_SEEDS);
	for (i = 0; i < nseeds; i++)
		if (seed_lens[i] > SOL_MAX_SEED_LEN)
			return sol_error_set(err, SOL_ERR_PDA, "seeds", "seed %zu longer than %d bytes", i,
			                     SOL_MAX_SEED_LEN);
	crypto_hash_sha256_init(&st);
	for (i = 0; i < nseeds; i++)
		crypto_hash_sha256_update(&st, seeds[i], seed_lens[i]);
	crypto_hash_sha256_update(&st, program_id, 32);
	crypto_hash_sha256_update(&st, (const uint8_t *)marker, sizeof(marker) - 1);
	crypto_hash_sha256_final(&st, h);
	if (sol_is_on_curve(h))
		return sol_error_set(err, SOL_ERR_PDA, "seeds", "address is on the curve");
	memcpy(out, h, 32);
	return 0;
}

int
sol_find_program_address(const uint8_t *const *seeds, const size_t *seed_lens, size_t nseeds,
                         const uint8_t program_id[32], uint8_t out[32], uint8_t *bump_out,
                         SolError *err)
{
	const uint8_t *s[SOL_MAX_SEEDS];
	size_t l[SOL_MAX_SEEDS];
	uint8_t bump;
	size_t i;
	int b;

	if (nseeds >= SOL_MAX_SEEDS)
		return sol_error_set(err, SOL_ERR_PDA, "seeds", "at most %d seeds plus the bump",
		                     SOL_MAX_SEEDS - 1);
	for (i = 0; i < nseeds; i++)
	{
		if (seed_lens[i] > SOL_MAX_SEED_LEN)
			return sol_error_set(err, SOL_ERR_PDA, "seeds", "seed %zu longer than %d bytes", i,
			                     SOL_MAX_SEED_LEN);
		s[i] = seeds[i];
		l[i] = seed_lens[i];
	}
	s[nseeds] = &bump;
	l[nseeds] = 1;
	for (b = 255; b >= 0; b--)
	{
		bump = (uint8_t)b;
		if (sol_create_program_address(s, l, nseeds + 1, program_id, out, NULL) == 0)
		{
			if (bump_out)
				*bump_out = bump;
			return 0;
		}
	}
	return sol_error_set(err, SOL_ERR_PDA, "seeds", "no viable bump");
}

/* the tree config PDAs last derived: a worker mints into a pool of a few trees */
#define TREE_CONFIG_CACHE 16

int
sol_tree_config_pda(const uint8_t tree[32], uint8_t out[32], uint8_t *bump)
{
	static _Thread_local struct
	{
		uint8_t tree[32], pda[32], bump;
	} cache[TREE_CONFIG_CACHE];
	static _Thread_local int used, next;
	const uint8_t *s[1] = {tree};
	size_t l[1] = {32};
	int i;

	for (i = 0; i < used; i++)
		if (memcmp(cache[i].tree, tree, 32) == 0)
			break;
	if (i == used)
	{
		uint8_t pda[32], b;

		if (sol_find_program_address(s, l, 1, sol_bubblegum_program_id, pda, &b, NULL) != 0)
			return -1;
		/* a new entry, or the oldest one once all are taken */
		i = used < TREE_CONFIG_CACHE ? used++ : next;
		next = (i + 1) % TREE_CONFIG_CACHE;
		memcpy(cache[i].tree, tree, 32);
		memcpy(cache[i].pda, pda, 32);
		cache[i].bump = b;
	}
	memcpy(out, cache[i].pda, 32);
	if (bump)
		*bump = cache[i].bump;
	return 0;
}

int
sol_asset_id_pda(const uint8_t tree[32], uint64_t nonce, uint8_t out[32], uint8_t *bump)
{
	uint8_t n[8];
	const uint8_t *s[3];
	size_t l[3] = {5, 32, 8};
	int i;

	for (i = 0; i < 8; i++)
		n[i] = (uint8_t)(nonce >> (8 * i));
	s[0] = (const uint8_t *)"asset";
	s[1] = tree;
	s[2] = n;
	return sol_find_program_address(s, l, 3, sol_bubblegum_program_id, out, bump, NULL);
}

int
sol_collection_metadata_pda(const uint8_t mint[32], uint8_t out[32], uint8_t *bump)
{
	const uint8_t *s[3];
	size_t l[3] = {8, 32, 32};

	s[0] = (const uint8_t *)"metadata";
	s[1] = sol_token_metadata_program_id;
	s[2] = mint;
	return sol_find_program_address(s, l, 3, sol_token_metadata_program_id, out, bump, NULL);
}

int
sol_collection_master_edition_pda(const uint8_t mint[32], uint8_t out[32], uint8_t *bump)
{
	const uint8_t *s[4];
	size_t l[4] = {8, 32, 32, 7};

	s[0] = (const uint8_t *)"metadata";
	s[1] = sol_token_metadata_program_id;
	s[2] = mint;
	s[3] = (const uint8_t *)"edition";
	return sol_find_program_address(s, l, 4, sol_token_metadata_program_id, out, bump, NULL);
}

int
sol_collection_cpi_pda(uint8_t out[32], uint8_t *bump)
{
	const uint8_t *s[1] = {(const uint8_t *)"collection_cpi"};
	size_t l[1] = {14};

	return sol_find_program_address(s, l, 1, sol_bubblegum_program_id, out, bump, NULL);
}

int
sol_keypair_from_seed(const uint8_t seed[32], uint8_t secret64[64], uint8_t pub[32])
{
	uint8_t pk[32];

	if (sodium_init() < 0)
		return -1;
	if (crypto_sign_ed25519_seed_keypair(pk, secret64, seed) != 0)
		return -1;
	if (pub)
		memcpy(pub, pk, 32);
	return 0;
}

int
sol_sign(const uint8_t secret64[64], const uint8_t *msg, size_t len, uint8_t sig[64])
{
	if (sodium_init() < 0)
		return -1;
	return crypto_sign_ed25519_detached(sig, NULL, msg, len, secret64) == 0 ? 0 : -1;
}

bool
sol_verify(const uint8_t pub[32], const uint8_t *msg, size_t len, const uint8_t sig[64])
{
	if (sodium_init() < 0)
		return false;
	return crypto_sign_ed25519_verify_detached(sig, msg, len, pub) == 0;
}

static size_t
skip_ws(const char *buf, size_t len, size_t pos)
{
	while (pos < len &&
	       (buf[pos] == ' ' || buf[pos] == '\t' || buf[pos] == '\n' || buf[pos] == '\r'))
		pos++;
	return pos;
}

/* Strict parser for the CLI's "[n,n,...]" (64 integers 0..255); no heap copies. */
int
sol_keypair_parse(const char *buf, size_t len, uint8_t secret64[64], SolError *err)
{
	uint8_t bytes[64];
	uint8_t sk[64];
	uint8_t pk[32];
	size_t pos = 0;
	size_t count = 0;
	int rc = -1;

	pos = skip_ws(buf, len, pos);
	if (pos >= len || buf[pos] != '[')
		goto malformed;
	pos++;
	for (;;)
	{
		unsigned v = 0;
		size_t digits = 0;

		pos = skip_ws(buf, len, pos);
		while (pos < len && buf[pos] >= '0' && buf[pos] <= '9' && digits < 4)
		{
			v = v * 10 + (unsigned)(buf[pos] - '0');
			pos++;
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && buf[pos - digits] == '0') ||
		    count >= 64)
			goto malformed;
		bytes[count++] = (uint8_t)v;
		pos = skip_ws(buf, len, pos);
		if (pos < len && buf[pos] == ',')
		{
			pos++;
			continue;
		}
		if (pos < len && buf[pos] == ']')
		{
			pos++;
			break;
		}
		goto malformed;
	}
	pos = skip_ws(buf, len, pos);
	if (pos != len || count != 64)
		goto malformed;
	if (sol_keypair_from_seed(bytes, sk, pk) != 0)
	{
		sol_error_set(err, SOL_ERR_INTERNAL, "keypair", "libsodium failure");
		goto done;
	}
	if (sodium_memcmp(pk, bytes + 32, 32) != 0)
	{
		sol_error_set(err, SOL_ERR_KEYPAIR, "keypair",
		              "public key in keypair file does not match its secret seed");
		goto done;
	}
	memcpy(secret64, sk, 64);
	rc = 0;
	goto done;
malformed:
	sol_error_set(err, SOL_ERR_KEYPAIR, "keypair",
	              "keypair file must be a JSON array of 64 integers 0..255");
done:
	sodium_memzero(bytes, sizeof(bytes));
	sodium_memzero(sk, sizeof(sk));
	return rc;
}

int
sol_keypair_load(const char *path, uint8_t secret64[64], SolError *err)
{
	char buf[4096];
	struct stat st;
	ssize_t n;
	size_t total = 0;
	int fd;
	int rc = -1;

	if (path == NULL)
		return sol_error_set(err, SOL_ERR_KEYPAIR, "keypair", "no keypair path");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return sol_error_set(err, SOL_ERR_IO, "keypair", "cannot open keypair file: %s",
		                     strerror(errno));
	if (fstat(fd, &st) != 0)
	{
		sol_error_set(err, SOL_ERR_IO, "keypair", "cannot stat keypair file: %s", strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode))
	{
		sol_error_set(err, SOL_ERR_KEYPAIR, "keypair", "keypair path is not a regular file");
		goto done;
	}
	if ((st.st_mode & 077) != 0)
	{
		sol_error_set(err, SOL_ERR_KEYPAIR, "keypair",
		              "keypair file is accessible by group or others (mode %04o); chmod 600 it",
		              (unsigned)(st.st_mode & 07777));
		goto done;
	}
	for (;;)
	{
		n = read(fd, buf + total, sizeof(buf) - total);
		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			sol_error_set(err, SOL_ERR_IO, "keypair", "cannot read keypair file: %s",
			              strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		total += (size_t)n;
		if (total >= sizeof(buf))
		{
			sol_error_set(err, SOL_ERR_KEYPAIR, "keypair", "keypair file is too large");
			goto done;
		}
	}
	rc = sol_keypair_parse(buf, total, secret64, err);
done:
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	return rc;
}
