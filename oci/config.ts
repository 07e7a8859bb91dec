// The part of the OCI runtime spec (a bundle's config.json) that tswasm reads, and reading it
// from a bundle directory. Fields we do not use are left out; unknown fields are ignored.
import * as fs from 'fs';
import * as path from 'path';

export interface OciProcess {
  args?: string[];
  env?: string[];
  cwd?: string;
  terminal?: boolean;
  user?: { uid?: number; gid?: number };
}

export interface OciRoot {
  path: string;
  readonly?: boolean;
}

export interface OciMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface OciLinuxResources {
  memory?: { limit?: number; reservation?: number; swap?: number };
  cpu?: { shares?: number; quota?: number; period?: number };
}

export interface OciSpec {
  ociVersion?: string;
  process?: OciProcess;
  root?: OciRoot;
  hostname?: string;
  mounts?: OciMount[];
  annotations?: Record<string, string>;
  linux?: { resources?: OciLinuxResources };
}

/** A config.json that cannot be read or does not have the shape of an OCI runtime spec. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and checks `<bundle>/config.json`. */
export function readBundleConfig(bundle: string): OciSpec {
  const file = path.join(bundle, 'config.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseConfig(text, file);
}

/** Parses config.json text; `source` names it in error messages. */
export function parseConfig(text: string, source = 'config.json'): OciSpec {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(value)) throw new ConfigError(`${source} is not a JSON object`);
  checkProcess(value.process, source);
  if (value.annotations !== undefined && !isStringMap(value.annotations))
    throw new ConfigError(`${source}: annotations must map strings to strings`);
  if (value.root !== undefined && (!isObject(value.root) || typeof value.root.path !== 'string'))
    throw new ConfigError(`${source}: root.path must be a string`);
  return value as OciSpec;
}

/** Checks a process object (config.json's `process`, or an exec's process spec). */
export function checkProcess(
  value: unknown,
  source: string,
): asserts value is OciProcess | undefined {
  if (value === undefined) return;
  if (!isObject(value)) throw new ConfigError(`${source}: process must be an object`);
  if (value.args !== undefined && !isStringArray(value.args))
    throw new ConfigError(`${source}: process.args must be an array of strings`);
  if (value.env !== undefined && !isStringArray(value.env))
    throw new ConfigError(`${source}: process.env must be an array of strings`);
  if (value.cwd !== undefined && typeof value.cwd !== 'string')
    throw new ConfigError(`${source}: process.cwd must be a string`);
}

/** Parses an exec's process spec (the JSON inside ExecProcessRequest.spec). */
export function parseProcess(text: string, source = 'exec process spec'): OciProcess {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(value)) throw new ConfigError(`${source} is not a JSON object`);
  checkProcess(value, source);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function isStringMap(value: unknown): value is Record<string, string> {
  return isObject(value) && Object.values(value).every((v) => typeof v === 'string');
}
