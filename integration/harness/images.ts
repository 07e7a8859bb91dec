// The images integration tests run, made in the test: OCI image layout tars written with
// oci/image-writer from Wasm fixtures (os wasip1, architecture wasm) and from static native
// programs (linux/amd64, for runc), imported into a private containerd with `ctr image import`.
import * as fs from 'fs';
import * as path from 'path';
import { LayerEntry, writeLayoutTar } from '../../oci/image-writer';
import { Containerd } from './containerd';
import { nativeProgram, wasmFixture } from './repo';

/** The platform Wasm images carry; `ctr` selects them with `--platform wasip1/wasm`. */
export const wasmPlatform = 'wasip1/wasm';

/** The Wasm programs every test image holds at its root (`/hello.wasm`, ...). */
export const wasmPrograms = [
  'hello',
  'cat',
  'busy',
  'sleep',
  'env',
  'read',
  'grow',
  'trap',
] as const;
export type WasmProgram = (typeof wasmPrograms)[number];

/** The image name for a Wasm program: its entrypoint is `/<program>.wasm`. */
export function wasmImage(program: WasmProgram): string {
  return `docker.io/tswasm-test/${program}:latest`;
}

export const nativeHelloImage = 'docker.io/library/native-hello:latest';
export const nativeSleepImage = 'docker.io/library/native-sleep:latest';
/** An image whose entrypoint is a plain text file: tswasm must refuse it by name. */
export const notWasmImage = 'docker.io/tswasm-test/not-wasm:latest';

/** A file every Wasm test image holds, for the read program. */
export const greetingFile = { path: '/etc/greeting.txt', data: "Hello from the image's rootfs\n" };

function wasmFiles(): LayerEntry[] {
  return [
    ...wasmPrograms.map((program) => ({
      path: `${program}.wasm`,
      data: wasmFixture(`integ_${program}`),
      mode: 0o755,
    })),
    { path: 'etc', type: 'directory' },
    { path: greetingFile.path, data: greetingFile.data },
  ];
}

/** Writes the layout tar of every test image into `dir`; returns the tar paths. */
export async function writeTestImages(dir: string): Promise<{ wasm: string; native: string }> {
  const files = wasmFiles();
  const wasmImages = wasmPrograms.map((program) => ({
    name: wasmImage(program),
    platform: { os: 'wasip1', architecture: 'wasm' },
    config: { Entrypoint: [`/${program}.wasm`], Env: ['PATH=/'] },
    layers: [{ kind: 'tar' as const, entries: files }],
  }));
  wasmImages.push({
    name: notWasmImage,
    platform: { os: 'wasip1', architecture: 'wasm' },
    config: { Entrypoint: ['/readme.txt'], Env: ['PATH=/'] },
    layers: [
      {
        kind: 'tar' as const,
        entries: [{ path: 'readme.txt', data: 'not a Wasm module\n', mode: 0o755 }],
      },
    ],
  });
  const wasm = path.join(dir, 'wasm-images.tar');
  fs.writeFileSync(wasm, await writeLayoutTar({ images: wasmImages }));

  const native = path.join(dir, 'native-images.tar');
  const linux = { os: 'linux', architecture: 'amd64' };
  fs.writeFileSync(
    native,
    await writeLayoutTar({
      images: [
        {
          name: nativeHelloImage,
          platform: linux,
          config: { Entrypoint: ['/hello'] },
          layers: [
            {
              kind: 'tar',
              gzip: true,
              entries: [{ path: 'hello', data: nativeProgram('native_hello'), mode: 0o755 }],
            },
          ],
        },
        {
          name: nativeSleepImage,
          platform: linux,
          config: { Entrypoint: ['/sleep'] },
          layers: [
            {
              kind: 'tar',
              gzip: true,
              entries: [{ path: 'sleep', data: nativeProgram('native_sleep'), mode: 0o755 }],
            },
          ],
        },
      ],
    }),
  );
  return { wasm, native };
}

/** Imports the Wasm test images (platform wasip1/wasm) into `containerd`. */
export async function importWasmImages(containerd: Containerd): Promise<void> {
  const { wasm } = await writeTestImages(containerd.dir);
  await containerd.ctrOk(['image', 'import', '--platform', wasmPlatform, wasm]);
}

/** Imports the native test images (linux/amd64) into `containerd`. */
export async function importNativeImages(containerd: Containerd): Promise<void> {
  const { native } = await writeTestImages(containerd.dir);
  await containerd.ctrOk(['image', 'import', native]);
}
