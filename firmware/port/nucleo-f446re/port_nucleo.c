/*
 * Port for the ST NUCLEO-F446RE (STM32F446RE, Cortex-M4F), register level, no vendor SDK.
 *   clock: 16 MHz HSI -> PLL (M=16, N=336, P=4) = 84 MHz core, APB1 42 MHz
 *   link:  USART2 on PA2/PA3, wired to the on-board ST-LINK's virtual COM port (QS_BAUD, 115200)
 *   ticks: DWT CYCCNT, one tick per core cycle (84 MHz)
 * Receive is interrupt driven into a ring buffer: at 115200 baud a byte arrives every 87 us,
 * less than the time a chunk CRC or a model validation takes, so polling would overrun.
 *
 * QS_NUCLEO_QEMU (make nucleo-qemu) builds the same port for QEMU's netduinoplus2 (STM32F405: the
 * same Cortex-M4F, USART and SysTick; USART2 at the same address and IRQ). QEMU models neither the
 * RCC (its registers read 0: the ready bits never rise, hence the bounded waits, harmless on the
 * chip, where the PLL locks in well under a millisecond) nor the DWT cycle counter (it reads 0), so
 * that build counts ticks with SysTick on the 168 MHz clock QEMU gives the SoC, under -icount
 * shift=0 one instruction per virtual ns (port/cortex-m/cm_systick.c).
 */
#include <stdint.h>

#include "qs_port.h"
#ifdef QS_NUCLEO_QEMU
#include "cm_systick.h"
#endif

#define REG(a) (*(volatile uint32_t *)(a))
#define RCC_CR REG(0x40023800u)
#define RCC_PLLCFGR REG(0x40023804u)
#define RCC_CFGR REG(0x40023808u)
#define RCC_AHB1ENR REG(0x40023830u)
#define RCC_APB1ENR REG(0x40023840u)
#define FLASH_ACR REG(0x40023C00u)
#define GPIOA_MODER REG(0x40020000u)
#define GPIOA_OSPEEDR REG(0x40020008u)
#define GPIOA_AFRL REG(0x40020020u)
#define USART2_SR REG(0x40004400u)
#define USART2_DR REG(0x40004404u)
#define USART2_BRR REG(0x40004408u)
#define USART2_CR1 REG(0x4000440Cu)
#define NVIC_ISER1 REG(0xE000E104u)
#define DEMCR REG(0xE000EDFCu)
#define DWT_CTRL REG(0xE0001000u)
#define DWT_CYCCNT REG(0xE0001004u)

#define CPU_HZ 84000000u
#define APB1_HZ 42000000u
#ifndef QS_BAUD
#define QS_BAUD 115200u
#endif
#define USART2_IRQ 38

#define RX_RING 2048u /* power of two */
static volatile uint8_t g_rx[RX_RING];
static volatile uint32_t g_rx_head, g_rx_tail;

void Serial_IRQHandler(void) {
  uint32_t sr = USART2_SR;
  if (sr & ((1u << 5) | (1u << 3))) { /* RXNE or overrun: reading DR clears both */
    uint8_t b = (uint8_t)USART2_DR;
    uint32_t next = (g_rx_head + 1u) & (RX_RING - 1u);
    if (next != g_rx_tail) { /* full ring: drop; the frame CRC catches it and the host retries */
      g_rx[g_rx_head] = b;
      g_rx_head = next;
    }
  }
}

/* Polls until (reg & mask) == want, at most ~1e6 times (the PLL locks within ~100 us). */
static void wait_bits(volatile uint32_t *reg, uint32_t mask, uint32_t want) {
  for (uint32_t n = 0; n < 1000000u && (*reg & mask) != want; n++) {
  }
}

static void clock_84mhz(void) {
  FLASH_ACR = 2u | (1u << 8) | (1u << 9) | (1u << 10); /* 2 wait states, prefetch, I/D cache */
  /* HSI/16*336/4 = 84 MHz, Q=7 (48 MHz), R=2 (its reset value; 0 and 1 are invalid) */
  RCC_PLLCFGR = 16u | (336u << 6) | (1u << 16) | (7u << 24) | (2u << 28);
  RCC_CR |= 1u << 24;                   /* PLL on */
  wait_bits(&RCC_CR, 1u << 25, 1u << 25); /* PLL ready */
  RCC_CFGR = (4u << 10) | 2u;           /* APB1 = HCLK/2, system clock = PLL */
  wait_bits(&RCC_CFGR, 3u << 2, 2u << 2); /* switched to the PLL */
}

#ifdef QS_NUCLEO_QEMU
#define QEMU_SYSCLK_HZ 168000000u /* netduinoplus2's fixed SoC clock */
/* CPU clock = the instruction rate under -icount shift=0, so cycles = executed instructions */
static const qs_port_info_t k_info = {"NUCLEO-F446RE port on netduinoplus2 (QEMU)", "cortex-m4",
                                      1000000000u, "SysTick"};
#else
static const qs_port_info_t k_info = {"NUCLEO-F446RE", "cortex-m4", CPU_HZ, "DWT_CYCCNT"};
#endif

void qs_port_init(void) {
  clock_84mhz();
  RCC_AHB1ENR |= 1u;        /* GPIOA */
  RCC_APB1ENR |= 1u << 17;  /* USART2 */
  GPIOA_MODER = (GPIOA_MODER & ~(0xFu << 4)) | (0xAu << 4); /* PA2, PA3 alternate function */
  GPIOA_OSPEEDR |= 0xFu << 4;
  GPIOA_AFRL = (GPIOA_AFRL & ~(0xFFu << 8)) | (0x77u << 8); /* AF7 = USART2 */
  USART2_BRR = (APB1_HZ + QS_BAUD / 2u) / QS_BAUD;        /* oversampling by 16 */
  USART2_CR1 = (1u << 13) | (1u << 5) | (1u << 3) | (1u << 2); /* UE, RXNEIE, TE, RE */
  NVIC_ISER1 = 1u << (USART2_IRQ - 32);
#ifdef QS_NUCLEO_QEMU
  qs_systick_start();
#else
  DEMCR |= 1u << 24; /* trace enable, needed for the DWT */
  DWT_CYCCNT = 0;
  DWT_CTRL |= 1u;
#endif
}

const qs_port_info_t *qs_port_info(void) { return &k_info; }
#ifdef QS_NUCLEO_QEMU
uint32_t qs_port_tick_hz(void) { return QEMU_SYSCLK_HZ; }
#else
uint32_t qs_port_ticks(void) { return DWT_CYCCNT; }
uint32_t qs_port_tick_hz(void) { return CPU_HZ; }
#endif
void qs_port_log(const char *msg) { (void)msg; }

size_t qs_port_read(uint8_t *buf, size_t max) {
  while (g_rx_head == g_rx_tail) {
    __asm volatile("wfi"); /* the RX interrupt wakes us */
  }
  size_t n = 0;
  while (n < max && g_rx_tail != g_rx_head) {
    buf[n++] = g_rx[g_rx_tail];
    g_rx_tail = (g_rx_tail + 1u) & (RX_RING - 1u);
  }
  return n;
}

int qs_port_write(const uint8_t *buf, size_t len) {
  for (size_t i = 0; i < len; i++) {
    while (!(USART2_SR & (1u << 7))) { /* TXE */
    }
    USART2_DR = buf[i];
  }
  return 0;
}
