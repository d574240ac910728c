/*
 * sol_codec.h
 *	  Encodings: base58, compact-u16 ("shortvec"), Borsh writer/reader,
 *	  base64 (libsodium), hex, UTF-8 validation.
 */
#ifndef SOL_CODEC_H
#define SOL_CODEC_H

#include "sol_common.h"

/* base58 (Bitcoin alphabet).  Leading '1's <-> leading zero bytes. */
/* Returns decoded byte count, or -1 on a bad character or if the result exceeds outcap. */
int sol_b58_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap);
/* Writes a NUL-terminated string; returns strlen, or -1 if outcap is too small. */
int sol_b58_encode(const uint8_t *in, size_t inlen, char *out, size_t outcap);
/* Exactly 32 decoded bytes, else false.  s is NUL-terminated. */
bool sol_pubkey_from_b58(const char *s, uint8_t out[32]);
/* out must hold SOL_PUBKEY_B58_MAX bytes (44 chars + NUL). */
#define SOL_PUBKEY_B58_MAX    45
#define SOL_SIGNATURE_B58_MAX 89
void sol_pubkey_to_b58(const uint8_t pk[32], char out[SOL_PUBKEY_B58_MAX]);
void sol_signature_to_b58(const uint8_t sig[64], char out[SOL_SIGNATURE_B58_MAX]);

/* compact-u16: minimal encoding, 1..3 bytes; returns the number of bytes written. */
size_t sol_compact_u16_encode(uint16_t v, uint8_t out[3]);
/* Strict decoder (rejects aliases, a 4th byte, values > 0xFFFF, truncation).
 * Returns bytes consumed (1..3) or -1. */
int sol_compact_u16_decode(const uint8_t *in, size_t inlen, uint16_t *v);

/* Borsh writer over a caller-owned buffer; overflow is sticky. */
typedef struct SolWriter
{
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool overflow;
} SolWriter;

void sol_writer_init(SolWriter *w, uint8_t *buf, size_t cap);
void sol_put_u8(SolWriter *w, uint8_t v);
void sol_put_u16(SolWriter *w, uint16_t v);
void sol_put_u32(SolWriter *w, uint32_t v);
void sol_put_u64(SolWriter *w, uint64_t v);
void sol_put_bytes(SolWriter *w, const void *p, size_t n);
void sol_put_string(SolWriter *w, const char *s, size_t n); /* u32le length + bytes */
void sol_put_compact_u16(SolWriter *w, uint16_t v);

/* Borsh reader; any error (truncation, bad value) is sticky. */
typedef struct SolReader
{
	const uint8_t *buf;
	size_t len;
	size_t pos;
	bool error;
} SolReader;

void sol_reader_init(SolReader *r, const uint8_t *buf, size_t len);
uint8_t sol_get_u8(SolReader *r);
bool sol_get_bool(SolReader *r); /* strict: 0 or 1 */
uint16_t sol_get_u16(SolReader *r);
uint32_t sol_get_u32(SolReader *r);
uint64_t sol_get_u64(SolReader *r);
const uint8_t *sol_get_bytes(SolReader *r, size_t n); /* NULL on truncation */
uint16_t sol_get_compact_u16(SolReader *r);

/* base64 (standard alphabet, padded) via libsodium. */
/* Returns strlen written (NUL-terminated) or -1 if outcap is too small. */
int sol_base64_encode(const uint8_t *in, size_t inlen, char *out, size_t outcap);
/* Returns decoded length or -1 on bad input / overflow. */
int sol_base64_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap);

/* hex (lower case).  decode returns byte count or -1. */
int sol_hex_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap);
void sol_hex_encode(const uint8_t *in, size_t inlen, char *out); /* out: 2*inlen+1 */

bool sol_utf8_valid(const uint8_t *s, size_t n);
/* Length of the longest valid UTF-8 prefix (offset of the first bad sequence). */
size_t sol_utf8_valid_prefix(const uint8_t *s, size_t n);

#endif
