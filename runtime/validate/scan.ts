// A decode-only walk over a function body, used after a validation error: the spec decodes a
// module completely before validating it, so a body that is both malformed (later) and
// invalid (earlier) must be reported as malformed. Throws DecodeError or returns.
import { BinaryReader } from '../binary/reader';
import { opcodeInfo, readOpcode, skipImmediates } from '../binary/instructions';
import { FunctionBody } from '../model';

export function scanBody(bytes: Uint8Array, body: FunctionBody): void {
  const r = new BinaryReader(bytes, body.start, body.end);
  let depth = 1; // the function's own block
  while (depth > 0) {
    if (r.atEnd) r.fail(missingEndReason(bytes, body), body.end);
    const at = r.pos;
    const key = readOpcode(r);
    const info = opcodeInfo(r, key, at);
    if (key === 0x02 || key === 0x03 || key === 0x04) depth++;
    else if (key === 0x0b) depth--;
    switch (info.immediate) {
      case 'memory':
      case 'memory_memory':
      case 'data_memory': {
        if (info.immediate === 'data_memory') r.u32();
        const count = info.immediate === 'memory_memory' ? 2 : 1;
        for (let i = 0; i < count; i++) {
          const zeroAt = r.pos;
          if (r.u8() !== 0) r.fail('zero byte expected', zeroAt);
        }
        break;
      }
      default:
        skipImmediates(r, info);
    }
  }
  if (!r.atEnd) r.fail('operators remaining after end of function');
}

/**
 * The reason for a body that ends before its final `end`: at the end of the module the spec
 * decoder runs out of bytes; elsewhere it meets the next bytes where `end` should be.
 */
export function missingEndReason(bytes: Uint8Array, body: FunctionBody): string {
  return body.end >= bytes.length ? 'unexpected end of section or function' : 'END opcode expected';
}
