/**
 * The file system of the simulated card: an MF with DFs and transparent EFs, the
 * current DF and EF, and the ISO/IEC 7816-4/-9 commands of card-profile.md on it:
 * SELECT (P2 = 0C only), READ BINARY, UPDATE BINARY, CREATE FILE (FCP 62 with 80, 82,
 * 83) and ACTIVATE FILE. Every answer is a status word plus data; nothing throws.
 */
import type { CommandApdu } from './apdu';
import { decodeTlvs, findTlv } from './ber-tlv';

export interface SimAnswer {
  sw: number;
  data?: Buffer;
}

export type LifeCycle = 'creation' | 'activated';

interface SimNode {
  fid: number;
  parent: SimDf | null;
  lifeCycle: LifeCycle;
}
export interface SimDf extends SimNode {
  kind: 'DF';
  children: SimFile[];
}
export interface SimEf extends SimNode {
  kind: 'EF';
  data: Buffer;
  /** Written by the card manufacturer: UPDATE BINARY answers 6982. */
  readOnly: boolean;
}
export type SimFile = SimDf | SimEf;

const answer = (sw: number, data?: Buffer): SimAnswer => ({ sw, data });

export class SimulatedFileSystem {
  readonly mf: SimDf = { kind: 'DF', fid: 0x3f00, parent: null, children: [], lifeCycle: 'activated' };
  private currentDf: SimDf = this.mf;
  private currentEf: SimEf | null = null;

  constructor(
    private readonly options: {
      capacity: number;
      /** READ BINARY past the end answers 6Cxx rather than the bytes there are with 6282. */
      exactLe: boolean;
    },
  ) {}

  /** Adds a file under `parent` (card manufacturer set-up, not a command). */
  add(parent: SimDf, file: Omit<SimDf, 'parent'> | Omit<SimEf, 'parent'>): SimFile {
    const f = { ...file, parent } as SimFile;
    parent.children.push(f);
    return f;
  }

  /** Back to the MF (power up). */
  reset(): void {
    this.currentDf = this.mf;
    this.currentEf = null;
  }

  select(c: CommandApdu): SimAnswer {
    if (c.p2 !== 0x0c) return answer(0x6a86);
    const data = c.data ?? Buffer.alloc(0);
    if (c.ne !== undefined) return answer(0x6700);
    let found: SimFile | undefined;
    if (c.p1 === 0x03) {
      found = this.currentDf.parent ?? undefined;
    } else if (c.p1 === 0x00 || c.p1 === 0x01 || c.p1 === 0x02) {
      if (data.length !== 2) return answer(0x6700);
      const fid = data.readUInt16BE(0);
      if (c.p1 === 0x00 && fid === this.mf.fid) found = this.mf;
      else if (c.p1 === 0x00 && fid === this.currentDf.fid) found = this.currentDf;
      else found = this.currentDf.children.find((f) => f.fid === fid);
      if (found && ((c.p1 === 0x01 && found.kind !== 'DF') || (c.p1 === 0x02 && found.kind !== 'EF'))) found = undefined;
    } else if (c.p1 === 0x08 || c.p1 === 0x09) {
      if (data.length === 0 || data.length % 2 !== 0) return answer(0x6700);
      found = this.walk(c.p1 === 0x08 ? this.mf : this.currentDf, data);
    } else {
      return answer(0x6a86);
    }
    if (!found) return answer(0x6a82);
    if (found.kind === 'DF') {
      this.currentDf = found;
      this.currentEf = null;
    } else {
      this.currentDf = found.parent!;
      this.currentEf = found;
    }
    return answer(0x9000);
  }

  private walk(from: SimDf, path: Buffer): SimFile | undefined {
    let at: SimFile = from;
    for (let i = 0; i < path.length; i += 2) {
      if (at.kind !== 'DF') return undefined;
      const fid = path.readUInt16BE(i);
      const next: SimFile | undefined = at.children.find((f) => f.fid === fid);
      if (!next) return undefined;
      at = next;
    }
    return at;
  }

  readBinary(c: CommandApdu): SimAnswer {
    if (c.p1 & 0x80) return answer(0x6a81);
    const ef = this.currentEf;
    if (!ef) return answer(0x6986);
    if (c.ne === undefined || c.data?.length) return answer(0x6700);
    const offset = (c.p1 << 8) | c.p2;
    if (offset >= ef.data.length) return answer(0x6b00);
    const available = ef.data.length - offset;
    if (c.ne > available) {
      if (this.options.exactLe) return answer(0x6c00 | (available & 0xff));
      return answer(0x6282, Buffer.from(ef.data.subarray(offset)));
    }
    return answer(0x9000, Buffer.from(ef.data.subarray(offset, offset + c.ne)));
  }

  /** UPDATE BINARY; `fail` answers 6581 and writes nothing (memory failure). */
  updateBinary(c: CommandApdu, fail: boolean): SimAnswer {
    if (c.p1 & 0x80) return answer(0x6a81);
    const ef = this.currentEf;
    if (!ef) return answer(0x6986);
    if (ef.readOnly) return answer(0x6982);
    const data = c.data ?? Buffer.alloc(0);
    if (data.length === 0 || c.ne !== undefined) return answer(0x6700);
    const offset = (c.p1 << 8) | c.p2;
    if (offset >= ef.data.length) return answer(0x6b00);
    if (offset + data.length > ef.data.length) return answer(0x6700);
    if (fail) return answer(0x6581);
    data.copy(ef.data, offset);
    return answer(0x9000);
  }

  createFile(c: CommandApdu): SimAnswer {
    if (c.p1 !== 0 || c.p2 !== 0) return answer(0x6a86);
    let fdb: number;
    let fid: number;
    let size: number | undefined;
    try {
      const { tlvs } = decodeTlvs(c.data ?? Buffer.alloc(0));
      if (tlvs.length !== 1 || tlvs[0].tag !== 0x62 || !tlvs[0].children) return answer(0x6a80);
      const fcp = tlvs[0].children;
      const fdbTlv = findTlv(fcp, 0x82);
      const fidTlv = findTlv(fcp, 0x83);
      const sizeTlv = findTlv(fcp, 0x80);
      if (fdbTlv?.value.length !== 1 || fidTlv?.value.length !== 2) return answer(0x6a80);
      fdb = fdbTlv.value[0];
      fid = fidTlv.value.readUInt16BE(0);
      if (sizeTlv) size = sizeTlv.value.length > 0 && sizeTlv.value.length <= 2 ? sizeTlv.value.readUIntBE(0, sizeTlv.value.length) : -1;
    } catch {
      return answer(0x6a80);
    }
    if ([0x3f00, 0xffff, 0x0000].includes(fid)) return answer(0x6a80);
    if (this.currentDf.children.some((f) => f.fid === fid)) return answer(0x6a89);
    const parent = this.currentDf;
    if (fdb === 0x38) {
      const df = this.add(parent, { kind: 'DF', fid, children: [], lifeCycle: 'creation' }) as SimDf;
      this.currentDf = df;
      this.currentEf = null;
      return answer(0x9000);
    }
    if (fdb !== 0x01 || size === undefined || size < 1) return answer(0x6a80);
    if (this.used() + size > this.options.capacity) return answer(0x6a84);
    this.currentEf = this.add(parent, { kind: 'EF', fid, data: Buffer.alloc(size), readOnly: false, lifeCycle: 'creation' }) as SimEf;
    return answer(0x9000);
  }

  /** ACTIVATE FILE on the current file (the current EF, or else the current DF). */
  activate(c: CommandApdu): SimAnswer {
    if (c.p1 !== 0 || c.p2 !== 0) return answer(0x6a86);
    if (c.data?.length || c.ne !== undefined) return answer(0x6700);
    (this.currentEf ?? this.currentDf).lifeCycle = 'activated';
    return answer(0x9000);
  }

  /** Bytes taken by EFs. */
  used(): number {
    let total = 0;
    const visit = (df: SimDf) => {
      for (const f of df.children) {
        if (f.kind === 'EF') total += f.data.length;
        else visit(f);
      }
    };
    visit(this.mf);
    return total;
  }

  currentPath(): string {
    return pathOf(this.currentEf ?? this.currentDf);
  }
}

export function pathOf(f: SimFile): string {
  const parts: string[] = [];
  for (let at: SimFile | null = f; at; at = at.parent) parts.unshift(at.fid.toString(16).toUpperCase().padStart(4, '0'));
  return parts.join('/');
}
