// JavaScript templates for the numeric instructions, one line per opcode. Placeholders: $a, $b
// (operands; $ah, $bh their high halves when i64), $r, $rh (result). A template without $r
// is an expression assigned to $r. i32 values are kept as signed int32 (`|0` form), f32 values
// as doubles rounded by Math.fround, i64 values as two int32 halves; helpers named here are
// bound from runtime/exec/helpers.ts in each generated function's preamble. Templates may use
// the temporaries t0 and t2..t6; t1 is not theirs (it carries a split chunk's exit code).
//
// An unsigned view of an int32 is `x>>>32`, not `x>>>0` (the same value: JS masks the count).
// V8 treats a shift by a constant 0 whose type feedback saw only small results as a check
// that the result fits an int32, and deoptimizes ("lost precision") at the first value of
// 2^31 or more; code that ran only a few times before V8 optimized it (hash64's outer loop)
// deoptimized so in the benchmark's first calls. A count of 32 is not taken for zero there:
// plain unsigned code, which V8 folds to the same instructions.

export const numericTemplates: Record<string, string> = {
  // i32
  'i32.eqz': '($a===0)|0',
  'i32.eq': '($a===$b)|0',
  'i32.ne': '($a!==$b)|0',
  'i32.lt_s': '($a<$b)|0',
  'i32.lt_u': '(($a>>>32)<($b>>>32))|0',
  'i32.gt_s': '($a>$b)|0',
  'i32.gt_u': '(($a>>>32)>($b>>>32))|0',
  'i32.le_s': '($a<=$b)|0',
  'i32.le_u': '(($a>>>32)<=($b>>>32))|0',
  'i32.ge_s': '($a>=$b)|0',
  'i32.ge_u': '(($a>>>32)>=($b>>>32))|0',
  'i32.clz': 'Math.clz32($a)',
  'i32.ctz': 'ctz32($a)',
  'i32.popcnt': 'popcnt32($a)',
  'i32.add': '($a+$b)|0',
  'i32.sub': '($a-$b)|0',
  'i32.mul': 'Math.imul($a,$b)',
  'i32.div_s': 'divs32($a,$b)',
  'i32.div_u': 'divu32($a,$b)',
  'i32.rem_s': 'rems32($a,$b)',
  'i32.rem_u': 'remu32($a,$b)',
  'i32.and': '$a&$b',
  'i32.or': '$a|$b',
  'i32.xor': '$a^$b',
  'i32.shl': '$a<<$b',
  'i32.shr_s': '$a>>$b',
  'i32.shr_u': '($a>>>$b)|0',
  'i32.rotl': '($a<<$b)|($a>>>(32-$b))',
  'i32.rotr': '($a>>>$b)|($a<<(32-$b))',
  'i32.extend8_s': '($a<<24)>>24',
  'i32.extend16_s': '($a<<16)>>16',
  'i32.wrap_i64': '$a',
  'i32.trunc_f32_s': 'truncs32($a)',
  'i32.trunc_f32_u': 'truncu32($a)',
  'i32.trunc_f64_s': 'truncs32($a)',
  'i32.trunc_f64_u': 'truncu32($a)',
  'i32.trunc_sat_f32_s': 'truncsats32($a)',
  'i32.trunc_sat_f32_u': 'truncsatu32($a)',
  'i32.trunc_sat_f64_s': 'truncsats32($a)',
  'i32.trunc_sat_f64_u': 'truncsatu32($a)',
  'i32.reinterpret_f32': 'f32bits($a)',

  // i64
  // Equality without short-circuit branches: one test of the or-ed differences.
  'i64.eqz': '(($a|$ah)===0)|0',
  'i64.eq': '((($a^$b)|($ah^$bh))===0)|0',
  'i64.ne': '((($a^$b)|($ah^$bh))!==0)|0',
  // Orderings as a value: bitwise combinations of the comparisons of both halves, without the
  // short-circuit branches of || and && (2.6x faster on unpredictable data). A branch tests
  // the short-circuit form instead (conditionTemplates below).
  'i64.lt_s': '(($ah<$bh)|(($ah===$bh)&(($a>>>32)<($b>>>32))))|0',
  'i64.lt_u': '((($ah>>>32)<($bh>>>32))|(($ah===$bh)&(($a>>>32)<($b>>>32))))|0',
  'i64.gt_s': '(($ah>$bh)|(($ah===$bh)&(($a>>>32)>($b>>>32))))|0',
  'i64.gt_u': '((($ah>>>32)>($bh>>>32))|(($ah===$bh)&(($a>>>32)>($b>>>32))))|0',
  'i64.le_s': '(($ah<$bh)|(($ah===$bh)&(($a>>>32)<=($b>>>32))))|0',
  'i64.le_u': '((($ah>>>32)<($bh>>>32))|(($ah===$bh)&(($a>>>32)<=($b>>>32))))|0',
  'i64.ge_s': '(($ah>$bh)|(($ah===$bh)&(($a>>>32)>=($b>>>32))))|0',
  'i64.ge_u': '((($ah>>>32)>($bh>>>32))|(($ah===$bh)&(($a>>>32)>=($b>>>32))))|0',
  'i64.clz': '$r=$ah!==0?Math.clz32($ah):32+Math.clz32($a);$rh=0;',
  'i64.ctz': '$r=ctz64($a,$ah);$rh=0;',
  'i64.popcnt': '$r=popcnt32($a)+popcnt32($ah);$rh=0;',
  // Carry and borrow as `(comparison)|0`, which V8 compiles to a flag read; `?1:0` is a branch,
  // mispredicted half the time on hashed data.
  'i64.add': 't0=($a+$b)|0;$rh=($ah+$bh+(((t0>>>32)<($a>>>32))|0))|0;$r=t0;',
  'i64.sub': 't0=($a-$b)|0;$rh=($ah-$bh-((($a>>>32)<($b>>>32))|0))|0;$r=t0;',
  // Low word by Math.imul; high word adds the cross products and the high word of the
  // unsigned 32x32 low product P = A*B (A, B < 2^32), taken from the double product: fl(P) is
  // within 2^10 of P, so fl(P)/2^32 truncates to the high word whenever the low word t2 is at
  // least 2^11 away from 0 and 2^32 (B/2^32 is exact, and V8 folds it for a literal B). In the
  // rare other case (t2+2048 below 4096 unsigned) the exact low word is subtracted first,
  // leaving the high word within 2^-20, which +0.5 and |0 round exactly. This replaced five
  // Math.imul on 16-bit pieces (~40% less time on a hash kernel; the fast path ~7% more).
  // The rare case is tested as `(t2+2048|0)&MW` is 0, where MW is -4096 except in a function's
  // first call (see MUL_WINDOW in compile.ts), which takes the exact form at every product.
  'i64.mul':
    't2=Math.imul($a,$b);t3=(($a>>>32)*(($b>>>32)*2.3283064365386963e-10))|0;' +
    'if(((t2+2048|0)&MW)===0)' +
    't3=((($a>>>32)*($b>>>32)-(t2>>>32))*2.3283064365386963e-10+0.5)|0;' +
    '$rh=(Math.imul($a,$bh)+Math.imul($ah,$b)+t3)|0;$r=t2;',
  'i64.div_s': '$r=divs64($a,$ah,$b,$bh);$rh=H[0];',
  'i64.div_u': '$r=divu64($a,$ah,$b,$bh);$rh=H[0];',
  'i64.rem_s': '$r=rems64($a,$ah,$b,$bh);$rh=H[0];',
  'i64.rem_u': '$r=remu64($a,$ah,$b,$bh);$rh=H[0];',
  'i64.and': '$r=$a&$b;$rh=$ah&$bh;',
  'i64.or': '$r=$a|$b;$rh=$ah|$bh;',
  'i64.xor': '$r=$a^$b;$rh=$ah^$bh;',
  // Shifts and rotates by a variable count, without a branch on the count (a branch on a
  // data-dependent count mispredicts: 2.1-2.3x slower on random counts in a microbenchmark,
  // 10-20% faster when the count rarely changes). JS shifts take the count mod 32; t4 is all
  // ones when the count's bit 5 is set (count mod 64 >= 32) and selects between the two
  // results; `(x>>>1)>>>(31-n)` is x>>>(32-n) that also gives 0 for n = 0. Constant counts
  // take the resolved forms of i64-constant.ts instead.
  'i64.shl':
    't0=$b;t4=(t0<<26)>>31;t2=$a<<t0;' +
    '$rh=((($ah<<t0)|(($a>>>1)>>>(31-t0)))&~t4)|(t2&t4);$r=t2&~t4;',
  'i64.shr_s':
    't0=$b;t4=(t0<<26)>>31;t2=$ah>>t0;' +
    '$r=((($a>>>t0)|(($ah<<1)<<(31-t0)))&~t4)|(t2&t4);$rh=(t2&~t4)|(($ah>>31)&t4);',
  'i64.shr_u':
    't0=$b;t4=(t0<<26)>>31;t2=$ah>>>t0;' +
    '$r=((($a>>>t0)|(($ah<<1)<<(31-t0)))&~t4)|(t2&t4);$rh=t2&~t4;',
  // A rotate by 32 + n is a rotate by n of the swapped halves (t2 low, t3 high).
  'i64.rotl':
    't0=$b;t4=(t0<<26)>>31;t2=($a&~t4)|($ah&t4);t3=($ah&~t4)|($a&t4);' +
    '$r=(t2<<t0)|((t3>>>1)>>>(31-t0));$rh=(t3<<t0)|((t2>>>1)>>>(31-t0));',
  'i64.rotr':
    't0=$b;t4=(t0<<26)>>31;t2=($a&~t4)|($ah&t4);t3=($ah&~t4)|($a&t4);' +
    '$r=(t2>>>t0)|((t3<<1)<<(31-t0));$rh=(t3>>>t0)|((t2<<1)<<(31-t0));',
  'i64.extend8_s': '$r=($a<<24)>>24;$rh=$r>>31;',
  'i64.extend16_s': '$r=($a<<16)>>16;$rh=$r>>31;',
  'i64.extend32_s': '$r=$a;$rh=$r>>31;',
  'i64.extend_i32_s': '$r=$a;$rh=$r>>31;',
  'i64.extend_i32_u': '$r=$a;$rh=0;',
  'i64.trunc_f32_s': '$r=truncs64($a);$rh=H[0];',
  'i64.trunc_f32_u': '$r=truncu64($a);$rh=H[0];',
  'i64.trunc_f64_s': '$r=truncs64($a);$rh=H[0];',
  'i64.trunc_f64_u': '$r=truncu64($a);$rh=H[0];',
  'i64.trunc_sat_f32_s': '$r=truncsats64($a);$rh=H[0];',
  'i64.trunc_sat_f32_u': '$r=truncsatu64($a);$rh=H[0];',
  'i64.trunc_sat_f64_s': '$r=truncsats64($a);$rh=H[0];',
  'i64.trunc_sat_f64_u': '$r=truncsatu64($a);$rh=H[0];',
  'i64.reinterpret_f64': '$r=f64bits($a);$rh=H[0];',

  // f32
  'f32.eq': '($a===$b)|0',
  'f32.ne': '($a!==$b)|0',
  'f32.lt': '($a<$b)|0',
  'f32.gt': '($a>$b)|0',
  'f32.le': '($a<=$b)|0',
  'f32.ge': '($a>=$b)|0',
  'f32.abs': 'Math.abs($a)',
  'f32.neg': '-$a',
  'f32.ceil': 'Math.fround(Math.ceil($a))',
  'f32.floor': 'Math.fround(Math.floor($a))',
  'f32.trunc': 'Math.fround(Math.trunc($a))',
  'f32.nearest': 'Math.fround(nearest($a))',
  'f32.sqrt': 'Math.fround(Math.sqrt($a))',
  'f32.add': 'Math.fround($a+$b)',
  'f32.sub': 'Math.fround($a-$b)',
  'f32.mul': 'Math.fround($a*$b)',
  'f32.div': 'Math.fround($a/$b)',
  'f32.min': 'Math.fround(Math.min($a,$b))',
  'f32.max': 'Math.fround(Math.max($a,$b))',
  'f32.copysign': 'copysign($a,$b)',
  'f32.convert_i32_s': 'Math.fround($a)',
  'f32.convert_i32_u': 'Math.fround($a>>>32)',
  'f32.convert_i64_s': 'convs64f32($a,$ah)',
  'f32.convert_i64_u': 'convu64f32($a,$ah)',
  'f32.demote_f64': 'Math.fround($a)',
  'f32.reinterpret_i32': 'f32frombits($a)',

  // f64
  'f64.eq': '($a===$b)|0',
  'f64.ne': '($a!==$b)|0',
  'f64.lt': '($a<$b)|0',
  'f64.gt': '($a>$b)|0',
  'f64.le': '($a<=$b)|0',
  'f64.ge': '($a>=$b)|0',
  'f64.abs': 'Math.abs($a)',
  'f64.neg': '-$a',
  'f64.ceil': '$a===$a?Math.ceil($a):$a+$a',
  'f64.floor': '$a===$a?Math.floor($a):$a+$a',
  'f64.trunc': '$a===$a?Math.trunc($a):$a+$a',
  'f64.nearest': '$a===$a?nearest($a):$a+$a',
  'f64.sqrt': 'Math.sqrt($a)',
  'f64.add': '$a+$b',
  'f64.sub': '$a-$b',
  'f64.mul': '$a*$b',
  'f64.div': '$a/$b',
  'f64.min': 'fmin($a,$b)',
  'f64.max': 'fmax($a,$b)',
  'f64.copysign': 'copysign($a,$b)',
  'f64.convert_i32_s': '$a',
  'f64.convert_i32_u': '($a>>>32)',
  'f64.convert_i64_s': '$ah*4294967296+($a>>>32)',
  'f64.convert_i64_u': '($ah>>>32)*4294967296+($a>>>32)',
  'f64.promote_f32': '$a===$a?$a:$a+$a',
  'f64.reinterpret_i64': 'f64frombits($a,$ah)',
};

/**
 * Comparisons tested by a branch (br_if, if, select) where that differs from the value form
 * above: the i64 orderings short-circuit on the high halves, which decide most branches alone
 * (SQLite A/B against the old templates: 0.98-1.00 with these, 1.00-1.03 with the bitwise
 * form in branches too).
 */
export const conditionTemplates: Record<string, string> = {
  'i64.lt_s': '($ah<$bh||($ah===$bh&&($a>>>32)<($b>>>32)))',
  'i64.lt_u': '(($ah>>>32)<($bh>>>32)||($ah===$bh&&($a>>>32)<($b>>>32)))',
  'i64.gt_s': '($ah>$bh||($ah===$bh&&($a>>>32)>($b>>>32)))',
  'i64.gt_u': '(($ah>>>32)>($bh>>>32)||($ah===$bh&&($a>>>32)>($b>>>32)))',
  'i64.le_s': '($ah<$bh||($ah===$bh&&($a>>>32)<=($b>>>32)))',
  'i64.le_u': '(($ah>>>32)<($bh>>>32)||($ah===$bh&&($a>>>32)<=($b>>>32)))',
  'i64.ge_s': '($ah>$bh||($ah===$bh&&($a>>>32)>=($b>>>32)))',
  'i64.ge_u': '(($ah>>>32)>($bh>>>32)||($ah===$bh&&($a>>>32)>=($b>>>32)))',
};

/** Memory access templates: $e is the effective address (a JS number), $v/$vh the value. */
export const loadTemplates: Record<string, string> = {
  'i32.load': '$r=M.getInt32($e,true);',
  'i64.load': '$rh=M.getInt32($e+4,true);$r=M.getInt32($e,true);',
  // $r may share its variable with the address: keep the address in t0 for the NaN reload.
  'f32.load': 't0=$e;$r=M.getFloat32(t0,true);if($r!==$r)$r=f32frombits(M.getInt32(t0,true));',
  'f64.load': '$r=M.getFloat64($e,true);',
  'i32.load8_s': '$r=M.getInt8($e);',
  'i32.load8_u': '$r=M.getUint8($e);',
  'i32.load16_s': '$r=M.getInt16($e,true);',
  'i32.load16_u': '$r=M.getUint16($e,true);',
  'i64.load8_s': '$r=M.getInt8($e);$rh=$r>>31;',
  'i64.load8_u': '$r=M.getUint8($e);$rh=0;',
  'i64.load16_s': '$r=M.getInt16($e,true);$rh=$r>>31;',
  'i64.load16_u': '$r=M.getUint16($e,true);$rh=0;',
  'i64.load32_s': '$r=M.getInt32($e,true);$rh=$r>>31;',
  'i64.load32_u': '$r=M.getInt32($e,true);$rh=0;',
};

export const storeTemplates: Record<string, string> = {
  'i32.store': 'M.setInt32($e,$v,true);',
  // High word first: if it is out of bounds nothing has been written.
  'i64.store': 'M.setInt32($e+4,$vh,true);M.setInt32($e,$v,true);',
  'f32.store': 'if($v===$v)M.setFloat32($e,$v,true);else M.setInt32($e,f32bits($v),true);',
  'f64.store': 'M.setFloat64($e,$v,true);',
  'i32.store8': 'M.setInt8($e,$v);',
  'i32.store16': 'M.setInt16($e,$v,true);',
  'i64.store8': 'M.setInt8($e,$v);',
  'i64.store16': 'M.setInt16($e,$v,true);',
  'i64.store32': 'M.setInt32($e,$v,true);',
};
