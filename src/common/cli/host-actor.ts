import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';

/** The login uid the kernel gives a process no login session set (pam_loginuid did not run). */
const UNSET_LOGINUID = 4_294_967_295;

/** Where hostActor reads the operating system's word (replaced in unit tests). */
export interface HostActorSources {
  env: NodeJS.ProcessEnv;
  /** The content of /proc/self/loginuid, or null when there is none (not Linux, no audit support). */
  loginUid: () => string | null;
  /** The name of user `uid`, or null when the system does not know it. */
  userName: (uid: number) => string | null;
}

/**
 * The audit actor of a CLI command: someone at the host, named by the operating system
 * (account and host), never by a flag or a variable the caller chooses. Run by a shared
 * service account (sudo, su), the person who logged in is added from the kernel's login
 * uid (`host:cps@h (login: alice)`): pam_loginuid sets it at login, and the process cannot
 * change it. Where there is none (no login session: a container, a service), sudo's
 * SUDO_USER is added but marked as the caller's word (`(sudo: alice, unverified)`), since
 * whoever runs the command can set it.
 */
export function hostActor(sources: Partial<HostActorSources> = {}): string {
  const s: HostActorSources = { env: process.env, loginUid: readLoginUid, userName: lookUpUserName, ...sources };
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = `uid-${process.getuid?.() ?? 'unknown'}`;
  }
  return `host:${user}@${hostname()}${loginPerson(s, user)}`;
}

/** ` (login: alice)`, ` (sudo: alice, unverified)` or nothing. */
function loginPerson(s: HostActorSources, user: string): string {
  const raw = s.loginUid()?.trim();
  const uid = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : null;
  if (uid !== null && uid !== UNSET_LOGINUID) {
    // The kernel's word: SUDO_USER, whatever it says, is not needed.
    const name = s.userName(uid) ?? `uid-${uid}`;
    return name === user ? '' : ` (login: ${name})`;
  }
  const sudoUser = s.env.SUDO_USER?.trim();
  return sudoUser && sudoUser !== user && /^[\w.-]{1,64}$/.test(sudoUser) ? ` (sudo: ${sudoUser}, unverified)` : '';
}

function readLoginUid(): string | null {
  try {
    return readFileSync('/proc/self/loginuid', 'utf8');
  } catch {
    return null;
  }
}

/** From the system's name service (`id -nu`: /etc/passwd, LDAP and the like). */
function lookUpUserName(uid: number): string | null {
  try {
    const name = execFileSync('id', ['-nu', String(uid)], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return /^[\w.-]{1,64}$/.test(name) ? name : null;
  } catch {
    return null;
  }
}
