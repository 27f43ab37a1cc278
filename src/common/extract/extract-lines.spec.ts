import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { chunked, collect, fixtureLines, PA_52_DAY1, streamOf, texts } from '../../../test/support/extract-files';
import { parsePersonneActiviteHeader } from '../../rpps/rpps-extract-header';
import { ExtractFormatError } from './extract.errors';
import { readLineBatches, readLines } from './extract-lines';

describe('splitting a stream into lines', () => {
  const utf8 = fs.readFileSync(PA_52_DAY1);
  const expected = fixtureLines(PA_52_DAY1);

  it('reads a Latin-1 copy of a fixture as the same text as the UTF-8 original', async () => {
    const latin1 = Buffer.from(utf8.toString('utf8'), 'latin1');
    expect(latin1.length).toBeLessThan(utf8.length);
    const lines = await collect(streamOf(latin1));
    expect(lines.map((l) => l.text)).toEqual(expected);
    expect(lines.every((l) => l.encoding === 'latin1')).toBe(true);
    expect(lines.some((l) => l.text.includes('LEFÈVRE'))).toBe(true);
  });

  it('strips a UTF-8 BOM and CRLF line ends', async () => {
    const crlf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(utf8.toString('utf8').replace(/\n/g, '\r\n'), 'utf8')]);
    expect(await texts(streamOf(crlf))).toEqual(expected);
    // and the header still maps
    const first = (await texts(streamOf(crlf)))[0];
    expect(parsePersonneActiviteHeader(first).layout).toBe('personne-activite-52');
  });

  it('strips a BOM arriving split across chunks', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a|b|\nc|d|\n')]);
    expect(await texts(chunked(bytes, 1), { gatherBytes: 0 })).toEqual(['a|b|', 'c|d|']);
  });

  it('handles lines spanning chunks, whatever the chunk size', async () => {
    const crlf = Buffer.from(utf8.toString('utf8').replace(/\n/g, '\r\n'), 'utf8');
    for (const size of [1, 2, 3, 7, 64, 1000, 4096]) {
      for (const gatherBytes of [0, 100, undefined]) {
        expect(await texts(chunked(utf8, size), { gatherBytes })).toEqual(expected);
        expect(await texts(chunked(crlf, size), { gatherBytes })).toEqual(expected);
        expect(await texts(chunked(utf8, size), { sniffBytes: 5, gatherBytes })).toEqual(expected);
      }
    }
  });

  it('reads a last line without a newline and skips a final empty line', async () => {
    expect(await texts(streamOf('a|\nb|'))).toEqual(['a|', 'b|']);
    expect(await texts(streamOf('a|\nb|\n\n'))).toEqual(['a|', 'b|']);
    expect(await texts(streamOf('a|\r\nb|\r\n\r\n'))).toEqual(['a|', 'b|']);
    expect(await texts(streamOf('a|\n\nb|\n'))).toEqual(['a|', '', 'b|']);
    const lines = await collect(streamOf('a|\n\nb|\n'));
    expect(lines.map((l) => l.lineNo)).toEqual([1, 2, 3]);
  });

  it('yields nothing for an empty file and one line for a header alone', async () => {
    expect(await texts(streamOf())).toEqual([]);
    expect(await texts(streamOf(''))).toEqual([]);
    expect(await texts(streamOf('\n'))).toEqual([]);
    const head = expected[0];
    expect(await texts(streamOf(`${head}\n`))).toEqual([head]);
    expect(await texts(streamOf(head))).toEqual([head]);
  });

  it('decodes a later non-UTF-8 line as Latin-1 on its own', async () => {
    const bytes = Buffer.concat([
      Buffer.from('HÉLÈNE|\n'.repeat(20), 'utf8'),
      Buffer.from('HÉLÈNE|\n', 'latin1'),
      Buffer.from('CÉCILE|\n', 'utf8'),
    ]);
    const lines = await collect(streamOf(bytes), { sniffBytes: 64 });
    expect(lines).toHaveLength(22);
    expect(lines.every((l) => l.text === 'HÉLÈNE|' || l.text === 'CÉCILE|')).toBe(true);
    expect(lines[20]).toEqual({ lineNo: 21, text: 'HÉLÈNE|', encoding: 'latin1' });
    expect(lines[19].encoding).toBe('utf8');
    expect(lines[21]).toEqual({ lineNo: 22, text: 'CÉCILE|', encoding: 'utf8' });
  });

  it('reads the whole file as Latin-1 when the first bytes are not UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('CÉCILE|\n', 'latin1'), Buffer.from('Ã©|\n', 'latin1')]);
    const lines = await collect(streamOf(bytes));
    expect(lines).toEqual([
      { lineNo: 1, text: 'CÉCILE|', encoding: 'latin1' },
      { lineNo: 2, text: 'Ã©|', encoding: 'latin1' },
    ]);
  });

  it('does not mistake a character cut by the sniff window for Latin-1', async () => {
    const text = `AB${'É'.repeat(10)}|\nÉÀ€|\n`;
    const bytes = Buffer.from(text, 'utf8');
    for (let sniff = 1; sniff < bytes.length; sniff++) {
      const lines = await collect(chunked(bytes, 3), { sniffBytes: sniff, gatherBytes: 0 });
      expect(lines.map((l) => [l.text, l.encoding])).toEqual([
        [`AB${'É'.repeat(10)}|`, 'utf8'],
        ['ÉÀ€|', 'utf8'],
      ]);
    }
  });

  it('yields lines in batches with consecutive line numbers', async () => {
    const big = Buffer.from(`${expected.join('\n')}\n`.repeat(50), 'utf8');
    let count = 0;
    let batches = 0;
    for await (const batch of readLineBatches(chunked(big, 10_000), { gatherBytes: 0 })) {
      batches++;
      for (const l of batch) expect(l.lineNo).toBe(++count);
    }
    expect(count).toBe(expected.length * 50);
    expect(batches).toBeGreaterThan(1);
  });

  it('destroys the stream when the reader stops early', async () => {
    let produced = 0;
    const endless = new Readable({
      read() {
        produced++;
        this.push(Buffer.from('a|b|\n'.repeat(1000)));
      },
    });
    for await (const line of readLines(endless, { sniffBytes: 100 })) {
      expect(line.lineNo).toBe(1);
      break;
    }
    expect(endless.destroyed).toBe(true);
    expect(produced).toBeLessThan(100);
  });

  it('refuses a line longer than the limit instead of buffering it', async () => {
    const bytes = Buffer.alloc(5000, 0x41);
    await expect(texts(chunked(bytes, 100), { maxLineBytes: 1000, gatherBytes: 0 })).rejects.toThrow(ExtractFormatError);
    await expect(texts(chunked(bytes, 100), { maxLineBytes: 1000 })).rejects.toThrow(ExtractFormatError);
    await expect(texts(streamOf(bytes), { maxLineBytes: 1000 })).rejects.toThrow(/line 1 is longer than 1000 bytes/);
  });

  it('gives back any lines, however they are chunked and whatever the line ends', async () => {
    // Any text (valid UTF-8 once encoded) without line ends; U+FFFD / BOM excluded.
    const lineArb = fc.string({ unit: 'binary', maxLength: 40 }).map((s) =>
      Buffer.from(s, 'utf8')
        .toString('utf8')
        .replace(/[\r\n\uFFFD\uFEFF]/g, '.'),
    );
    const nonEmptyLast = (ls: string[]): string[] => {
      const out = [...ls];
      while (out.length > 0 && out[out.length - 1] === '') out.pop();
      return out;
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineArb, { maxLength: 30 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 50 }),
        fc.constantFrom(0, 7, 64),
        async (lines, crlf, finalNewline, chunkSize, gatherBytes) => {
          const eol = crlf ? '\r\n' : '\n';
          const body = lines.join(eol) + (finalNewline && lines.length > 0 ? eol : '');
          const read = await texts(chunked(Buffer.from(body, 'utf8'), chunkSize), { sniffBytes: 16, gatherBytes });
          expect(read).toEqual(nonEmptyLast(lines));
        },
      ),
      { numRuns: 200 },
    );
  });
});
