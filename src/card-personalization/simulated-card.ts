/**
 * A simulated blank card of our stock, per card-profile.md: an ISO/IEC 7816-4 file
 * system card with an MF and the manufacturer's EF.SN, taking the profile's command set
 * (SELECT with P2 = 0C, READ/UPDATE BINARY, CREATE FILE, ACTIVATE FILE, CHANGE REFERENCE
 * DATA) plus VERIFY and RESET RETRY COUNTER with tries counters (63Cx, 6983), and GET
 * RESPONSE. Faults on demand: removed after N commands, memory failure on the Nth UPDATE
 * BINARY, slow answers, no EF.SN, already personalized, ACTIVATE not supported, data
 * delivered through 61xx, 6Cxx on a wrong Le.
 *
 * The `simulated` encoder driver runs it in-process; the vpcd bridge under test/ puts the
 * same model behind pcscd. Public surface: atr(), transmit(), the options, inspect().
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CommandApdu, encodeResponse, parseCommand } from './apdu';
import { CardRemovedError } from './card-personalization.errors';
import type { CardProfile } from './card-profile';
import { CPX_ISO_V1 } from './cpx-iso-v1.profile';
import { LifeCycle, pathOf, SimAnswer, SimDf, SimFile, SimulatedFileSystem } from './simulated-file-system';

export interface SimulatedCardOptions {
  /** EF.SN's content (ASCII); null: the card has no EF.SN. Default: `SIM` and 12 random hex digits. */
  serial?: string | null;
  /** DF.CPX and its files already exist (activated, codes set): the card is not blank. */
  personalized?: boolean;
  /** Answers this many commands, then every transmit() throws CardRemovedError. */
  removedAfter?: number;
  /** The Nth UPDATE BINARY (from 1) answers 6581 (memory failure) and writes nothing. */
  memoryFailureOnWrite?: number;
  /** Every answer comes after this many milliseconds. */
  delayMs?: number;
  /** ACTIVATE FILE answers 6D00 (instruction not supported), as some ISO cards do. */
  activateUnsupported?: boolean;
  /** Response data is announced with 61xx and delivered by GET RESPONSE (T=0 style). */
  viaGetResponse?: boolean;
  /** READ BINARY asking past the end answers 6Cxx (the right Le) rather than the bytes with 6282. */
  exactLe?: boolean;
  /** Bytes of EF that CREATE FILE may allocate (6A84 beyond). Default 8192. */
  capacity?: number;
  /** The layout used for EF.SN and for an already personalized card. Default CPX-ISO v1. */
  profile?: CardProfile;
}

/** What inspect() shows: the files with their bytes, the codes' counters (never the codes). */
export interface SimulatedCardState {
  serial: string | null;
  commands: number;
  updates: number;
  removed: boolean;
  current: string;
  files: Array<{ path: string; kind: 'DF' | 'EF'; lifeCycle: LifeCycle; size?: number; data?: Buffer }>;
  codes: Record<'pin' | 'puk', { set: boolean; triesLeft: number }>;
}

interface Code {
  value: Buffer | null;
  tries: number;
  maxTries: number;
}

const ATR = Buffer.from('3B80800101', 'hex');
const PIN_REF = 0x01;
const PUK_REF = 0x02;

export class SimulatedCard {
  private readonly fs: SimulatedFileSystem;
  private readonly serial: string | null;
  private readonly codes: Record<number, Code> = {
    [PIN_REF]: { value: null, tries: 3, maxTries: 3 },
    [PUK_REF]: { value: null, tries: 10, maxTries: 10 },
  };
  private commands = 0;
  private updates = 0;
  private removed = false;
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly options: SimulatedCardOptions = {}) {
    const profile = options.profile ?? CPX_ISO_V1;
    this.fs = new SimulatedFileSystem({ capacity: options.capacity ?? 8192, exactLe: options.exactLe ?? false });
    this.serial = options.serial === undefined ? `SIM${randomBytes(6).toString('hex').toUpperCase()}` : options.serial;
    if (this.serial !== null) {
      this.fs.add(this.fs.mf, {
        kind: 'EF',
        fid: profile.serial.fid,
        data: Buffer.from(this.serial, 'latin1'),
        readOnly: true,
        lifeCycle: 'activated',
      });
    }
    if (options.personalized) {
      const df = this.fs.add(this.fs.mf, { kind: 'DF', fid: profile.application.fid, children: [], lifeCycle: 'activated' }) as SimDf;
      for (const ef of profile.files) {
        this.fs.add(df, { kind: 'EF', fid: ef.fid, data: Buffer.alloc(ef.size), readOnly: false, lifeCycle: 'activated' });
      }
      this.codes[PIN_REF].value = randomBytes(8);
      this.codes[PUK_REF].value = randomBytes(8);
    }
  }

  atr(): Buffer {
    return Buffer.from(ATR);
  }

  async transmit(apdu: Buffer): Promise<Buffer> {
    if (this.removed || (this.options.removedAfter !== undefined && this.commands >= this.options.removedAfter)) {
      this.removed = true;
      throw new CardRemovedError(`the simulated card was removed after ${this.commands} commands`);
    }
    this.commands++;
    if (this.options.delayMs) await sleep(this.options.delayMs);
    let command: CommandApdu;
    try {
      command = parseCommand(apdu);
    } catch {
      return encodeResponse({ data: Buffer.alloc(0), sw: 0x6700 });
    }
    const a = this.execute(command);
    return encodeResponse(this.deliver(command, a));
  }

  inspect(): SimulatedCardState {
    const files: SimulatedCardState['files'] = [];
    const visit = (f: SimFile) => {
      if (f.kind === 'EF')
        files.push({ path: pathOf(f), kind: 'EF', lifeCycle: f.lifeCycle, size: f.data.length, data: Buffer.from(f.data) });
      else {
        files.push({ path: pathOf(f), kind: 'DF', lifeCycle: f.lifeCycle });
        f.children.forEach(visit);
      }
    };
    visit(this.fs.mf);
    const code = (c: Code) => ({ set: c.value !== null, triesLeft: c.tries });
    return {
      serial: this.serial,
      commands: this.commands,
      updates: this.updates,
      removed: this.removed,
      current: this.fs.currentPath(),
      files,
      codes: { pin: code(this.codes[PIN_REF]), puk: code(this.codes[PUK_REF]) },
    };
  }

  /** T=0 style delivery: data waits for GET RESPONSE behind 61xx when asked to. */
  private deliver(command: CommandApdu, a: SimAnswer): { data: Buffer; sw: number } {
    const data = a.data ?? Buffer.alloc(0);
    if (!this.options.viaGetResponse || command.ins === 0xc0 || data.length === 0) return { data, sw: a.sw };
    this.pending = data;
    return { data: Buffer.alloc(0), sw: 0x6100 | (Math.min(data.length, 256) & 0xff) };
  }

  private execute(c: CommandApdu): SimAnswer {
    if (c.cla !== 0x00) return { sw: 0x6e00 };
    if (c.ins !== 0xc0) this.pending = Buffer.alloc(0);
    switch (c.ins) {
      case 0xa4:
        return this.fs.select(c);
      case 0xb0:
        return this.fs.readBinary(c);
      case 0xd6:
        this.updates++;
        return this.fs.updateBinary(c, this.updates === this.options.memoryFailureOnWrite);
      case 0xe0:
        return this.fs.createFile(c);
      case 0x44:
        return this.options.activateUnsupported ? { sw: 0x6d00 } : this.fs.activate(c);
      case 0x20:
        return this.verify(c);
      case 0x24:
        return this.changeReferenceData(c);
      case 0x2c:
        return this.resetRetryCounter(c);
      case 0xc0:
        return this.getResponse(c);
      default:
        return { sw: 0x6d00 };
    }
  }

  private getResponse(c: CommandApdu): SimAnswer {
    if (c.p1 !== 0 || c.p2 !== 0) return { sw: 0x6a86 };
    if (this.pending.length === 0) return { sw: 0x6985 };
    const n = Math.min(c.ne ?? 256, this.pending.length);
    const data = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(n);
    return { sw: this.pending.length ? 0x6100 | (Math.min(this.pending.length, 256) & 0xff) : 0x9000, data: Buffer.from(data) };
  }

  /** Checks `given` against a code: 9000 and tries reset, or 63Cx / 6983. */
  private check(code: Code, given: Buffer): number {
    if (code.tries === 0) return 0x6983;
    if (code.value?.equals(given)) {
      code.tries = code.maxTries;
      return 0x9000;
    }
    code.tries--;
    return 0x63c0 | code.tries;
  }

  private verify(c: CommandApdu): SimAnswer {
    if (c.p1 !== 0x00) return { sw: 0x6a86 };
    const code = this.codes[c.p2];
    if (!code?.value) return { sw: 0x6a88 };
    const data = c.data ?? Buffer.alloc(0);
    if (data.length === 0) return { sw: code.tries === 0 ? 0x6983 : 0x63c0 | code.tries };
    if (data.length !== 8) return { sw: 0x6700 };
    return { sw: this.check(code, data) };
  }

  private changeReferenceData(c: CommandApdu): SimAnswer {
    const code = this.codes[c.p2];
    if (!code) return { sw: 0x6a88 };
    const data = c.data ?? Buffer.alloc(0);
    if (c.p1 === 0x01) {
      // New reference data only: the initial setting, at personalization.
      if (data.length !== 8) return { sw: 0x6700 };
      if (code.value) return { sw: 0x6982 };
      code.value = Buffer.from(data);
      code.tries = code.maxTries;
      return { sw: 0x9000 };
    }
    if (c.p1 !== 0x00) return { sw: 0x6a86 };
    if (!code.value) return { sw: 0x6a88 };
    if (data.length !== 16) return { sw: 0x6700 };
    const sw = this.check(code, data.subarray(0, 8));
    if (sw === 0x9000) code.value = Buffer.from(data.subarray(8));
    return { sw };
  }

  private resetRetryCounter(c: CommandApdu): SimAnswer {
    if (c.p2 !== PIN_REF) return { sw: 0x6a88 };
    if (c.p1 !== 0x00 && c.p1 !== 0x01) return { sw: 0x6a86 };
    const puk = this.codes[PUK_REF];
    const pin = this.codes[PIN_REF];
    if (!puk.value || !pin.value) return { sw: 0x6a88 };
    const data = c.data ?? Buffer.alloc(0);
    if (data.length !== (c.p1 === 0x00 ? 16 : 8)) return { sw: 0x6700 };
    const sw = this.check(puk, data.subarray(0, 8));
    if (sw !== 0x9000) return { sw };
    pin.tries = pin.maxTries;
    if (c.p1 === 0x00) pin.value = Buffer.from(data.subarray(8));
    return { sw };
  }
}
