/* crc32.h - the one checksum of the tree: CRC-32 (IEEE 802.3), as zlib's
 * crc32(). Model files, optimizer state and tokeniser blobs end with it.
 *
 * Contract
 * - lm_crc32(0, buf, len) is the CRC of buf; lm_crc32(lm_crc32(0, a, n), b, m)
 *   is the CRC of a followed by b (running checksums).
 */
#ifndef LM_CRC32_H
#define LM_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t lm_crc32(uint32_t crc, const void *buf, size_t len);

#endif
