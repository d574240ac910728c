/*
 * test_util.h -- tiny test harness for the Solana client unit tests.
 */
#ifndef SOL_TEST_UTIL_H
#define SOL_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

extern int sol_test_check_failures; /* failures in the current test */

#define CHECK(cond)                                                                                \
	do                                                                                             \
	{                                                                                              \
		if (!(cond))                                                                               \
		{                                                                                          \
			sol_test_check_failures++;                                                             \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                                 \
		}                                                                                          \
	} while (0)

#define CHECKM(cond, ...)                                                                          \
	do                                                                                             \
	{                                                                                              \
		if (!(cond))                                                                               \
		{                                                                                          \
			sol_test_check_failures++;                                                             \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                                 \
			printf(__VA_ARGS__);                                                                   \
			printf("\n");                                                                          \
		}                                                                                          \
	} while (0)

typedef void (*SolTestFn)(void);
typedef struct SolTest
{
	const char *name;
	SolTestFn fn;
} SolTest;

/* vectors */
json_t *tv_load(const char *file);                      /* cached; do not decref */
const char *tv_str(const char *file, const char *path); /* dotted path, "" if missing */
json_t *tv_get(const char *file, const char *path);
int tv_hex(const char *hex, uint8_t *out, size_t cap); /* -1 on error */
bool bytes_eq_hex(const uint8_t *b, size_t n, const char *hex);
bool b58_to32(const char *s, uint8_t out[32]);
const char *tv_path(const char *file);

/* shared fixtures (test_metadata.c) */
struct SolLeafEvent;
struct SolMetadata;
void fill_event_a(struct SolLeafEvent *ev, struct SolMetadata *md);
char *make_tx_json(const char *meta_err, bool with_event, const struct SolLeafEvent *ev);

/* per-file test tables */
extern const SolTest sol_tests_codec[];
extern const SolTest sol_tests_crypto[];
extern const SolTest sol_tests_tx[];
extern const SolTest sol_tests_metadata[];
extern const SolTest sol_tests_rpc[];
extern const SolTest sol_tests_budget[];
extern const SolTest sol_tests_fees[];
extern const SolTest sol_tests_tree[];
extern const SolTest sol_tests_v2[];

#endif
