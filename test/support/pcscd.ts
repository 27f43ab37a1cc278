import { readFileSync } from 'node:fs';

/**
 * pcscd's own record of the daemon that serves this machine's PC/SC clients (its socket
 * /run/pcscd/pcscd.comm): pcscd writes its pid there at start and removes it at a clean exit, and
 * `pcscd --hotplug` signals the pid it reads there. .ci/services.sh starts pcscd with that layout.
 */
export const PCSCD_PID_FILE = '/run/pcscd/pcscd.pid';

/** Whether `pid` is a live (not zombie) pcscd. */
export function isLivePcscd(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "<pid> (<comm>) <state> ...": the name in parentheses, the state after them
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return name === 'pcscd' && state !== 'Z';
  } catch {
    return false;
  }
}

/**
 * The pcscd the tests' PC/SC clients talk to (the one the PC/SC tier's global setup found the vpcd
 * readers through): the pid in PCSCD_PID_FILE, when that process is a live pcscd; else null (none
 * runs, or the file is left over from one that died).
 */
export function servingPcscd(): number | null {
  let text: string;
  try {
    text = readFileSync(PCSCD_PID_FILE, 'utf8');
  } catch {
    return null;
  }
  // "<pid>\n" and a NUL byte, as pcscd writes it
  const pid = Number(/^\s*(\d+)/.exec(text)?.[1] ?? Number.NaN);
  return pid > 0 && isLivePcscd(pid) ? pid : null;
}
