/**
 * Runs a personalization script on one card, stage by stage, as card-profile.md says:
 * read EF.SN (no EF.SN or a bad serial: not our stock), check the card is blank (DF.CPX
 * must answer 6A82), create and write the files, read everything back and compare, set
 * the PIN and the PUK, activate DF.CPX (6D00 accepted). Any other status word fails the
 * card; a failure from the first CREATE FILE on leaves the card spoiled.
 */
import { SW_OK } from './apdu';
import { CardChannel, CardTransport } from './card-channel';
import { CardPersonalizationError, CardPersonalizationErrorCode, CardStatusError } from './card-personalization.errors';
import type { CardProfile } from './card-profile';
import { inspectionSteps, PersonalizationScript, ReadStep, ScriptStep } from './personalization-script';

export type PersonalizationStage = 'read-serial' | 'check-blank' | 'write' | 'read-back' | 'set-codes' | 'activate';

const SW_FILE_NOT_FOUND = 0x6a82;
const SW_END_OF_FILE = 0x6282;

export interface PersonalizationResult {
  chipSerial: string;
  /** Each EF as read back (equal to what was written). */
  readBack: Record<string, Buffer>;
  /** Whether ACTIVATE FILE answered 6D00 (not supported) rather than 9000. */
  activateUnsupported: boolean;
  situationsWritten: number;
  situationsTotal: number;
  apdus: number;
  transportMs: number;
}

/** Why a card failed: the cause's code, the stage, and whether the card is spoiled. */
export class PersonalizationFailure extends CardPersonalizationError {
  constructor(
    code: CardPersonalizationErrorCode,
    public readonly stage: PersonalizationStage,
    /** Writing had begun (first CREATE FILE sent): the card never goes back to the blank stock. */
    public readonly spoiled: boolean,
    /** Null when EF.SN could not be read. */
    public readonly chipSerial: string | null,
    message: string,
    public readonly sw?: number,
  ) {
    super(code, `${stage}: ${message}`, 409, { stage, spoiled, chipSerial, sw });
  }
}

function fail(code: CardPersonalizationErrorCode, message: string): never {
  throw new CardPersonalizationError(code, message, 409);
}

/**
 * What the station does with a blank card once it knows its chip serial: the script to
 * write (an order claimed for it), or null when there is no work (nothing is written).
 * An error thrown here reaches the caller as it is (nothing was written yet).
 */
export type ScriptForChip = (chipSerial: string) => Promise<PersonalizationScript | null>;

/** The card was blank and good, but `prepare` had no work for it: nothing was written. */
export interface CardSkipped {
  skipped: true;
  chipSerial: string;
}

/**
 * Reads the chip serial and checks the card is blank BEFORE asking `prepare` for the
 * script, so that no order is taken for a card that cannot be written.
 */
export async function personalizeNextCard(
  transport: CardTransport,
  profile: CardProfile,
  prepare: ScriptForChip,
): Promise<PersonalizationResult | CardSkipped> {
  const channel = new CardChannel(transport);
  const inspection = inspectionSteps(profile);
  let stage: PersonalizationStage = 'read-serial';
  let chipSerial: string | null = null;
  let spoiled = false;
  let script: PersonalizationScript | null = null;
  try {
    chipSerial = await readSerial(channel, profile, inspection.readSerial);
    stage = 'check-blank';
    const blank = await channel.expect(inspection.checkBlank.label, inspection.checkBlank.command, [SW_FILE_NOT_FOUND, SW_OK]);
    if (blank.sw === SW_OK) fail('card_not_blank', `${profile.application.name} already exists: the card is not blank`);
  } catch (e) {
    throw failure(e, stage, spoiled, chipSerial);
  }
  script = await prepare(chipSerial);
  if (!script) return { skipped: true, chipSerial };
  try {
    stage = 'write';
    for (const step of script.write) {
      if (step.command.ins === 0xe0) spoiled = true;
      await channel.expect(step.label, step.command);
    }
    stage = 'read-back';
    const readBack = await readFiles(channel, script.readBack);
    compare(script.files.images, readBack);
    // Still the chip the order was claimed for (not another card swapped in while writing).
    const serialAfter = await readSerial(channel, profile, inspection.readSerial);
    if (serialAfter !== chipSerial) {
      fail('read_back_mismatch', `${profile.serial.name} reads ${serialAfter} after writing, ${chipSerial} before: the card changed`);
    }
    stage = 'set-codes';
    for (const step of script.setCodes) await channel.expect(step.label, step.command);
    stage = 'activate';
    const [select, activate] = script.activate;
    await channel.expect(select.label, select.command);
    const activated = await channel.expect(activate.label, activate.command, [SW_OK, ...profile.activateAlsoAccepts]);
    return {
      chipSerial,
      readBack,
      activateUnsupported: activated.sw !== SW_OK,
      situationsWritten: script.files.situationsWritten,
      situationsTotal: script.files.situationsTotal,
      ...channel.stats,
    };
  } catch (e) {
    throw failure(e, stage, spoiled, chipSerial);
  }
}

function failure(e: unknown, stage: PersonalizationStage, spoiled: boolean, chipSerial: string | null): PersonalizationFailure {
  if (e instanceof CardPersonalizationError) {
    return new PersonalizationFailure(e.code, stage, spoiled, chipSerial, e.message, e instanceof CardStatusError ? e.sw : undefined);
  }
  // A reader or driver failure of another kind: the card is failed all the same.
  return new PersonalizationFailure('reader_error', stage, spoiled, chipSerial, (e as Error).message ?? String(e));
}

async function readSerial(channel: CardChannel, profile: CardProfile, steps: PersonalizationScript['readSerial']): Promise<string> {
  const [select, read] = steps;
  const selected = await channel.expect(select.label, select.command, [SW_OK, SW_FILE_NOT_FOUND]);
  if (selected.sw === SW_FILE_NOT_FOUND) fail('no_chip_serial', `no ${profile.serial.name}: the card is not from our stock`);
  const { data } = await channel.expect(read.label, read.command, [SW_OK, SW_END_OF_FILE]);
  const serial = data.toString('latin1');
  const { minLength, maxLength } = profile.serial;
  if (serial.length < minLength || serial.length > maxLength || !/^[\x21-\x7e]+$/.test(serial)) {
    fail('no_chip_serial', `${profile.serial.name} holds ${data.length} bytes that are not ${minLength} to ${maxLength} ASCII characters`);
  }
  return serial;
}

/** Sends the read-back steps and gathers each file's bytes (SELECT steps answer 9000, reads 9000). */
export async function readFiles(channel: CardChannel, steps: Array<ScriptStep | ReadStep>): Promise<Record<string, Buffer>> {
  const parts: Record<string, Buffer[]> = {};
  for (const step of steps) {
    const r = await channel.expect(step.label, step.command);
    if (!('file' in step)) continue;
    parts[step.file] = parts[step.file] ?? [];
    parts[step.file].push(r.data);
  }
  return Object.fromEntries(Object.entries(parts).map(([name, p]) => [name, Buffer.concat(p)]));
}

function compare(expected: Record<string, Buffer>, actual: Record<string, Buffer>): void {
  for (const [name, bytes] of Object.entries(expected)) {
    const got = actual[name] ?? Buffer.alloc(0);
    if (got.equals(bytes)) continue;
    let at = 0;
    while (at < Math.min(got.length, bytes.length) && got[at] === bytes[at]) at++;
    fail(
      'read_back_mismatch',
      `${name} read back differs from what was written at offset ${at} (${got.length} bytes read, ${bytes.length} expected)`,
    );
  }
}
