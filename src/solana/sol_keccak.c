/*
 * sol_keccak.c
 *	  Keccak-256 (the pre-standard Keccak padding used by Ethereum and by
 *	  Solana's keccak syscall).  libsodium has no Keccak, so it is written here
 *	  from the Keccak reference specification and checked against Bubblegum's
 *	  data_hash / creator_hash / leaf_hash vectors.  Inputs are public, so no
 *	  constant-time concerns.
 */
#include "sol_crypto.h"

#include <string.h>

#define KECCAK_RATE 136 /* 1088-bit rate for a 256-bit capacity-512 hash */

static const uint64_t keccak_rc[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* rotation offsets r[x + 5y] */
static const unsigned keccak_rot[25] = {
    0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
};

static uint64_t
rotl64(uint64_t x, unsigned n)
{
	return n == 0 ? x : (x << n) | (x >> (64 - n));
}

static void
keccak_f1600(uint64_t a[25])
{
	int round;

	for (round = 0; round < 24; round++)
	{
		uint64_t c[5];
		uint64_t b[25];
		int x;
		int y;

		/* theta */
		for (x = 0; x < 5; x++)
			c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
		for (x = 0; x < 5; x++)
		{
			uint64_t d = c[(x + 4) % 5] ^ rotl64(c[(x + 1) % 5], 1);

			for (y = 0; y < 25; y += 5)
				a[y + x] ^= d;
		}
		/* rho and pi: B[y, 2x+3y] = rot(A[x, y], r[x, y]) */
		for (x = 0; x < 5; x++)
			for (y = 0; y < 5; y++)
				b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl64(a[x + 5 * y], keccak_rot[x + 5 * y]);
		/* chi */
		for (y = 0; y < 25; y += 5)
			for (x = 0; x < 5; x++)
				a[y + x] = b[y + x] ^ (~b[y + (x + 1) % 5] & b[y + (x + 2) % 5]);
		/* iota */
		a[0] ^= keccak_rc[round];
	}
}

void
sol_keccak_init(SolKeccak *k)
{
	memset(k, 0, sizeof(*k));
}

static void
keccak_xor_byte(SolKeccak *k, size_t i, uint8_t v)
{
	k->st[i / 8] ^= (uint64_t)v << (8 * (i % 8));
}

void
sol_keccak_update(SolKeccak *k, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i < len; i++)
	{
		keccak_xor_byte(k, k->pos, p[i]);
		if (++k->pos == KECCAK_RATE)
		{
			keccak_f1600(k->st);
			k->pos = 0;
		}
	}
}

void
sol_keccak_final(SolKeccak *k, uint8_t out[32])
{
	int i;

	keccak_xor_byte(k, k->pos, 0x01);
	keccak_xor_byte(k, KECCAK_RATE - 1, 0x80);
	keccak_f1600(k->st);
	for (i = 0; i < 32; i++)
		out[i] = (uint8_t)(k->st[i / 8] >> (8 * (i % 8)));
	memset(k, 0, sizeof(*k));
}

void
sol_keccak256(const void *data, size_t len, uint8_t out[32])
{
	SolKeccak k;

	sol_keccak_init(&k);
	sol_keccak_update(&k, data, len);
	sol_keccak_final(&k, out);
}
