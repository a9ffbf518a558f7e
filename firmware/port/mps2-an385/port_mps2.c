/*
 * Port for the Arm MPS2+ AN385 (Cortex-M3) under QEMU: CMSDK APB UART0 at 0x40004000 for the
 * link, SysTick on the 25 MHz core clock for ticks.
 *
 * Ticks: SysTick counts down 24 bits; its wrap interrupt adds 2^24 to a software high part.
 * QEMU with `-icount shift=0` executes exactly one instruction per virtual nanosecond, so the
 * 25 MHz SysTick advances once every 40 instructions, identically on every run.
 */
#include <stdint.h>

#include "qs_port.h"

#define UART0_BASE 0x40004000u
#define UART_DATA (*(volatile uint32_t *)(UART0_BASE + 0x00u))
#define UART_STATE (*(volatile uint32_t *)(UART0_BASE + 0x04u))
#define UART_CTRL (*(volatile uint32_t *)(UART0_BASE + 0x08u))
#define UART_BAUDDIV (*(volatile uint32_t *)(UART0_BASE + 0x10u))
#define STATE_TX_FULL 1u
#define STATE_RX_FULL 2u

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

#define CPU_HZ 25000000u

static volatile uint32_t g_tick_hi;

void SysTick_Handler(void) { g_tick_hi += 1u << 24; }

/* Under `-icount shift=0` QEMU executes one instruction per virtual nanosecond while SysTick counts
 * the 25 MHz processor clock in virtual time: 1 tick = 40 instructions. The CPU clock reported to the
 * host is therefore the instruction rate (1e9), so cycles = ticks * cpu_hz / tick_hz = executed
 * instructions, the unit of the TFLite Micro peer numbers measured the same way. */
#define QEMU_INSN_HZ 1000000000u
static const qs_port_info_t k_info = {"mps2-an385 (QEMU)", "cortex-m3", QEMU_INSN_HZ, "SysTick"};

void qs_port_init(void) {
  UART_BAUDDIV = 16; /* the smallest divider the CMSDK UART accepts; QEMU ignores the rate */
  UART_CTRL = 3u;    /* TX and RX enabled, no interrupts: the link is polled */
  SYST_RVR = 0x00FFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 7u; /* processor clock, wrap interrupt, enabled */
}

const qs_port_info_t *qs_port_info(void) { return &k_info; }

uint32_t qs_port_ticks(void) {
  uint32_t hi, v;
  do { /* retry if the wrap interrupt ran between the two reads */
    hi = g_tick_hi;
    v = SYST_CVR;
  } while (hi != g_tick_hi);
  return hi + (0x00FFFFFFu - v);
}

/* Restarts SysTick so the 40-instruction tick grid is aligned to the start of each op. A write to
 * CVR clears it to 0 and the counter reloads to RVR on the next SysTick clock; until then a read
 * returns 0, which qs_port_ticks() would take for "a whole period elapsed" (a jump of 0xFFFFFF
 * ticks). So wait for the reload (at most one tick, deterministic under -icount): differences taken
 * after sync then start from a clean grid. qs_port_ticks() differences are only taken inside one op. */
void qs_port_tick_sync(void) {
  SYST_CVR = 0;
  while (SYST_CVR == 0) {
  }
}

uint32_t qs_port_tick_hz(void) { return CPU_HZ; }

void qs_port_log(const char *msg) { (void)msg; /* UART0 carries only protocol frames */ }

size_t qs_port_read(uint8_t *buf, size_t max) {
  size_t n = 0;
  while (!(UART_STATE & STATE_RX_FULL)) {
  }
  while (n < max && (UART_STATE & STATE_RX_FULL)) buf[n++] = (uint8_t)UART_DATA;
  return n;
}

int qs_port_write(const uint8_t *buf, size_t len) {
  for (size_t i = 0; i < len; i++) {
    while (UART_STATE & STATE_TX_FULL) {
    }
    UART_DATA = buf[i];
  }
  return 0;
}
