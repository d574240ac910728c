# fake.mk -- make fragment for solana-fake, the fake Solana cluster used by
# the tests, the demo and the benchmarks.  From the repo root:
#     make -f fake/fake.mk solana-fake   # builds fake/solana-fake
#     make -f fake/fake.mk fake-test     # builds (ASan+UBSan) and runs fake/tests
#     make -f fake/fake.mk fake-bench    # requests/second with fake/tests/loadgen
#     make -f fake/fake.mk fake-clean
# or `include fake/fake.mk` from the main Makefile (the includer's default goal is kept).

FAKE_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
_fake_saved_default_goal := $(.DEFAULT_GOAL)
_fake_standalone := $(if $(filter 1,$(words $(MAKEFILE_LIST))),yes,)

FAKE_SOL_DIR  = $(FAKE_DIR)/../src/solana
# The codec only (sol_rpc.c is the libcurl client, not needed by the server).
FAKE_SOL_SRCS = $(addprefix $(FAKE_SOL_DIR)/,sol_common.c sol_codec.c sol_keccak.c sol_curve.c \
	sol_crypto.c sol_tx.c sol_metadata.c sol_bubblegum.c sol_bubblegum_v2.c)
FAKE_SRCS     = $(FAKE_DIR)/fake_main.c $(FAKE_DIR)/fake_chain.c $(FAKE_DIR)/fake_util.c
FAKE_HDRS     = $(FAKE_DIR)/fake.h $(wildcard $(FAKE_SOL_DIR)/*.h)
FAKE_BUILD    = $(FAKE_DIR)/build

FAKE_CC      ?= gcc
FAKE_WARN     = -Wall -Wextra -Werror -Wno-unused-parameter -Wmissing-prototypes \
	-Wdeclaration-after-statement -Werror=vla
FAKE_CFLAGS   = -std=gnu11 -O2 -g $(FAKE_WARN) -I$(FAKE_SOL_DIR) -I$(FAKE_DIR)
FAKE_LIBS     = -lmicrohttpd -lsodium -ljansson -lpthread
FAKE_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FAKE_TEST_TIMEOUT ?= 120

.PHONY: solana-fake fake-test fake-bench fake-clean

solana-fake: $(FAKE_DIR)/solana-fake

$(FAKE_DIR)/solana-fake: $(FAKE_SRCS) $(FAKE_SOL_SRCS) $(FAKE_HDRS)
	$(FAKE_CC) $(FAKE_CFLAGS) -o $@ $(FAKE_SRCS) $(FAKE_SOL_SRCS) $(FAKE_LIBS)

# Sanitizer builds of the server and the test driver.
$(FAKE_BUILD)/solana-fake-san: $(FAKE_SRCS) $(FAKE_SOL_SRCS) $(FAKE_HDRS)
	@mkdir -p $(FAKE_BUILD)
	$(FAKE_CC) $(FAKE_CFLAGS) $(FAKE_SAN) -o $@ $(FAKE_SRCS) $(FAKE_SOL_SRCS) $(FAKE_LIBS)

$(FAKE_BUILD)/fake_tests: $(FAKE_DIR)/tests/fake_tests.c $(FAKE_SOL_SRCS) $(FAKE_HDRS)
	@mkdir -p $(FAKE_BUILD)
	$(FAKE_CC) $(FAKE_CFLAGS) $(FAKE_SAN) -o $@ $(FAKE_DIR)/tests/fake_tests.c $(FAKE_SOL_SRCS) \
		-lcurl -lsodium -ljansson -lpthread

$(FAKE_BUILD)/loadgen: $(FAKE_DIR)/tests/loadgen.c
	@mkdir -p $(FAKE_BUILD)
	$(FAKE_CC) $(FAKE_CFLAGS) -o $@ $< -lpthread

fake-test: $(FAKE_BUILD)/solana-fake-san $(FAKE_BUILD)/fake_tests
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	FAKE_BIN=$(FAKE_BUILD)/solana-fake-san timeout $(FAKE_TEST_TIMEOUT) $(FAKE_BUILD)/fake_tests

$(FAKE_BUILD)/mintload: $(FAKE_DIR)/tests/mintload.c $(FAKE_SOL_SRCS) $(FAKE_HDRS)
	@mkdir -p $(FAKE_BUILD)
	$(FAKE_CC) $(FAKE_CFLAGS) -o $@ $(FAKE_DIR)/tests/mintload.c $(FAKE_SOL_SRCS) -lsodium -ljansson

fake-bench: $(FAKE_DIR)/solana-fake $(FAKE_BUILD)/loadgen $(FAKE_BUILD)/mintload
	$(FAKE_DIR)/tests/bench.sh $(FAKE_DIR)/solana-fake $(FAKE_BUILD)/loadgen $(FAKE_BUILD)/mintload

fake-clean:
	rm -rf $(FAKE_BUILD) $(FAKE_DIR)/solana-fake

# Standalone: `make -f fake/fake.mk` builds the server; included: keep the includer's goal.
ifeq ($(_fake_standalone),yes)
.DEFAULT_GOAL := solana-fake
else
.DEFAULT_GOAL := $(_fake_saved_default_goal)
endif
