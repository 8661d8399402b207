/** Layer and archive compression: gzip is read through zlib; zstd is detected and refused clearly. */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

export type Compression = 'gzip' | 'zstd' | 'none';

export async function detectCompression(file: string): Promise<Compression> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    return 'none';
  } finally {
    await fh.close();
  }
}

/** The decompressed bytes of a (possibly gzip-compressed) tar file. zstd is refused with a clear error. */
export async function openTarFile(file: string): Promise<AsyncIterable<Buffer>> {
  const compression = await detectCompression(file);
  switch (compression) {
    case 'gzip':
    {
      const raw = createReadStream(file);
      const gunzip = createGunzip();
      raw.on('error', (err) => gunzip.destroy(err));
      return raw.pipe(gunzip) as AsyncIterable<Buffer>;
    }
    case 'zstd':
      throw new Error(`zstd-compressed layers are not supported (${file}); recompress the image with gzip`);
    case 'none':
      return createReadStream(file) as AsyncIterable<Buffer>;
  }
}
