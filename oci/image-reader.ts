// Reads an OCI image layout (a directory, or a tar of one as `ctr image export` and
// `docker save` in OCI mode write it): index.json → (image index →) manifest for the wanted
// platform → config and layers. Blobs are checked against their digest and size. Used to run
// an image without containerd (`tswasm-shim`), and by tests.
import * as fs from 'fs';
import * as path from 'path';
import {
  annotationImageName,
  annotationRefName,
  blobPath,
  Descriptor,
  ImageConfig,
  ImageIndex,
  ImageManifest,
  indexMediaTypes,
  manifestMediaTypes,
  Platform,
  sha256Digest,
  wasmLayerMediaTypes,
} from './image-layout';
import { readTarEntries } from './tar';

/** Platforms a Wasm image is published for, most preferred first. */
export const wasmPlatforms: readonly Platform[] = [
  { os: 'wasip1', architecture: 'wasm' },
  { os: 'wasi', architecture: 'wasm' },
];

export class ImageError extends Error {
  override name = 'ImageError';
}

export interface ResolveOptions {
  /** full image name (`docker.io/library/x:latest`) or ref name (`latest`); any when omitted */
  name?: string;
  /** acceptable platforms, most preferred first; Wasm platforms when omitted */
  platforms?: readonly Platform[];
}

/** One image picked out of a layout: its manifest, config and layers. */
export interface ResolvedImage {
  name?: string;
  manifestDigest: string;
  manifest: ImageManifest;
  config: ImageConfig;
  platform: Platform;
  /** layers in order, bottom first (tar layers and Wasm blobs alike) */
  layers: Descriptor[];
  /** the layers whose blob is a Wasm module or component, not a tar */
  wasmLayers: Descriptor[];
}

/** What an image asks to run, from its config. */
export interface ImageProcess {
  args: string[];
  env: string[];
  cwd: string;
}

/** Where the layout's files come from: a directory, or a tar read into memory. */
interface LayoutFiles {
  read(relative: string): Buffer | undefined;
}

export class ImageLayout {
  private constructor(
    private readonly files: LayoutFiles,
    readonly source: string,
  ) {}

  /** Opens a layout directory or a layout tar (plain or gzipped). */
  static async open(source: string): Promise<ImageLayout> {
    const stat = fs.statSync(source);
    if (stat.isDirectory()) {
      return new ImageLayout(
        {
          read: (relative) => {
            const file = path.join(source, relative);
            return fs.existsSync(file) ? fs.readFileSync(file) : undefined;
          },
        },
        source,
      );
    }
    const entries = await readTar(fs.readFileSync(source));
    return new ImageLayout({ read: (relative) => entries.get(relative) }, source);
  }

  /** Wraps layout files already in memory (path → bytes), e.g. from a tar extracted elsewhere. */
  static fromFiles(files: Map<string, Buffer>, source = 'memory'): ImageLayout {
    return new ImageLayout({ read: (relative) => files.get(relative) }, source);
  }

  index(): ImageIndex {
    const data = this.files.read('index.json');
    if (!data) throw new ImageError(`${this.source}: no index.json (not an OCI image layout)`);
    const index = parseJson<ImageIndex>(data, `${this.source}: index.json`);
    if (!Array.isArray(index.manifests)) {
      throw new ImageError(`${this.source}: index.json has no manifests list`);
    }
    return index;
  }

  /** The blob a descriptor names, checked against its size and digest. */
  blob(descriptor: Descriptor): Buffer {
    const data = this.files.read(blobPath(descriptor.digest));
    if (!data) throw new ImageError(`${this.source}: blob ${descriptor.digest} is missing`);
    if (data.length !== descriptor.size) {
      throw new ImageError(
        `${this.source}: blob ${descriptor.digest} is ${data.length} bytes, descriptor says ${descriptor.size}`,
      );
    }
    if (descriptor.digest.startsWith('sha256:') && sha256Digest(data) !== descriptor.digest) {
      throw new ImageError(`${this.source}: blob ${descriptor.digest} does not match its digest`);
    }
    return data;
  }

  /** Names of the images index.json lists (from their annotations). */
  names(): string[] {
    return this.index()
      .manifests.map(descriptorName)
      .filter((name): name is string => name !== undefined);
  }

  /** Picks the image named `options.name` for the first acceptable platform. */
  resolve(options: ResolveOptions = {}): ResolvedImage {
    const wanted = options.platforms ?? wasmPlatforms;
    let candidates = this.index().manifests;
    if (options.name !== undefined) {
      candidates = candidates.filter((d) => matchesName(d, options.name!));
      if (candidates.length === 0) {
        const known = this.names();
        throw new ImageError(
          `${this.source}: no image named "${options.name}"` +
            (known.length ? ` (it has ${known.join(', ')})` : ''),
        );
      }
    }
    const found: { descriptor: Descriptor; platform: Platform; name?: string }[] = [];
    for (const descriptor of candidates) {
      this.collectManifests(descriptor, descriptorName(descriptor), found, 0);
    }
    for (const platform of wanted) {
      const match = found.find((m) => platformMatches(m.platform, platform));
      if (match) return this.load(match.descriptor, match.platform, match.name);
    }
    const seen = found.map((m) => formatPlatform(m.platform));
    throw new ImageError(
      `${this.source}: no manifest for ${wanted.map(formatPlatform).join(' or ')}` +
        ` (found ${seen.length ? [...new Set(seen)].join(', ') : 'none'})`,
    );
  }

  /** Every manifest below `descriptor` with its platform (from the index or its config). */
  private collectManifests(
    descriptor: Descriptor,
    name: string | undefined,
    found: { descriptor: Descriptor; platform: Platform; name?: string }[],
    depth: number,
  ): void {
    if (depth > 8) throw new ImageError(`${this.source}: image indexes nested too deeply`);
    const mediaType = descriptor.mediaType;
    if (indexMediaTypes.has(mediaType)) {
      const index = parseJson<ImageIndex>(this.blob(descriptor), `index ${descriptor.digest}`);
      for (const child of index.manifests ?? []) {
        this.collectManifests(child, name, found, depth + 1);
      }
    } else if (manifestMediaTypes.has(mediaType)) {
      const platform = descriptor.platform ?? this.configPlatform(descriptor);
      found.push({ descriptor, platform, name });
    }
    // other artifacts (attestations, signatures) are not images to run
  }

  private configPlatform(manifestDescriptor: Descriptor): Platform {
    const manifest = this.manifest(manifestDescriptor);
    const config = this.config(manifest);
    return { os: config.os, architecture: config.architecture, variant: config.variant };
  }

  private manifest(descriptor: Descriptor): ImageManifest {
    const manifest = parseJson<ImageManifest>(
      this.blob(descriptor),
      `manifest ${descriptor.digest}`,
    );
    if (!manifest.config || !Array.isArray(manifest.layers)) {
      throw new ImageError(`${this.source}: manifest ${descriptor.digest} lacks config or layers`);
    }
    return manifest;
  }

  private config(manifest: ImageManifest): ImageConfig {
    return parseJson<ImageConfig>(this.blob(manifest.config), `config ${manifest.config.digest}`);
  }

  private load(descriptor: Descriptor, platform: Platform, name?: string): ResolvedImage {
    const manifest = this.manifest(descriptor);
    return {
      name,
      manifestDigest: descriptor.digest,
      manifest,
      config: this.config(manifest),
      platform,
      layers: manifest.layers,
      wasmLayers: manifest.layers.filter((layer) => isWasmLayer(layer)),
    };
  }
}

/** True when the layer's blob is a Wasm module or component rather than a tar. */
export function isWasmLayer(layer: Descriptor): boolean {
  return wasmLayerMediaTypes.has(layer.mediaType);
}

/** True for images published as Wasm: a Wasm platform, or Wasm layers. */
export function isWasmImage(image: ResolvedImage): boolean {
  return image.platform.architecture === 'wasm' || image.wasmLayers.length > 0;
}

/** The process the image config describes (entrypoint + cmd, env, working dir). */
export function imageProcess(image: ResolvedImage): ImageProcess {
  const run = image.config.config ?? {};
  return {
    args: [...(run.Entrypoint ?? []), ...(run.Cmd ?? [])],
    env: run.Env ?? [],
    cwd: run.WorkingDir || '/',
  };
}

/** `os/architecture[/variant]`, as ctr writes platforms. */
export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** Parses `os/architecture[/variant]`. */
export function parsePlatform(text: string): Platform {
  const [os, architecture, variant] = text.split('/');
  if (!os || !architecture) throw new ImageError(`invalid platform "${text}" (want os/arch)`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

function platformMatches(have: Platform, want: Platform): boolean {
  return (
    have.os === want.os &&
    have.architecture === want.architecture &&
    (want.variant === undefined || have.variant === want.variant)
  );
}

function descriptorName(descriptor: Descriptor): string | undefined {
  return (
    descriptor.annotations?.[annotationImageName] ?? descriptor.annotations?.[annotationRefName]
  );
}

function matchesName(descriptor: Descriptor, name: string): boolean {
  return (
    descriptor.annotations?.[annotationImageName] === name ||
    descriptor.annotations?.[annotationRefName] === name
  );
}

function parseJson<T>(data: Buffer, what: string): T {
  try {
    return JSON.parse(data.toString('utf8')) as T;
  } catch (err) {
    throw new ImageError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

/** The regular files of a tar (gunzipped first if needed), by normalized path. */
async function readTar(data: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const { header, data: content } of await readTarEntries(data)) {
    if (header.type === 'file' || header.type === 'contiguous-file') {
      files.set(path.posix.normalize(header.name).replace(/^\.?\/+/, ''), content);
    }
  }
  return files;
}
