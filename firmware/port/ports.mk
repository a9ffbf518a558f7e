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

.PHONY: host host-broken host-nofloat registry verdict verdict-san proto-test proto-fuzz mps2 nucleo ports

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

ports: host mps2 nucleo

# ---- Arm ports (arm-none-eabi-gcc, newlib-nano for memcpy/memset); int8-only core (QS_WITH_FLOAT=0) ----
# The core options of every Cortex-M build (the op groups they leave out; docs/ops.md reads them).
ARM_CORE_DEFS := -DQS_WITH_FLOAT=0
ARM_COMMON := -mthumb -O2 -std=c99 -Wall -Wextra -Wno-unused-parameter -ffunction-sections \
  -fdata-sections -ffp-contract=off $(ARM_CORE_DEFS) -Icore/include -Iproto -Iparams -Icore/src
ARM_LINK := -nostartfiles -Wl,--gc-sections --specs=nano.specs --specs=nosys.specs -Lport/cortex-m
ARM_SRC := $(SERVER_SRC) $(QS_CORE_SRC) port/cortex-m/cm_startup.c port/cortex-m/board_main.c
ARM_DEPS := $(ARM_SRC) $(PROTO_HDR) port/cortex-m/cm.ld

mps2: $(BUILD)/mps2/qs-mps2.elf
$(BUILD)/mps2/qs-mps2.elf: $(ARM_DEPS) port/mps2-an385/port_mps2.c port/mps2-an385/mps2.ld
	@mkdir -p $(@D)
	$(ARM_CC) -mcpu=cortex-m3 $(ARM_COMMON) -DQS_MODEL_CAP=1048576 -DQS_ARENA_CAP=1048576 \
	  $(ARM_LINK) -Tport/mps2-an385/mps2.ld -Wl,-Map=$(BUILD)/mps2/qs-mps2.map -o $@.$$$$.tmp \
	  $(ARM_SRC) port/mps2-an385/port_mps2.c -lm && mv -f $@.$$$$.tmp $@
	$(ARM_SIZE) $@

# ---- ST NUCLEO-F446RE (flash: copy build/nucleo/qs-nucleo.bin to the NODE_F446RE drive) ----
nucleo: $(BUILD)/nucleo/qs-nucleo.bin
$(BUILD)/nucleo/qs-nucleo.elf: $(ARM_DEPS) port/nucleo-f446re/port_nucleo.c port/nucleo-f446re/f446re.ld
	@mkdir -p $(@D)
	$(ARM_CC) -mcpu=cortex-m4 -mfloat-abi=soft $(ARM_COMMON) -DQS_MODEL_CAP=61440 -DQS_ARENA_CAP=32768 \
	  -DQS_SERIAL_IRQ=38 $(ARM_LINK) -Tport/nucleo-f446re/f446re.ld -Wl,-Map=$(BUILD)/nucleo/qs-nucleo.map \
	  -o $@ $(ARM_SRC) port/nucleo-f446re/port_nucleo.c -lm
	$(ARM_SIZE) $@
$(BUILD)/nucleo/qs-nucleo.bin: $(BUILD)/nucleo/qs-nucleo.elf
	arm-none-eabi-objcopy -O binary $< $@
