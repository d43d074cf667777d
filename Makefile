# de.NBI Service Registry — developer and operator tasks.
# PocketBase v0.40 needs Go 1.27; the go command fetches this toolchain itself.
export GOTOOLCHAIN := go1.27.3

# A tagged commit (v1.2.3) builds version 1.2.3; anything else is 0.0.0-dev.
VERSION ?= $(or $(shell git describe --tags --exact-match 2>/dev/null | sed 's/^v//'),0.0.0-dev)
LDFLAGS := -s -w -X github.com/denbi/service-registry/internal/buildinfo.Version=$(VERSION)
BIN     := bin/registry
DATA    ?= pb_data
HTTP    ?= 127.0.0.1:8090

.PHONY: all build run test test-short test-long bench loadtest fuzz lint vuln docker clean

all: build

## build: compile the registry into bin/registry
build:
	go build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) .

## run: build, load demo reference data on first start, and serve on $(HTTP) with ./$(DATA)
run: build
	$(BIN) seed demo --dir $(DATA)
	$(BIN) serve --http $(HTTP) --dir $(DATA)

## test: formatting, vet and the whole test suite
test:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	go test -count=1 -timeout 30m ./...

## test-short: the suite without the long-running variants
test-short:
	go test -short ./...

## test-long: the long reliability variants (more writers, five crash cycles, a full outbox cron cycle)
test-long:
	go test -count=1 -timeout 30m -v ./reliability -long

## loadtest: the DESIGN.md §12 workloads against the real binary (see docs/performance.md)
LOADTEST_FLAGS ?=
loadtest:
	go run ./cmd/loadtest $(LOADTEST_FLAGS)

## bench: the benchmarks (numbers comparable between runs on the same machine)
bench:
	go test -run '^$$' -bench . -benchtime 2s ./...

## fuzz: run every fuzz target for FUZZTIME each (default 30s)
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$(go list ./...); do \
		for target in $$(go test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$target"; \
			go test $$pkg -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) || exit 1; \
		done; \
	done

## lint: gofmt, go vet, and golangci-lint when installed
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	go vet ./...
	@if command -v golangci-lint >/dev/null 2>&1; then golangci-lint run ./...; else echo "golangci-lint not installed: skipped"; fi

## vuln: known-vulnerability check of the dependencies
vuln:
	go run golang.org/x/vuln/cmd/govulncheck@latest ./...

## docker: build the container image
docker:
	docker build --build-arg VERSION=$(VERSION) -t denbi/service-registry:$(VERSION) .

clean:
	rm -rf bin test-output
