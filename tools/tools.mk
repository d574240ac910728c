# tools.mk -- make fragment for mint_ext's command-line tools (mint-keygen).
# From the repo root:
#     make -f tools/tools.mk               # builds tools/mint-keygen
#     make -f tools/tools.mk keygen-test   # runs tools/test-keygen.sh (ASan+UBSan build, then
#                                          # the real one), as root or not, in a temp directory
#     make -f tools/tools.mk install-keygen / uninstall-keygen / keygen-clean
# Included by the top Makefile (`-include tools/tools.mk`): `all` builds
# tools/mint-keygen, `install` installs it into PGXS's $(bindir)
# (/usr/lib/postgresql/15/bin), `uninstall` and `clean` remove it.  The
# includer's default goal is kept.

TOOLS_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
_tools_saved_default_goal := $(.DEFAULT_GOAL)
_tools_standalone := $(if $(filter 1,$(words $(MAKEFILE_LIST))),yes,)

TOOLS_SOL_DIR   = $(TOOLS_DIR)/../src/solana
# The key-file subset of the Solana client: base58, keypair loader, ed25519 (libsodium).
KEYGEN_SOL_SRCS = $(addprefix $(TOOLS_SOL_DIR)/,sol_common.c sol_codec.c sol_keccak.c sol_curve.c \
	sol_crypto.c)
KEYGEN_HDRS     = $(wildcard $(TOOLS_SOL_DIR)/*.h)
TOOLS_BUILD     = $(TOOLS_DIR)/build

TOOLS_CC     ?= gcc
TOOLS_WARN    = -Wall -Wextra -Werror -Wno-unused-parameter -Wmissing-prototypes \
	-Wdeclaration-after-statement -Werror=vla -Wformat-security
TOOLS_CFLAGS  = -std=gnu11 -O2 -g $(TOOLS_WARN) -I$(TOOLS_SOL_DIR)
TOOLS_SAN     = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
TOOLS_LIBS    = -lsodium
TOOLS_INSTALL ?= install

# PGXS sets bindir when included; standalone, ask pg_config.
PG_CONFIG ?= /usr/lib/postgresql/15/bin/pg_config
ifeq ($(_tools_standalone),yes)
bindir ?= $(shell $(PG_CONFIG) --bindir)
endif

.PHONY: mint-keygen install-keygen uninstall-keygen keygen-test keygen-clean

mint-keygen: $(TOOLS_DIR)/mint-keygen

$(TOOLS_DIR)/mint-keygen: $(TOOLS_DIR)/mint_keygen.c $(KEYGEN_SOL_SRCS) $(KEYGEN_HDRS)
	$(TOOLS_CC) $(TOOLS_CFLAGS) -o $@ $(TOOLS_DIR)/mint_keygen.c $(KEYGEN_SOL_SRCS) $(TOOLS_LIBS)

$(TOOLS_BUILD)/mint-keygen-san: $(TOOLS_DIR)/mint_keygen.c $(KEYGEN_SOL_SRCS) $(KEYGEN_HDRS)
	@mkdir -p $(TOOLS_BUILD)
	$(TOOLS_CC) $(TOOLS_CFLAGS) $(TOOLS_SAN) -o $@ $(TOOLS_DIR)/mint_keygen.c $(KEYGEN_SOL_SRCS) \
		$(TOOLS_LIBS)

$(TOOLS_BUILD)/keygen_check: $(TOOLS_DIR)/keygen_check.c $(KEYGEN_SOL_SRCS) $(KEYGEN_HDRS)
	@mkdir -p $(TOOLS_BUILD)
	$(TOOLS_CC) $(TOOLS_CFLAGS) $(TOOLS_SAN) -o $@ $(TOOLS_DIR)/keygen_check.c $(KEYGEN_SOL_SRCS) \
		$(TOOLS_LIBS)

install-keygen: $(TOOLS_DIR)/mint-keygen
	$(TOOLS_INSTALL) -d '$(DESTDIR)$(bindir)'
	$(TOOLS_INSTALL) -m 0755 $(TOOLS_DIR)/mint-keygen '$(DESTDIR)$(bindir)/mint-keygen'

uninstall-keygen:
	rm -f '$(DESTDIR)$(bindir)/mint-keygen'

keygen-test: $(TOOLS_DIR)/mint-keygen $(TOOLS_BUILD)/mint-keygen-san $(TOOLS_BUILD)/keygen_check
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		sh $(TOOLS_DIR)/test-keygen.sh $(abspath $(TOOLS_BUILD)/mint-keygen-san) \
		$(abspath $(TOOLS_BUILD)/keygen_check)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		sh $(TOOLS_DIR)/test-keygen.sh $(abspath $(TOOLS_DIR)/mint-keygen) \
		$(abspath $(TOOLS_BUILD)/keygen_check)

keygen-clean:
	rm -rf $(TOOLS_BUILD) $(TOOLS_DIR)/mint-keygen

ifeq ($(_tools_standalone),yes)
.DEFAULT_GOAL := mint-keygen
else
# Hooks into PGXS's targets (extra prerequisites; PGXS keeps its recipes).
all: $(TOOLS_DIR)/mint-keygen
install: install-keygen
uninstall: uninstall-keygen
clean: keygen-clean
.DEFAULT_GOAL := $(_tools_saved_default_goal)
endif
