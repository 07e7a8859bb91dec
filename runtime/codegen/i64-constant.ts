// i64 templates specialised on a constant right operand (an `i64.const` right before the
// operation, which reaches the code generator as literal text): shifts and rotates by a known
// count need no `&63`, no branch on the count and, except rotates, no temporaries; an add of a
// constant takes its carry from a comparison with the constant, and an add or sub of a
// constant whose low word is zero is one operation on the high halves; a multiply by a constant
// below 2^21 needs no low-word correction of its high word. The result is a
// template in the numeric.ts placeholder language, or undefined when the generic template is
// as good.

/** The value of a literal operand's text (`5`, `(-5)`), or undefined if it is not a literal. */
function literalValue(text: string): number | undefined {
  const c = text.charCodeAt(0);
  if (c !== 40 /* ( */ && (c < 48 || c > 57)) return undefined; // a variable, not a number
  const inner = c === 40 ? text.slice(1, -1) : text;
  return /^-?\d+$/.test(inner) ? Number(inner) : undefined;
}

/** Left rotate by 0 < n < 32 (a rotate by 32 + n is this on the swapped halves). */
function rotate(lo: string, hi: string, n: number): string {
  return `t2=(${lo}<<${n})|(${hi}>>>${32 - n});` + `$rh=(${hi}<<${n})|(${lo}>>>${32 - n});$r=t2;`;
}

function shiftTemplate(op: string, n: number): string | undefined {
  switch (op) {
    case 'i64.shl':
      if (n === 0) return '$r=$a;$rh=$ah;';
      if (n < 32) return `$rh=($ah<<${n})|($a>>>${32 - n});$r=$a<<${n};`;
      return n === 32 ? '$rh=$a;$r=0;' : `$rh=$a<<${n - 32};$r=0;`;
    case 'i64.shr_u':
      if (n === 0) return '$r=$a;$rh=$ah;';
      if (n < 32) return `$r=($a>>>${n})|($ah<<${32 - n});$rh=($ah>>>${n})|0;`;
      return n === 32 ? '$r=$ah;$rh=0;' : `$r=($ah>>>${n - 32})|0;$rh=0;`;
    case 'i64.shr_s':
      if (n === 0) return '$r=$a;$rh=$ah;';
      if (n < 32) return `$r=($a>>>${n})|($ah<<${32 - n});$rh=$ah>>${n};`;
      return n === 32 ? '$r=$ah;$rh=$ah>>31;' : `$r=$ah>>${n - 32};$rh=$ah>>31;`;
    case 'i64.rotl':
    case 'i64.rotr': {
      if (n === 0) return '$r=$a;$rh=$ah;';
      const left = op === 'i64.rotl' ? n : 64 - n;
      if (left === 32) return 't2=$a;$r=$ah;$rh=t2;';
      return left < 32 ? rotate('$a', '$ah', left) : rotate('$ah', '$a', left - 32);
    }
  }
  return undefined;
}

const addLowZero: Record<string, string> = {
  'i64.add': '$r=$a;$rh=($ah+$bh)|0;',
  'i64.sub': '$r=$a;$rh=($ah-$bh)|0;',
};
const addConstant = 't0=($a+$b)|0;$rh=($ah+$bh+(((t0>>>32)<($b>>>32))|0))|0;$r=t0;';

const mulSmall =
  '$rh=(Math.imul($ah,$b)+((($a>>>32)*$b*2.3283064365386963e-10)|0))|0;$r=Math.imul($a,$b);';

/**
 * The template for `op` with the constant right operand whose halves are the texts `b`, `bh`,
 * with a key naming it for the template cache; undefined when `b` is not a literal or `op`
 * has no specialised form.
 */
export function constantOperandTemplate(
  op: string,
  b: string,
  bh: string,
): { key: string; template: string } | undefined {
  const lo = literalValue(b);
  if (lo === undefined) return undefined;
  if (op === 'i64.add' || op === 'i64.sub') {
    // The templates keep $b and $bh (V8 folds `($b>>>32)` of a literal), so they do not depend
    // on the constant and the template cache stays bounded.
    if (literalValue(bh) === undefined) return undefined;
    if (lo === 0) return { key: `${op} 0`, template: addLowZero[op] };
    // a + b wrapped below b exactly when the low word carried: a comparison with the constant
    // leaves a free as soon as the sum is taken. Sub already compares a with $b.
    if (op === 'i64.add') return { key: `${op} b`, template: addConstant };
    return undefined;
  }
  if (op === 'i64.mul') {
    // A multiplier below 2^21 makes the 32x32 double product exact (below 2^53), so its high
    // word is a plain scaled truncation, with no correction by the low word.
    if (lo < 0 || lo >= 0x200000 || literalValue(bh) !== 0) return undefined;
    return { key: `${op} small`, template: mulSmall };
  }
  const template = shiftTemplate(op, lo & 63);
  return template === undefined ? undefined : { key: `${op} ${lo & 63}`, template };
}
