# steady: make run starts the worker on a local PostgreSQL + PgBouncer; make test runs every test
# against a separate pair. Both need only the machine's PostgreSQL 15 binaries and Debian's pgbouncer.
SHELL := /bin/bash
GO ?= go
BIN := bin/steady

.PHONY: build run test test-histories devdb devdb-down devdb-env testdb testdb-down vet fmt bench bench-lint clean

build:
	$(GO) build -o $(BIN) ./cmd/steady

# Uses DATABASE_URL* from the environment when set; otherwise the local devdb, migrated and given demo data (idempotent) first.
run: build
	@if [ -z "$$DATABASE_URL$$DATABASE_URL_POOLER$$DATABASE_URL_DIRECT" ]; then \
		eval "$$(scripts/devdb.sh up dev)"; \
		./$(BIN) migrate && ./$(BIN) demo-data --scale 1 || exit 1; \
	fi; \
	exec ./$(BIN) worker

devdb:
	@scripts/devdb.sh up dev

devdb-down:
	@scripts/devdb.sh down dev

devdb-env:
	@scripts/devdb.sh env dev

testdb:
	@scripts/devdb.sh up test

testdb-down:
	@scripts/devdb.sh down test

# Tests get their own PostgreSQL + PgBouncer (ports 55433/56433, data in or linked from
# .testdb/). Then the examples module (examples/, a module of its own that uses only steady's
# public Go API) is built and its tests drive steady from outside: its admin program, and psql
# inserting a steady_backfill_start job, through PgBouncer. Last, the bench module's own tests
# (its tables, charts and ratios; no database). Every binary is linked without DWARF
# (-ldflags=-w, through GOFLAGS so that the tests' own builds of steady get it too): stack
# traces and race reports read the symbol table, not DWARF, and the ~35 links took half the time.
# The slowest packages go first: go test starts packages in the order it is given, as many at a
# time as there are cores, and one of them started last ran alone for the last 30 s.
SLOWEST_TESTS := ./internal/historytest ./cmd/steady/internal/cli ./workers ./internal/migrate ./internal/lint
test:
	@env="$$(scripts/devdb.sh up test)" || { echo "make test: the test database did not start (see above)" >&2; exit 1; }; \
	eval "$$env"; \
	export TEST_DATABASE_URL_DIRECT="$$DATABASE_URL_DIRECT" TEST_DATABASE_URL_POOLER="$$DATABASE_URL_POOLER"; \
	unset DATABASE_URL DATABASE_URL_DIRECT DATABASE_URL_POOLER; \
	export GOFLAGS="$$GOFLAGS -ldflags=-w"; \
	$(GO) test -race -count=1 -timeout 20m $(SLOWEST_TESTS) ./... && \
	(cd examples && $(GO) test -race -count=1 -timeout 20m ./...) && \
	cd bench && $(GO) test -count=1 ./...

# Every prefix of every history in internal/historytest/testdata (make test tries a sample), in
# every case with both judges (the shadow, --shadow off), with one line per history, case and
# judge: "converged N of M prefixes", and a line per prefix that did not converge.
# DIR=path sweeps that one directory instead (from outside the repository too): FORMAT=its tool
# (as --migrations-format names it), SETUP=SQL a platform runs before the first migration,
# ARGS='--schema steady' more arguments for steady migrate. STEADY_HISTORY_PREFIXES=0,10,40,n
# or sample, and STEADY_HISTORY_JUDGES=shadow, derived or sample, narrow the sweep.
test-histories:
	@env="$$(scripts/devdb.sh up test)" || { echo "make test-histories: the test database did not start (see above)" >&2; exit 1; }; \
	eval "$$env"; \
	export TEST_DATABASE_URL_DIRECT="$$DATABASE_URL_DIRECT" TEST_DATABASE_URL_POOLER="$$DATABASE_URL_POOLER"; \
	unset DATABASE_URL DATABASE_URL_DIRECT DATABASE_URL_POOLER; \
	export STEADY_HISTORY_DIR="$(if $(DIR),$(abspath $(DIR)))" STEADY_HISTORY_FORMAT="$(FORMAT)" STEADY_HISTORY_SETUP="$(if $(SETUP),$(abspath $(SETUP)))" STEADY_HISTORY_ARGS="$(ARGS)"; \
	export STEADY_HISTORY_PREFIXES="$${STEADY_HISTORY_PREFIXES:-all}" STEADY_HISTORY_JUDGES="$${STEADY_HISTORY_JUDGES:-all}"; \
	run=.; if [ -n "$(DIR)" ]; then run='^TestSweep$$'; fi; \
	set -o pipefail; \
	$(GO) test -count=1 -v -timeout 6h -run "$$run" ./internal/historytest/ \
		| grep -v -E '^ *(=== (RUN|PAUSE)|--- PASS)'

# Benchmark programs (bench/, a module of their own so goose and toxiproxy stay out of the
# product's go.mod): they start their own PostgreSQL + PgBouncer (.benchdb, ports 55434/56434),
# measure steady side by side with the alternatives and write docs/benchmarks.md.
bench: build
	cd bench && $(GO) run . $(BENCHFLAGS)

# steady lint and squawk (from npm, into .squawk/) side by side on the lint corpus
# (internal/lint/testdata/corpus), offline, no database: the table in docs/lint.md.
bench-lint: build
	cd bench && $(GO) run . -only lint

vet:
	$(GO) vet ./...
	cd examples && $(GO) vet ./...
	cd bench && $(GO) vet ./...

fmt:
	gofmt -l -w .

clean:
	rm -rf bin
