// Validation of constant expressions (global initialisers, element and data segment offsets,
// element items): only t.const, v128.const, ref.null, ref.func and global.get of an imported
// immutable global, leaving exactly one value of the expected type.
import { ConstExpr, ValType } from '../model';
import { BinaryReader } from '../binary/reader';
import { ValidationError } from './errors';
import { ModuleContext, isRefType, typeListName, typeName } from './context';

/**
 * Validates `expr` as a constant of type `expected`. `where` names the construct in errors.
 * Every ref.func it holds is added to `ctx.refs` (C.refs counts references outside bodies).
 */
export function validateConstExpr(
  ctx: ModuleContext,
  expr: ConstExpr,
  expected: ValType,
  where: string,
): void {
  const r = new BinaryReader(ctx.module.bytes, expr.start, expr.end);
  const stack: number[] = [];
  const fail = (reason: string, at: number): never => {
    throw new ValidationError(reason, at, undefined, where);
  };
  for (;;) {
    const at = r.pos;
    const op = r.u8();
    switch (op) {
      case 0x0b: // end
        if (stack.length !== 1 || stack[0] !== expected) {
          fail(
            `type mismatch: constant expression must leave [${typeName(expected)}], leaves ${typeListName(stack)}`,
            at,
          );
        }
        return;
      case 0x41:
        r.s32();
        stack.push(ValType.i32);
        break;
      case 0x42:
        r.s64();
        stack.push(ValType.i64);
        break;
      case 0x43:
        r.bytesOf(4);
        stack.push(ValType.f32);
        break;
      case 0x44:
        r.bytesOf(8);
        stack.push(ValType.f64);
        break;
      case 0xfd: {
        if (r.u32() !== 0x0c) fail('constant expression required', at);
        r.bytesOf(16);
        stack.push(ValType.v128);
        break;
      }
      case 0xd0: {
        const t = r.u8();
        if (!isRefType(t)) r.fail('malformed reference type', r.pos - 1);
        stack.push(t);
        break;
      }
      case 0xd2: {
        const index = r.u32();
        if (index >= ctx.funcs.length) fail(`unknown function ${index}`, at);
        ctx.refs[index] = 1;
        stack.push(ValType.funcref);
        break;
      }
      case 0x23: {
        const index = r.u32();
        // Wasm 2.0: constant expressions see only the imported globals.
        if (index >= ctx.importedGlobalCount) fail(`unknown global ${index}`, at);
        const global = ctx.globals[index];
        if (global.mutable) fail('constant expression required', at);
        stack.push(global.valType);
        break;
      }
      default:
        fail('constant expression required', at);
    }
  }
}
