GO ?= go
PKGS = ./...

.PHONY: test vet build bench fuzz demo

# The whole suite: vet, then every test. Database tests run on SQLite always and
# on PostgreSQL too when LIAISON_TEST_POSTGRES holds a DSN (.ci/run sets it).
test: vet
	$(GO) test -count=1 -timeout 15m $(PKGS)

vet:
	$(GO) vet $(PKGS)

build:
	$(GO) build -o bin/liaison ./cmd/liaison

# Benchmarks named in docs/BENCHMARKS.md. Long: not part of `make test`.
bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x -timeout 60m ./internal/store/... ./internal/intel/ ./internal/web/

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
