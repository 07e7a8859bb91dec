// One call from an OCI image (layout directory or tar) to what running it needs: the image
// resolved for a Wasm platform, its layers unpacked into a rootfs directory, and the process
// its config describes (with the entry rewritten to a Wasm layer's file when the image ships
// its module as a Wasm blob layer and names no entrypoint). For `tswasm-shim` without containerd.
import { Platform } from './image-layout';
import { ImageLayout, imageProcess, ImageProcess, ResolvedImage } from './image-reader';
import { unpackImage, UnpackedImage } from './image-unpack';

export interface PreparedImage extends ImageProcess {
  image: ResolvedImage;
  rootfs: string;
  wasmModules: UnpackedImage['wasmModules'];
}

export interface PrepareOptions {
  /** image name or ref name inside the layout (any when omitted) */
  name?: string;
  /** acceptable platforms, most preferred first (Wasm platforms when omitted) */
  platforms?: readonly Platform[];
}

/** Resolves the image in `source`, unpacks it into `rootfs` and returns what to run. */
export async function prepareImage(
  source: string,
  rootfs: string,
  options: PrepareOptions = {},
): Promise<PreparedImage> {
  const layout = await ImageLayout.open(source);
  const image = layout.resolve(options);
  const { wasmModules } = await unpackImage(layout, image, rootfs);
  const process = imageProcess(image);
  // a Wasm-layer image often has no entrypoint: its module is the entry
  if (process.args.length === 0 && wasmModules.length > 0) process.args = [wasmModules[0].path];
  return { ...process, image, rootfs, wasmModules };
}
