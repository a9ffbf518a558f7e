/* Little-endian field access for protocol bodies. Callers check lengths before reading. */
#ifndef QS_WIRE_H
#define QS_WIRE_H

#include <stdint.h>

static inline uint16_t qs_get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t qs_get32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint8_t *qs_put8(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  return p + 1;
}
static inline uint8_t *qs_put16(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  return p + 2;
}
static inline uint8_t *qs_put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
  return p + 4;
}

#endif
