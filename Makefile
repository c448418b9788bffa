# spectcv: one binary, built with mpicc; every library found with pkg-config, except GDCM (no
# .pc file; GDCM_INC / GDCM_LIBS below).  data/dicom.cpp, the DICOM reader, is the one C++ file:
# compiled with mpicxx and the C flags minus -std=c11; everything links with mpicxx (C++ runtime).
#
#   make                 build ./spectcv (portable: no -march flags)
#   make check           install missing deps, build, run every test (unit + MPI integration)
#   make check SANITIZE=1  the same tests under AddressSanitizer and UBSan
#   make valgrind        the unit tests (release build) under Valgrind memcheck, tests/valgrind.supp
#   make demo            install missing deps, build, synthesize the phantom, run the demo sweep,
#                        write the report
#   make bench           the benchmarks of BENCHMARKS.md that need no PyTorch
#   make install PREFIX=/usr/local   (the binary, configs, scripts and the man page)
#   make NATIVE=1        opt-in -march=native build (measured beside the portable one)
#   make fuzz [FUZZ_SECONDS=60]  build the libFuzzer targets (tests/fuzz, clang, build/fuzz) and
#                        fuzz each for FUZZ_SECONDS; make fuzz-check: corpus + 300 inputs each

PREFIX   ?= /usr/local
CC       := mpicc
CXX      := mpicxx
SANITIZE ?= 0
NATIVE   ?= 0
HDF5_PKG ?= hdf5-openmpi
PKGS     := $(HDF5_PKG) openblas libconfig gsl libpng zlib libjpeg
PYTHON   ?= /usr/bin/python3

OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -I. -MMD -MP -fno-math-errno
LDLIBS   :=
# GDCM: image reading (MSFF), data set (DSED), common; the codecs load through MSFF.
GDCM_INC  ?= /usr/include/gdcm-3.0
GDCM_LIBS ?= -lgdcmMSFF -lgdcmDSED -lgdcmCommon

ifeq ($(SANITIZE),1)
BUILD    := build/san
BIN      := spectcv-san
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
else ifeq ($(FUZZ),1)
# libFuzzer targets (tests/fuzz): everything compiled by clang through the MPI wrappers.
BUILD    := build/fuzz
BIN      := build/fuzz/spectcv
OPT      := -O1
export OMPI_CC := clang
export OMPI_CXX := clang++
CFLAGS   += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined -DFUZZ_SRC_DIR='"$(CURDIR)"'
LDFLAGS  += -fsanitize=fuzzer,address,undefined
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
# Evaluated lazily too, so that CXXFLAGS follows the SANITIZE/NATIVE additions to CFLAGS.
CXXFLAGS   = $(filter-out -std=c11,$(CFLAGS)) -std=c++17 -isystem $(GDCM_INC)

MODULES  := util data nn augment folds stats results jobs pipeline
LIB_SRC  := $(filter-out pipeline/main.c,$(foreach m,$(MODULES),$(wildcard $(m)/*.c)))
LIB_CXX  := $(foreach m,$(MODULES),$(wildcard $(m)/*.cpp))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(LIB_CXX:%.cpp=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/pipeline/main.o
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(filter-out $(TEST_SRC),$(wildcard tests/unit/*.c))
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(BUILD)/%.o)
# The DICOM tests write their input files with GDCM's C++ API (tests/dicom/).
DICOM_FIXTURE_OBJ := $(BUILD)/tests/dicom/fixture.o
DICOM_TEST_OBJ    := $(DICOM_FIXTURE_OBJ) $(BUILD)/tests/dicom/testlib.o

# `spectcv --version` says which commit it was built from when built in a git checkout (a
# tarball has no .git and builds without it).  The stamp changes only when the description
# does, so only pipeline/versions.o is rebuilt then.
GIT_DESCRIBE := $(if $(wildcard .git),$(shell git describe --always --dirty 2>/dev/null))
$(BUILD)/git-describe: FORCE
	@mkdir -p $(dir $@)
	@echo '$(GIT_DESCRIBE)' | cmp -s - $@ 2>/dev/null || echo '$(GIT_DESCRIBE)' > $@
$(BUILD)/pipeline/versions.o: $(BUILD)/git-describe
$(BUILD)/pipeline/versions.o: CFLAGS += -DSPECTCV_GIT='"$(GIT_DESCRIBE)"'

.SECONDARY:
.PHONY: all deps check test demo bench bench-dicom nm-write clean install uninstall tests FORCE \
        fuzz fuzz-check fuzz-bins valgrind
.DEFAULT_GOAL := all

all: $(BIN)

$(BIN): $(MAIN_OBJ) $(BUILD)/libspectcv.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(GDCM_LIBS) -lm

$(BUILD)/libspectcv.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(TEST_SUPPORT_OBJ) $(BUILD)/libspectcv.a
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $(filter-out %.a,$^) $(filter %.a,$^) $(TEST_LIBS) $(PKG_LIBS) \
	  $(GDCM_LIBS) -lm

# Extra objects of the DICOM tests (linked before the library: they use it).
$(BUILD)/tests/test_dicom $(BUILD)/tests/test_dicom_header: $(DICOM_TEST_OBJ)

# DICOM decode speed (BENCHMARKS.md): make bench-dicom [RUNS=7]
$(BUILD)/bench/dicom_bench: $(BUILD)/tests/bench/dicom_bench.o $(DICOM_FIXTURE_OBJ) $(BUILD)/libspectcv.a
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(GDCM_LIBS) -lm

bench-dicom: $(BUILD)/bench/dicom_bench
	$(BUILD)/bench/dicom_bench $(or $(RUNS),7)

# A camera-like NM DICOM writer for the tutorial's practice folder (scripts/practice-folder).
NM_WRITE := $(BUILD)/tools/nm_write
$(NM_WRITE): $(BUILD)/tests/dicom/nm_write.o $(DICOM_FIXTURE_OBJ)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(GDCM_LIBS)
nm-write: $(NM_WRITE)

tests: $(BIN) $(TEST_BIN) $(NM_WRITE)

# libFuzzer targets, one per parser of outside input (tests/fuzz/README.md); built with FUZZ=1.
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SUPPORT_OBJ := $(filter-out $(FUZZ_SRC:%.c=$(BUILD)/%.o),$(patsubst %.c,$(BUILD)/%.o,\
                    $(wildcard tests/fuzz/*.c))) $(BUILD)/tests/unit/report_fixture.o
$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(FUZZ_SUPPORT_OBJ) $(BUILD)/libspectcv.a
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $(filter-out %.a,$^) $(filter %.a,$^) $(PKG_LIBS) $(GDCM_LIBS) -lm
fuzz-bins: $(FUZZ_BIN)

FUZZ_SECONDS ?= 60
fuzz: deps
	@$(MAKE) --no-print-directory FUZZ=1 fuzz-bins
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh fuzz
fuzz-check: deps
	@$(MAKE) --no-print-directory FUZZ=1 fuzz-bins
	@bash tests/fuzz/run.sh check

deps:
	@scripts/install-deps --check >/dev/null 2>&1 || scripts/install-deps

# Recursive make after deps: pkg-config output is only valid once the packages are there.
check: deps
	@$(MAKE) --no-print-directory tests
	@SPECTCV=./$(BIN) TEST_BUILD=$(BUILD)/tests PYTHON=$(PYTHON) bash tests/run.sh

test: check

# Memcheck needs an uninstrumented build (ASan and Valgrind exclude each other; -march=native may
# use instructions Valgrind does not emulate): always the release one, whatever SANITIZE says.
valgrind: deps
	@$(MAKE) --no-print-directory SANITIZE=0 FUZZ=0 NATIVE=0 tests
	@VALGRIND=1 TEST_BUILD=build/release/tests PYTHON=$(PYTHON) bash tests/run.sh

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
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 docs/spectcv.1 $(DESTDIR)$(PREFIX)/share/man/man1/spectcv.1
	install -d $(DESTDIR)$(PREFIX)/share/spectcv/scripts
	install -m 755 scripts/load_weights_torch.py scripts/spectcv_torch.py scripts/bench_torch.py \
	  $(DESTDIR)$(PREFIX)/share/spectcv/scripts/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/spectcv $(DESTDIR)$(PREFIX)/share/man/man1/spectcv.1
	rm -rf $(DESTDIR)$(PREFIX)/share/spectcv

clean:
	rm -rf build spectcv spectcv-san spectcv-native

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%.d) \
         $(TEST_SUPPORT_OBJ:.o=.d) $(DICOM_TEST_OBJ:.o=.d) $(BUILD)/tests/bench/dicom_bench.d \
         $(BUILD)/tests/dicom/nm_write.d $(FUZZ_SRC:%.c=$(BUILD)/%.d) $(FUZZ_SUPPORT_OBJ:.o=.d)
