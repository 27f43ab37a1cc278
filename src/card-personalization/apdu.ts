/**
 * ISO/IEC 7816-4 APDUs: command encoding (cases 1 to 4, short and extended), command
 * parsing (for the simulated card), response parsing and the meaning of status words.
 *
 * Pure code: no framework, no database.
 */
import { CardStatusError, MalformedDataError, swHex } from './card-personalization.errors';

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data (Lc = its length); empty or absent for cases 1 and 2. */
  data?: Buffer;
  /** Ne, the number of bytes expected back (1..65536); absent for cases 1 and 3. */
  ne?: number;
}

export interface ResponseApdu {
  data: Buffer;
  sw: number;
}

export const SW_OK = 0x9000;
const SHORT_NE_MAX = 256;
const EXTENDED_NE_MAX = 65536;

/** The bytes of a command: short form when Lc <= 255 and Ne <= 256, extended otherwise. */
export function encodeCommand(c: CommandApdu): Buffer {
  for (const [name, v] of [
    ['CLA', c.cla],
    ['INS', c.ins],
    ['P1', c.p1],
    ['P2', c.p2],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`${name} ${v} is not a byte`);
  }
  const data = c.data ?? Buffer.alloc(0);
  const ne = c.ne;
  if (data.length > 65535) throw new RangeError(`command data of ${data.length} bytes: at most 65535`);
  if (ne !== undefined && (!Number.isInteger(ne) || ne < 1 || ne > EXTENDED_NE_MAX)) {
    throw new RangeError(`Ne ${ne} is outside 1..${EXTENDED_NE_MAX}`);
  }
  const header = Buffer.from([c.cla, c.ins, c.p1, c.p2]);
  const extended = data.length > 255 || (ne ?? 0) > SHORT_NE_MAX;
  const parts: Buffer[] = [header];
  if (!extended) {
    if (data.length > 0) parts.push(Buffer.from([data.length]), data);
    if (ne !== undefined) parts.push(Buffer.from([ne === SHORT_NE_MAX ? 0 : ne]));
  } else {
    if (data.length > 0) parts.push(Buffer.from([0, data.length >>> 8, data.length & 0xff]), data);
    if (ne !== undefined) {
      const le = ne === EXTENDED_NE_MAX ? 0 : ne;
      // Le takes 3 bytes (00 + 2) without data, 2 bytes after an extended Lc.
      parts.push(data.length > 0 ? Buffer.from([le >>> 8, le & 0xff]) : Buffer.from([0, le >>> 8, le & 0xff]));
    }
  }
  return Buffer.concat(parts);
}

/** Reads a command's bytes (the inverse of encodeCommand), refusing inconsistent lengths. */
export function parseCommand(buf: Buffer): CommandApdu {
  if (buf.length < 4) throw new MalformedDataError(`command APDU of ${buf.length} bytes: at least 4 (CLA INS P1 P2)`);
  const c: CommandApdu = { cla: buf[0], ins: buf[1], p1: buf[2], p2: buf[3] };
  const body = buf.subarray(4);
  if (body.length === 0) return c; // case 1
  if (body.length === 1) return { ...c, ne: body[0] || SHORT_NE_MAX }; // case 2 short
  if (body[0] !== 0) {
    const lc = body[0]; // short Lc
    if (body.length === 1 + lc) return { ...c, data: Buffer.from(body.subarray(1)) };
    if (body.length === 2 + lc) return { ...c, data: Buffer.from(body.subarray(1, 1 + lc)), ne: body[1 + lc] || SHORT_NE_MAX };
    throw new MalformedDataError(`command APDU: Lc ${lc} does not match the ${body.length - 1} bytes that follow it`);
  }
  if (body.length === 3) return { ...c, ne: body.readUInt16BE(1) || EXTENDED_NE_MAX }; // case 2 extended
  if (body.length < 3) throw new MalformedDataError('command APDU: truncated extended length');
  const lc = body.readUInt16BE(1);
  if (lc === 0) throw new MalformedDataError('command APDU: extended Lc of 0');
  if (body.length === 3 + lc) return { ...c, data: Buffer.from(body.subarray(3)) };
  if (body.length === 5 + lc) {
    return { ...c, data: Buffer.from(body.subarray(3, 3 + lc)), ne: body.readUInt16BE(3 + lc) || EXTENDED_NE_MAX };
  }
  throw new MalformedDataError(`command APDU: extended Lc ${lc} does not match the ${body.length - 3} bytes that follow it`);
}

export function parseResponse(buf: Buffer): ResponseApdu {
  if (buf.length < 2) throw new MalformedDataError(`response APDU of ${buf.length} bytes: at least SW1 SW2`);
  return { data: Buffer.from(buf.subarray(0, buf.length - 2)), sw: buf.readUInt16BE(buf.length - 2) };
}

export function encodeResponse(r: ResponseApdu): Buffer {
  return Buffer.concat([r.data, Buffer.from([r.sw >>> 8, r.sw & 0xff])]);
}

/** The meaning of a status word: a stable reason and a sentence. */
export interface StatusMeaning {
  reason: string;
  description: string;
  triesLeft?: number;
}

const STATUS: Record<number, [string, string]> = {
  36864: ['ok', 'normal processing'],
  25217: ['data_may_be_corrupted', 'part of the returned data may be corrupted'],
  25218: ['end_of_file', 'end of file reached before reading Ne bytes'],
  25219: ['file_deactivated', 'selected file deactivated'],
  25344: ['verification_failed', 'verification failed'],
  25985: ['memory_failure', 'memory failure'],
  26368: ['wrong_length', 'wrong length'],
  26753: ['logical_channel_not_supported', 'logical channel not supported'],
  26754: ['secure_messaging_not_supported', 'secure messaging not supported'],
  27009: ['incompatible_file_structure', 'command incompatible with file structure'],
  27010: ['security_status_not_satisfied', 'security status not satisfied'],
  27011: ['authentication_blocked', 'authentication method blocked'],
  27012: ['reference_data_not_usable', 'reference data not usable'],
  27013: ['conditions_not_satisfied', 'conditions of use not satisfied'],
  27014: ['command_not_allowed', 'command not allowed (no current EF)'],
  27264: ['incorrect_data', 'incorrect parameters in the command data field'],
  27265: ['function_not_supported', 'function not supported'],
  27266: ['file_not_found', 'file or application not found'],
  27268: ['not_enough_memory', 'not enough memory space in the file'],
  27270: ['incorrect_p1p2', 'incorrect parameters P1-P2'],
  27272: ['reference_data_not_found', 'referenced data or reference data not found'],
  27273: ['file_exists', 'file already exists'],
  27392: ['wrong_parameters', 'wrong parameters P1-P2 (offset outside the EF)'],
  27904: ['instruction_not_supported', 'instruction code not supported or invalid'],
  28160: ['class_not_supported', 'class not supported'],
  28416: ['no_precise_diagnosis', 'no precise diagnosis'],
};

export function statusMeaning(sw: number): StatusMeaning {
  const known = STATUS[sw];
  if (known) return { reason: known[0], description: known[1] };
  const sw1 = sw >>> 8;
  const sw2 = sw & 0xff;
  if (sw1 === 0x63 && (sw2 & 0xf0) === 0xc0) {
    const triesLeft = sw2 & 0x0f;
    return { reason: 'verification_failed', description: `verification failed, ${triesLeft} tries left`, triesLeft };
  }
  if (sw1 === 0x61) return { reason: 'more_data', description: `${sw2 || 256} more bytes available (GET RESPONSE)` };
  if (sw1 === 0x6c) return { reason: 'wrong_le', description: `wrong Le: ${sw2 || 256} bytes available` };
  if (sw1 === 0x62 || sw1 === 0x63) return { reason: 'warning', description: 'warning, state of non-volatile memory may have changed' };
  if (sw1 === 0x64) return { reason: 'execution_error', description: 'execution error, state of non-volatile memory unchanged' };
  if (sw1 === 0x65) return { reason: 'execution_error', description: 'execution error, state of non-volatile memory changed' };
  if (sw1 === 0x67) return STATUS_WRONG_LENGTH;
  return { reason: 'unknown_status', description: `status ${swHex(sw)} not defined by ISO/IEC 7816-4` };
}

const STATUS_WRONG_LENGTH = { reason: 'wrong_length', description: 'wrong length' };

/** The typed error for a refused status word. */
export function statusError(command: string, sw: number): CardStatusError {
  const m = statusMeaning(sw);
  return new CardStatusError(command, sw, m.reason, m.description, m.triesLeft);
}

/** INS codes whose data carries a PIN or a PUK (VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER). */
const SECRET_INS = new Set([0x20, 0x24, 0x2c]);

/** A command's header in hex, with its data shown only when it cannot hold a code. */
export function describeCommand(c: CommandApdu): string {
  const header = Buffer.from([c.cla, c.ins, c.p1, c.p2]).toString('hex').toUpperCase();
  const data = c.data?.length ? (SECRET_INS.has(c.ins) ? ` Lc=${c.data.length} <hidden>` : ` ${c.data.toString('hex').toUpperCase()}`) : '';
  return `${header}${data}${c.ne !== undefined ? ` Ne=${c.ne}` : ''}`;
}
