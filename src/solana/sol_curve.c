/*
 * sol_curve.c
 *	  Solana's "is this 32-byte string an Ed25519 point?" test, exactly as
 *	  curve25519-dalek's CompressedEdwardsY::decompress() succeeds:
 *
 *	    y = bytes with bit 255 cleared (NOT reduced/rejected if >= p)
 *	    u = y^2 - 1, v = d*y^2 + 1
 *	    on curve  <=>  u == 0  or  u/v is a square mod p
 *
 *	  Since v != 0 (−1/d is a non-square), u/v is a square iff u*v is, which is
 *	  tested with Euler's criterion (u*v)^((p-1)/2) == 1.  libsodium's
 *	  crypto_core_ed25519_is_valid_point must not be used: it also rejects
 *	  small-order, non-canonical and non-prime-subgroup points.
 *
 *	  GF(2^255-19) arithmetic with five 51-bit limbs; inputs are public hashes,
 *	  so nothing here needs to be constant time.
 */
#include "sol_crypto.h"

#include <string.h>

#define MASK51 ((UINT64_C(1) << 51) - 1)

typedef struct Fe
{
	uint64_t v[5];
} Fe;

typedef unsigned __int128 u128;

static uint64_t
load64_le(const uint8_t *p)
{
	uint64_t r = 0;
	int i;

	for (i = 7; i >= 0; i--)
		r = (r << 8) | p[i];
	return r;
}

static void
fe_frombytes(Fe *h, const uint8_t s[32])
{
	h->v[0] = load64_le(s) & MASK51;
	h->v[1] = (load64_le(s + 6) >> 3) & MASK51;
	h->v[2] = (load64_le(s + 12) >> 6) & MASK51;
	h->v[3] = (load64_le(s + 19) >> 1) & MASK51;
	h->v[4] = (load64_le(s + 24) >> 12) & MASK51; /* drops bit 255 */
}

static void
fe_carry(Fe *h)
{
	int pass;
	int i;

	for (pass = 0; pass < 2; pass++)
	{
		for (i = 0; i < 4; i++)
		{
			h->v[i + 1] += h->v[i] >> 51;
			h->v[i] &= MASK51;
		}
		h->v[0] += 19 * (h->v[4] >> 51);
		h->v[4] &= MASK51;
	}
}

static void
fe_add(Fe *h, const Fe *a, const Fe *b)
{
	int i;

	for (i = 0; i < 5; i++)
		h->v[i] = a->v[i] + b->v[i];
	fe_carry(h);
}

/* h = a - b, computed as a + 2p - b on carried inputs (limbs < 2^52) */
static void
fe_sub(Fe *h, const Fe *a, const Fe *b)
{
	static const uint64_t two_p[5] = {0xfffffffffffdaULL * 2, 0xffffffffffffeULL * 2,
	                                  0xffffffffffffeULL * 2, 0xffffffffffffeULL * 2,
	                                  0xffffffffffffeULL * 2};
	int i;

	for (i = 0; i < 5; i++)
		h->v[i] = a->v[i] + two_p[i] - b->v[i];
	fe_carry(h);
}

static void
fe_mul(Fe *h, const Fe *a, const Fe *b)
{
	const uint64_t *f = a->v;
	const uint64_t *g = b->v;
	uint64_t g1_19 = 19 * g[1], g2_19 = 19 * g[2], g3_19 = 19 * g[3], g4_19 = 19 * g[4];
	u128 t[5];
	uint64_t c;
	int i;

	t[0] = (u128)f[0] * g[0] + (u128)f[1] * g4_19 + (u128)f[2] * g3_19 + (u128)f[3] * g2_19 +
	       (u128)f[4] * g1_19;
	t[1] = (u128)f[0] * g[1] + (u128)f[1] * g[0] + (u128)f[2] * g4_19 + (u128)f[3] * g3_19 +
	       (u128)f[4] * g2_19;
	t[2] = (u128)f[0] * g[2] + (u128)f[1] * g[1] + (u128)f[2] * g[0] + (u128)f[3] * g4_19 +
	       (u128)f[4] * g3_19;
	t[3] = (u128)f[0] * g[3] + (u128)f[1] * g[2] + (u128)f[2] * g[1] + (u128)f[3] * g[0] +
	       (u128)f[4] * g4_19;
	t[4] = (u128)f[0] * g[4] + (u128)f[1] * g[3] + (u128)f[2] * g[2] + (u128)f[3] * g[1] +
	       (u128)f[4] * g[0];
	for (i = 0; i < 4; i++)
	{
		t[i + 1] += (uint64_t)(t[i] >> 51);
		t[i] &= MASK51;
	}
	c = (uint64_t)(t[4] >> 51);
	t[4] &= MASK51;
	for (i = 0; i < 5; i++)
		h->v[i] = (uint64_t)t[i];
	h->v[0] += 19 * c;
	fe_carry(h);
}

/* Fully reduced limbs (value in [0, p)). */
static void
fe_canonical(Fe *h)
{
	Fe g;
	int i;

	fe_carry(h);
	fe_carry(h);
	/* now h < 2^255; h >= p iff h + 19 >= 2^255 */
	g = *h;
	g.v[0] += 19;
	for (i = 0; i < 4; i++)
	{
		g.v[i + 1] += g.v[i] >> 51;
		g.v[i] &= MASK51;
	}
	if (g.v[4] >> 51)
	{
		g.v[4] &= MASK51;
		*h = g;
	}
}

static bool
fe_equal_small(const Fe *a, uint64_t small)
{
	Fe t = *a;

	fe_canonical(&t);
	return t.v[0] == small && t.v[1] == 0 && t.v[2] == 0 && t.v[3] == 0 && t.v[4] == 0;
}

/* h = a^(2^n) * b (h may be a or b) */
static void
fe_sqn_mul(Fe *h, const Fe *a, int n, const Fe *b)
{
	Fe t = *a;
	int i;

	for (i = 0; i < n; i++)
		fe_mul(&t, &t, &t);
	fe_mul(h, &t, b);
}

/*
 * h = z^((p-1)/2) = z^(2^254 - 10), Euler's criterion, by the addition chain
 * of the usual field inversion: z^(2^250 - 1), four squarings, times z^6.
 * 254 squarings and 12 multiplications, where square-and-multiply over the
 * exponent (250 of its bits are ones) took 256 and 250.
 */
static void
fe_pow_euler(Fe *h, const Fe *z)
{
	Fe z2, z6, z9, a, b;

	fe_mul(&z2, z, z);            /* z^2 */
	fe_sqn_mul(&z9, &z2, 2, z);   /* z^9 */
	fe_sqn_mul(&z6, &z2, 1, &z2); /* z^6 */
	fe_mul(&a, &z9, &z2);         /* z^11 */
	fe_sqn_mul(&a, &a, 1, &z9);   /* z^31 = z^(2^5 - 1) */
	fe_sqn_mul(&a, &a, 5, &a);    /* z^(2^10 - 1) */
	fe_sqn_mul(&b, &a, 10, &a);   /* z^(2^20 - 1) */
	fe_sqn_mul(&b, &b, 20, &b);   /* z^(2^40 - 1) */
	fe_sqn_mul(&a, &b, 10, &a);   /* z^(2^50 - 1) */
	fe_sqn_mul(&b, &a, 50, &a);   /* z^(2^100 - 1) */
	fe_sqn_mul(&b, &b, 100, &b);  /* z^(2^200 - 1) */
	fe_sqn_mul(&a, &b, 50, &a);   /* z^(2^250 - 1) */
	fe_sqn_mul(h, &a, 4, &z6);    /* z^(2^254 - 10) */
}

bool
sol_is_on_curve(const uint8_t p[32])
{
	/* d = -121665/121666 mod p, little-endian */
	static const uint8_t d_bytes[32] = {0xa3, 0x78, 0x59, 0x13, 0xca, 0x4d, 0xeb, 0x75,
	                                    0xab, 0xd8, 0x41, 0x41, 0x4d, 0x0a, 0x70, 0x00,
	                                    0x98, 0xe8, 0x79, 0x77, 0x79, 0x40, 0xc7, 0x8c,
	                                    0x73, 0xfe, 0x6f, 0x2b, 0xee, 0x6c, 0x03, 0x52};
	Fe y;
	Fe d;
	Fe one = {{1, 0, 0, 0, 0}};
	Fe y2;
	Fe u;
	Fe v;
	Fe t;

	fe_frombytes(&y, p);
	fe_frombytes(&d, d_bytes);
	fe_mul(&y2, &y, &y);
	fe_sub(&u, &y2, &one);
	fe_mul(&v, &d, &y2);
	fe_add(&v, &v, &one);
	if (fe_equal_small(&u, 0))
		return true;
	fe_mul(&t, &u, &v);
	fe_pow_euler(&t, &t);
	return fe_equal_small(&t, 1);
}
