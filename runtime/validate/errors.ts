// The error the validator throws: which function (if any), which instruction offset, and the
// reason in the wording of the spec test suite ("type mismatch", "unknown local 3", ...), so
// spec-test expectations can be matched against `reason` directly.

export class ValidationError extends Error {
  constructor(
    /** The spec's wording, e.g. "type mismatch" or "unknown function 7". */
    readonly reason: string,
    /** Absolute byte offset of the offending instruction or construct. */
    readonly offset?: number,
    /** Index of the function (imports included) whose body is invalid. */
    readonly funcIndex?: number,
    /** Where, in words, when not a function body ("data segment 2", "export \"f\""). */
    where?: string,
    functionName?: string,
    /** The offending instruction's name, when known (e.g. "i32.add"). */
    instruction?: string,
  ) {
    super(describe(reason, offset, funcIndex, where, functionName, instruction));
    this.name = 'ValidationError';
  }
}

function describe(
  reason: string,
  offset: number | undefined,
  funcIndex: number | undefined,
  where: string | undefined,
  functionName: string | undefined,
  instruction: string | undefined,
): string {
  const parts: string[] = [];
  if (funcIndex !== undefined) {
    parts.push(
      functionName === undefined
        ? `function ${funcIndex}`
        : `function ${funcIndex} ${JSON.stringify(functionName)}`,
    );
  } else if (where !== undefined) {
    parts.push(where);
  }
  if (offset !== undefined) parts.push(`at 0x${offset.toString(16)}`);
  if (instruction !== undefined) parts.push(`(${instruction})`);
  return parts.length === 0 ? reason : `${parts.join(' ')}: ${reason}`;
}
