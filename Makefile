# jitsynth — build, run, test, bench. `make help` lists the verbs.
#
# Objects go to build/<flavour>/, so the normal and the sanitizer builds
# never mix: build/release for bin/jitsynth, build/asan for `make asan`.

CC      ?= gcc
PKGS    := jansson libzstd libxxhash openssl
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-missing-field-initializers
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Isrc $(WARN) -MMD -MP \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -ljansson -lzstd -lxxhash -lcrypto) -ldl -lm
TESTLIBS := -lcmocka

FLAVOUR ?= release
ifeq ($(FLAVOUR),asan)
  OPT := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else ifeq ($(FLAVOUR),fuzz)
  CC  := clang
  OPT := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
  OPT := -O2 -g
endif
CFLAGS  := $(CFLAGS_BASE) $(OPT) $(EXTRA_CFLAGS)
LDFLAGS := $(OPT)

BUILD   := build/$(FLAVOUR)
SRCS    := $(wildcard src/*/*.c)
LIBSRCS := $(filter-out src/cli/%,$(SRCS))
CLISRCS := $(filter src/cli/%,$(SRCS))
LIBOBJS := $(LIBSRCS:%.c=$(BUILD)/%.o)
CLIOBJS := $(CLISRCS:%.c=$(BUILD)/%.o)
# The run tier's warm PCH list (src/validate/pch_warm.txt, made by
# scripts/pch-warm.sh) becomes the C string pch_warm_text.
WARMSRC := $(BUILD)/gen/pch_warm.c
LIBOBJS += $(BUILD)/gen/pch_warm.o
TESTSRCS := $(wildcard tests/unit/test_*.c)
TESTBINS := $(TESTSRCS:tests/unit/%.c=$(BUILD)/tests/%)
# A stand-in for the Python worker that speaks its protocol, scripted to
# answer, crash, hang or send garbage: the pool and pipeline machinery tested
# in milliseconds (tests/unit/test_pool.c, tests/e2e/test_machinery.sh).
FAKE    := $(BUILD)/tests/fake_worker
FUZZSRCS := $(wildcard fuzz/fuzz_*.c)
FUZZBINS := $(FUZZSRCS:fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 10
NPROC   := $(shell nproc 2>/dev/null || echo 2)

ifeq ($(FLAVOUR),asan)
  BIN := $(BUILD)/jitsynth
else
  BIN := bin/jitsynth
endif

# The Python venv that holds the pinned Warp; the worker runs under it.
VENV    := .venv
N       ?= 3000

.PHONY: all setup run test check check-bins fuzz-bins asan gpu-check bench bench-scaling bench-gen bench-scaleout bench-realism soak fuzz fuzz-run clean help format

all: $(BIN)

help:
	@echo "make            build bin/jitsynth"
	@echo "make setup      install apt packages and the .venv with warp-lang (idempotent)"
	@echo "make run        setup + build + generate the default dataset (N=$(N), every profile, realistic) into ./data"
	@echo "make test       setup + build + every test (unit, end-to-end, sanitizers)"
	@echo "make asan       the test suite under AddressSanitizer + UBSan"
	@echo "make bench      jitsynth vs raw Warp codegen (BENCH_N kernels of the seed's 11 categories)"
	@echo "make fuzz       every libFuzzer target for FUZZ_SECONDS (default 10) each"
	@echo "make bench-scaling  jitsynth --jobs 1, 2, 4 ... cores against as many raw Warp processes"
	@echo "make bench-gen  the default generator (GEN_N kernels): codegen rate, coverage, uniqueness"
	@echo "make bench-scaleout  the Scale out plan's figures: syntax rate per job, bytes per record, merge rate"
	@echo "make bench-realism  distance of both styles from Warp's shipped code, per profile"
	@echo "make gpu-check  on a machine with an NVIDIA GPU: CPU against CUDA over GPU_N kernels"
	@echo "make soak       20 generate runs killed at random and resumed (long)"

setup:
	@bash scripts/setup.sh

$(BIN): $(LIBOBJS) $(CLIOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(WARMSRC): src/validate/pch_warm.txt
	@mkdir -p $(dir $@)
	@{ echo '#include "validate/pch_warm.h"'; echo 'const char pch_warm_text[] ='; \
	  sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$$/\\n"/' $<; echo ';'; } > $@

$(BUILD)/gen/pch_warm.o: $(WARMSRC)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $(filter %.c %.o,$^) $(LIBS) $(TESTLIBS)

$(FAKE): tests/helper/fake_worker.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $<

# A worker that answers from recorded Warp output (bench/c_side.sh).
REPLAY  := $(BUILD)/bench/replay_worker
$(REPLAY): bench/replay_worker.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIBS)

$(BUILD)/fuzz/%: fuzz/%.c $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $(filter %.c %.o,$^) $(LIBS)

# Every target for FUZZ_SECONDS, as many at once as there are cores
# (fuzz/run.sh: each from its committed corpus, fuzz/corpus/NAME).
fuzz:
	@$(MAKE) --no-print-directory -j$(NPROC) FLAVOUR=fuzz fuzz-run

fuzz-run: $(FUZZBINS)
	@bash fuzz/run.sh $(FUZZ_SECONDS) $(FUZZBINS)

# The default dataset (every profile, realistic style), then one line on
# what it holds, read back from its manifest.
run: setup
	@$(MAKE) --no-print-directory all
	$(BIN) generate -n $(N) -o data
	@jq -r '"make run: data/ holds \(.counts.records) pairs of \(.options.n) kernels, \(.options.categories | length) profiles in the \(.options.style // "synthetic") style (\(.options.categories | join(","))), \(.options.devices | join("+")), validated \(.options.validate); `$(BIN) stats data` for its figures"' data/manifest.json

# Unit tests and end-to-end tests of one flavour; tests/run.sh prints the
# closing "N passed, N failed" line.
check: check-bins
	@bash tests/run.sh $(FLAVOUR) $(BIN) $(TESTBINS)

check-bins: $(BIN) $(TESTBINS) $(FAKE)
fuzz-bins: $(FUZZBINS)

# Everything, in one queue (tests/run.sh: no core idles between one
# flavour's last test and the next one's first): the release build's tests,
# the sanitizer build's, and every fuzz target for FUZZ_SECONDS.
test: setup
	@bash scripts/setup-test.sh
	@$(MAKE) --no-print-directory -j$(NPROC) FLAVOUR=fuzz fuzz-bins
	@$(MAKE) --no-print-directory -j$(NPROC) check-bins
	@$(MAKE) --no-print-directory -j$(NPROC) FLAVOUR=asan check-bins
	@bash tests/run.sh release bin/jitsynth $(TESTSRCS:tests/unit/%.c=build/release/tests/%) \
		-- asan build/asan/jitsynth $(TESTSRCS:tests/unit/%.c=build/asan/tests/%) \
		-- fuzz $(FUZZ_SECONDS) $(FUZZSRCS:fuzz/%.c=build/fuzz/fuzz/%)

asan:
	@$(MAKE) --no-print-directory -j$(NPROC) FLAVOUR=asan check

# The long form of the kill/resume test (issue 6): 20 runs of 5000 kernels.
soak: setup
	@$(MAKE) --no-print-directory all
	TEST_TMP=$(CURDIR)/tests/tmp/soak KILL_RUNS=20 N=5000 E2E_ONLY=test_resume bash tests/run.sh $(FLAVOUR) $(BIN)

gpu-check: setup
	@$(MAKE) --no-print-directory all
	@bash scripts/gpu-check.sh

bench: setup
	@$(MAKE) --no-print-directory all
	@bash bench/run.sh

# Issue 3's generator figures: GEN_N (default 100000) kernels of every profile.
bench-scaling: setup
	@$(MAKE) --no-print-directory all
	@bash bench/scaling.sh

bench-gen: setup
	@$(MAKE) --no-print-directory all
	@bash bench/generator.sh

# Issue 15's Scale out figures (README): SCALE_N, SCALE_JOBS, SCALE_PARTS, SCALE_MERGE_N.
bench-scaleout: setup
	@$(MAKE) --no-print-directory all
	@bash bench/scaleout.sh

# Issue 12's realism figures: distance from Warp's shipped code per style and profile.
bench-realism: setup
	@$(MAKE) --no-print-directory all
	@bash bench/realism.sh

format:
	clang-format -i src/*/*.c src/*/*.h tests/unit/*.c

clean:
	rm -rf build bin

-include $(LIBOBJS:.o=.d) $(CLIOBJS:.o=.d) $(TESTBINS:=.d) $(FUZZBINS:=.d) $(FAKE).d
