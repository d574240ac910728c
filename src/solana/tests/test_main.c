/*
 * test_main.c -- runs every unit test; prints one line per failed check and a
 * final "N passed, M failed" line (N/M count tests).  Exit status != 0 on failure.
 */
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "sol_codec.h"

#ifndef SOL_TEST_VECTORS_DIR
#define SOL_TEST_VECTORS_DIR "src/solana/tests/vectors"
#endif

int sol_test_check_failures = 0;

extern const SolTest sol_tests_errors[]; /* test_errors.c */

static json_t *cache[8];
static const char *cache_names[8];

const char *
tv_path(const char *file)
{
	static char path[1024];
	const char *dir = getenv("SOL_TEST_VECTORS_DIR");

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : SOL_TEST_VECTORS_DIR, file);
	return path;
}

json_t *
tv_load(const char *file)
{
	json_error_t jerr;
	int i;

	for (i = 0; i < 8; i++)
		if (cache_names[i] && strcmp(cache_names[i], file) == 0)
			return cache[i];
	for (i = 0; i < 8; i++)
		if (cache_names[i] == NULL)
		{
			cache[i] = json_load_file(tv_path(file), 0, &jerr);
			if (cache[i] == NULL)
			{
				printf("FAIL cannot load vectors %s: %s\n", tv_path(file), jerr.text);
				exit(2);
			}
			cache_names[i] = file;
			return cache[i];
		}
	return NULL;
}

json_t *
tv_get(const char *file, const char *path)
{
	json_t *v = tv_load(file);
	char buf[256];
	char *save = NULL;
	char *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save))
	{
		if (json_is_array(v))
			v = json_array_get(v, (size_t)atoi(tok));
		else
			v = json_object_get(v, tok);
	}
	if (v == NULL)
		printf("note: vector %s:%s missing\n", file, path);
	return v;
}

const char *
tv_str(const char *file, const char *path)
{
	json_t *v = tv_get(file, path);

	return json_is_string(v) ? json_string_value(v) : "";
}

int
tv_hex(const char *hex, uint8_t *out, size_t cap)
{
	return sol_hex_decode(hex, strlen(hex), out, cap);
}

bool
bytes_eq_hex(const uint8_t *b, size_t n, const char *hex)
{
	char *h = malloc(2 * n + 1);
	bool eq;

	sol_hex_encode(b, n, h);
	eq = strlen(hex) == 2 * n && strcmp(h, hex) == 0;
	if (!eq)
		printf("  got      %s\n  expected %s\n", h, hex);
	free(h);
	return eq;
}

bool
b58_to32(const char *s, uint8_t out[32])
{
	return sol_pubkey_from_b58(s, out);
}

int
main(int argc, char **argv)
{
	const SolTest *tables[] = {sol_tests_codec, sol_tests_crypto, sol_tests_metadata, sol_tests_tx,
	                           sol_tests_rpc,   sol_tests_errors, sol_tests_budget,   sol_tests_v2,
	                           sol_tests_fees,  sol_tests_tree};
	int passed = 0;
	int failed = 0;
	size_t t;
	int i;

	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
	{
		printf("FAIL init\n");
		return 2;
	}
	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
	{
		for (i = 0; tables[t][i].name; i++)
		{
			if (argc > 1 && strstr(tables[t][i].name, argv[1]) == NULL)
				continue;
			sol_test_check_failures = 0;
			tables[t][i].fn();
			if (sol_test_check_failures == 0)
				passed++;
			else
			{
				failed++;
				printf("FAIL test %s (%d failed checks)\n", tables[t][i].name,
				       sol_test_check_failures);
			}
		}
	}
	for (i = 0; i < 8; i++)
		if (cache[i])
			json_decref(cache[i]);
	curl_global_cleanup();
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
