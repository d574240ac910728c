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

/*
 * The rho and pi steps as one walk: pi moves lane (x, y) to (y, 2x + 3y),
 * and following that permutation from lane (1, 0) visits the 24 other
 * lanes once.  keccak_pi[i] is the i-th lane of the walk, keccak_rho[i] the
 * rotation of the lane moved there (the offsets r[x, y] of the
 * specification, taken along the same walk).  Both are checked against the
 * definitions by the unit tests through the known-answer vectors.
 */
static const uint8_t keccak_pi[24] = {
    10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1,
};
static const uint8_t keccak_rho[24] = {
    1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44,
};

static inline uint64_t
rotl64(uint64_t x, unsigned n)
{
	return (x << n) | (x >> ((64 - n) & 63));
}

static void
keccak_f1600(uint64_t a[25])
{
	int round;

	for (round = 0; round < 24; round++)
	{
		uint64_t c0, c1, c2, c3, c4, t, u;
		int i;
		int y;

		/* theta */
		c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
		c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
		c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
		c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
		c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
		for (y = 0; y < 25; y += 5)
		{
			a[y + 0] ^= c4 ^ rotl64(c1, 1);
			a[y + 1] ^= c0 ^ rotl64(c2, 1);
			a[y + 2] ^= c1 ^ rotl64(c3, 1);
			a[y + 3] ^= c2 ^ rotl64(c4, 1);
			a[y + 4] ^= c3 ^ rotl64(c0, 1);
		}
		/* rho and pi, in place along the permutation's cycle */
		t = a[1];
		for (i = 0; i < 24; i++)
		{
			u = a[keccak_pi[i]];
			a[keccak_pi[i]] = rotl64(t, keccak_rho[i]);
			t = u;
		}
		/* chi, row by row */
		for (y = 0; y < 25; y += 5)
		{
			c0 = a[y + 0];
			c1 = a[y + 1];
			c2 = a[y + 2];
			c3 = a[y + 3];
			c4 = a[y + 4];
			a[y + 0] = c0 ^ (~c1 & c2);
			a[y + 1] = c1 ^ (~c2 & c3);
			a[y + 2] = c2 ^ (~c3 & c4);
			a[y + 3] = c3 ^ (~c4 & c0);
			a[y + 4] = c4 ^ (~c0 & c1);
		}
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
