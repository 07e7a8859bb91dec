// The WebAssembly 2.0 validator: `validateModule` checks a decoded module against the spec's
// validation rules (module level and every function body) and throws ValidationError naming
// the function, the instruction offset and the reason in the spec test suite's wording.
// Malformed instruction encodings found while walking bodies throw DecodeError instead.
export { validateModule } from './module';
export { ValidationError } from './errors';
