# pxeinv: C code (the CLI, the inventory, cache and state libraries, and
# the hook).  ./build.sh drives this; `make help` lists the targets.

BUILD    ?= build
CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Werror
CPPFLAGS += -D_GNU_SOURCE -pthread -Icommon
LDLIBS   := -lyaml -lcdb -lz -pthread
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all

# Libraries, each built once: inventory and cache (the CLI's), and state
# (the journal, node state, boot-once markers, unknown machines, leases),
# which both the CLI and the hook link.  The dependencies point one way:
# cli -> inventory, cache, state; hook -> state; every part -> common/.
INV_SRC   := $(wildcard inventory/*.c) $(wildcard cache/*.c)
STATE_SRC := $(wildcard state/*.c)
HOOK_SRC  := $(filter-out hook/main.c,$(wildcard hook/*.c))
CLI_SRC   := $(wildcard cli/*.c)
STATE_LIB := $(BUILD)/lib/libpxeinv-state.a
STATE_ASAN_LIB := $(BUILD)/lib/libpxeinv-state-asan.a
TEST_SRC := $(wildcard tests/unit/test_*.c)
# Shared test helpers: every other .c file in tests/unit
TEST_LIB := $(filter-out $(TEST_SRC),$(wildcard tests/unit/*.c))
TESTS    := $(patsubst tests/unit/%.c,%,$(TEST_SRC))

# Normal and sanitizer builds live side by side
define objs
$(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))
endef

.PHONY: all pxeinv hook unit unit-asan unit-valgrind check clean help \
	fuzz fuzz-replay

all: pxeinv hook

help:
	@echo "make pxeinv         build $(BUILD)/bin/pxeinv (and the hook)"
	@echo "make hook           build $(BUILD)/bin/pxeinv-hook"
	@echo "make unit           build and run the cmocka unit tests"
	@echo "make unit-asan      the same under ASan + UBSan"
	@echo "make unit-valgrind  the same under valgrind (memcheck)"
	@echo "make check          all three"
	@echo "make fuzz           build the libFuzzer targets (clang) in $(BUILD)/fuzz"
	@echo "make fuzz-replay    build them without libFuzzer, to run files"
	@echo "make clean          remove $(BUILD)/obj*, bin, tests"

# build.sh runs `make pxeinv`: the hook comes with the CLI
pxeinv: $(BUILD)/bin/pxeinv $(BUILD)/bin/pxeinv-hook

hook: $(BUILD)/bin/pxeinv-hook

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c $< -o $@

$(BUILD)/obj-asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -O1 -g $(SANITIZE) $(WARN) -MMD -MP -c $< -o $@

$(STATE_LIB): $(call objs,obj,$(STATE_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(STATE_ASAN_LIB): $(call objs,obj-asan,$(STATE_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

# libcurl (pxeinv mirror) and libcrypto (its SHA-256) for the CLI only
$(BUILD)/bin/pxeinv: $(call objs,obj,$(INV_SRC) $(CLI_SRC)) $(STATE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -lcurl -lcrypto

# The hook needs no library but libc, and is linked statically: dnsmasq
# starts it for every event, and a static binary starts faster
$(BUILD)/bin/pxeinv-hook: $(call objs,obj,$(HOOK_SRC) hook/main.c) $(STATE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $^

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o \
		$(call objs,obj,$(INV_SRC) $(HOOK_SRC) $(TEST_LIB)) $(STATE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(BUILD)/tests-asan/%: $(BUILD)/obj-asan/tests/unit/%.o \
		$(call objs,obj-asan,$(INV_SRC) $(HOOK_SRC) $(TEST_LIB)) \
		$(STATE_ASAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) -O1 -g $(SANITIZE) -o $@ $^ $(LDLIBS) -lcmocka

unit: $(addprefix $(BUILD)/tests/,$(TESTS))
	@set -e; for t in $^; do echo "== $$t"; $$t; done

unit-asan: $(addprefix $(BUILD)/tests-asan/,$(TESTS))
	@set -e; for t in $^; do echo "== $$t (ASan+UBSan)"; \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 $$t; done

unit-valgrind: $(addprefix $(BUILD)/tests/,$(TESTS))
	@set -e; for t in $^; do echo "== $$t (valgrind)"; \
	  valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite $$t; done

check: unit unit-asan unit-valgrind

# Fuzz targets (fuzz/): libFuzzer with ASan + UBSan, built with clang
# into $(BUILD)/fuzz/TARGET; and the same targets without libFuzzer,
# built with $(CC) under ASan + UBSan into $(BUILD)/fuzz-replay/TARGET,
# which run files (the unit suite replays fuzz/regress/ with them).
FUZZ_CC      ?= clang
FUZZ_SRC     := $(wildcard fuzz/fuzz_*.c)
FUZZ_TARGETS := $(patsubst fuzz/%.c,%,$(FUZZ_SRC))
FUZZ_FLAGS   := -O1 -g -fno-omit-frame-pointer -fno-sanitize-recover=all \
                -DARENA_CHUNK_SIZE='(64 * 1024 - 64)'
FUZZ_LIB_SRC := $(INV_SRC) $(HOOK_SRC) $(STATE_SRC)

$(BUILD)/obj-fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) \
	  -fsanitize=fuzzer-no-link,address,undefined $(WARN) -MMD -MP \
	  -c $< -o $@

$(BUILD)/fuzz/%: $(BUILD)/obj-fuzz/fuzz/%.o \
		$(call objs,obj-fuzz,$(FUZZ_LIB_SRC))
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer,address,undefined \
	  -o $@ $^ $(LDLIBS)

$(BUILD)/fuzz-replay/%: $(BUILD)/obj-asan/fuzz/%.o \
		$(BUILD)/obj-asan/fuzz/replay.o \
		$(call objs,obj-asan,$(INV_SRC) $(HOOK_SRC)) $(STATE_ASAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) -O1 -g $(SANITIZE) -o $@ $^ $(LDLIBS)

# fuzz_manifest reads a mirror's manifest: the CLI's reader, with OpenSSL
$(BUILD)/fuzz/fuzz_manifest: $(BUILD)/obj-fuzz/cli/mirror_manifest.o
$(BUILD)/fuzz-replay/fuzz_manifest: $(BUILD)/obj-asan/cli/mirror_manifest.o
$(BUILD)/fuzz/fuzz_manifest $(BUILD)/fuzz-replay/fuzz_manifest: LDLIBS += -lcrypto

fuzz: $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))

fuzz-replay: $(addprefix $(BUILD)/fuzz-replay/,$(FUZZ_TARGETS))

clean:
	rm -rf $(BUILD)/obj $(BUILD)/obj-asan $(BUILD)/bin $(BUILD)/lib \
	  $(BUILD)/tests $(BUILD)/tests-asan \
	  $(BUILD)/obj-fuzz $(BUILD)/fuzz $(BUILD)/fuzz-replay

-include $(shell find $(BUILD)/obj $(BUILD)/obj-asan $(BUILD)/obj-fuzz -name '*.d' 2>/dev/null)
