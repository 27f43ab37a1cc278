import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `scriptor` (pcsc-tools) as an independent PC/SC client for the tests, and a parser of its output.
 *
 * scriptor echoes each command after "> " and prints its response after "< ": hex bytes, 16 a line,
 * so a long response spans several lines; the line holding the status word ends with " : " and
 * the status word's meaning. `reset` is answered "< OK: <ATR>" on one line. Reading an APDU file,
 * scriptor first echoes each line of the file as written (comments too); those lines are skipped:
 *
 *     > 00 B0 00 00 20
 *     < 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F
 *     10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F
 *     90 00 : Normal processing.
 */
export interface ScriptorExchange {
  /** The command as scriptor echoed it, bytes (empty for `reset`). */
  command: Buffer;
  /** The whole response: data then SW1 SW2 (for `reset`: the ATR). */
  response: Buffer;
  /** Data without the status word. */
  data: Buffer;
  /** SW1 SW2 as one number (0 for `reset`). */
  sw: number;
  /** scriptor's wording of the status word ("Normal processing."), or "reset". */
  meaning: string;
}

const hexBytes = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Parses scriptor's stdout into its exchanges, in order. Throws on a line it does not understand. */
export function parseScriptorOutput(stdout: string): ScriptorExchange[] {
  const out: ScriptorExchange[] = [];
  let command: Buffer | null = null;
  let pending: string[] | null = null;
  for (const raw of stdout.split('\n')) {
    const line = raw.trimEnd();
    if (pending === null) {
      if (line.startsWith('> ')) {
        const cmd = line.slice(2).trim();
        command = cmd.toUpperCase() === 'RESET' ? Buffer.alloc(0) : hexBytes(cmd);
        continue;
      }
      // Reading a file, scriptor first echoes each of its lines as written (comments included).
      if (!line.startsWith('< ')) continue;
      if (command === null) throw new Error(`scriptor output: unexpected line ${JSON.stringify(line)}`);
      const first = line.slice(2);
      if (first.startsWith('OK: ')) {
        const atr = hexBytes(first.slice(4));
        out.push({ command, response: atr, data: atr, sw: 0, meaning: 'reset' });
        command = null;
        continue;
      }
      pending = [first];
    } else {
      pending.push(line);
    }
    const last = pending[pending.length - 1];
    const cut = last.indexOf(' : ');
    if (cut < 0) continue;
    const hex = [...pending.slice(0, -1), last.slice(0, cut)].join(' ');
    if (!/^[0-9A-Fa-f\s]*$/.test(hex)) throw new Error(`scriptor output: not hex: ${JSON.stringify(hex)}`);
    const response = hexBytes(hex);
    if (response.length < 2 || command === null)
      throw new Error(`scriptor output: a response without status word: ${JSON.stringify(pending.join('\n'))}`);
    out.push({
      command,
      response,
      data: response.subarray(0, -2),
      sw: response.readUInt16BE(response.length - 2),
      meaning: last.slice(cut + 3).trim(),
    });
    command = null;
    pending = null;
  }
  if (pending !== null) throw new Error(`scriptor output: a response never ended: ${JSON.stringify(pending.join('\n'))}`);
  return out;
}

export interface ScriptorRun {
  code: number | null;
  stdout: string;
  stderr: string;
  exchanges: ScriptorExchange[];
}

/**
 * Writes the commands (hex APDUs, one a line, or `reset`; `#` comments) to an APDU file, runs
 * `scriptor -r <reader> <file>` and parses its output. Asynchronous on purpose: the card answering
 * it may live in this very process.
 */
export function runScriptor(reader: string, commands: string[], timeoutMs = 15_000): Promise<ScriptorRun> {
  const dir = mkdtempSync(join(tmpdir(), 'scriptor-'));
  const file = join(dir, 'commands.apdu');
  writeFileSync(file, `${commands.join('\n')}\n`);
  return new Promise<ScriptorRun>((resolve, reject) => {
    const p = spawn('scriptor', ['-r', reader, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.on('data', (d) => {
      stdout += d;
    });
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`scriptor did not start (${e.message}): install pcsc-tools (bash .ci/services.sh)`));
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      try {
        resolve({ code, stdout, stderr, exchanges: code === 0 ? parseScriptorOutput(stdout) : [] });
      } catch (e) {
        reject(e);
      }
    });
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}
