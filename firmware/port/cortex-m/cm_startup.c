/*
 * Minimal Cortex-M start-up shared by the Arm ports: vector table, .data/.bss set-up, and
 * fault handlers that reset the chip (a board must never sit wedged in a fault loop).
 * The port provides SysTick_Handler (or leaves the weak default) and main().
 */
#include <stdint.h>

extern uint32_t __data_load__, __data_start__, __data_end__, __bss_start__, __bss_end__, __stack_top__;
extern int main(void);

#define SCB_AIRCR (*(volatile uint32_t *)0xE000ED0Cu)
#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)

void Reset_Handler(void);
void Fault_Handler(void);
void Default_Handler(void);
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));
/* Serial receive interrupt of a port that needs one; QS_SERIAL_IRQ is its IRQ number. */
void Serial_IRQHandler(void) __attribute__((weak, alias("Default_Handler")));
#ifndef QS_SERIAL_IRQ
#define QS_SERIAL_IRQ 0
#endif

/* SYSRESETREQ: restart cleanly; the host sees the board forget its state and says so. */
void Fault_Handler(void) {
  SCB_AIRCR = (0x5FAu << 16) | (1u << 2);
  for (;;) {
  }
}

void Default_Handler(void) {}

void Reset_Handler(void) {
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
  /* Hard-float builds (M4F, M7, M33, M55): grant CP10/CP11 before the first FPU or Helium
   * instruction, which the compiler may emit anywhere, even in the copy loops below. */
  SCB_CPACR |= 0xFu << 20;
  __asm volatile("dsb\n\tisb" ::: "memory");
#endif
  uint32_t *src = &__data_load__, *dst = &__data_start__;
  while (dst < &__data_end__) *dst++ = *src++;
  for (dst = &__bss_start__; dst < &__bss_end__;) *dst++ = 0;
  (void)main();
  Fault_Handler();
}

typedef void (*vector_t)(void);
__attribute__((section(".vectors"), used)) const vector_t g_vectors[16 + 100] = {
    (vector_t)(uintptr_t)&__stack_top__,
    Reset_Handler,
    Fault_Handler, /* NMI */
    Fault_Handler, /* HardFault */
    Fault_Handler, /* MemManage */
    Fault_Handler, /* BusFault */
    Fault_Handler, /* UsageFault */
    0, 0, 0, 0,
    Default_Handler, /* SVCall */
    Default_Handler, /* DebugMon */
    0,
    Default_Handler, /* PendSV */
    SysTick_Handler,
    /* external interrupts: only the port's serial one is ever enabled */
    [16 + QS_SERIAL_IRQ] = Serial_IRQHandler,
};
