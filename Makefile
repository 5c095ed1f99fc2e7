# gorc — the two commands of the README are `make demo` and `make test`.
GO      ?= go
BIN     := bin/gorc
FUZZTIME ?= 4s

.PHONY: all build deps test vet unit fuzz mutate demo bench clean

all: build

build:
	$(GO) build -ldflags "-X main.commit=$$(git rev-parse HEAD 2>/dev/null)" -o $(BIN) ./cmd/gorc

# deps installs the Debian packages the tests and benchmarks need (gcc, g++,
# Debian's static libraries, LLVM 19 as a cross-check and peer).
deps:
	@bash scripts/deps.sh

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

# unit also runs the 10,000-cycle unload test without the race detector
# (~20 s; under -race it runs 2,000 cycles).
unit:
	$(GO) test -race -timeout 15m ./...
	$(GO) test -count=1 -run '^TestUnloadCyclesKeepRSSFlat$$' ./jit

# fuzz runs every Fuzz target for a short while (FUZZTIME each); the seed
# corpora live in each package's testdata/fuzz.
fuzz:
	@bash scripts/fuzz.sh $(FUZZTIME)

# mutate runs the long version of the mutation harness (internal/mutate):
# MUTANTS mutants of every corpus input through parse, compile and link;
# `make test` runs a short version as part of unit. MUTATE_SEED varies
# the mutants; failing ones are saved in MUTATE_OUT.
MUTANTS ?= 2000
MUTATE_SEED ?= 1
MUTATE_OUT ?= /tmp
mutate:
	GORC_MUTATE=$(MUTANTS) GORC_MUTATE_SEED=$(MUTATE_SEED) GORC_MUTATE_OUT=$(MUTATE_OUT) $(GO) test -timeout 60m -run '^TestMutation$$' -v ./internal/mutate

test: deps build vet unit fuzz

demo: deps build
	@bash scripts/demo.sh

bench: deps build
	@bash scripts/bench.sh

clean:
	rm -rf bin
