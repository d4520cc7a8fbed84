/**
 * Where the high and the low 32 bits of a 64-bit word (a double, a BigUint64) sit in a
 * Uint32Array laid over it: bit-level readers of doubles and bigints index their halves with these.
 */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export const HIGH_HALF = LITTLE_ENDIAN ? 1 : 0;
export const LOW_HALF = LITTLE_ENDIAN ? 0 : 1;
