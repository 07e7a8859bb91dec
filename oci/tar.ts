// Reads a whole tar archive (gunzipped first when it starts with the gzip magic) into memory:
// the one tar-stream loop behind image tars and image layers.
import * as zlib from 'zlib';
import * as tar from 'tar-stream';

export interface TarEntry {
  header: tar.Header;
  data: Buffer;
}

export async function readTarEntries(archive: Buffer): Promise<TarEntry[]> {
  const plain = archive[0] === 0x1f && archive[1] === 0x8b ? zlib.gunzipSync(archive) : archive;
  const entries: TarEntry[] = [];
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        entries.push({ header, data: Buffer.concat(chunks) });
        next();
      });
      stream.on('error', reject);
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  extract.end(plain);
  await done;
  return entries;
}
