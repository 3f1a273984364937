# sockgrade: one flat Makefile. `make` builds the grader and the references; `make demo`
# grades the bundled example submissions; `make test` runs every test. Both install missing
# Debian packages first (tools/deps.sh): `make` only what grading needs, `make test` the test
# tooling too.

CC       ?= gcc
BUILD    ?= build
PREFIX   ?= /usr/local
VERSION  := 0.1.0
PKGS     := libcjson
WARN     := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes -Wshadow \
            -Wformat=2 -Wno-format-nonliteral
HARDEN   := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(HARDEN) $(CFLAGS) -MMD -MP \
             -DSOCKGRADE_VERSION='"$(VERSION)"' $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS  ?=
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(LDFLAGS)
LDLIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lcjson) -pthread

# The grader's modules, one folder each (docs/design.md draws them); cli/ is the program (main
# and its option table), linked into the binary only.
GRADER_SRCS := $(filter-out grader/cli/%,$(wildcard grader/*/*.c))
LIB      := $(BUILD)/libsockgrade.a
OBJS     := $(patsubst %.c,$(BUILD)/%.o,$(GRADER_SRCS))
MAIN_OBJ := $(BUILD)/grader/cli/main.o
CLI_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard grader/cli/*.c))

# One program per assignments/<name>/ folder (its spec); reference/<name>.c implements it.
PROGRAMS := $(notdir $(patsubst %/spec.json,%,$(wildcard assignments/*/spec.json)))
REF_BINS := $(addprefix $(BUILD)/reference/,$(PROGRAMS))
# GCC 11 and clang 14 lack -ftrivial-auto-var-init=zero; the references are correct without it.
REF_ZERO  := $(shell $(CC) -ftrivial-auto-var-init=zero -x c -c -o /dev/null /dev/null 2>/dev/null && echo -ftrivial-auto-var-init=zero)
REF_FLAGS := -std=gnu11 -O2 -g $(WARN) $(REF_ZERO) -Ireference

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
TEST_LIBS  := $(shell pkg-config --libs criterion 2>/dev/null || echo -lcriterion)

.PHONY: all deps test-deps test unit e2e html-test selftest demo bench memcheck asan clean install install-apparmor
all: deps
	@$(MAKE) --no-print-directory $(BUILD)/sockgrade $(REF_BINS)

deps:
	@sh tools/deps.sh runtime

test-deps:
	@sh tools/deps.sh test

$(BUILD)/grader/%.o: grader/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Igrader -c -o $@ $<

$(LIB): $(OBJS)
	@rm -f $@
	ar rcs $@ $^

# The installed binary looks for its data in $(DATADIR). The stamp changes only when PREFIX
# does, so main.o is rebuilt exactly then.
DATADIR := $(PREFIX)/share/sockgrade
$(MAIN_OBJ): ALL_CFLAGS += -DSOCKGRADE_DATADIR='"$(DATADIR)"'
$(MAIN_OBJ): $(BUILD)/datadir.stamp
$(BUILD)/datadir.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' > $@

$(BUILD)/sockgrade: $(CLI_OBJS) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJS) $(LIB) $(LDLIBS)

$(BUILD)/reference/%: reference/%.c reference/sockio.h
	@mkdir -p $(@D)
	$(CC) $(REF_FLAGS) -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Igrader $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) $(TEST_LIBS)

# Every test script prints TAP (tests/e2e/lib.sh) and runs through a strict checker, which
# fails the target on a malformed stream or an exit status that disagrees with it.
TAP_CHECK := python3 tests/e2e/tap_check.py

unit: test-deps
	@$(MAKE) --no-print-directory $(UNIT_TESTS) $(REPLAY_BINS)
	@sh tests/test_layers.sh
	@$(TAP_CHECK) sh tests/run_unit.sh $(UNIT_TESTS)
	@sh tests/fuzz/replay.sh $(BUILD) $(FUZZ_TARGETS)

# The npm validators the workflow test reads the GitHub workflow with (pinned by the lockfile).
VALIDATORS := $(BUILD)/validators/node_modules/.bin/action-validator
$(VALIDATORS): tools/validators/package.json tools/validators/package-lock.json
	@mkdir -p $(BUILD)/validators
	@cp tools/validators/package.json tools/validators/package-lock.json $(BUILD)/validators/
	cd $(BUILD)/validators && npm ci --no-audit --no-fund --silent
	@touch $@

e2e: all $(VALIDATORS)
	@$(TAP_CHECK) sh tests/e2e/test_tap.sh
	@$(TAP_CHECK) sh tests/e2e/run.sh $(BUILD)/sockgrade
	@ACTION_VALIDATOR=$(VALIDATORS) $(TAP_CHECK) sh tests/e2e/test_workflows.sh $(BUILD)/sockgrade
	@$(TAP_CHECK) sh tests/e2e/test_classroom.sh $(BUILD)/sockgrade
	@$(TAP_CHECK) sh tests/e2e/test_no_namespaces.sh $(BUILD)/sockgrade
	@$(TAP_CHECK) sh tests/e2e/test_unprivileged.sh $(BUILD)/sockgrade
	@$(TAP_CHECK) sh tests/e2e/test_permissions.sh $(BUILD)/sockgrade
	@$(TAP_CHECK) sh tests/e2e/test_concurrent.sh $(BUILD)/sockgrade
	@$(TAP_CHECK) sh tests/e2e/test_instructor.sh $(BUILD)/sockgrade
	@$(TAP_CHECK) sh tests/e2e/test_cli.sh $(BUILD)/sockgrade
	@$(TAP_CHECK) sh tests/e2e/test_robust_io.sh $(BUILD)/sockgrade
	@$(TAP_CHECK) sh tests/e2e/test_shared_runs.sh $(BUILD)/sockgrade
	@$(TAP_CHECK) sh tests/e2e/test_recheck.sh $(BUILD)/sockgrade
	@$(TAP_CHECK) sh tests/e2e/test_watch.sh $(BUILD)/sockgrade
	@$(TAP_CHECK) sh tests/e2e/test_html.sh $(BUILD)/sockgrade $(BUILD)/html-test

# The HTML pages alone, in headless Chromium (part of e2e); screenshots in $(BUILD)/html-test.
html-test: all
	@$(TAP_CHECK) sh tests/e2e/test_html.sh $(BUILD)/sockgrade $(BUILD)/html-test

# Hostile submissions (fixtures/hostile/, docs/security.md): kept out of e2e until every attack
# is contained; about four minutes.
hostile: all
	@$(TAP_CHECK) sh tests/e2e/test_hostile.sh $(BUILD)/sockgrade

selftest: all
	$(BUILD)/sockgrade selftest

test: test-deps
	@$(MAKE) --no-print-directory all unit
	@$(MAKE) --no-print-directory selftest e2e

memcheck: test-deps
	@$(MAKE) --no-print-directory $(UNIT_TESTS)
	@sh tests/memcheck.sh $(UNIT_TESTS)

# The grader and its unit tests built with AddressSanitizer and UBSan, in a build folder of
# their own.
asan: test-deps
	@UNIT_JOBS=1 $(MAKE) --no-print-directory BUILD=build-asan \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" unit selftest

demo: all
	@sh tools/demo.sh $(BUILD)/sockgrade

# The floor of (b): each reference compiled once and run once under the grader's memcheck in
# its sandbox, over all cores (tools/bench_floor.c, built on the grader's own library).
$(BUILD)/tools/bench_floor: tools/bench_floor.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Igrader $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

bench: all $(BUILD)/tools/bench_floor
	@python3 tools/bench.py $(BUILD)/sockgrade

clean:
	rm -rf $(BUILD) build-asan

.PHONY: uninstall gradescope hostile platform-test FORCE

# The recipes where they will run (tests/platform/platform_test.sh): a fresh minimal Debian root
# runs the Gradescope setup.sh and run_autograder, the GitHub workflow's steps, GCC 11 and a
# machine without Valgrind; clang builds the grader. As root; the root is cached in
# $(BUILD)/platform. The checker needs python3 here already (`make test` installs it).
platform-test:
	@$(TAP_CHECK) sh tests/platform/platform_test.sh $(BUILD)

# make install PREFIX=/usr/local DESTDIR=: the binary, the specs and references it grades
# with, and the man page. Only the grader is built (no references, no test tools).
install: $(BUILD)/sockgrade
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/reference $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/sockgrade $(DESTDIR)$(PREFIX)/bin/sockgrade
	rm -rf $(DESTDIR)$(DATADIR)/assignments
	cp -R assignments $(DESTDIR)$(DATADIR)/assignments
	install -m 644 reference/*.c reference/*.h $(DESTDIR)$(DATADIR)/reference
	install -m 644 docs/sockgrade.1 $(DESTDIR)$(PREFIX)/share/man/man1/sockgrade.1
	install -d $(DESTDIR)$(DATADIR)/apparmor
	sed 's|@BINDIR@|$(PREFIX)/bin|' platform/apparmor/sockgrade.in >$(DESTDIR)$(DATADIR)/apparmor/sockgrade

# Where AppArmor restricts user namespaces (Ubuntu 23.10+): let the installed binary build its
# sandbox. A separate step, since it changes the machine's security policy (root only).
APPARMOR_DIR ?= /etc/apparmor.d
install-apparmor:
	install -d $(DESTDIR)$(APPARMOR_DIR)
	sed 's|@BINDIR@|$(PREFIX)/bin|' platform/apparmor/sockgrade.in >$(DESTDIR)$(APPARMOR_DIR)/sockgrade
	@if [ -z "$(DESTDIR)" ] && command -v apparmor_parser >/dev/null; then \
	    echo "apparmor_parser -r $(APPARMOR_DIR)/sockgrade"; apparmor_parser -r $(APPARMOR_DIR)/sockgrade; \
	else echo "placed $(DESTDIR)$(APPARMOR_DIR)/sockgrade; load it with: sudo apparmor_parser -r $(APPARMOR_DIR)/sockgrade"; fi

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/sockgrade $(DESTDIR)$(PREFIX)/share/man/man1/sockgrade.1
	rm -rf $(DESTDIR)$(DATADIR)

# make gradescope: the autograder zip (setup.sh and run_autograder at its top, the grader's
# sources in sockgrade/, built on Gradescope by setup.sh). Zipped with Python's zipfile,
# which keeps the executable bits and needs no zip package. No reference/: those are the
# solutions, and grading does not need them (setup.sh validates the specs instead).
# GS_PROGRAMS="tcp_echocli udp_echocli": an assignment of those programs only (--programs).
GS_PROGRAMS ?=
GS_STAGE := $(BUILD)/gradescope
gradescope:
	rm -rf $(GS_STAGE) $(BUILD)/gradescope-autograder.zip
	mkdir -p $(GS_STAGE)/sockgrade/tools
	cp platform/gradescope/setup.sh platform/gradescope/run_autograder $(GS_STAGE)/
	cp -R Makefile README.md grader assignments $(GS_STAGE)/sockgrade/
	cp tools/deps.sh $(GS_STAGE)/sockgrade/tools/
	printf '%s\n' "$(GS_PROGRAMS)" >$(GS_STAGE)/sockgrade/programs
	cd $(GS_STAGE) && python3 -m zipfile -c ../gradescope-autograder.zip setup.sh run_autograder sockgrade
	@echo "built $(BUILD)/gradescope-autograder.zip"

-include $(OBJS:.o=.d) $(CLI_OBJS:.o=.d)

# CI runs every attack but the documented known escapes (tests/e2e/run_hostile_ci.sh).
hostile-ci: all
	@$(TAP_CHECK) sh tests/e2e/run_hostile_ci.sh $(BUILD)/sockgrade

# Fuzzing (docs/fuzzing.md): a libFuzzer target for every parser of bytes the grader did not
# write itself, built with clang, ASan and UBSan in build/fuzz. `make fuzz` runs each for
# FUZZ_TIME seconds on a copy of its seed corpus; a crash input goes to tests/fuzz/regress/
# once fixed, and `make unit` replays every seed and regression input with the ordinary build.
FUZZ_TARGETS := values spec report wire env
FUZZ_TIME    ?= 180
FUZZ_CC      ?= clang
FUZZ_DIR     := build/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_BINS    := $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_TARGETS))
REPLAY_BINS  := $(addprefix $(BUILD)/tests/replay_,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-build chaos stress
# A batch killed with SIGKILL 20 times at seeded moments must end as an uninterrupted one
# and leave nothing behind (docs/fuzzing.md); two to three minutes.
chaos: all
	@$(TAP_CHECK) sh tests/e2e/test_chaos.sh $(BUILD)/sockgrade

# Verdicts under load: the fixtures graded idle and with every core saturated, compared
# (docs/fuzzing.md). Long (the whole set twice): not in CI.
stress: all
	@$(TAP_CHECK) sh tests/e2e/test_stress.sh $(BUILD)/sockgrade
fuzz-build:
	@sh tests/fuzz/deps.sh
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_DIR)/lib CC=$(FUZZ_CC) \
	    CFLAGS="-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link" $(FUZZ_LIB_OBJS)
	@rm -f $(FUZZ_DIR)/libparsers.a && ar rcs $(FUZZ_DIR)/libparsers.a $(FUZZ_LIB_OBJS)
	@$(MAKE) --no-print-directory $(FUZZ_BINS)

# Only the parsers and what they call: the targets never start a sandbox.
FUZZ_LIB_OBJS := $(addprefix $(FUZZ_DIR)/lib/grader/,util/util.o util/rng.o util/json_utf8.o \
                 util/sha256.o spec/values.o spec/spec.o spec/spec_check.o spec/spec_json.o \
                 spec/spec_kinds.o result/result.o result/result_json.o result/result_json_read.o \
                 result/result_warnings.o report/report.o report/report_text.o report/report_wrap.o \
                 report/report_gradescope.o report/report_junit.o report/report_classroom.o \
                 report/report_html.o report/html.o grade/grade_wire.o check/env.o)
$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DIR)/libparsers.a
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer -Igrader \
	    $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -o $@ $< $(FUZZ_DIR)/libparsers.a $(LDLIBS)

fuzz: fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_TIME) $(FUZZ_TARGETS)

$(BUILD)/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Igrader $(ALL_LDFLAGS) -o $@ $< tests/fuzz/replay_main.c $(LIB) $(LDLIBS)
