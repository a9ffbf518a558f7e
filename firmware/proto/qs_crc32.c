#include "qs_crc32.h"

#ifdef QS_CRC32_FAST
/* Host builds: slicing-by-4 (4 KiB of tables built on first use), four bytes per step. */
uint32_t qs_crc32(uint32_t crc, const uint8_t *data, size_t len) {
  static uint32_t t[4][256];
  static int ready = 0;
  if (!ready) {
    for (uint32_t n = 0; n < 256; n++) {
      uint32_t c = n;
      for (int k = 0; k < 8; k++) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; n++)
      for (int k = 1; k < 4; k++) t[k][n] = (t[k - 1][n] >> 8) ^ t[0][t[k - 1][n] & 0xFFu];
    ready = 1;
  }
  crc = ~crc;
  size_t i = 0;
  for (; i + 4 <= len; i += 4) {
    crc ^= (uint32_t)data[i] | ((uint32_t)data[i + 1] << 8) | ((uint32_t)data[i + 2] << 16) |
           ((uint32_t)data[i + 3] << 24);
    crc = t[3][crc & 0xFFu] ^ t[2][(crc >> 8) & 0xFFu] ^ t[1][(crc >> 16) & 0xFFu] ^ t[0][crc >> 24];
  }
  for (; i < len; i++) crc = t[0][(crc ^ data[i]) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}
#else

/* Nibble table: 64 bytes of flash instead of 1 KiB, two lookups per byte. Upload CRC cost is
 * small next to the UART time on every port we have. */
static const uint32_t k_nibble[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
    0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
    0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu};

uint32_t qs_crc32(uint32_t crc, const uint8_t *data, size_t len) {
  crc = ~crc;
  for (size_t i = 0; i < len; i++) {
    crc ^= data[i];
    crc = (crc >> 4) ^ k_nibble[crc & 15u];
    crc = (crc >> 4) ^ k_nibble[crc & 15u];
  }
  return ~crc;
}
#endif
