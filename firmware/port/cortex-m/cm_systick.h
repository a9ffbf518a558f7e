/* SysTick tick source of the emulated boards (cm_systick.c): qs_port_ticks() and
 * qs_port_tick_sync() come from there; the port calls qs_systick_start() in qs_port_init(). */
#ifndef CM_SYSTICK_H
#define CM_SYSTICK_H

void qs_systick_start(void);

#endif
