/**
 * The personalization script as data: given a profile, one card's data and its codes,
 * the commands of card-profile.md "Commands, in order", grouped by stage, each with a
 * label safe to log (never a code). The runner (personalization-runner.ts) sends them.
 *
 * Pure code: no framework, no database.
 */
import type { CardCodes } from '../mailing/pin-codes';
import type { CommandApdu } from './apdu';
import { encodeTlv } from './ber-tlv';
import { EncodedCardFiles, encodeCardFiles } from './card-files';
import { CardPersonalizationError } from './card-personalization.errors';
import { CardData, CardProfile, CodeSpec, profileProblems } from './card-profile';

export interface ScriptStep {
  /** What the command does, safe to log: `UPDATE BINARY EF.ID @200`, `CHANGE REFERENCE DATA PIN`. */
  label: string;
  command: CommandApdu;
}

/** A READ BINARY of part of a file. */
export interface ReadStep extends ScriptStep {
  file: string;
  offset: number;
}

export interface PersonalizationScript {
  /** SELECT EF.SN, READ BINARY EF.SN (Le = the longest serial). */
  readSerial: [ScriptStep, ScriptStep];
  /** SELECT DF.CPX: the card is blank when this answers 6A82. */
  checkBlank: ScriptStep;
  /** SELECT MF, CREATE DF.CPX, SELECT DF.CPX, CREATE each EF, then SELECT and UPDATE BINARY each EF. */
  write: ScriptStep[];
  /** SELECT DF.CPX, then SELECT and READ BINARY each EF whole. */
  readBack: Array<ScriptStep | ReadStep>;
  /** CHANGE REFERENCE DATA for the PIN, then the PUK. */
  setCodes: ScriptStep[];
  /** SELECT DF.CPX, ACTIVATE FILE. */
  activate: ScriptStep[];
  files: EncodedCardFiles;
}

const fid2 = (fid: number) => Buffer.from([fid >>> 8, fid & 0xff]);

/** SELECT by file identifier in the current DF (P1 = 00). */
export function selectByFid(profile: CardProfile, name: string, fid: number): ScriptStep {
  return { label: `SELECT ${name}`, command: { cla: 0, ins: 0xa4, p1: 0x00, p2: profile.selectP2, data: fid2(fid) } };
}

/** SELECT by path from the MF (P1 = 08), the MF's own identifier left out. */
export function selectByPath(profile: CardProfile, name: string, path: number[]): ScriptStep {
  return { label: `SELECT ${name}`, command: { cla: 0, ins: 0xa4, p1: 0x08, p2: profile.selectP2, data: Buffer.concat(path.map(fid2)) } };
}

/** CREATE FILE with an FCP template: 80 size (EFs only), 82 FDB, 83 FID. */
export function createFile(name: string, fid: number, fdb: number, size?: number): ScriptStep {
  const children = [
    ...(size === undefined ? [] : [{ tag: 0x80, value: fid2(size) }]),
    { tag: 0x82, value: Buffer.from([fdb]) },
    { tag: 0x83, value: fid2(fid) },
  ];
  return { label: `CREATE FILE ${name}`, command: { cla: 0, ins: 0xe0, p1: 0, p2: 0, data: encodeTlv({ tag: 0x62, children }) } };
}

/** READ BINARY steps covering `size` bytes of the current EF (offset in P1-P2). */
export function readBinary(profile: CardProfile, file: string, size: number): ReadStep[] {
  const steps: ReadStep[] = [];
  for (let offset = 0; offset < size; offset += profile.readChunk) {
    const ne = Math.min(profile.readChunk, size - offset);
    steps.push({
      label: `READ BINARY ${file} @${offset}`,
      file,
      offset,
      command: { cla: 0, ins: 0xb0, p1: offset >>> 8, p2: offset & 0xff, ne },
    });
  }
  return steps;
}

/** The steps that read every EF of the application back whole. */
export function readBackSteps(profile: CardProfile): Array<ScriptStep | ReadStep> {
  const app = profile.application;
  const steps: Array<ScriptStep | ReadStep> = [selectByPath(profile, app.name, [app.fid])];
  for (const ef of profile.files) steps.push(selectByFid(profile, ef.name, ef.fid), ...readBinary(profile, ef.name, ef.size));
  return steps;
}

function updateBinary(profile: CardProfile, file: string, bytes: Buffer): ScriptStep[] {
  const steps: ScriptStep[] = [];
  for (let offset = 0; offset < bytes.length; offset += profile.updateChunk) {
    if (offset > 0x7fff) throw new Error(`UPDATE BINARY ${file}: offset ${offset} does not fit P1-P2`);
    const data = bytes.subarray(offset, offset + profile.updateChunk);
    steps.push({ label: `UPDATE BINARY ${file} @${offset}`, command: { cla: 0, ins: 0xd6, p1: offset >>> 8, p2: offset & 0xff, data } });
  }
  return steps;
}

function referenceData(which: 'PIN' | 'PUK', spec: CodeSpec, code: string): Buffer {
  // The message never shows the code itself.
  if (typeof code !== 'string' || !new RegExp(`^\\d{${spec.digits}}$`).test(code)) {
    throw new CardPersonalizationError('unusable_card_data', `the ${which} must be ${spec.digits} digits`, 422, { field: which });
  }
  return Buffer.concat([Buffer.from(code, 'ascii'), Buffer.alloc(spec.length - spec.digits, spec.padding)]);
}

/** The VERIFY command for a code as the profile formats it (for checks after personalization). */
export function verifyCommand(profile: CardProfile, which: 'PIN' | 'PUK', code: string): CommandApdu {
  const spec = which === 'PIN' ? profile.codes.pin : profile.codes.puk;
  return { cla: 0, ins: 0x20, p1: 0x00, p2: spec.reference, data: referenceData(which, spec, code) };
}

/** The steps that tell which chip is in the encoder and whether it is blank (no card data needed). */
export function inspectionSteps(profile: CardProfile): Pick<PersonalizationScript, 'readSerial' | 'checkBlank'> {
  const { serial, application: app } = profile;
  return {
    readSerial: [
      selectByPath(profile, serial.name, [serial.fid]),
      { label: `READ BINARY ${serial.name}`, command: { cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: serial.maxLength } },
    ],
    checkBlank: selectByPath(profile, app.name, [app.fid]),
  };
}

/**
 * The whole script for one card, with the codes to set on it (from the vault, at the moment
 * of use). Refuses unusable card data or codes before any command exists.
 */
export function personalizationScript(profile: CardProfile, data: CardData, codes: CardCodes): PersonalizationScript {
  const problems = profileProblems(profile);
  if (problems.length) throw new Error(`profile ${profile.id} is unusable: ${problems.join('; ')}`);
  const files = encodeCardFiles(profile, data);
  const { application: app, mf } = profile;
  const pin = referenceData('PIN', profile.codes.pin, codes.pin);
  const puk = referenceData('PUK', profile.codes.puk, codes.puk);

  const write: ScriptStep[] = [
    selectByFid(profile, 'MF', mf.fid),
    createFile(app.name, app.fid, app.fdb),
    selectByPath(profile, app.name, [app.fid]),
    ...profile.files.map((ef) => createFile(ef.name, ef.fid, ef.fdb, ef.size)),
  ];
  for (const ef of profile.files) {
    const bytes = files.written[ef.name];
    if (bytes.length > 0) write.push(selectByFid(profile, ef.name, ef.fid), ...updateBinary(profile, ef.name, bytes));
  }
  const change = (label: string, spec: CodeSpec, value: Buffer): ScriptStep => ({
    label: `CHANGE REFERENCE DATA ${label}`,
    command: { cla: 0, ins: 0x24, p1: profile.codes.changeP1, p2: spec.reference, data: value },
  });
  return {
    ...inspectionSteps(profile),
    write,
    readBack: readBackSteps(profile),
    setCodes: [change('PIN', profile.codes.pin, pin), change('PUK', profile.codes.puk, puk)],
    activate: [
      selectByPath(profile, app.name, [app.fid]),
      { label: `ACTIVATE FILE ${app.name}`, command: { cla: 0, ins: 0x44, p1: 0, p2: 0 } },
    ],
    files,
  };
}
