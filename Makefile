GO ?= go
PKGS = ./...

.PHONY: test vet build bench bench-run fuzz demo

# The whole suite: vet, then every test. Database tests run on SQLite always and
# on PostgreSQL too when LIAISON_TEST_POSTGRES holds a DSN (.ci/run sets it).
test: vet
	$(GO) test -count=1 -timeout 15m $(PKGS)

vet:
	$(GO) vet $(PKGS)

build:
	$(GO) build -o bin/liaison ./cmd/liaison

# Benchmarks named in docs/BENCHMARKS.md, on SQLite and, in the same run, on a
# throwaway PostgreSQL server. Long (the HTTP read benchmark stores 1,000,000
# records first): not part of `make test`.
BENCH_RECORDS ?= 1000000
BENCH_BACKLOG ?= 100000
BENCH_REBUILD ?= 1000000
bench:
	scripts/with-postgres $(MAKE) bench-run

bench-run:
	$(GO) test -run '^$$' -bench 'PageFault|RandomRead' -benchtime 100000x -count 3 ./internal/procstat/
	$(GO) test -run '^$$' -bench 'CreateBatchValidated' -benchtime 30x -count 3 -timeout 60m ./internal/records/
	LIAISON_BENCH_RECORDS=$(BENCH_RECORDS) $(GO) test -run '^$$' -bench 'GetRecordHTTP' -benchtime 20000x -count 3 -timeout 60m ./internal/web/
	$(GO) test -run '^$$' -bench . -benchtime 2s -timeout 30m ./internal/intel/ ./internal/audit/ ./internal/agreement/ ./internal/store/...
	LIAISON_BENCH_ENVELOPES=20000 $(GO) test -run '^$$' -bench 'FederationThroughput' -benchtime 1x -count 3 -timeout 60m ./internal/app/
	LIAISON_BENCH_BACKLOG=$(BENCH_BACKLOG) $(GO) test -run '^$$' -bench 'FederationBacklog' -benchtime 1x -count 3 -timeout 120m ./internal/app/
	$(GO) test -run '^$$' -bench 'Fuzzy' -benchtime 2000x -timeout 60m ./internal/match/
	$(GO) test -run '^$$' -bench 'Lookup' -benchtime 3000000x -count 3 -timeout 30m ./internal/match/
	$(GO) test -run '^$$' -bench 'Ingest' -benchtime 20000x -count 3 -timeout 30m ./internal/match/
	$(GO) test -run '^$$' -bench 'DecodeStored' -count 4 -timeout 30m ./internal/match/
	LIAISON_BENCH_REBUILD_RECORDS=$(BENCH_REBUILD) $(GO) test -run '^$$' -bench 'Rebuild' -benchtime 1x -timeout 120m ./internal/match/
	$(GO) test -run '^$$' -bench 'RebuildFromStore' -benchtime 3x -timeout 30m ./internal/matching/
	LIAISON_BENCH_MATCH_RECORDS=20000 $(GO) test -run '^$$' -bench 'MatchAndStore' -benchtime 2x -timeout 30m ./internal/matching/

# Short fuzzing pass over every fuzz target (FUZZTIME per target).
FUZZTIME ?= 20s
fuzz:
	@for pkg in $$($(GO) list ./internal/...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

demo:
	$(GO) run ./cmd/liaison demo
