# plugctl's everyday commands. CI (.ci/run) runs `make lint` and `make test`.
GO       ?= go
MODULES  := . plug examples/core examples/plugins/greeter examples/plugins/stamp tools/man
FUZZTIME ?= 20s
# go test's own default, 10m, is too short for internal/cli on a fresh
# machine: every compile there is a cold one.
TESTTIMEOUT ?= 30m
MANDIR   ?= man

.PHONY: build test test-real lint fuzz bench bench-real example man clean

build:
	$(GO) build -o bin/plugctl ./cmd/plugctl

# Every module of the repository: plugctl, the SDK and the examples.
test:
	@set -e; for m in $(MODULES); do echo "== $$m"; (cd $$m && $(GO) test -timeout $(TESTTIMEOUT) ./...); done

# The real-world tier: builds Caddy, the OpenTelemetry Collector, CoreDNS
# and Benthos from the configs in examples/real (docs/migrating.md's examples) with
# their profiles, from the module proxy, and runs each binary; installs cosign
# (a pinned version) and verifies a signed build's provenance with it
# (docs/supply-chain.md). It needs the network and takes minutes; it is not
# part of make test or CI.
test-real:
	$(GO) test -tags realcores -run '^TestRealCores$$' -parallel 1 -timeout 90m -v ./internal/cli

# The static checks CI runs before the tests (.ci/run): no citation of a
# design page outside the repository, gofmt, go vet and staticcheck on every
# module, and plugctl built and vetted for the hosts that are built but not
# tested (see docs/install.md). staticcheck is installed at a pinned version under
# bin/tools (built by the Go in use, which it must match), never on the PATH.
# Go files under testdata are fixtures, not code, and are not checked.
STATICCHECK_VERSION := v0.8.2
STATICCHECK := $(CURDIR)/bin/tools/staticcheck@$(STATICCHECK_VERSION)-$(shell $(GO) env GOVERSION)/staticcheck
CROSS_GOOS  := darwin windows

lint: $(STATICCHECK)
	@echo "== no citation of a design page the repository does not hold"
	@! git grep -n -I 'DESIGN[.]md' || { echo "cite README.md, docs/ or ARCHITECTURE.md instead"; exit 1; }
	@echo "== gofmt"
	@bad=$$($$($(GO) env GOROOT)/bin/gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go' | grep -v /testdata/)); \
	  test -z "$$bad" || { echo "not formatted (run gofmt -w):"; echo "$$bad"; exit 1; }
	@set -e; for m in $(MODULES); do echo "== vet, staticcheck: $$m"; \
	  (cd $$m && $(GO) vet ./... && $(STATICCHECK) ./...); done
	@set -e; for os in $(CROSS_GOOS); do echo "== GOOS=$$os: build, vet, staticcheck"; \
	  GOOS=$$os $(GO) build ./...; \
	  for m in $(MODULES); do (cd $$m && GOOS=$$os $(GO) vet ./...); done; \
	  GOOS=$$os $(STATICCHECK) ./...; done

$(STATICCHECK):
	GOBIN=$(dir $(STATICCHECK)) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

# Each fuzz target for FUZZTIME (the seed corpora run in `make test`).
fuzz:
	@set -e; grep -rl --include='*_test.go' '^func Fuzz' internal | xargs -n1 dirname | sort -u | while read d; do \
	  for f in $$(grep -h '^func Fuzz' $$d/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
	    echo "== $$d $$f"; $(GO) test ./$$d -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s; done; done

# BASELINE=REV adds (f): offline rebuilds compared with plugctl built at REV.
bench:
	$(GO) run ./internal/bench -o BENCHMARKS.md $(if $(BASELINE),-baseline $(BASELINE))

# The real-world bench: Caddy with a local, a git and a proxy plug, built by
# plugctl, by a plain go build of plugctl's generated module and by a pinned
# xcaddy, commands alternated; lock, cold builds and peak memory too. It
# needs the module proxy and takes about half an hour on two cores; it
# rewrites only its own section of BENCHMARKS.md. Not part of CI.
BENCH_REAL_RUNS ?= 3
BENCH_REAL_COLD ?= 1
bench-real:
	$(GO) run ./internal/bench -real -n $(BENCH_REAL_RUNS) -cold-runs $(BENCH_REAL_COLD) -o BENCHMARKS.md

example:
	$(GO) run ./cmd/plugctl build -f plugconfig.example.yaml

# plugctl's man pages, one per command, into MANDIR (default man/), made by
# cobra's doc generator in tools/man: a module of its own, so that its
# dependencies stay out of plugctl's.
man:
	cd tools/man && $(GO) run . $(abspath $(MANDIR))

clean:
	rm -rf bin dist .plugctl man
