/*
 * Ticks from SysTick on the processor clock, for the emulated boards (QEMU models no DWT cycle
 * counter: it reads as zero). SysTick counts down 24 bits; its wrap interrupt adds 2^24 to a
 * software high part.
 *
 * Under `-icount shift=0` QEMU executes one instruction per virtual nanosecond while SysTick counts
 * the machine's processor clock in virtual time, so 1 tick = 1e9 / clock instructions (40 at
 * 25 MHz, 50 at 20 MHz, 31.25 at 32 MHz), identically on every run. The ports therefore report the
 * instruction rate (1e9) as the CPU clock: cycles = ticks * cpu_hz / tick_hz = executed instructions.
 */
#include <stdint.h>

#include "cm_systick.h"
#include "qs_port.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

static volatile uint32_t g_tick_hi;

void SysTick_Handler(void) { g_tick_hi += 1u << 24; }

void qs_systick_start(void) {
  SYST_RVR = 0x00FFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 7u; /* processor clock, wrap interrupt, enabled */
}

uint32_t qs_port_ticks(void) {
  uint32_t hi, v;
  do { /* retry if the wrap interrupt ran between the two reads */
    hi = g_tick_hi;
    v = SYST_CVR;
  } while (hi != g_tick_hi);
  return hi + (0x00FFFFFFu - v);
}

/* Restarts SysTick so the tick grid is aligned to the start of each op. A write to CVR clears it to
 * 0 and the counter reloads to RVR on the next SysTick clock; until then a read returns 0, which
 * qs_port_ticks() would take for "a whole period elapsed" (a jump of 0xFFFFFF ticks). So wait for
 * the reload (at most one tick, deterministic under -icount): differences taken after sync then
 * start from a clean grid. qs_port_ticks() differences are only taken inside one op. */
void qs_port_tick_sync(void) {
  SYST_CVR = 0;
  while (SYST_CVR == 0) {
  }
}
