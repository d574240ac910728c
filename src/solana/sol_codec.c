/*
 * sol_codec.c
 *	  base58, compact-u16, Borsh writer/reader, base64, hex, UTF-8.
 */
#include "sol_codec.h"

#include <limits.h>
#include <string.h>

#include <sodium.h>

static const char b58_alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* digit values of the alphabet; -1 for anything else */
static const int8_t b58_digit[128] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, 0,  1,  2,  3,  4,  5,  6,  7,  8,  -1, -1, -1, -1, -1, -1, -1, 9,
    10, 11, 12, 13, 14, 15, 16, -1, 17, 18, 19, 20, 21, -1, 22, 23, 24, 25, 26, 27, 28, 29,
    30, 31, 32, -1, -1, -1, -1, -1, -1, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, -1, 44,
    45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, -1, -1, -1, -1, -1,
};

static int
b58_value(unsigned char c)
{
	return c < 128 ? b58_digit[c] : -1;
}

static void
reverse_bytes(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n / 2; i++)
	{
		uint8_t t = p[i];

		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

static int
b58_decode_slow(const char *in, size_t inlen, uint8_t *out, size_t outcap)
{
	size_t zeros = 0;
	size_t len = 0; /* significant bytes, little-endian in out[0..len) */
	size_t i;

	if (in == NULL || out == NULL || outcap > INT_MAX)
		return -1;
	while (zeros < inlen && in[zeros] == '1')
		zeros++;
	if (zeros > outcap)
		return -1;
	for (i = zeros; i < inlen; i++)
	{
		int v = b58_value((unsigned char)in[i]);
		uint32_t carry;
		size_t j;

		if (v < 0)
			return -1;
		carry = (uint32_t)v;
		for (j = 0; j < len; j++)
		{
			carry += (uint32_t)out[j] * 58;
			out[j] = (uint8_t)(carry & 0xff);
			carry >>= 8;
		}
		while (carry)
		{
			if (len + zeros >= outcap)
				return -1;
			out[len++] = (uint8_t)(carry & 0xff);
			carry >>= 8;
		}
	}
	reverse_bytes(out, len);
	memmove(out + zeros, out, len);
	memset(out, 0, zeros);
	return (int)(zeros + len);
}

/*
 * Base58 decoding five digits at a time into 32-bit limbs (the number
 * times 58^k plus the k digits' value, limb by limb), about 20 times fewer
 * steps than byte by byte.  Inputs over 4 KiB take the simple path.
 */
int
sol_b58_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap)
{
	uint32_t limbs[760]; /* 4096 digits are at most 2,998 bytes */
	size_t nl = 0, zeros = 0, nbytes, i, k;
	static const uint32_t pow58[6] = {1, 58, 3364, 195112, 11316496, 656356768};

	if (in == NULL || out == NULL || outcap > INT_MAX)
		return -1;
	if (inlen > 4096)
		return b58_decode_slow(in, inlen, out, outcap);
	while (zeros < inlen && in[zeros] == '1')
		zeros++;
	if (zeros > outcap)
		return -1;
	for (i = zeros; i < inlen;)
	{
		size_t take = inlen - i < 5 ? inlen - i : 5;
		uint64_t carry = 0;

		for (k = 0; k < take; k++)
		{
			int v = b58_value((unsigned char)in[i + k]);

			if (v < 0)
				return -1;
			carry = carry * 58 + (uint64_t)v;
		}
		i += take;
		for (k = 0; k < nl; k++)
		{
			uint64_t t = (uint64_t)limbs[k] * pow58[take] + carry;

			limbs[k] = (uint32_t)t;
			carry = t >> 32;
		}
		if (carry)
			limbs[nl++] = (uint32_t)carry;
	}
	/* significant bytes of the number, most significant first */
	nbytes = 4 * nl;
	while (nbytes > 0 && ((limbs[(nbytes - 1) / 4] >> (8 * ((nbytes - 1) % 4))) & 0xff) == 0)
		nbytes--;
	if (zeros + nbytes > outcap)
		return -1;
	memset(out, 0, zeros);
	for (k = 0; k < nbytes; k++)
	{
		size_t b = nbytes - 1 - k; /* byte index from the least significant */

		out[zeros + k] = (uint8_t)(limbs[b / 4] >> (8 * (b % 4)));
	}
	return (int)(zeros + nbytes);
}

static int b58_encode_slow(const uint8_t *in, size_t inlen, char *out, size_t outcap);

/*
 * Base58 with 5 digits per 32-bit limb (58^5) and 4 input bytes per step:
 * about 20 times fewer divisions than digit by digit.  A limb is below 58^5,
 * so limb * 2^32 + carry stays below 58^5 * 2^32 + 2^32 < 2^64 and the carry
 * out stays at most 2^32.  Inputs over 4 KiB take the simple path.
 */
#define B58_LIMB 656356768u /* 58^5 */
int
sol_b58_encode(const uint8_t *in, size_t inlen, char *out, size_t outcap)
{
	uint32_t limbs[1200];
	char digits[6000];
	size_t nl = 0, zeros = 0, dlen = 0, i, k;

	if (out == NULL || outcap == 0 || outcap > INT_MAX || (in == NULL && inlen > 0))
		return -1;
	if (inlen > 4096)
		return b58_encode_slow(in, inlen, out, outcap);
	while (zeros < inlen && in[zeros] == 0)
		zeros++;
	for (i = zeros; i < inlen;)
	{
		size_t take = inlen - i < 4 ? inlen - i : 4;
		unsigned shift = (unsigned)(8 * take);
		uint64_t carry = 0;

		for (k = 0; k < take; k++)
			carry = (carry << 8) | in[i + k];
		i += take;
		for (k = 0; k < nl; k++)
		{
			uint64_t t = ((uint64_t)limbs[k] << shift) + carry;

			limbs[k] = (uint32_t)(t % B58_LIMB);
			carry = t / B58_LIMB;
		}
		while (carry)
		{
			limbs[nl++] = (uint32_t)(carry % B58_LIMB);
			carry /= B58_LIMB;
		}
	}
	for (k = 0; k < nl; k++)
	{
		uint32_t v = limbs[k];
		int d;

		for (d = 0; d < 5; d++)
		{
			digits[dlen++] = (char)(v % 58);
			v /= 58;
		}
	}
	while (dlen > 0 && digits[dlen - 1] == 0)
		dlen--;
	if (zeros + dlen + 1 > outcap)
		return -1;
	for (i = 0; i < zeros; i++)
		out[i] = '1';
	for (i = 0; i < dlen; i++)
		out[zeros + i] = b58_alphabet[(uint8_t)digits[dlen - 1 - i]];
	out[zeros + dlen] = '\0';
	return (int)(zeros + dlen);
}

static int
b58_encode_slow(const uint8_t *in, size_t inlen, char *out, size_t outcap)
{
	size_t zeros = 0;
	size_t dlen = 0; /* base58 digits, little-endian, in out[0..dlen) */
	size_t i;

	if (out == NULL || outcap == 0 || outcap > INT_MAX || (in == NULL && inlen > 0))
		return -1;
	while (zeros < inlen && in[zeros] == 0)
		zeros++;
	for (i = zeros; i < inlen; i++)
	{
		uint32_t carry = in[i];
		size_t j;

		for (j = 0; j < dlen; j++)
		{
			carry += (uint32_t)(uint8_t)out[j] << 8;
			out[j] = (char)(carry % 58);
			carry /= 58;
		}
		while (carry)
		{
			if (zeros + dlen + 1 >= outcap)
				return -1;
			out[dlen++] = (char)(carry % 58);
			carry /= 58;
		}
	}
	if (zeros + dlen + 1 > outcap)
		return -1;
	reverse_bytes((uint8_t *)out, dlen);
	memmove(out + zeros, out, dlen);
	for (i = 0; i < zeros; i++)
		out[i] = '1';
	for (i = zeros; i < zeros + dlen; i++)
		out[i] = b58_alphabet[(uint8_t)out[i]];
	out[zeros + dlen] = '\0';
	return (int)(zeros + dlen);
}

bool
sol_pubkey_from_b58(const char *s, uint8_t out[32])
{
	uint8_t tmp[32];
	size_t n;

	if (s == NULL)
		return false;
	n = strlen(s);
	if (n < 32 || n > 44)
		return false;
	if (sol_b58_decode(s, n, tmp, sizeof(tmp)) != 32)
		return false;
	memcpy(out, tmp, 32);
	return true;
}

void
sol_pubkey_to_b58(const uint8_t pk[32], char out[SOL_PUBKEY_B58_MAX])
{
	if (sol_b58_encode(pk, 32, out, SOL_PUBKEY_B58_MAX) < 0)
		out[0] = '\0';
}

void
sol_signature_to_b58(const uint8_t sig[64], char out[SOL_SIGNATURE_B58_MAX])
{
	if (sol_b58_encode(sig, 64, out, SOL_SIGNATURE_B58_MAX) < 0)
		out[0] = '\0';
}

size_t
sol_compact_u16_encode(uint16_t v, uint8_t out[3])
{
	size_t n = 0;
	uint32_t x = v;

	for (;;)
	{
		uint8_t b = (uint8_t)(x & 0x7f);

		x >>= 7;
		if (x == 0)
		{
			out[n++] = b;
			return n;
		}
		out[n++] = (uint8_t)(b | 0x80);
	}
}

int
sol_compact_u16_decode(const uint8_t *in, size_t inlen, uint16_t *v)
{
	uint32_t val = 0;
	size_t i;

	for (i = 0; i < 3; i++)
	{
		uint8_t b;

		if (i >= inlen)
			return -1; /* truncated */
		b = in[i];
		if (i > 0 && b == 0)
			return -1; /* alias: a continuation that adds nothing */
		if (i == 2)
		{
			if (b & 0x80)
				return -1; /* a 4th byte is never allowed */
			if (b > 0x03)
				return -1; /* value > 0xFFFF */
		}
		val |= (uint32_t)(b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0)
		{
			if (v)
				*v = (uint16_t)val;
			return (int)(i + 1);
		}
	}
	return -1;
}

void
sol_writer_init(SolWriter *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
}

void
sol_put_bytes(SolWriter *w, const void *p, size_t n)
{
	if (w->overflow)
		return;
	if (n > w->cap - w->len)
	{
		w->overflow = true;
		return;
	}
	if (n)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void
sol_put_u8(SolWriter *w, uint8_t v)
{
	sol_put_bytes(w, &v, 1);
}

void
sol_put_u16(SolWriter *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};

	sol_put_bytes(w, b, 2);
}

void
sol_put_u32(SolWriter *w, uint32_t v)
{
	uint8_t b[4];
	int i;

	for (i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	sol_put_bytes(w, b, 4);
}

void
sol_put_u64(SolWriter *w, uint64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	sol_put_bytes(w, b, 8);
}

void
sol_put_string(SolWriter *w, const char *s, size_t n)
{
	if (n > UINT32_MAX)
	{
		w->overflow = true;
		return;
	}
	sol_put_u32(w, (uint32_t)n);
	sol_put_bytes(w, s, n);
}

void
sol_put_compact_u16(SolWriter *w, uint16_t v)
{
	uint8_t b[3];
	size_t n = sol_compact_u16_encode(v, b);

	sol_put_bytes(w, b, n);
}

void
sol_reader_init(SolReader *r, const uint8_t *buf, size_t len)
{
	r->buf = buf;
	r->len = len;
	r->pos = 0;
	r->error = false;
}

const uint8_t *
sol_get_bytes(SolReader *r, size_t n)
{
	const uint8_t *p;

	if (r->error || n > r->len - r->pos)
	{
		r->error = true;
		return NULL;
	}
	p = r->buf + r->pos;
	r->pos += n;
	return p;
}

uint8_t
sol_get_u8(SolReader *r)
{
	const uint8_t *p = sol_get_bytes(r, 1);

	return p ? p[0] : 0;
}

bool
sol_get_bool(SolReader *r)
{
	uint8_t b = sol_get_u8(r);

	if (b > 1)
		r->error = true;
	return b == 1;
}

uint16_t
sol_get_u16(SolReader *r)
{
	const uint8_t *p = sol_get_bytes(r, 2);

	return p ? (uint16_t)(p[0] | (p[1] << 8)) : 0;
}

uint32_t
sol_get_u32(SolReader *r)
{
	const uint8_t *p = sol_get_bytes(r, 4);

	if (p == NULL)
		return 0;
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

uint64_t
sol_get_u64(SolReader *r)
{
	const uint8_t *p = sol_get_bytes(r, 8);
	uint64_t v = 0;
	int i;

	if (p == NULL)
		return 0;
	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

uint16_t
sol_get_compact_u16(SolReader *r)
{
	uint16_t v = 0;
	int n;

	if (r->error)
		return 0;
	n = sol_compact_u16_decode(r->buf + r->pos, r->len - r->pos, &v);
	if (n < 0)
	{
		r->error = true;
		return 0;
	}
	r->pos += (size_t)n;
	return v;
}

int
sol_base64_encode(const uint8_t *in, size_t inlen, char *out, size_t outcap)
{
	size_t need = sodium_base64_ENCODED_LEN(inlen, sodium_base64_VARIANT_ORIGINAL);

	if (outcap < need || need > INT_MAX)
		return -1;
	sodium_bin2base64(out, outcap, in, inlen, sodium_base64_VARIANT_ORIGINAL);
	return (int)strlen(out);
}

int
sol_base64_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap)
{
	size_t binlen = 0;
	const char *end = NULL;

	if (outcap > INT_MAX)
		outcap = INT_MAX;
	if (sodium_base642bin(out, outcap, in, inlen, NULL, &binlen, &end,
	                      sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	if (end != in + inlen)
		return -1; /* trailing garbage */
	return (int)binlen;
}

static int
hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
sol_hex_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap)
{
	size_t i;

	if (inlen % 2 != 0 || inlen / 2 > outcap || inlen / 2 > INT_MAX)
		return -1;
	for (i = 0; i < inlen / 2; i++)
	{
		int hi = hex_nibble(in[2 * i]);
		int lo = hex_nibble(in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)((hi << 4) | lo);
	}
	return (int)(inlen / 2);
}

void
sol_hex_encode(const uint8_t *in, size_t inlen, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < inlen; i++)
	{
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * inlen] = '\0';
}

bool
sol_utf8_valid(const uint8_t *s, size_t n)
{
	return sol_utf8_valid_prefix(s, n) == n;
}

size_t
sol_utf8_valid_prefix(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n)
	{
		uint8_t c = s[i];
		size_t need;
		uint32_t cp;
		size_t k;

		if (c < 0x80)
		{
			i++;
			continue;
		}
		else if ((c & 0xe0) == 0xc0)
		{
			need = 1;
			cp = c & 0x1f;
		}
		else if ((c & 0xf0) == 0xe0)
		{
			need = 2;
			cp = c & 0x0f;
		}
		else if ((c & 0xf8) == 0xf0)
		{
			need = 3;
			cp = c & 0x07;
		}
		else
			return i;
		if (need > n - i - 1)
			return i;
		for (k = 1; k <= need; k++)
		{
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* overlong, surrogates, out of range */
		if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += need + 1;
	}
	return n;
}
