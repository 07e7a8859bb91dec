// The OCI image layout and image-spec shapes that the image reader and writer share: media
// types, descriptors, index, manifest, image config and platform, plus content digests.
// Spec: github.com/opencontainers/image-spec (image-layout.md, manifest.md, config.md).
import { createHash } from 'crypto';

/** Media types the reader and writer know, by what they are. */
export const MediaType = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerTar: 'application/vnd.oci.image.layer.v1.tar',
  layerTarGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerTarGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  /** A layer that is one Wasm module (wasm-to-oci, runwasi). */
  wasmLayer: 'application/vnd.wasm.content.layer.v1+wasm',
  /** A layer that is one Wasm module (plain). */
  wasm: 'application/wasm',
  /** A layer that is one Wasm component (Bytecode Alliance wkg). */
  wasmComponentLayer: 'application/vnd.bytecodealliance.wasm.component.layer.v0+wasm',
} as const;

/** Layer media types whose blob is a Wasm binary rather than a tar. */
export const wasmLayerMediaTypes: ReadonlySet<string> = new Set([
  MediaType.wasmLayer,
  MediaType.wasm,
  MediaType.wasmComponentLayer,
]);

/** Media types of image indexes (a list of manifests, usually one per platform). */
export const indexMediaTypes: ReadonlySet<string> = new Set([
  MediaType.index,
  MediaType.dockerManifestList,
]);

/** Media types of image manifests (config + layers). */
export const manifestMediaTypes: ReadonlySet<string> = new Set([
  MediaType.manifest,
  MediaType.dockerManifest,
]);

/** Annotation holding the full image name (containerd's `ctr image import` reads it). */
export const annotationImageName = 'io.containerd.image.name';
/** Annotation holding the reference name or tag (image-spec). */
export const annotationRefName = 'org.opencontainers.image.ref.name';
/** Annotation naming a layer's file (wasm-to-oci uses it for the module's name). */
export const annotationTitle = 'org.opencontainers.image.title';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
  urls?: string[];
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** The runtime part of an image config (`config` in the image config JSON). */
export interface ImageRunConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
}

export interface ImageConfig {
  os: string;
  architecture: string;
  variant?: string;
  created?: string;
  config?: ImageRunConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: unknown[];
}

/** `sha256:<hex>` of some bytes. */
export function sha256Digest(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The layout path of a blob: `blobs/<algorithm>/<hex>`; rejects digests that could escape. */
export function blobPath(digest: string): string {
  const match = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/.exec(digest);
  if (!match) throw new Error(`invalid digest "${digest}"`);
  return `blobs/${match[1]}/${match[2]}`;
}
