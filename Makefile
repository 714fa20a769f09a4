# Ward: the two commands a newcomer needs are `make demo` and `make test`.
# Both install what a fresh Debian 12 machine lacks, then build.

PREFIX  ?= /usr/local
SWIFT   ?= swift
WARD    := .build/debug/ward
export LC_ALL := C.UTF-8
SHELL   := /bin/bash

# System packages the build, the tests and the demo need.
APT_PACKAGES := libpq-dev libncursesw5-dev postgresql-15 postgresql-15-pgtap pgbouncer tmux mandoc

.PHONY: all deps build test test-swift test-sql test-man test-long demo install clean

all: build

deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build --build-tests

test: build test-swift test-sql test-man

# The log is long; on failure the failing assertions are repeated at its end,
# where a CI summary that shows only the tail will still name them.
test-swift:
	@mkdir -p .build; set -o pipefail; \
	$(SWIFT) test 2>&1 | tee .build/test-swift.log || { \
	  echo "== failing tests =="; grep -E ": error: |' failed \(" .build/test-swift.log; exit 1; }

# pgTAP: a throwaway cluster, migrated and seeded with the demo data, then pg_prove.
test-sql:
	@if ls Tests/sql/*.sql >/dev/null 2>&1; then \
	  $(WARD) sandbox -- bash scripts/pgtap.sh; \
	else echo "no pgTAP tests yet"; fi

# The long security runs (docs/SECURITY-TESTS.md): 100,000 fuzz inputs, and 10,000
# pooled transactions for each of 64 clients behind PgBouncer. CI runs it after `make test`.
test-long: build
	@set -o pipefail; FUZZ_INPUTS=100000 POOL_TRANSACTIONS=10000 $(SWIFT) test --skip-build \
	  --filter 'FuzzTests|PooledIsolationTests' 2>&1 | tee .build/test-long.log

# The manual page must render and lint clean (warnings count as failures).
test-man:
	mandoc -Tlint -Wwarning man/ward.1
	@echo "man/ward.1: lint clean"

demo: deps
	$(SWIFT) build --product ward
	$(WARD) demo

# Binary, manual page and themes in the usual places; PREFIX and DESTDIR honoured.
install: deps
	$(SWIFT) build -c release --product ward
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/ward/themes
	install -m 755 .build/release/ward $(DESTDIR)$(PREFIX)/bin/ward
	install -m 644 man/ward.1 $(DESTDIR)$(PREFIX)/share/man/man1/ward.1
	if ls themes/*.theme >/dev/null 2>&1; then install -m 644 themes/*.theme $(DESTDIR)$(PREFIX)/share/ward/themes/; fi

clean:
	rm -rf .build
