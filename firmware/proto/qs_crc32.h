/* CRC-32/IEEE (zlib crc32): reflected poly 0xEDB88320, init and xorout 0xFFFFFFFF. */
#ifndef QS_CRC32_H
#define QS_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Start with crc = 0; feed pieces by passing the previous result (zlib convention). */
uint32_t qs_crc32(uint32_t crc, const uint8_t *data, size_t len);

#endif
