# mint_ext — PGXS build.  Build and install as root, test as an unprivileged
# user (initdb refuses root):   make && make install && make installcheck
# The README's test command (scripts/test.sh) does all of it.

EXTENSION  = mint_ext
EXTVERSION = $(shell grep default_version $(EXTENSION).control | sed -e "s/.*'\(.*\)'.*/\1/")
MODULE_big = mint_ext

# Pinned to PostgreSQL 15 (Debian's pg_config wrapper would pick the newest server-dev).
PG_CONFIG ?= /usr/lib/postgresql/15/bin/pg_config

# The plain-C Solana client (never includes postgres.h) brings its own fragment.
-include src/solana/solana.mk
SOLANA_SRCS ?= $(wildcard src/solana/*.c)

API_OBJS    = $(patsubst %.c,%.o,$(wildcard src/api/*.c))
COMMON_OBJS = $(patsubst %.c,%.o,$(wildcard src/common/*.c))
WORKER_OBJS = $(patsubst %.c,%.o,$(wildcard src/worker/*.c))
OBJS = mint_ext.o $(COMMON_OBJS) $(API_OBJS) $(WORKER_OBJS) $(patsubst %.c,%.o,$(SOLANA_SRCS))

# The install script is assembled from the SQL API layer's sources, in order.
SQL_SRCS   = src/api/schema.sql src/common/shared.sql src/api/functions.sql src/api/trees.sql \
             src/worker/state.sql src/worker/views.sql \
             src/api/webhook.sql src/api/events.sql src/worker/metrics.sql src/worker/deliver.sql \
             src/api/security.sql
DATA_built = $(EXTENSION)--$(EXTVERSION).sql
# Earlier releases' install scripts (frozen) and the update scripts between
# releases: upgrade/ (tested by t/003_upgrade.pl).
DATA       = $(wildcard upgrade/$(EXTENSION)--*.sql)

PG_CPPFLAGS = -I$(CURDIR)/src -DMINT_EXT_VERSION=\"$(EXTVERSION)\"
PG_CFLAGS   = -std=gnu11 -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare \
              -Wno-missing-field-initializers
SHLIB_LINK  = -lsodium -ljansson -lcurl

# pg_regress: sql/ + expected/; isolation: specs/ + expected/; TAP: t/.
REGRESS        = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
# UTF8 whatever the machine's locale (a minimal Debian has none: SQL_ASCII)
REGRESS_OPTS   = --load-extension=mint_ext --encoding=UTF8 --temp-config=$(CURDIR)/sql/regress.conf --temp-instance=$(CURDIR)/tmp_check_regress
ISOLATION      = $(patsubst specs/%.spec,%,$(sort $(wildcard specs/*.spec)))
ISOLATION_OPTS = --encoding=UTF8 --temp-config=$(CURDIR)/specs/isolation.conf --temp-instance=$(CURDIR)/tmp_check_iso
TAP_TESTS      = 1
EXTRA_CLEAN    = tmp_check_regress tmp_check_iso results output_iso fake/solana-fake fake/build \
                 src/solana/tests/build

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS does not track headers: have the compiler list each object's, so a
# changed struct (src/worker/worker.h) rebuilds every object that uses it
# instead of linking two layouts together.
override CFLAGS += -MMD -MP
-include $(OBJS:.o=.d)
# MINT_EXT_VERSION comes from the control file: a new version rebuilds.
$(OBJS): $(EXTENSION).control
EXTRA_CLEAN += $(OBJS:.o=.d)

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_SRCS)
	cat $^ > $@

# The fake Solana cluster the TAP tests, the demo and the benchmarks use
# (`make fake/solana-fake`; not part of `all`: a server install needs no
# libmicrohttpd), mint-keygen, and the real-programs test cluster (svm/).
-include fake/fake.mk
-include tools/tools.mk
-include svm/svm.mk

# Every C file follows .clang-format; scripts/test.sh runs format-check.
C_SOURCES = mint_ext.c $(wildcard src/*.h src/*/*.c src/*/*.h src/solana/tests/*.c src/solana/tests/*.h \
            fake/*.c fake/*.h fake/tests/*.c tools/*.c)
.PHONY: format format-check
format:
	clang-format -i $(C_SOURCES)
format-check:
	clang-format --dry-run --Werror $(C_SOURCES)
