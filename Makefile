# PGXS build of the relocate extension (C++17). See README.md for the two commands that set up,
# build and test everything; this file is what they call.
EXTENSION    = relocate
EXTVERSION   = 0.2.0
MODULE_big   = relocate
CORE_SRCS    = $(sort $(wildcard src/core/*.cpp src/core/rules/*.cpp))
PG_SRCS      = $(sort $(wildcard src/pg/*.cpp))
OBJS         = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)
# The install script of every released version and the upgrade scripts between them. A released
# script never changes: a change to SQL objects is a new version with an upgrade script.
DATA         = $(sort $(wildcard relocate--*.sql))

# pg_regress suites: sql/<name>.sql against expected/<name>.out, in the order of sql/schedule.
REGRESS      = $(shell sed -n 's/^test:[[:space:]]*//p' $(dir $(firstword $(MAKEFILE_LIST)))sql/schedule)
REGRESS_OPTS = --inputdir=. --encoding=UTF8 --no-locale

PG_CONFIG   ?= /usr/lib/postgresql/15/bin/pg_config
PG_CPPFLAGS  = -Isrc -isystem $(shell $(PG_CONFIG) --includedir-server)
# The warnings of every build of relocate's C++ (CMakeLists.txt reads this line for the core, the
# unit tests and the tools): warnings are errors.
RELOCATE_WARNINGS = -Wall -Wextra -Wpedantic -Wimplicit-fallthrough -Wformat-security -Werror
# -Wno-register: PostgreSQL 15's s_lock.h and arch-x86.h use `register`.
PG_CXXFLAGS  = -std=c++17 $(RELOCATE_WARNINGS) -Wno-register -MMD -MP
# PGXS links with gcc: name libstdc++ explicitly; libcrypto for hashes, random values and decryption;
# libarchive for the encrypted export's tarball and compressed exports; zlib for gzip (its CRC-32).
SHLIB_LINK  += -lcrypto -larchive -lz -lstdc++

# Debian's PostgreSQL is built --with-llvm, so PGXS would also compile every .cpp to LLVM bitcode
# with clang in C++14 mode, ignoring PG_CXXFLAGS. JIT inlining of our code is worthless: no bitcode.
override with_llvm := no

# The operator CLI relocate-import (src/cli, linked with the core's objects and libpq): installed
# into PostgreSQL's bindir beside pg_restore, its man page into PostgreSQL's mandir (rules below).
CLI_SRCS     = $(sort $(wildcard src/cli/*.cpp))
CLI_OBJS     = $(CLI_SRCS:.cpp=.o)
SCRIPTS_built = relocate-import

EXTRA_CLEAN  = $(OBJS:.o=.d) results regression.diffs regression.out relocate-import $(CLI_OBJS) $(CLI_OBJS:.o=.d)

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

-include $(OBJS:.o=.d) $(CLI_OBJS:.o=.d)

# relocate-import: a program, not part of the module. Its objects are compiled with the project's
# warnings and libpq's headers (never the server's); the core's objects are the module's own.
LIBPQ_INCLUDEDIR := $(shell $(PG_CONFIG) --includedir)
LIBPQ_LIBDIR     := $(shell $(PG_CONFIG) --libdir)
src/cli/%.o: src/cli/%.cpp
	$(CXX) -std=c++17 $(RELOCATE_WARNINGS) -O2 -g -MMD -MP -Isrc -isystem $(LIBPQ_INCLUDEDIR) \
		-DRELOCATE_VERSION='"$(EXTVERSION)"' -c -o $@ $<
relocate-import: $(CLI_OBJS) $(CORE_SRCS:.cpp=.o)
	$(CXX) -o $@ $^ -L$(LIBPQ_LIBDIR) -lpq -lcrypto -larchive -lz

install: install-man
uninstall: uninstall-man
.PHONY: install-man uninstall-man
install-man: docs/relocate-import.1
	$(MKDIR_P) '$(DESTDIR)$(mandir)/man1'
	$(INSTALL_DATA) docs/relocate-import.1 '$(DESTDIR)$(mandir)/man1/relocate-import.1'
uninstall-man:
	rm -f '$(DESTDIR)$(mandir)/man1/relocate-import.1'
