/* TEST ONLY: the deliberately wrong board of `make host-broken` (build/host-broken/qs-board).
 * Force-included (-include) when compiling core/src/k_fc.c alone, so FULLY_CONNECTED — and no
 * other kernel — requantizes with a truncating (flooring) right shift instead of the reference's
 * round-half-away RoundingDivideByPOT. About half of its outputs end up 1 LSB low, which the
 * host-vs-device comparison must pin on the first FULLY_CONNECTED layer. Never in a real build. */
#ifndef QS_BROKEN_REQUANT_H
#define QS_BROKEN_REQUANT_H
#include "qmath.h"

static inline int8_t qs_requant_broken(int32_t acc, int32_t mult, int shift, int32_t zp, int32_t lo, int32_t hi) {
  int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  int32_t v = (qs_srdhm((int32_t)((uint32_t)acc << left), mult) >> right) + zp;
  v = v < lo ? lo : v;
  return (int8_t)(v > hi ? hi : v);
}
/* qmath.h is include-guarded, so k_fc.c's own #include adds nothing and its calls land here. */
#define qs_requant qs_requant_broken
#endif
