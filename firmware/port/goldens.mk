# Golden check per emulated core (tests/golden_arm.c): the goldens named in GOLDEN_IDS (ids as
# test/helpers/golden-cases.ts names them, "golden/NAME.json" / "field/NAME.json", converted by
# scripts/golden-to-bin.mjs from the MUST_RUN list) linked into one image with their models, each run
# once on its golden input under QEMU and every op output compared with TFLite Micro's, bit for bit.
#   make core-goldens-m4 GOLDEN_IDS="golden/person_detect.json field/....json"
# The core and the port are compiled once per core (build/goldens-<core>/obj); an image per call links
# them with that call's goldens. bench/firmware-goldens.ts splits the list into images that fit the
# board's memory and runs them (npm run test:cores). Included by firmware/Makefile after port/ports.mk.
GOLDEN_CORES := m3 m4 m7 m33 m55
GOLDEN_IDS ?=
# where the QSG1 goldens are read from (a test points it at a copy with one byte changed)
GOLDEN_DIR ?= $(BUILD)/golden
# arena of the image: 3 MiB of the boards' 4 MiB of RAM (the rest: stack, data)
QS_GOLDEN_ARENA ?= 3145728
QEMU_GOLDENS := timeout 600 qemu-system-arm -nographic -semihosting -monitor none
GOLDEN_OBJ_SRC := $(CORE_SRC) tests/golden_arm.c port/cortex-m/cm_startup.c $(MPS_PORT_SRC)
golden_objs = $(patsubst %.c,$(BUILD)/goldens-$(1)/obj/%.o,$(notdir $(GOLDEN_OBJ_SRC)))

define CORE_GOLDEN_RULES
# (rebuilt when a source, a header or the flags of this file or ports.mk change)
$$(BUILD)/goldens-$(1)/obj/.stamp: $$(GOLDEN_OBJ_SRC) tests/arm_report.h $$(CORE_HDR) $$(MPS_PORT_HDR) port/goldens.mk port/ports.mk
	@mkdir -p $$(@D)
	@for f in $$(GOLDEN_OBJ_SRC); do \
	  $$(CORE_ARM_CC) $$(CORE_WARN) -Wno-strict-prototypes $$(call mps_flags,$$(CORE_BENCH_$(1))) \
	    $$(filter-out -mcpu=%,$$(CORE_ARM_FLAGS)) -Icore/include -DQS_GOLDEN_ARENA=$$(QS_GOLDEN_ARENA) -c $$$$f \
	    -o $$(@D)/$$$$(basename $$$$f .c).o || exit 1; \
	done
	@touch $$@
.PHONY: core-goldens-$(1)
core-goldens-$(1): $$(BUILD)/goldens-$(1)/obj/.stamp $$(BUILD)/golden/.stamp ../scripts/golden-image-data.mjs
	@test -n "$$(GOLDEN_IDS)" || { echo 'core-goldens-$(1): name the goldens in GOLDEN_IDS'; exit 2; }
	@$$(NODE) ../scripts/golden-image-data.mjs $$(QS_FIXTURES) $$(GOLDEN_DIR) $$(GOLDEN_IDS) > $$(BUILD)/goldens-$(1)/golden_data.S
	@$$(CORE_ARM_CC) $$(call mps_get,$$(CORE_BENCH_$(1)),3) -mthumb -nostartfiles -Wl,--gc-sections --specs=nano.specs \
	  --specs=nosys.specs -Lport/cortex-m -Tport/mps2-an385/$$(call mps_get,$$(CORE_BENCH_$(1)),4) \
	  -o $$(BUILD)/goldens-$(1)/goldens.elf $$(call golden_objs,$(1)) $$(BUILD)/goldens-$(1)/golden_data.S -lm
	$$(QEMU_GOLDENS) -M $$(call mps_get,$$(CORE_BENCH_$(1)),1) -serial stdio -kernel $$(BUILD)/goldens-$(1)/goldens.elf
endef
$(foreach c,$(GOLDEN_CORES),$(eval $(call CORE_GOLDEN_RULES,$(c))))
