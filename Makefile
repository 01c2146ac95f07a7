# vecrbac: PGXS build.
#
#   make                    build the extension (C++20, warnings are errors with WERROR=1 or CI=true)
#   make install            install into the PostgreSQL found by pg_config, with the
#                           companion extension "vector" unless another package's
#                           vector.control is there (VR_COMPANION=force|no to decide)
#   make unittest           build and run the pure C++ unit tests (GoogleTest)
#   make format / lint      clang-format the sources / check formatting, that pure
#                           cores include no PostgreSQL header (scripts/check_pure.sh) and
#                           that the library needs no C++ symbol of ours left undefined
#   make asan-check         the regression schedule against an ASan/UBSan build (scripts/asan.sh)
#   make fuzz-check         each libFuzzer target for a bounded time (test/fuzz/run.sh)
#   make fuzz-long          the same for an hour each, niced (VR_FUZZ_SECONDS to change)
#
# The whole test suite, with its own throwaway cluster, is scripts/test.sh.

EXTENSION  = vecrbac
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" vecrbac.control)

MODULE_big = vecrbac
SRCS       = $(sort $(wildcard src/*.cpp src/*/*.cpp))
OBJS       = $(SRCS:.cpp=.o)

# The install script of the current version is assembled from one fragment per part
# (sql/parts/NN_*.sql) so that each part owns its SQL. A released version's script is
# frozen and committed (sql/vecrbac--0.1.0.sql), and sql/vecrbac--OLD--NEW.sql upgrade
# scripts carry a database from it to the next; test/sql/extension_upgrade.sql checks
# that an upgraded database has exactly the objects of a fresh install.
#
# The upgrade script from the previous release is generated too: it is every part whose
# first line is "-- since $(EXTVERSION)" (parts that only add objects), in order, after
# sql/upgrade/$(PREVVERSION)--$(EXTVERSION).sql when that hand-written preamble exists (for
# changes to objects that already existed). On release both generated scripts are frozen
# and committed, and the next version's parts carry the next marker.
PREVVERSION   = 0.9.0
SQL_PARTS     = $(sort $(wildcard sql/parts/*.sql))
UPGRADE_PARTS = $(shell grep -l -m1 '^-- since $(EXTVERSION)$$' $(SQL_PARTS) /dev/null)
UPGRADE_PRE   = $(wildcard sql/upgrade/$(PREVVERSION)--$(EXTVERSION).sql)
# The in-place migration from pgvector (sql/migrate/pgvector_in_place.sql) installs the
# pseudo-version adopt_pgvector, then updates to the current version: its install script
# is the current one with the types pgvector also defines adopted rather than created
# (sql/adopt_pgvector.awk), and its update script to the current version is
# empty. Nothing else reaches adopt_pgvector, so no other path goes through it.
ADOPT_SQL     = sql/$(EXTENSION)--adopt_pgvector.sql sql/$(EXTENSION)--adopt_pgvector--$(EXTVERSION).sql
DATA_built    = sql/$(EXTENSION)--$(EXTVERSION).sql sql/$(EXTENSION)--$(PREVVERSION)--$(EXTVERSION).sql $(ADOPT_SQL)
DATA          = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*.sql))

# make installcheck: the pg_regress schedule against the installed server. pg_regress
# (PostgreSQL 15) reads <inputdir>/sql and <inputdir>/expected; ours are test/sql and
# expected/, which a staging directory links. Connection: the usual PG* variables.
REGRESS      = $(shell sed -n 's/^test:[[:space:]]*//p' test/schedule)
REGRESS_PREP = installcheck-stage
REGRESS_OPTS = --inputdir=tmp_check/installcheck --outputdir=tmp_check/installcheck

PG_CONFIG ?= pg_config
PGXS      := $(shell $(PG_CONFIG) --pgxs)

# C++ inside the backend (see docs/development.md): C++20, hidden visibility so only
# SQL entry points are exported, -fPIC because PGXS adds it to CFLAGS only.
# -Wno-register: the spinlock header still uses the keyword; -Wno-volatile: the
# critical-section macros increment a volatile counter, deprecated in C++20.
PG_CPPFLAGS = -Isrc
PG_CXXFLAGS = -std=c++20 -fPIC -fvisibility=hidden -fvisibility-inlines-hidden -fno-strict-aliasing -Wno-register -Wno-volatile \
              -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
SHLIB_LINK  = -lstdc++ -lssl -lcrypto -lsodium -Wl,--version-script=src/exports.map

# Header dependencies: each object records the headers it was built from (.d files),
# so a changed struct rebuilds every object that uses it.
PG_CXXFLAGS += -MMD -MP

ifneq ($(filter 1 true,$(WERROR) $(CI)),)
PG_CXXFLAGS += -Werror
endif

# Extra compile and link flags for instrumented builds (scripts/asan.sh passes
# -fsanitize=address,undefined); empty otherwise.
PG_CXXFLAGS += $(VR_EXTRA_CXXFLAGS)
SHLIB_LINK  += $(VR_EXTRA_LDFLAGS)

# No LLVM bitcode: the JIT would only inline our SQL wrappers, while the work is in
# SIMD kernels that it cannot improve, and clang-14 bitcode of C++20 sources built
# with g++ flags is a second toolchain to keep working. Deliberately off.
override with_llvm = no

EXTRA_CLEAN = $(DATA_built) $(OBJS:.o=.d) test/unit/vecrbac_unittest tmp_check

include $(PGXS)

-include $(OBJS:.o=.d)

# Always regenerated (a cat of small files): a part removed, as by switching branches,
# leaves no newer file behind to trigger a rebuild.
sql/$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PARTS) vecrbac.control Makefile FORCE
	@{ echo "-- Generated from sql/parts/*.sql by 'make'; do not edit."; \
	   printf '%s\n' '\echo Use "CREATE EXTENSION $(EXTENSION)" to load this file. \quit'; \
	   for f in $(SQL_PARTS); do echo; echo "-- ---- $$f"; cat $$f; done; } > $@

sql/$(EXTENSION)--$(PREVVERSION)--$(EXTVERSION).sql: $(SQL_PARTS) $(UPGRADE_PRE) vecrbac.control Makefile FORCE
	@{ echo "-- Generated by 'make' from $(or $(UPGRADE_PRE),no preamble) and the parts marked '-- since $(EXTVERSION)'; do not edit."; \
	   printf '%s\n' '\echo Use "ALTER EXTENSION $(EXTENSION) UPDATE TO '"'"'$(EXTVERSION)'"'"'" to load this file. \quit'; \
	   for f in $(UPGRADE_PRE) $(UPGRADE_PARTS); do echo; echo "-- ---- $$f"; cat $$f; done; } > $@

sql/$(EXTENSION)--adopt_pgvector.sql: sql/$(EXTENSION)--$(EXTVERSION).sql sql/adopt_pgvector.awk
	@{ echo "-- Generated from sql/$(EXTENSION)--$(EXTVERSION).sql by sql/adopt_pgvector.awk; do not edit."; \
	   awk -f sql/adopt_pgvector.awk sql/$(EXTENSION)--$(EXTVERSION).sql; } > $@.tmp && mv $@.tmp $@

sql/$(EXTENSION)--adopt_pgvector--$(EXTVERSION).sql: vecrbac.control Makefile
	@{ echo "-- Generated by 'make'; do not edit. adopt_pgvector installed the objects of $(EXTVERSION) already."; \
	   printf '%s\n' '\echo Use "ALTER EXTENSION $(EXTENSION) UPDATE" to load this file. \quit'; } > $@

all: $(DATA_built)

# ---- pure C++ unit tests (no PostgreSQL headers) ---------------------------------
UNIT_SRCS = $(sort $(wildcard test/unit/*.cpp)) $(shell cat test/unit/SOURCES 2>/dev/null)
test/unit/vecrbac_unittest: $(UNIT_SRCS) $(wildcard src/*/*.h test/unit/*.h)
	$(CXX) -std=c++20 -O2 -g -Wall -Wextra -Werror -Isrc -o $@ $(UNIT_SRCS) \
	    -lgtest -lgtest_main -lpthread -lssl -lcrypto -lsodium

unittest: test/unit/vecrbac_unittest
	test/unit/vecrbac_unittest

# ---- formatting and lint -------------------------------------------------------------
# Every C++ file of the tree: the extension, its unit tests, fuzzers and benchmarks.
FORMAT_FILES = $(sort $(wildcard src/*.cpp src/*.h src/*/*.cpp src/*/*.h \
                                 test/unit/*.cpp test/unit/*.h test/fuzz/*.cpp test/fuzz/*.h \
                                 bench/*.cpp bench/*/*.cpp bench/*/*.h))
format:
	clang-format -i $(FORMAT_FILES)

# ---- reliability (docs/reliability.md) -------------------------------------------------
asan-check:
	scripts/asan.sh
fuzz-check:
	test/fuzz/run.sh
fuzz-long:
	VR_FUZZ_SECONDS=$${VR_FUZZ_SECONDS:-3600} nice -n 19 test/fuzz/run.sh
lint: all
	clang-format --dry-run --Werror $(FORMAT_FILES)
	scripts/check_pure.sh
	scripts/check_symbols.sh

installcheck-stage:
	mkdir -p tmp_check/installcheck
	ln -sfn ../../test/sql tmp_check/installcheck/sql
	ln -sfn ../../expected tmp_check/installcheck/expected

# ---- the companion extension "vector" (companion/, docs/migrating.md) ----------------
# pgvector's extension name, so that "CREATE EXTENSION [IF NOT EXISTS] vector" works
# next to vecrbac. Installing must never overwrite another package's files: when the
# extension directory already has a vector.control that is not ours (pgvector's, from
# postgresql-15-pgvector or a source build), the companion is left out and the install
# says so. VR_COMPANION=force installs it anyway (replacing that file), VR_COMPANION=no
# never. Ours are recognised by their first line.
VR_COMPANION        ?= auto
COMPANION_FILES      = companion/vector.control $(wildcard companion/vector--*.sql)
COMPANION_MARK       = \# vector: pgvector's extension name, provided by vecrbac
COMPANION_EXTDIR     = $(DESTDIR)$(datadir)/extension

install: install-companion
install-companion: installdirs
	@ctl='$(COMPANION_EXTDIR)/vector.control'; \
	if [ '$(VR_COMPANION)' = no ]; then \
	    echo "vecrbac: companion extension 'vector' not installed (VR_COMPANION=no)"; \
	elif [ -e "$$ctl" ] && ! head -n1 "$$ctl" | grep -q "^$(COMPANION_MARK)" && [ '$(VR_COMPANION)' != force ]; then \
	    echo "vecrbac: companion extension 'vector' NOT installed: $$ctl belongs to another package (pgvector?)."; \
	    echo "vecrbac: CREATE EXTENSION vector will load that package, not vecrbac. VR_COMPANION=force installs the companion over it."; \
	else \
	    $(INSTALL_DATA) $(COMPANION_FILES) '$(COMPANION_EXTDIR)/' && \
	    echo "vecrbac: companion extension 'vector' installed in $(COMPANION_EXTDIR)"; \
	fi

uninstall: uninstall-companion
uninstall-companion:
	@ctl='$(COMPANION_EXTDIR)/vector.control'; \
	if [ -e "$$ctl" ] && head -n1 "$$ctl" | grep -q "^$(COMPANION_MARK)"; then \
	    rm -f $(addprefix '$(COMPANION_EXTDIR)'/,$(notdir $(COMPANION_FILES))); \
	fi

FORCE:

.PHONY: FORCE install-companion uninstall-companion unittest format lint asan-check fuzz-check fuzz-long installcheck-stage
