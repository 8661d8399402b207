import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { readTar } from './tar-reader.js';
import type { ReadTarOptions, TarHeader } from './tar-reader.js';

interface HeaderExtra {
  uidBase256?: number;
  mode?: number;
  prefix?: string;
  gnu?: boolean;
  dev?: [number, number];
}

function header(name: string, flag: string, size: number, extra: HeaderExtra = {}): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0);
  b.write(`${(extra.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100);
  if (extra.uidBase256 !== undefined) {
    b[108] = 0x80;
    b.writeUInt32BE(extra.uidBase256, 112);
  } else b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  b.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  b.write('00000000000\0', 136);
  b.fill(0x20, 148, 156);
  b.write(flag, 156);
  b.write(extra.gnu === true ? 'ustar  \0' : 'ustar\x0000', 257, 'latin1');
  if (extra.dev !== undefined) {
    b.write(`${extra.dev[0].toString(8).padStart(7, '0')}\0`, 329);
    b.write(`${extra.dev[1].toString(8).padStart(7, '0')}\0`, 337);
  }
  if (extra.prefix !== undefined) b.write(extra.prefix, 345);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return b;
}

function data(content: string): Buffer {
  const d = Buffer.from(content);
  return Buffer.concat([d, Buffer.alloc((512 - (d.length % 512)) % 512)]);
}

function pax(records: string[]): Buffer {
  return Buffer.from(
    records
      .map((r) => {
        const body = ` ${r}\n`;
        let len = body.length + 2;
        if (String(len).length + body.length !== len) len = String(len).length + body.length;
        return `${len}${body}`;
      })
      .join(''),
  );
}

async function collect(chunks: Buffer[], read = true, options: ReadTarOptions = {}): Promise<Array<{ h: TarHeader; body: string }>> {
  const out: Array<{ h: TarHeader; body: string }> = [];
  for await (const { header: h, body } of readTar(Readable.from(chunks), options)) {
    let text = '';
    if (read) for await (const c of body) text += c.toString();
    out.push({ h, body: text });
  }
  return out;
}

describe('readTar', () => {
  it('applies global and per-entry pax records, base-256 numbers, and splits across tiny chunks', async () => {
    const g = pax(['uname=x', 'SCHILY.xattr.user.g=global']);
    const x = pax(['path=renamed/by/pax', 'mtime=1600000000.5']);
    const archive = Buffer.concat([
      header('pax_global_header', 'g', g.length),
      data(g.toString()),
      header('PaxHeader/a', 'x', x.length),
      data(x.toString()),
      header('short', '0', 5, { uidBase256: 70000, mode: 0o4755 }),
      data('hello'),
      header('dev', '3', 0),
      Buffer.alloc(1024),
    ]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < archive.length; i += 7) chunks.push(archive.subarray(i, i + 7));
    const entries = await collect(chunks);
    assert.equal(entries.length, 2);
    const [file, dev] = entries;
    assert.equal(file!.h.path, 'renamed/by/pax');
    assert.equal(file!.h.mtime, 1600000000.5);
    assert.equal(file!.h.uid, 70000);
    assert.equal(file!.h.mode, 0o4755);
    assert.equal(file!.body, 'hello');
    assert.deepEqual(file!.h.xattrs, { 'user.g': Buffer.from('global') });
    assert.equal(dev!.h.type, 'char');
    assert.equal(dev!.h.path, 'dev');
  });

  it('skips bodies the consumer leaves unread', async () => {
    const archive = Buffer.concat([header('a', '0', 600), data('x'.repeat(600)), header('b', '0', 1), data('y'), Buffer.alloc(1024)]);
    assert.deepEqual((await collect([archive], false)).map((e) => e.h.path), ['a', 'b']);
  });

  it('rejects corrupt headers, truncated archives and unknown entry types', async () => {
    const bad = header('a', '0', 0);
    bad[0] = 0x62;
    await assert.rejects(collect([bad]), { message: 'invalid tar header checksum' });
    await assert.rejects(collect([Buffer.concat([header('a', '0', 100), Buffer.from('short')])]), { message: 'truncated tar archive' });
    await assert.rejects(collect([Buffer.concat([header('sparse', 'S', 0), Buffer.alloc(1024)])]), { message: "unsupported tar entry type 'S' for sparse" });
  });

  it('reads device numbers, and the ustar prefix only on ustar (not GNU) headers', async () => {
    const archive = Buffer.concat([
      header('null', '3', 0, { dev: [1, 3], mode: 0o666 }),
      header('file', '0', 0, { prefix: 'usr/share' }),
      // A GNU header keeps atime there: it is not part of the name.
      header('gnu', '0', 0, { prefix: 'not-a-prefix', gnu: true }),
      header('pipe', '6', 0),
      Buffer.alloc(1024),
    ]);
    const entries = await collect([archive]);
    assert.deepEqual(
      entries.map((e) => `${e.h.type} ${e.h.path} ${e.h.devmajor}:${e.h.devminor} ${e.h.mode.toString(8)}`),
      ['char null 1:3 666', 'file usr/share/file 0:0 644', 'file gnu 0:0 644', 'fifo pipe 0:0 644'],
    );
  });

  it('passes over unknown entry types, body included, when asked to', async () => {
    const archive = Buffer.concat([header('sparse', 'S', 3), data('abc'), header('after', '0', 2), data('ok'), Buffer.alloc(1024)]);
    const entries = await collect([archive], true, { unknownTypes: 'skip' });
    assert.deepEqual(entries.map((e) => `${e.h.path}=${e.body}`), ['after=ok']);
  });

  it('closes the source when the consumer stops early', async () => {
    const source = Readable.from([Buffer.concat([header('a', '0', 0), header('b', '0', 0)]), Buffer.alloc(1024)]);
    for await (const { header: h } of readTar(source)) {
      assert.equal(h.path, 'a');
      break;
    }
    assert.equal(source.destroyed, true);
  });
});
