# plugctl's everyday commands. `make test` is what CI runs (.ci/run).
GO       ?= go
MODULES  := . plug examples/core examples/plugins/greeter examples/plugins/stamp
FUZZTIME ?= 20s

.PHONY: build test lint fuzz bench example clean

build:
	$(GO) build -o bin/plugctl ./cmd/plugctl

# Every module of the repository: plugctl, the SDK and the examples.
test:
	@set -e; for m in $(MODULES); do echo "== $$m"; (cd $$m && $(GO) test ./...); done

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v /testdata/))" || { gofmt -l $$(git ls-files '*.go' | grep -v /testdata/); exit 1; }
	@set -e; for m in $(MODULES); do (cd $$m && $(GO) vet ./...); done

# Each fuzz target for FUZZTIME (the seed corpora run in `make test`).
fuzz:
	@set -e; grep -rl --include='*_test.go' '^func Fuzz' internal | xargs -n1 dirname | sort -u | while read d; do \
	  for f in $$(grep -h '^func Fuzz' $$d/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
	    echo "== $$d $$f"; $(GO) test ./$$d -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s; done; done

bench:
	$(GO) run ./internal/bench -o BENCHMARKS.md

example:
	$(GO) run ./cmd/plugctl build -f plugconfig.example.yaml

clean:
	rm -rf bin dist .plugctl
