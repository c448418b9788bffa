# spectcv: one binary, built with mpicc; every library found with pkg-config.
#
#   make                 build ./spectcv (portable: no -march flags)
#   make check           install missing deps, build, run every test (unit + MPI integration)
#   make check SANITIZE=1  the same tests under AddressSanitizer and UBSan
#   make demo            install missing deps, build, synthesize the phantom, run the demo sweep,
#                        write the report
#   make bench           the benchmarks of BENCHMARKS.md that need no PyTorch
#   make install PREFIX=/usr/local
#   make NATIVE=1        opt-in -march=native build (measured beside the portable one)

PREFIX   ?= /usr/local
CC       := mpicc
SANITIZE ?= 0
NATIVE   ?= 0
HDF5_PKG ?= hdf5-openmpi
PKGS     := $(HDF5_PKG) openblas libconfig gsl libpng libjpeg
PYTHON   ?= /usr/bin/python3

OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -I. -MMD -MP -fno-math-errno
LDLIBS   :=

ifeq ($(SANITIZE),1)
BUILD    := build/san
BIN      := spectcv-san
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
else ifeq ($(NATIVE),1)
BUILD    := build/native
BIN      := spectcv-native
CFLAGS   += -march=native
else
BUILD    := build/release
BIN      := spectcv
endif

# pkg-config is evaluated lazily, so `make check` on a bare machine can install it first.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# GSL's .pc adds its reference CBLAS; OpenBLAS provides the same symbols, faster.
PKG_LIBS   = $(filter-out -lgslcblas,$(shell pkg-config --libs $(PKGS) 2>/dev/null))
TEST_LIBS  = $(shell pkg-config --libs cmocka 2>/dev/null)

MODULES  := util data nn augment folds stats results jobs pipeline
LIB_SRC  := $(filter-out pipeline/main.c,$(foreach m,$(MODULES),$(wildcard $(m)/*.c)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/pipeline/main.o
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(filter-out $(TEST_SRC),$(wildcard tests/unit/*.c))
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(BUILD)/%.o)

.SECONDARY:
.PHONY: all deps check test demo bench clean install uninstall tests
.DEFAULT_GOAL := all

all: $(BIN)

$(BIN): $(MAIN_OBJ) $(BUILD)/libspectcv.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/libspectcv.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(TEST_SUPPORT_OBJ) $(BUILD)/libspectcv.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) $(PKG_LIBS) -lm

tests: $(BIN) $(TEST_BIN)

deps:
	@scripts/install-deps --check >/dev/null 2>&1 || scripts/install-deps

# Recursive make after deps: pkg-config output is only valid once the packages are there.
check: deps
	@$(MAKE) --no-print-directory tests
	@SPECTCV=./$(BIN) TEST_BUILD=$(BUILD)/tests PYTHON=$(PYTHON) bash tests/run.sh

test: check

demo: deps
	@$(MAKE) --no-print-directory $(BIN)
	@SPECTCV=./$(BIN) bash scripts/demo

bench: deps
	@$(MAKE) --no-print-directory $(BIN)
	@SPECTCV=./$(BIN) bash scripts/bench

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/spectcv/configs/archs
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/spectcv
	install -m 644 configs/*.cfg $(DESTDIR)$(PREFIX)/share/spectcv/configs/
	install -m 644 configs/archs/*.cfg $(DESTDIR)$(PREFIX)/share/spectcv/configs/archs/
	install -d $(DESTDIR)$(PREFIX)/share/spectcv/scripts
	install -m 755 scripts/load_weights_torch.py scripts/spectcv_torch.py scripts/bench_torch.py \
	  $(DESTDIR)$(PREFIX)/share/spectcv/scripts/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/spectcv
	rm -rf $(DESTDIR)$(PREFIX)/share/spectcv

clean:
	rm -rf build spectcv spectcv-san spectcv-native

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%.d) \
         $(TEST_SUPPORT_OBJ:.o=.d)
