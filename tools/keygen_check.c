/*
 * keygen_check.c -- test helper for tools/test-keygen.sh: reads a keypair file
 * through the extension's own loader (sol_keypair_load, what the worker uses
 * for mint.keypair_path), re-derives the public key from the seed with
 * libsodium directly, signs and verifies a message with the library's
 * sol_sign / sol_verify, and prints the base58 public key (sol_codec) so the
 * script can compare it with mint-keygen's output.  Exit 0 ok, 1 otherwise.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "sol_codec.h"
#include "sol_common.h"
#include "sol_crypto.h"

int
main(int argc, char **argv)
{
	static const uint8_t msg[] = "mint_ext keygen check";
	uint8_t sk[64];
	uint8_t pk[32];
	uint8_t sk2[64];
	uint8_t sig[64];
	uint8_t back[32];
	char b58[SOL_PUBKEY_B58_MAX];
	SolError err;

	if (argc != 2)
	{
		fprintf(stderr, "usage: keygen_check KEYPAIR_FILE\n");
		return 1;
	}
	if (sodium_init() < 0)
		return 1;
	if (sol_keypair_load(argv[1], sk, &err) != 0)
	{
		fprintf(stderr, "keygen_check: %s: %s (%s)\n", argv[1], err.message,
		        sol_error_code_name(err.code));
		return 1;
	}
	/* independent derivation: seed -> key pair */
	if (crypto_sign_ed25519_seed_keypair(pk, sk2, sk) != 0 || memcmp(pk, sk + 32, 32) != 0 ||
	    memcmp(sk2, sk, 64) != 0)
	{
		fprintf(stderr, "keygen_check: public half does not match the seed\n");
		return 1;
	}
	if (sol_sign(sk, msg, sizeof(msg), sig) != 0 || !sol_verify(pk, msg, sizeof(msg), sig))
	{
		fprintf(stderr, "keygen_check: sign/verify failed\n");
		return 1;
	}
	sol_pubkey_to_b58(pk, b58);
	if (!sol_pubkey_from_b58(b58, back) || memcmp(back, pk, 32) != 0)
	{
		fprintf(stderr, "keygen_check: base58 round trip failed\n");
		return 1;
	}
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(sk2, sizeof(sk2));
	printf("%s\n", b58);
	return 0;
}
