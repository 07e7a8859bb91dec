// Writes OCI image layouts (as a tar archive or a directory) from files held in memory: used
// to make test images (containerd imports the tar with `ctr image import`) and to package a
// Wasm module as an image. Layers are tars (optionally gzipped) or raw Wasm blobs.
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import * as tar from 'tar-stream';
import {
  annotationImageName,
  annotationRefName,
  annotationTitle,
  blobPath,
  Descriptor,
  ImageConfig,
  ImageIndex,
  ImageManifest,
  ImageRunConfig,
  MediaType,
  Platform,
  sha256Digest,
} from './image-layout';

/** One entry of a tar layer. Directories and symlinks carry no data. */
export interface LayerEntry {
  path: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  data?: Uint8Array | string;
  mode?: number;
  linkname?: string;
}

export type LayerToWrite =
  | { kind: 'tar'; entries: LayerEntry[]; gzip?: boolean }
  /** a raw Wasm blob layer; `title` becomes the org.opencontainers.image.title annotation */
  | { kind: 'wasm'; data: Uint8Array; mediaType?: string; title?: string };

export interface ImageToWrite {
  /** full name, e.g. `docker.io/library/hello:latest`; also sets the ref name annotation */
  name?: string;
  platform: Platform;
  config?: ImageRunConfig;
  layers: LayerToWrite[];
  /** false leaves `platform` out of the index descriptor (only the config then says it) */
  platformInIndex?: boolean;
}

export interface LayoutToWrite {
  images: ImageToWrite[];
  /**
   * Put the manifests behind one image index blob named `name` (as registries serve
   * multi-platform images) instead of listing them in index.json directly.
   */
  multiPlatform?: { name?: string };
}

/** Blobs by digest plus the index.json that names the top-level descriptors. */
export interface BuiltLayout {
  index: ImageIndex;
  blobs: Map<string, Buffer>;
}

const fixedTime = new Date(0); // reproducible archives: same input, same digests

/** A tar archive of the given entries, in memory. */
export async function tarEntries(entries: LayerEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (chunk) => chunks.push(chunk as Buffer));
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const data = entry.data === undefined ? Buffer.alloc(0) : Buffer.from(entry.data);
    const header: Partial<tar.Header> & { name: string } = {
      name: entry.path.replace(/^\/+/, ''),
      type,
      mode: entry.mode ?? (type === 'directory' ? 0o755 : 0o644),
      mtime: fixedTime,
      uid: 0,
      gid: 0,
    };
    if (entry.linkname !== undefined) header.linkname = entry.linkname;
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (type === 'file') pack.entry(header, data, done);
      else pack.entry(header, done);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

function jsonBlob(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** Builds every blob of the layout in memory. */
export async function buildLayout(layout: LayoutToWrite): Promise<BuiltLayout> {
  const blobs = new Map<string, Buffer>();
  const add = (mediaType: string, data: Buffer, extra: Partial<Descriptor> = {}): Descriptor => {
    const digest = sha256Digest(data);
    blobs.set(digest, data);
    return { mediaType, digest, size: data.length, ...extra };
  };

  const manifests: Descriptor[] = [];
  for (const image of layout.images) {
    const layers: Descriptor[] = [];
    const diffIds: string[] = [];
    for (const layer of image.layers) {
      if (layer.kind === 'wasm') {
        const data = Buffer.from(layer.data);
        const annotations = layer.title ? { [annotationTitle]: layer.title } : undefined;
        layers.push(add(layer.mediaType ?? MediaType.wasmLayer, data, { annotations }));
        diffIds.push(sha256Digest(data));
      } else {
        const plain = await tarEntries(layer.entries);
        diffIds.push(sha256Digest(plain));
        layers.push(
          layer.gzip
            ? add(MediaType.layerTarGzip, zlib.gzipSync(plain))
            : add(MediaType.layerTar, plain),
        );
      }
    }
    const config: ImageConfig = {
      os: image.platform.os,
      architecture: image.platform.architecture,
      ...(image.platform.variant ? { variant: image.platform.variant } : {}),
      created: fixedTime.toISOString(),
      config: image.config ?? {},
      rootfs: { type: 'layers', diff_ids: diffIds },
    };
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.manifest,
      config: add(MediaType.config, jsonBlob(config)),
      layers,
    };
    const annotations = image.name
      ? { [annotationImageName]: image.name, [annotationRefName]: refName(image.name) }
      : undefined;
    const platform = image.platformInIndex === false ? undefined : image.platform;
    manifests.push(
      add(MediaType.manifest, jsonBlob(manifest), {
        ...(platform ? { platform } : {}),
        ...(annotations && !layout.multiPlatform ? { annotations } : {}),
      }),
    );
  }

  if (layout.multiPlatform) {
    const inner: ImageIndex = { schemaVersion: 2, mediaType: MediaType.index, manifests };
    const name = layout.multiPlatform.name;
    const annotations = name
      ? { [annotationImageName]: name, [annotationRefName]: refName(name) }
      : undefined;
    const top = add(MediaType.index, jsonBlob(inner), annotations ? { annotations } : {});
    return { index: { schemaVersion: 2, manifests: [top] }, blobs };
  }
  return { index: { schemaVersion: 2, manifests }, blobs };
}

/** The tag part of a full image name (`latest` for `docker.io/library/x:latest`). */
function refName(name: string): string {
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > slash ? name.slice(colon + 1) : 'latest';
}

/** The layout as one tar archive (what `ctr image import` and `docker load` read). */
export async function writeLayoutTar(layout: LayoutToWrite): Promise<Buffer> {
  const built = await buildLayout(layout);
  const entries: LayerEntry[] = [
    { path: 'oci-layout', data: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
    { path: 'index.json', data: JSON.stringify(built.index) },
    { path: 'blobs', type: 'directory' },
    { path: 'blobs/sha256', type: 'directory' },
  ];
  for (const [digest, data] of built.blobs) entries.push({ path: blobPath(digest), data });
  return tarEntries(entries);
}

/** The layout as a directory (created if missing). */
export async function writeLayoutDir(layout: LayoutToWrite, dir: string): Promise<void> {
  const built = await buildLayout(layout);
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(built.index));
  for (const [digest, data] of built.blobs) {
    const file = path.join(dir, blobPath(digest));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data);
  }
}
