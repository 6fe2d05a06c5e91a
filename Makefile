# Stanzagate: everything a fresh machine with node and npm needs is installed from here.
#   make test    install what is missing, type-check, run every test (unit, integration, faults)
#   make unit    the in-process tier alone (seconds; no server)
#   make deps-rules  the architecture rules (.dependency-cruiser.cjs); make unused: no unused file, export or dependency (knip)
#   make lint    format check and lint (Biome, biome.jsonc); make format rewrites the tree in the house format
#   make integration  the real-server tier alone (STANZAGATE_SERVERS=prosody skips ejabberd); make timings: rewrite test/timings.json
#   make demo    install, start a local Prosody and Stanzagate on 127.0.0.1, print curl commands
#   make demo-reset  the same, writing the demo's own .demo/routes.yaml over yours (make demo keeps it)
#   make build   dist/stanzagate, one self-contained executable
#   make release dist/stanzagate-linux-{x64,arm64}, their .deb and .tar.gz packages, dist/SHA256SUMS
#   make faults  the fault suite: kills and outages under load, fuzzing (docs/contributing.md, "Tests")
#   make bench   the benchmark (bench/README.md; docs/contributing.md, "Benchmark"); make bench-footprint: build variants
#   make clean   removes what the build made; make distclean also node_modules and caches
#   make help    this list
SHELL := /bin/bash
BUN := node_modules/.bin/bun
TSC := node_modules/.bin/tsc
SRC := $(shell find src plugins -name '*.ts') package.json

# No tracked file over 1 MB (build outputs stay out of the repository).
file-sizes:
	@scripts/check-file-sizes.sh

.PHONY: timings file-sizes deps-rules deps-baseline unused lint format help all deps node-deps prosody-deps release-deps test-deps build release test typecheck unit integration golden faults demo demo-reset bench bench-footprint clean distclean verify-unit

all: build

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

deps: node-deps prosody-deps

node-deps: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# Debian packages, installed by scripts/debian-packages.sh when missing (one apt-get update).
# The demo and the benchmark: Prosody 0.12 with prosody-modules (mod_privilege), curl for the
# demo's printed commands, and mosquitto and mosquitto-clients: the demo's MQTT broker and the
# mosquitto_pub/mosquitto_sub it prints (also the MQTT tests' broker and clients, testbed/mosquitto.ts, issue 23).
DEMO_PACKAGES := prosody prosody-modules curl mosquitto mosquitto-clients
# The tests also run against ejabberd 23.01, run the arm64 release under qemu-user (with the arm64
# C library from libc6-arm64-cross), and verify the unit file with systemd-analyze (systemd).
RELEASE_PACKAGES := qemu-user libc6-arm64-cross systemd
# socat terminates TLS in front of Prosody's component port, as docs/operations.md shows (link-tunnel test);
# nginx-light and caddy run the reverse-proxy recipes of docs/operations.md (reverse-proxy test);
# apprise (1.2) and prometheus-alertmanager (0.25) are real senders of the formats the gateway speaks.
TEST_PACKAGES := $(DEMO_PACKAGES) ejabberd socat nginx-light caddy apprise prometheus-alertmanager postgresql $(RELEASE_PACKAGES)

prosody-deps:
	@scripts/debian-packages.sh $(DEMO_PACKAGES)

release-deps:
	@scripts/debian-packages.sh $(RELEASE_PACKAGES)

test-deps:
	@scripts/debian-packages.sh $(TEST_PACKAGES)

# Flags every executable is built with (bench/README.md, "Footprint", says why these).
# The JIT holds back during start-up's run-once code (src/main.ts resets it 1 s in): 4-8 MB less idle RSS.
COMPILE_FLAGS := --compile --minify --bytecode --compile-jit-policy=16
# Runtimes of the release targets: from the npm registry at the version package-lock.json pins.
RUNTIMES := .cache/bun-runtimes

build: dist/stanzagate
dist/stanzagate: node_modules/.installed $(SRC)
	@mkdir -p dist
	BUN=$(BUN) scripts/compile.sh dist/stanzagate src/main.ts $(COMPILE_FLAGS)

VERSION := $(shell node -p 'require("./package.json").version')
# The packages are made from the executables above, never rebuilt (packaging/build-*.sh).
DEBS := dist/stanzagate_$(VERSION)_amd64.deb dist/stanzagate_$(VERSION)_arm64.deb
TARBALLS := dist/stanzagate-$(VERSION)-linux-x64.tar.gz dist/stanzagate-$(VERSION)-linux-arm64.tar.gz
PACKAGING := packaging/stanzagate.service packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm LICENSE

release: dist/stanzagate-linux-x64 dist/stanzagate-linux-arm64 $(DEBS) $(TARBALLS) dist/SHA256SUMS
dist/stanzagate-linux-%: node_modules/.installed $(SRC)
	@mkdir -p dist
	BUN=$(BUN) scripts/compile.sh $@ src/main.ts $(COMPILE_FLAGS) --target=bun-linux-$* \
	  --compile-executable-path "$$(realpath "$$(packaging/bun-runtime.sh bun-linux-$(if $(filter arm64,$*),aarch64,$*) $(RUNTIMES))")"
# /etc/stanzagate/routes.yaml of the .deb, and the example of the archives: init's starter.
dist/routes.yaml: node_modules/.installed scripts/package-routes.ts src/cli/init-files.ts
	@mkdir -p dist
	$(BUN) scripts/package-routes.ts > $@
dist/stanzagate_$(VERSION)_amd64.deb: dist/stanzagate-linux-x64 dist/routes.yaml packaging/build-deb.sh $(PACKAGING)
	packaging/build-deb.sh amd64 $< $(VERSION) dist/routes.yaml $@
dist/stanzagate_$(VERSION)_arm64.deb: dist/stanzagate-linux-arm64 dist/routes.yaml packaging/build-deb.sh $(PACKAGING)
	packaging/build-deb.sh arm64 $< $(VERSION) dist/routes.yaml $@
dist/stanzagate-$(VERSION)-linux-%.tar.gz: dist/stanzagate-linux-% dist/routes.yaml packaging/build-tarball.sh $(PACKAGING)
	packaging/build-tarball.sh $< dist/routes.yaml $@
dist/SHA256SUMS: dist/stanzagate-linux-x64 dist/stanzagate-linux-arm64 $(DEBS) $(TARBALLS)
	cd dist && sha256sum $(notdir $^) > SHA256SUMS

# The unit file, as systemd itself reads it (test/integration/release-systemd.test.ts runs this too).
verify-unit: release-deps dist/stanzagate-linux-x64
	$(BUN) test test/integration/release-systemd.test.ts

typecheck: node-deps
	$(TSC) --noEmit -p .

# The rules the build enforces (docs/contributing.md, "Rules the build enforces"): no import cycle,
# plugins through the contract only, the link knows no HTTP, config checking never connects.
# Violations listed in .dependency-cruiser-known-violations.json are tolerated, any other fails.
DEPCRUISE := node_modules/.bin/depcruise --config .dependency-cruiser.cjs
RULED_DIRS := src plugins test testbed bench scripts
deps-rules: node-deps
	$(DEPCRUISE) --ignore-known .dependency-cruiser-known-violations.json $(RULED_DIRS)

# Rewrites the known violations from the tree as it is: after fixing some, to shorten the list.
deps-baseline: node-deps
	node_modules/.bin/depcruise-baseline --config .dependency-cruiser.cjs $(RULED_DIRS)

# No unused file, export or dependency (knip.jsonc).
unused: node-deps
	node_modules/.bin/knip --no-progress

# Format and lint (biome.jsonc; docs/contributing.md, "Format and lint"): the TypeScript of the
# ruled folders must be as `make format` writes it, and a warning fails like an error.
BIOME := node_modules/.bin/biome
lint: node-deps
	$(BIOME) ci --error-on-warnings $(RULED_DIRS)

# Twice: a member chain whose last argument is a long object literal settles only on the second
# pass (biomejs/biome#10531, open in 2.6.9); a third pass changes nothing.
format: node-deps
	$(BIOME) format --write $(RULED_DIRS)
	$(BIOME) format --write $(RULED_DIRS)

# Test files run in worker processes side by side (bun test --parallel): an integration file
# mostly waits on its own servers, so three workers share two cores well (5 min instead of 11).
# Every part a file starts has its own ports and directory (testbed/ports.ts), so files never
# meet. test/timings.json (per-file durations, `make timings` rewrites it) starts the slowest
# files first. The fault suite stays one file at a time: its loads and kills are timed against a
# quiet machine, and a neighbour's load only adds noise to what it counts.
UNIT_TESTS := $(BUN) test --parallel=2 test/unit
INTEGRATION_TESTS := $(BUN) test --parallel=3 --timings test/timings.json --timeout 60000 test/integration

# Both tiers, then the fault suite: test/unit (in-process, no server), test/integration (real
# Prosody and ejabberd, the release binaries), test/faults (make faults).
test: file-sizes node-deps lint deps-rules unused test-deps typecheck build release
	$(UNIT_TESTS)
	$(INTEGRATION_TESTS)
	$(MAKE) faults

# The fast tier alone: in-process tests, no server (seconds).
unit: node-deps
	$(UNIT_TESTS)

# The real-server tier alone (Prosody and ejabberd; STANZAGATE_SERVERS=prosody for Prosody only).
integration: node-deps test-deps build release
	$(INTEGRATION_TESTS)

# Rewrites test/timings.json from a run of the integration tier (after adding slow files).
timings: node-deps test-deps build release
	$(INTEGRATION_TESTS) --update-timings

# Sizes and seed: FAULTS_LOAD, FAULTS_CONCURRENCY, FAULTS_RUNS, FAULTS_SEED (docs/contributing.md, "Tests").
faults: deps build
	STANZAGATE_BIN=$(CURDIR)/dist/stanzagate $(BUN) test --timeout 240000 test/faults

# Rewrites the expected `check` output (test/golden), preset messages (src/features/presets/*/golden)
# and format messages (every golden.test.ts) from the current code, then the docs that quote them
# (docs/presets.md, README.md's "What a person sees"): review the diff.
golden: node-deps
	STANZAGATE_GOLDEN=write $(BUN) test test/unit/config-check.test.ts test/unit/features/presets/presets.test.ts golden.test
	$(BUN) scripts/config-reference.ts --write

demo: deps build
	$(BUN) scripts/demo.ts

demo-reset: deps build
	DEMO_RESET=1 $(BUN) scripts/demo.ts

bench: deps build
	$(BUN) bench/run.ts

# Size, start-up and idle RSS of each build variant (bench/README.md, "Footprint").
bench-footprint: deps
	$(BUN) bench/footprint.ts

clean:
	rm -rf dist .demo bench/tmp

distclean: clean
	rm -rf node_modules .cache
