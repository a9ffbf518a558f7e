/*
 * Port for the Arm MPS2/MPS3 FPGA boards as QEMU models them: a CMSDK APB UART (UART0) for the
 * link, SysTick on the processor clock for ticks (port/cortex-m/cm_systick.c). One source for every
 * machine; port/ports.mk passes what differs (defaults: AN385, Cortex-M3):
 *   QS_MPS_UART0    UART0 base: 0x40004000 (AN385/AN386/AN500), 0x50200000 (AN505, Secure alias),
 *                   0x59303000 (AN547, Secure alias)
 *   QS_MPS_CLK_HZ   processor clock SysTick counts: 25 MHz (AN385/AN386/AN500), 20 MHz (AN505),
 *                   32 MHz (AN547)
 *   QS_MPS_BOARD, QS_MPS_CPU  the names the handshake reports
 */
#include <stdint.h>

#include "cm_systick.h"
#include "qs_port.h"

#ifndef QS_MPS_UART0
#define QS_MPS_UART0 0x40004000u
#endif
#ifndef QS_MPS_CLK_HZ
#define QS_MPS_CLK_HZ 25000000u
#endif
#ifndef QS_MPS_BOARD
#define QS_MPS_BOARD "mps2-an385 (QEMU)"
#endif
#ifndef QS_MPS_CPU
#define QS_MPS_CPU "cortex-m3"
#endif

#define UART_DATA (*(volatile uint32_t *)(QS_MPS_UART0 + 0x00u))
#define UART_STATE (*(volatile uint32_t *)(QS_MPS_UART0 + 0x04u))
#define UART_CTRL (*(volatile uint32_t *)(QS_MPS_UART0 + 0x08u))
#define UART_BAUDDIV (*(volatile uint32_t *)(QS_MPS_UART0 + 0x10u))
#define STATE_TX_FULL 1u
#define STATE_RX_FULL 2u

/* The CPU clock reported to the host is the instruction rate under -icount shift=0 (1e9), so
 * cycles = ticks * cpu_hz / tick_hz = executed instructions, the unit of the TFLite Micro peer
 * numbers measured the same way (cm_systick.c). */
#define QEMU_INSN_HZ 1000000000u
static const qs_port_info_t k_info = {QS_MPS_BOARD, QS_MPS_CPU, QEMU_INSN_HZ, "SysTick"};

void qs_port_init(void) {
  UART_BAUDDIV = 16; /* the smallest divider the CMSDK UART accepts; QEMU ignores the rate */
  UART_CTRL = 3u;    /* TX and RX enabled, no interrupts: the link is polled */
  qs_systick_start();
}

const qs_port_info_t *qs_port_info(void) { return &k_info; }

uint32_t qs_port_tick_hz(void) { return QS_MPS_CLK_HZ; }

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
