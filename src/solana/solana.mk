# solana.mk -- make fragment for mint_ext's plain-C Solana client library.
#
# Included by the top-level Makefile (which compiles $(SOLANA_SRCS) into the
# extension with PostgreSQL's CFLAGS), or used on its own from the repo root:
#     make -f src/solana/solana.mk solana-unit     # unit tests, ASan+UBSan
#     make -f src/solana/solana.mk solana-fuzz     # libFuzzer, ~20 s
# Build outputs go to src/solana/tests/build/.

SOLANA_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
# Keep the includer's default goal (rules below must not become it).
_solana_saved_default_goal := $(.DEFAULT_GOAL)
_solana_standalone := $(if $(filter 1,$(words $(MAKEFILE_LIST))),yes,)

SOLANA_SRCS = \
	$(SOLANA_DIR)/sol_common.c \
	$(SOLANA_DIR)/sol_codec.c \
	$(SOLANA_DIR)/sol_keccak.c \
	$(SOLANA_DIR)/sol_curve.c \
	$(SOLANA_DIR)/sol_crypto.c \
	$(SOLANA_DIR)/sol_tx.c \
	$(SOLANA_DIR)/sol_metadata.c \
	$(SOLANA_DIR)/sol_bubblegum.c \
	$(SOLANA_DIR)/sol_bubblegum_v2.c \
	$(SOLANA_DIR)/sol_budget.c \
	$(SOLANA_DIR)/sol_fees.c \
	$(SOLANA_DIR)/sol_tree.c \
	$(SOLANA_DIR)/sol_rpc.c \
	$(SOLANA_DIR)/sol_errors.c
SOLANA_HDRS = $(wildcard $(SOLANA_DIR)/*.h)

SOLANA_BUILD       = $(SOLANA_DIR)/tests/build
SOLANA_TEST_SRCS   = $(wildcard $(SOLANA_DIR)/tests/test_*.c)
SOLANA_TEST_HDRS   = $(wildcard $(SOLANA_DIR)/tests/*.h)
SOLANA_TEST_CC    ?= gcc
SOLANA_FUZZ_CC    ?= clang-14
SOLANA_SAN_FLAGS   = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SOLANA_TEST_CFLAGS = -std=c11 -O1 -g $(SOLANA_SAN_FLAGS) -Wall -Wextra -Wno-unused-parameter \
	-D_POSIX_C_SOURCE=200809L -I$(SOLANA_DIR) \
	-DSOL_TEST_VECTORS_DIR='"$(abspath $(SOLANA_DIR)/tests/vectors)"'
SOLANA_LIBS        = -lsodium -ljansson -lcurl -lpthread
SOLANA_FUZZ_TIME  ?= 20

.PHONY: solana-unit solana-fuzz solana-clean solana-v2-tool solana-svm-v2

solana-unit: $(SOLANA_BUILD)/solana_unit
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		$(SOLANA_BUILD)/solana_unit

$(SOLANA_BUILD)/solana_unit: $(SOLANA_SRCS) $(SOLANA_HDRS) $(SOLANA_TEST_SRCS) $(SOLANA_TEST_HDRS)
	@mkdir -p $(SOLANA_BUILD)
	$(SOLANA_TEST_CC) $(SOLANA_TEST_CFLAGS) -o $@ $(SOLANA_SRCS) $(SOLANA_TEST_SRCS) $(SOLANA_LIBS)

solana-fuzz: $(SOLANA_BUILD)/solana_fuzz
	@rm -rf $(SOLANA_BUILD)/fuzz_corpus && mkdir -p $(SOLANA_BUILD)/fuzz_corpus
	$(SOLANA_BUILD)/solana_fuzz -max_total_time=$(SOLANA_FUZZ_TIME) -timeout=5 -rss_limit_mb=2048 \
		-max_len=4096 -print_final_stats=1 -artifact_prefix=$(SOLANA_BUILD)/ \
		$(SOLANA_BUILD)/fuzz_corpus $(SOLANA_DIR)/tests/corpus

$(SOLANA_BUILD)/solana_fuzz: $(SOLANA_SRCS) $(SOLANA_HDRS) $(SOLANA_DIR)/tests/fuzz_decoders.c
	@mkdir -p $(SOLANA_BUILD)
	$(SOLANA_FUZZ_CC) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -D_POSIX_C_SOURCE=200809L -I$(SOLANA_DIR) -o $@ \
		$(SOLANA_SRCS) $(SOLANA_DIR)/tests/fuzz_decoders.c $(SOLANA_LIBS)

# the C side of the Bubblegum V2 execution test (svm/test/c_v2.test.js runs it against the
# real programs; `make svm-test` runs that test with the others)
solana-v2-tool: $(SOLANA_BUILD)/v2_tool

$(SOLANA_BUILD)/v2_tool: $(SOLANA_SRCS) $(SOLANA_HDRS) $(SOLANA_DIR)/tests/v2_tool.c
	@mkdir -p $(SOLANA_BUILD)
	$(SOLANA_TEST_CC) $(SOLANA_TEST_CFLAGS) -o $@ $(SOLANA_SRCS) $(SOLANA_DIR)/tests/v2_tool.c \
		$(SOLANA_LIBS)

solana-svm-v2: $(SOLANA_BUILD)/v2_tool
	SOL_V2_TOOL=$(abspath $(SOLANA_BUILD)/v2_tool) bash $(SOLANA_DIR)/../../svm/run-tests.sh \
		test/c_v2.test.js

solana-clean:
	rm -rf $(SOLANA_BUILD)

ifeq ($(_solana_standalone),yes)
.DEFAULT_GOAL := solana-unit
else
.DEFAULT_GOAL := $(_solana_saved_default_goal)
endif
