# pxeinv: C code (the inventory library and CLI, the shared cache code, and
# later the hook).  ./build.sh drives this; `make help` lists the targets.

BUILD    ?= build
CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Werror
CPPFLAGS += -D_GNU_SOURCE -pthread
LDLIBS   := -lyaml -lcdb -lz -pthread
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all

# The hook's library (state directory, journal, ...) is shared with the
# CLI (status, rearm) and the unit tests; hook/main.c is the hook itself
HOOK_SRC := $(filter-out hook/main.c,$(wildcard hook/*.c))
LIB_SRC  := $(wildcard inventory/*.c) $(wildcard cache/*.c) $(HOOK_SRC)
CLI_SRC  := $(wildcard inventory/cli/*.c)
TEST_SRC := $(wildcard tests/unit/test_*.c)
# Shared test helpers: every other .c file in tests/unit
TEST_LIB := $(filter-out $(TEST_SRC),$(wildcard tests/unit/*.c))
TESTS    := $(patsubst tests/unit/%.c,%,$(TEST_SRC))

# Normal and sanitizer builds live side by side
define objs
$(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))
endef

.PHONY: all pxeinv hook unit unit-asan unit-valgrind check clean help

all: pxeinv hook

help:
	@echo "make pxeinv         build $(BUILD)/bin/pxeinv (and the hook)"
	@echo "make hook           build $(BUILD)/bin/pxeinv-hook"
	@echo "make unit           build and run the cmocka unit tests"
	@echo "make unit-asan      the same under ASan + UBSan"
	@echo "make unit-valgrind  the same under valgrind (memcheck)"
	@echo "make check          all three"
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

$(BUILD)/bin/pxeinv: $(call objs,obj,$(LIB_SRC) $(CLI_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The hook needs no library but libc, and is linked statically: dnsmasq
# starts it for every event, and a static binary starts faster
$(BUILD)/bin/pxeinv-hook: $(call objs,obj,$(HOOK_SRC) hook/main.c)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $^

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o \
		$(call objs,obj,$(LIB_SRC) $(TEST_LIB))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(BUILD)/tests-asan/%: $(BUILD)/obj-asan/tests/unit/%.o \
		$(call objs,obj-asan,$(LIB_SRC) $(TEST_LIB))
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

clean:
	rm -rf $(BUILD)/obj $(BUILD)/obj-asan $(BUILD)/bin $(BUILD)/tests \
	  $(BUILD)/tests-asan

-include $(shell find $(BUILD)/obj $(BUILD)/obj-asan -name '*.d' 2>/dev/null)
