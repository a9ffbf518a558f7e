# Board ports, protocol tests and the fuzz harness. Included by firmware/Makefile; paths are
# relative to firmware/. Targets: host, verdict, proto-test, proto-fuzz, mps2, nucleo, ports.
BUILD ?= build
HOST_CC ?= cc
ARM_CC ?= arm-none-eabi-gcc
ARM_SIZE ?= arm-none-eabi-size

PROTO_SRC := proto/qs_cobs.c proto/qs_crc32.c proto/qs_frame.c
PARAMS_SRC := params/qs_params.c params/qs_params_typed.c params/qs_normalize.c
SERVER_SRC := $(PROTO_SRC) proto/qs_server.c proto/qs_server_load.c proto/qs_server_run.c \
  proto/qs_server_raw.c $(PARAMS_SRC)
QS_CORE_SRC := $(wildcard core/src/*.c)
PROTO_INC := -Icore/include -Iproto -Iparams -Icore/src
PROTO_HDR := $(wildcard proto/*.h core/include/*.h core/src/*.h params/*.h)
HOST_WARN := -std=c99 -Wall -Wextra -Wno-unused-parameter -ffp-contract=off
# Core limits of the host builds (virtual board, verdict tool, and the WebAssembly simulator:
# scripts/build-core-wasm.sh reads the same file), so host and virtual board judge alike.
HOST_LIMITS := $(strip $(file < port/host-limits.txt))
SAN := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: host host-broken host-dropstate host-nofloat registry verdict verdict-san proto-test proto-fuzz mps2 nucleo ports

# ---- virtual board (native) ----
host: $(BUILD)/host/qs-board
$(BUILD)/host/qs-board: $(SERVER_SRC) $(QS_CORE_SRC) port/host/main.c port/host/port_host.c $(PROTO_HDR) port/host-limits.txt
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_WARN) -O2 $(HOST_LIMITS) -DQS_READ_CHUNK=65536 -DQS_CRC32_FAST $(PROTO_INC) -Iport/host -o $@.$$$$.tmp \
	  $(SERVER_SRC) $(QS_CORE_SRC) port/host/main.c port/host/port_host.c -lm && mv -f $@.$$$$.tmp $@

# ---- deliberately wrong virtual board, for tests only (tests/broken_requant.h): FULLY_CONNECTED
# rounds down. Separate build dir; k_fc.c is compiled on its own with the header force-included.
host-broken: $(BUILD)/host-broken/qs-board
$(BUILD)/host-broken/qs-board: $(SERVER_SRC) $(QS_CORE_SRC) port/host/main.c port/host/port_host.c $(PROTO_HDR) tests/broken_requant.h port/host-limits.txt
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_WARN) -O2 $(HOST_LIMITS) $(PROTO_INC) -Icore/src -include tests/broken_requant.h -c core/src/k_fc.c -o $(@D)/k_fc_broken.o
	$(HOST_CC) $(HOST_WARN) -O2 $(HOST_LIMITS) -DQS_READ_CHUNK=65536 -DQS_CRC32_FAST $(PROTO_INC) -Iport/host -o $@.$$$$.tmp \
	  $(SERVER_SRC) $(filter-out core/src/k_fc.c,$(QS_CORE_SRC)) $(@D)/k_fc_broken.o port/host/main.c port/host/port_host.c -lm && mv -f $@.$$$$.tmp $@

# ---- virtual board that drops the model's state before every INVOKE, for tests only (streams:
# the compare must show the first invocation, layer where it parts from the host) ----
host-dropstate: $(BUILD)/host-dropstate/qs-board
$(BUILD)/host-dropstate/qs-board: $(SERVER_SRC) $(QS_CORE_SRC) port/host/main.c port/host/port_host.c $(PROTO_HDR) port/host-limits.txt
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_WARN) -O2 $(HOST_LIMITS) -DQS_TEST_DROP_STATE -DQS_READ_CHUNK=65536 -DQS_CRC32_FAST $(PROTO_INC) -Iport/host -o $@.$$$$.tmp \
	  $(SERVER_SRC) $(QS_CORE_SRC) port/host/main.c port/host/port_host.c -lm && mv -f $@.$$$$.tmp $@

# ---- verdict tool: the core's accept/refuse verdict per model file (tests/qs_verdict.c), built with
# the virtual board's core flags; verdict-san is the same under ASan/UBSan ----
VERDICT_DEPS := tests/qs_verdict.c $(QS_CORE_SRC) port/host/port_host.c $(PROTO_HDR) port/host-limits.txt
verdict: $(BUILD)/host/qs-verdict
$(BUILD)/host/qs-verdict: $(VERDICT_DEPS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_WARN) -O2 $(HOST_LIMITS) $(PROTO_INC) -Iport/host -o $@.$$$$.tmp \
	  tests/qs_verdict.c $(QS_CORE_SRC) port/host/port_host.c -lm && mv -f $@.$$$$.tmp $@
verdict-san: $(BUILD)/san/qs-verdict
$(BUILD)/san/qs-verdict: $(VERDICT_DEPS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_WARN) $(SAN) $(HOST_LIMITS) $(PROTO_INC) -Iport/host -o $@ \
	  tests/qs_verdict.c $(QS_CORE_SRC) port/host/port_host.c -lm

# ---- registry tool: the core's kernel registry (op, name, dtype families) as JSON (tests/qs_registry.c),
# built with the virtual board's core flags and, natively, with the Cortex-M builds' (ARM_CORE_DEFS);
# scripts/docs-ops.ts writes docs/ops.md from both and the WebAssembly core's own registry ----
REGISTRY_DEPS := tests/qs_registry.c $(QS_CORE_SRC) port/host/port_host.c $(PROTO_HDR) port/host-limits.txt
registry: $(BUILD)/host/qs-registry $(BUILD)/registry-arm/qs-registry
$(BUILD)/host/qs-registry: $(REGISTRY_DEPS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_WARN) -O1 $(HOST_LIMITS) $(PROTO_INC) -Iport/host -o $@.$$$$.tmp \
	  tests/qs_registry.c $(QS_CORE_SRC) port/host/port_host.c -lm && mv -f $@.$$$$.tmp $@
$(BUILD)/registry-arm/qs-registry: $(REGISTRY_DEPS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_WARN) -O1 $(ARM_CORE_DEFS) $(PROTO_INC) -Iport/host -o $@.$$$$.tmp \
	  tests/qs_registry.c $(QS_CORE_SRC) port/host/port_host.c -lm && mv -f $@.$$$$.tmp $@

# ---- virtual board without float32 kernels (QS_WITH_FLOAT=0, like the Cortex-M builds): the host
# names the ops this build lacks before uploading (test/board/board-op-groups.test.ts) ----
host-nofloat: $(BUILD)/host-nofloat/qs-board
$(BUILD)/host-nofloat/qs-board: $(SERVER_SRC) $(QS_CORE_SRC) port/host/main.c port/host/port_host.c $(PROTO_HDR) port/host-limits.txt
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_WARN) -O2 $(HOST_LIMITS) -DQS_WITH_FLOAT=0 -DQS_READ_CHUNK=65536 -DQS_CRC32_FAST $(PROTO_INC) -Iport/host -o $@.$$$$.tmp \
	  $(SERVER_SRC) $(QS_CORE_SRC) port/host/main.c port/host/port_host.c -lm && mv -f $@.$$$$.tmp $@

# ---- protocol unit tests and bounded fuzzing, under ASan/UBSan ----
$(BUILD)/san/test_frame: proto/tests/test_frame.c $(PROTO_SRC) $(PROTO_HDR)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_WARN) $(SAN) $(PROTO_INC) -o $@ $< $(PROTO_SRC)
$(BUILD)/san/fuzz_frame: proto/tests/fuzz_frame.c $(PROTO_SRC) $(PROTO_HDR)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_WARN) $(SAN) $(PROTO_INC) -o $@ $< $(PROTO_SRC)
$(BUILD)/san/fuzz_server: proto/tests/fuzz_server.c $(SERVER_SRC) $(QS_CORE_SRC) port/host/port_host.c $(PROTO_HDR)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_WARN) $(SAN) $(PROTO_INC) -Iport/host -o $@ $< $(SERVER_SRC) $(QS_CORE_SRC) port/host/port_host.c -lm

$(BUILD)/san/test_frame_fastcrc: proto/tests/test_frame.c $(PROTO_SRC) $(PROTO_HDR)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_WARN) $(SAN) -DQS_CRC32_FAST $(PROTO_INC) -o $@ $< $(PROTO_SRC)

proto-test: $(BUILD)/san/test_frame $(BUILD)/san/test_frame_fastcrc $(BUILD)/san/fuzz_frame $(BUILD)/san/fuzz_server
	$(BUILD)/san/test_frame
	$(BUILD)/san/test_frame_fastcrc
	$(BUILD)/san/fuzz_frame 100000 1
	$(BUILD)/san/fuzz_server $(QS_FIXTURES) 20000 1

# Longer fuzzing run: make proto-fuzz FUZZ_ITERS=5000000 FUZZ_SEED=42
FUZZ_ITERS ?= 1000000
FUZZ_SEED ?= 1
proto-fuzz: $(BUILD)/san/fuzz_frame $(BUILD)/san/fuzz_server
	$(BUILD)/san/fuzz_frame $(FUZZ_ITERS) $(FUZZ_SEED)
	$(BUILD)/san/fuzz_server $(QS_FIXTURES) $(FUZZ_ITERS) $(FUZZ_SEED)

# ---- Arm ports (arm-none-eabi-gcc, newlib-nano for memcpy/memset); int8-only core (QS_WITH_FLOAT=0) ----
# The core options of every Cortex-M build (the op groups they leave out; docs/ops.md reads them).
# `make <board> QS_NO_SIGNAL=1` also leaves TFLite Micro's signal library out (QS_WITH_SIGNAL=0, k_signal.h:
# the Cortex-M3 image (make mps2) 162,592 -> 136,016 B of text, 26.6 KB less flash; models using its ops
# are refused naming the build).
ARM_CORE_DEFS := -DQS_WITH_FLOAT=0 $(if $(QS_NO_SIGNAL),-DQS_WITH_SIGNAL=0)
ARM_COMMON := -mthumb -O2 -std=c99 -Wall -Wextra -Wno-unused-parameter -ffunction-sections \
  -fdata-sections -ffp-contract=off $(ARM_CORE_DEFS) -Icore/include -Iproto -Iparams -Icore/src
ARM_LINK := -nostartfiles -Wl,--gc-sections --specs=nano.specs --specs=nosys.specs -Lport/cortex-m
ARM_SRC := $(SERVER_SRC) $(QS_CORE_SRC) port/cortex-m/cm_startup.c port/cortex-m/board_main.c
ARM_DEPS := $(ARM_SRC) $(PROTO_HDR) port/cortex-m/cm.ld

# ---- emulated Arm MPS2/MPS3 boards (QEMU): one port (port/mps2-an385/port_mps2.c: CMSDK UART0,
# SysTick ticks) for every machine, told what differs. Per machine: the make target (= its directory
# in build/), the QEMU machine, the compiler's CPU flags, the linker script, UART0's address and the
# processor clock SysTick counts (QEMU: mps2.c, mps2-tz.c). `mps2` is the Cortex-M3 (AN385).
# src-main/services/board/emulated-boards.ts lists the same machines for the app.
MPS_PORT_SRC := port/mps2-an385/port_mps2.c port/cortex-m/cm_systick.c
MPS_PORT_HDR := port/cortex-m/cm_systick.h
MPS_BOARDS := mps2 mps2-an386 mps2-an500 mps2-an505 mps3-an547
MPS_mps2 := mps2-an385|cortex-m3|-mcpu=cortex-m3|mps2.ld|0x40004000u|25000000u
MPS_mps2-an386 := mps2-an386|cortex-m4|-mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16|mps2.ld|0x40004000u|25000000u
MPS_mps2-an500 := mps2-an500|cortex-m7|-mcpu=cortex-m7 -mfloat-abi=hard -mfpu=fpv5-d16|mps2.ld|0x40004000u|25000000u
MPS_mps2-an505 := mps2-an505|cortex-m33|-mcpu=cortex-m33 -mfloat-abi=hard -mfpu=fpv5-sp-d16|an505.ld|0x50200000u|20000000u
MPS_mps3-an547 := mps3-an547|cortex-m55|-mcpu=cortex-m55 -mfloat-abi=hard -fno-tree-vectorize|an547.ld|0x59303000u|32000000u
# (M55: no GCC auto-vectorization: its MVE loops made the kernels slower, person_detect 31.06 M
# instructions with it vs 30.11 M without, both with the DSP kernels of arm_dsp.h)
mps_field = $(word $(2),$(subst |, ,$(subst $(space),~,$(MPS_$(1)))))
space := $(subst ,, )
mps_get = $(subst ~, ,$(call mps_field,$(1),$(2)))
# the flags of one machine's build, shared by its protocol image and its core benchmark
mps_flags = $(call mps_get,$(1),3) -DQS_MPS_UART0=$(call mps_get,$(1),5) -DQS_MPS_CLK_HZ=$(call mps_get,$(1),6) \
  -DQS_MPS_BOARD='"$(call mps_get,$(1),1) (QEMU)"' -DQS_MPS_CPU='"$(call mps_get,$(1),2)"' -Iport/cortex-m

define MPS_BOARD_RULES
.PHONY: $(1)
$(1): $$(BUILD)/$(1)/qs-$(1).elf
$$(BUILD)/$(1)/qs-$(1).elf: $$(ARM_DEPS) $$(MPS_PORT_SRC) $$(MPS_PORT_HDR) port/mps2-an385/$(call mps_get,$(1),4)
	@mkdir -p $$(@D)
	$$(ARM_CC) $$(call mps_flags,$(1)) $$(ARM_COMMON) -DQS_MODEL_CAP=1048576 -DQS_ARENA_CAP=1048576 \
	  $$(ARM_LINK) -Tport/mps2-an385/$(call mps_get,$(1),4) -Wl,-Map=$$(BUILD)/$(1)/qs-$(1).map -o $$@.$$$$$$$$.tmp \
	  $$(ARM_SRC) $$(MPS_PORT_SRC) -lm && mv -f $$@.$$$$$$$$.tmp $$@
	$$(ARM_SIZE) $$@
endef
$(foreach b,$(MPS_BOARDS),$(eval $(call MPS_BOARD_RULES,$(b))))

# every port (after MPS_BOARDS: a rule's prerequisites expand when make reads it)
ports: host $(MPS_BOARDS) nucleo nucleo-qemu

# ---- ST NUCLEO-F446RE (flash: copy build/nucleo/qs-nucleo.bin to the NODE_F446RE drive) ----
# nucleo-qemu: the same port, sources, limits and linker script built for QEMU's netduinoplus2
# (STM32F405: same core, USART2, SysTick), with the two things QEMU lacks swapped at build time
# (port_nucleo.c, QS_NUCLEO_QEMU): SysTick ticks instead of the DWT counter, bounded RCC waits.
NUCLEO_CPU := -mcpu=cortex-m4 -mfloat-abi=soft
NUCLEO_FLAGS := $(NUCLEO_CPU) $(ARM_COMMON) -DQS_MODEL_CAP=61440 -DQS_ARENA_CAP=32768 -DQS_SERIAL_IRQ=38
NUCLEO_DEPS := $(ARM_DEPS) port/nucleo-f446re/port_nucleo.c port/nucleo-f446re/f446re.ld
nucleo: $(BUILD)/nucleo/qs-nucleo.bin
$(BUILD)/nucleo/qs-nucleo.elf: $(NUCLEO_DEPS)
	@mkdir -p $(@D)
	$(ARM_CC) $(NUCLEO_FLAGS) $(ARM_LINK) -Tport/nucleo-f446re/f446re.ld -Wl,-Map=$(BUILD)/nucleo/qs-nucleo.map \
	  -o $@ $(ARM_SRC) port/nucleo-f446re/port_nucleo.c -lm
	$(ARM_SIZE) $@
$(BUILD)/nucleo/qs-nucleo.bin: $(BUILD)/nucleo/qs-nucleo.elf
	arm-none-eabi-objcopy -O binary $< $@

.PHONY: nucleo-qemu
nucleo-qemu: $(BUILD)/nucleo-qemu/qs-nucleo-qemu.elf
$(BUILD)/nucleo-qemu/qs-nucleo-qemu.elf: $(NUCLEO_DEPS) $(MPS_PORT_HDR) port/cortex-m/cm_systick.c
	@mkdir -p $(@D)
	$(ARM_CC) $(NUCLEO_FLAGS) -DQS_NUCLEO_QEMU -Iport/cortex-m $(ARM_LINK) -Tport/nucleo-f446re/f446re.ld \
	  -Wl,-Map=$(BUILD)/nucleo-qemu/qs-nucleo-qemu.map -o $@.$$$$.tmp $(ARM_SRC) port/nucleo-f446re/port_nucleo.c \
	  port/cortex-m/cm_systick.c -lm && mv -f $@.$$$$.tmp $@
	$(ARM_SIZE) $@

# ---- core benchmark per emulated core (tests/bench_m3.c): every model linked into one image with
# its golden, run once under QEMU -icount shift=0; prints ticks per op, instr/MAC and whether every
# op output is bit-exact (bench/firmware-m3.ts parses it). core-bench-m3 is the Cortex-M3.
# Per core: its MPS board (above), or nucleo (the NUCLEO port on netduinoplus2: the F405's 1 MiB of
# flash holds person_detect with its golden; arena in the 128 KiB of SRAM, so the models that fit).
CORE_BENCH_CORES := m3 m4 m7 m33 m55
# BENCH_MODELS: the models to embed (default the eight fixtures; field/NAME for a field golden)
BENCH_MODELS ?=
CORE_BENCH_m3 := mps2
CORE_BENCH_m4 := mps2-an386
CORE_BENCH_m7 := mps2-an500
CORE_BENCH_m33 := mps2-an505
CORE_BENCH_m55 := mps3-an547
CORE_BENCH_ARM := $(filter-out -mcpu=%,$(CORE_ARM_FLAGS)) -Icore/include -nostartfiles -Wl,--gc-sections \
  --specs=nano.specs --specs=nosys.specs -Lport/cortex-m
CORE_BENCH_DEPS := $(BUILD)/golden/.stamp $(CORE_SRC) $(CORE_HDR) tests/bench_m3.c tests/arm_report.h tests/gen_bench_data.sh
QEMU_BENCH := timeout 600 qemu-system-arm -icount shift=0 -nographic -semihosting -monitor none

define CORE_BENCH_RULES
.PHONY: core-bench-$(1)
core-bench-$(1): $$(CORE_BENCH_DEPS) $$(MPS_PORT_SRC) $$(MPS_PORT_HDR)
	@mkdir -p $$(BUILD)/core-$(1)
	sh tests/gen_bench_data.sh $$(abspath $$(QS_FIXTURES)) $$(abspath $$(BUILD)/golden) $$(BENCH_MODELS) > $$(BUILD)/core-$(1)/bench_data.S
	$$(CORE_ARM_CC) $$(CORE_WARN) -Wno-strict-prototypes $$(call mps_flags,$$(CORE_BENCH_$(1))) $$(CORE_BENCH_ARM) \
	  -Tport/mps2-an385/$$(call mps_get,$$(CORE_BENCH_$(1)),4) -o $$(BUILD)/core-$(1)/bench.elf tests/bench_m3.c \
	  $$(BUILD)/core-$(1)/bench_data.S $$(CORE_SRC) port/cortex-m/cm_startup.c $$(MPS_PORT_SRC) -lm
	$$(QEMU_BENCH) -M $$(call mps_get,$$(CORE_BENCH_$(1)),1) -serial stdio -kernel $$(BUILD)/core-$(1)/bench.elf
endef
$(foreach c,$(CORE_BENCH_CORES),$(eval $(call CORE_BENCH_RULES,$(c))))

NUCLEO_BENCH_MODELS := person_detect keyword_spotting_on_off micro_speech_quantized hello_world_int8
.PHONY: core-bench-nucleo
core-bench-nucleo: $(CORE_BENCH_DEPS) $(NUCLEO_DEPS) $(MPS_PORT_HDR) port/cortex-m/cm_systick.c port/nucleo-f446re/f405-qemu.ld
	@mkdir -p $(BUILD)/core-nucleo
	sh tests/gen_bench_data.sh $(abspath $(QS_FIXTURES)) $(abspath $(BUILD)/golden) $(NUCLEO_BENCH_MODELS) \
	  > $(BUILD)/core-nucleo/bench_data.S
	$(CORE_ARM_CC) $(CORE_WARN) -Wno-strict-prototypes $(NUCLEO_CPU) $(CORE_BENCH_ARM) -DQS_NUCLEO_QEMU -DQS_SERIAL_IRQ=38 \
	  -DQS_BENCH_ARENA=98304 -Iport/cortex-m -Tport/nucleo-f446re/f405-qemu.ld -o $(BUILD)/core-nucleo/bench.elf \
	  tests/bench_m3.c $(BUILD)/core-nucleo/bench_data.S $(CORE_SRC) port/cortex-m/cm_startup.c \
	  port/nucleo-f446re/port_nucleo.c port/cortex-m/cm_systick.c -lm
	$(QEMU_BENCH) -M netduinoplus2 -serial null -serial stdio -kernel $(BUILD)/core-nucleo/bench.elf

# ---- the optimized int8 kernels against TFLM's reference arithmetic on random one-op models
# (tests/test_dsp.c): natively (portable kernels, ASan/UBSan, in core-unit) and on every emulated
# DSP core (core-dsp-<core>: the Arm DSP kernels of core/src/k_*_dsp.c, ~1 s each under QEMU; all
# four in core-test). QEMU exits non-zero when the test's semihosting exit reports a failure.
DSP_CORES := m4 m7 m33 m55
.PHONY: core-dsp core-dsp-arm $(addprefix core-dsp-,$(DSP_CORES))
core-dsp: $(BUILD)/core-san/test_dsp
	$(BUILD)/core-san/test_dsp
core-unit: core-dsp
core-dsp-arm: $(addprefix core-dsp-,$(DSP_CORES))
core-test: core-dsp-arm
define CORE_DSP_RULES
core-dsp-$(1): $$(CORE_SRC) $$(CORE_HDR) tests/test_dsp.c tests/tfl_build.c tests/tfl_build.h $$(MPS_PORT_SRC) $$(MPS_PORT_HDR)
	@mkdir -p $$(BUILD)/dsp-$(1)
	$$(CORE_ARM_CC) $$(CORE_WARN) -Wno-strict-prototypes -Wno-incompatible-pointer-types $$(call mps_flags,$$(CORE_BENCH_$(1))) \
	  $$(CORE_BENCH_ARM) -Itests -Tport/mps2-an385/$$(call mps_get,$$(CORE_BENCH_$(1)),4) -o $$(BUILD)/dsp-$(1)/test_dsp.elf \
	  tests/test_dsp.c tests/tfl_build.c $$(CORE_SRC) port/cortex-m/cm_startup.c $$(MPS_PORT_SRC) -lm
	$$(QEMU_BENCH) -M $$(call mps_get,$$(CORE_BENCH_$(1)),1) -serial stdio -kernel $$(BUILD)/dsp-$(1)/test_dsp.elf
endef
$(foreach c,$(DSP_CORES),$(eval $(call CORE_DSP_RULES,$(c))))
