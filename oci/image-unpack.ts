// Unpacks an image's layers into a directory, as a snapshotter would: tar layers (plain or
// gzip) in order with OCI whiteouts (`.wh.NAME` deletes NAME from lower layers, `.wh..wh..opq`
// empties a directory of lower-layer content), and Wasm blob layers written as files. Every
// path stays inside the root: `..` is clamped and symlinks are resolved within the root.
import * as fs from 'fs';
import * as path from 'path';
import type * as tar from 'tar-stream';
import { annotationTitle, Descriptor } from './image-layout';
import { readTarEntries } from './tar';
import { ImageError, ImageLayout, isWasmLayer, ResolvedImage } from './image-reader';

const whiteoutPrefix = '.wh.';
const opaqueMarker = '.wh..wh..opq';
const maxSymlinks = 40;

export interface UnpackedImage {
  /** Wasm blob layers, as files in the root (named by their title annotation when safe) */
  wasmModules: { path: string; digest: string; mediaType: string }[];
}

interface LayerItem {
  /** normalized, relative to the root, never empty */
  name: string;
  type: tar.Header['type'];
  mode: number;
  linkname: string;
  data: Buffer;
}

/** Applies every layer of `image` to `root` (created if missing). */
export async function unpackImage(
  layout: ImageLayout,
  image: ResolvedImage,
  root: string,
): Promise<UnpackedImage> {
  fs.mkdirSync(root, { recursive: true });
  const wasmModules: UnpackedImage['wasmModules'] = [];
  for (const layer of image.layers) {
    const blob = layout.blob(layer);
    if (isWasmLayer(layer)) {
      const name = wasmLayerFileName(layer);
      const file = secureJoin(root, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      removeExisting(file);
      fs.writeFileSync(file, blob, { mode: 0o755 });
      wasmModules.push({ path: `/${name}`, digest: layer.digest, mediaType: layer.mediaType });
    } else {
      await applyLayer(root, blob, layer.mediaType);
    }
  }
  return { wasmModules };
}

/** Applies one tar layer (gzip is recognised by its magic bytes) on top of `root`. */
export async function applyLayer(root: string, blob: Buffer, mediaType = 'tar'): Promise<void> {
  if (mediaType.endsWith('+zstd') || mediaType.endsWith('.zstd')) {
    throw new ImageError(`layer media type ${mediaType}: zstd layers are not supported`);
  }
  const items = await readLayer(blob);
  // whiteouts hide lower layers only, so they go first, opaque directories before single names
  for (const item of items) {
    if (path.posix.basename(item.name) === opaqueMarker) {
      const dir = secureJoin(root, path.posix.dirname(item.name));
      if (isDirectory(dir)) {
        for (const child of fs.readdirSync(dir)) removeExisting(path.join(dir, child));
      }
    }
  }
  for (const item of items) {
    const base = path.posix.basename(item.name);
    if (base.startsWith(whiteoutPrefix) && base !== opaqueMarker) {
      const hidden = path.posix.join(
        path.posix.dirname(item.name),
        base.slice(whiteoutPrefix.length),
      );
      removeExisting(secureJoin(root, hidden));
    }
  }
  const directories: { file: string; mode: number }[] = [];
  for (const item of items) {
    if (path.posix.basename(item.name).startsWith(whiteoutPrefix)) continue;
    const file = secureJoin(root, item.name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    switch (item.type) {
      case 'directory':
        if (!isDirectory(file)) {
          removeExisting(file);
          fs.mkdirSync(file);
        }
        directories.push({ file, mode: item.mode });
        break;
      case 'file':
      case 'contiguous-file':
        removeExisting(file);
        fs.writeFileSync(file, item.data, { mode: item.mode & 0o7777 });
        fs.chmodSync(file, item.mode & 0o7777); // writeFileSync's mode is masked by the umask
        break;
      case 'symlink':
        removeExisting(file);
        fs.symlinkSync(item.linkname, file);
        break;
      case 'link': {
        const target = secureJoin(root, normalizeName(item.linkname));
        if (!fs.existsSync(target)) {
          throw new ImageError(`layer: hard link ${item.name} to missing ${item.linkname}`);
        }
        removeExisting(file);
        fs.linkSync(target, file);
        break;
      }
      default:
        // devices and FIFOs mean nothing to a Wasm module; leave them out
        break;
    }
  }
  // directory modes last: a read-only directory must not block writing its own entries
  for (const { file, mode } of directories) fs.chmodSync(file, mode & 0o7777);
}

/** The file name a Wasm layer gets: its title annotation when it is a plain name. */
function wasmLayerFileName(layer: Descriptor): string {
  const title = layer.annotations?.[annotationTitle];
  if (title && /^[A-Za-z0-9._-]+$/.test(title) && title !== '.' && title !== '..') return title;
  return `${layer.digest.replace(/^[^:]*:/, '').slice(0, 12)}.wasm`;
}

/** A layer's entries (gunzipped first if needed), names normalized; the root itself left out. */
async function readLayer(blob: Buffer): Promise<LayerItem[]> {
  const items: LayerItem[] = [];
  for (const { header, data } of await readTarEntries(blob)) {
    const name = normalizeName(header.name);
    if (name === '') continue;
    items.push({
      name,
      type: header.type,
      mode: header.mode ?? (header.type === 'directory' ? 0o755 : 0o644),
      linkname: header.linkname ?? '',
      data,
    });
  }
  return items;
}

/** A tar entry name relative to the root, with `..` clamped at the root ('' for the root). */
function normalizeName(name: string): string {
  return path.posix.normalize(`/${name}`).replace(/^\/+/, '').replace(/\/+$/, '');
}

/**
 * The host path of `relative` inside `root`, following symlinks in its parent directories as
 * if `root` were `/` (so no link can lead out). The last component is not followed.
 */
export function secureJoin(root: string, relative: string): string {
  const pending = normalizeName(relative).split('/').filter(Boolean);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = path.join(root, ...resolved, part);
    if (pending.length > 0) {
      let stat: fs.Stats | undefined;
      try {
        stat = fs.lstatSync(candidate);
      } catch {
        stat = undefined;
      }
      if (stat?.isSymbolicLink()) {
        if (++links > maxSymlinks) throw new ImageError(`too many symlinks under ${relative}`);
        const target = fs.readlinkSync(candidate);
        if (target.startsWith('/')) resolved.length = 0;
        pending.unshift(...target.split('/').filter(Boolean));
        continue;
      }
    }
    resolved.push(part);
  }
  return path.join(root, ...resolved);
}

function isDirectory(file: string): boolean {
  try {
    return fs.lstatSync(file).isDirectory();
  } catch {
    return false;
  }
}

function removeExisting(file: string): void {
  fs.rmSync(file, { recursive: true, force: true });
}
