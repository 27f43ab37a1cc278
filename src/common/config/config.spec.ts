import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeCardLetter } from '../../../test/support/letters';
import { letterProblems } from '../../mailing/letters/letter-data';
import { checkSettings } from '../../mailing/letters/letter-pdf-writer';
import { ConfigError, isVirtualReader, loadConfig, parseReaderSelection, productionReaderRefusal, redactedConfig } from './config';

describe('loadConfig', () => {
  it('gives the contract defaults on an empty environment', () => {
    const cfg = loadConfig({});
    expect(cfg.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/cps');
    expect(cfg.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(cfg.PORT).toBe(3000);
    expect(cfg.DATA_DIR).toBe('./var');
    expect(cfg.ENCODER_DRIVER).toBeUndefined();
    expect(cfg.ENCODER_READERS).toBe('*');
    expect(cfg.MIGRATIONS_RUN).toBe(true);
    expect(cfg.DATABASE_CREATE).toBe(true); // NODE_ENV defaults to development
    expect(cfg.RPPS_MASS_CHANGE_RATIO).toBe(0.05);
    expect(cfg.IMPORT_DIR).toBe('var/import');
    expect(cfg.IMPORT_ZIP_MAX_BYTES).toBe(4 * 1024 ** 3);
    expect(cfg.IMPORT_ZIP_MAX_RATIO).toBe(100);
  });

  it('creates a missing database by default in development only (never in production or in tests, unless asked)', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).DATABASE_CREATE).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).DATABASE_CREATE).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test' }).DATABASE_CREATE).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', DATABASE_CREATE: 'true' }).DATABASE_CREATE).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', DATABASE_CREATE: 'false' }).DATABASE_CREATE).toBe(false);
    expect(() => loadConfig({ DATABASE_CREATE: 'sometimes' })).toThrow(/DATABASE_CREATE="sometimes": expected true or false/);
  });

  it("gives console sessions their defaults, a Secure cookie in production only, and set-password links the API's own console", () => {
    const dev = loadConfig({});
    expect(dev).toEqual(
      expect.objectContaining({
        USER_LINK_HOURS: 72,
        SESSION_IDLE_MINUTES: 15,
        SESSION_MAX_HOURS: 12,
        LOGIN_MAX_FAILURES: 5,
        LOGIN_LOCKOUT_MINUTES: 15,
        SESSION_COOKIE_SECURE: false,
        CONSOLE_URL: 'http://localhost:3000/console',
      }),
    );
    expect(loadConfig({ NODE_ENV: 'test' }).SESSION_COOKIE_SECURE).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production' }).SESSION_COOKIE_SECURE).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_COOKIE_SECURE: 'false' }).SESSION_COOKIE_SECURE).toBe(false);
    expect(loadConfig({ SESSION_COOKIE_SECURE: 'true' }).SESSION_COOKIE_SECURE).toBe(true);
    expect(loadConfig({ PORT: '8080' }).CONSOLE_URL).toBe('http://localhost:8080/console');
    expect(loadConfig({ CONSOLE_URL: 'https://cps.example.fr/console/' }).CONSOLE_URL).toBe('https://cps.example.fr/console');
    expect(() => loadConfig({ CONSOLE_URL: 'ftp://cps.example.fr' })).toThrow(/CONSOLE_URL/);
    expect(() => loadConfig({ CONSOLE_URL: 'https://cps.example.fr/console#x' })).toThrow(/CONSOLE_URL/);
    expect(() => loadConfig({ SESSION_IDLE_MINUTES: '0', LOGIN_MAX_FAILURES: '0' })).toThrow(
      /SESSION_IDLE_MINUTES[\s\S]*LOGIN_MAX_FAILURES/,
    );
  });

  it('puts the import directory under DATA_DIR unless IMPORT_DIR names one', () => {
    expect(loadConfig({ DATA_DIR: '/srv/cps' }).IMPORT_DIR).toBe('/srv/cps/import');
    expect(loadConfig({ DATA_DIR: '/srv/cps', IMPORT_DIR: '/mnt/extracts' }).IMPORT_DIR).toBe('/mnt/extracts');
    expect(() => loadConfig({ IMPORT_ZIP_MAX_RATIO: '0' })).toThrow(/IMPORT_ZIP_MAX_RATIO/);
  });

  it("keeps a running job's lock 60 s unless QUEUE_JOB_LOCK_MS says otherwise (5 s at least)", () => {
    expect(loadConfig({}).QUEUE_JOB_LOCK_MS).toBe(60_000);
    expect(loadConfig({ QUEUE_JOB_LOCK_MS: '10000' }).QUEUE_JOB_LOCK_MS).toBe(10_000);
    expect(() => loadConfig({ QUEUE_JOB_LOCK_MS: '1000' })).toThrow(/QUEUE_JOB_LOCK_MS/);
  });

  it('reads the CPS4 rollout professions as a list (empty: all)', () => {
    expect(loadConfig({}).CPS4_PROFESSIONS).toEqual([]);
    expect(loadConfig({ CPS4_PROFESSIONS: '10,21' }).CPS4_PROFESSIONS).toEqual(['10', '21']);
    expect(() => loadConfig({ CPS4_PROFESSIONS: 'doctors' })).toThrow(/CPS4_PROFESSIONS/);
  });

  it('takes ENCODER_READERS as * or comma-separated reader names, and refuses empty, mixed or repeated names at boot', () => {
    expect(parseReaderSelection(loadConfig({}).ENCODER_READERS)).toBe('*');
    const cfg = loadConfig({ ENCODER_READERS: 'Virtual PCD 00 00, Virtual PCD 00 01' });
    expect(parseReaderSelection(cfg.ENCODER_READERS)).toEqual(['Virtual PCD 00 00', 'Virtual PCD 00 01']);
    expect(() => loadConfig({ ENCODER_READERS: 'Virtual PCD 00 00,,x' })).toThrow(
      /ENCODER_READERS="Virtual PCD 00 00,,x": .*without an empty name/,
    );
    expect(() => loadConfig({ ENCODER_READERS: '*,Virtual PCD 00 00' })).toThrow(/ENCODER_READERS=.*\* stands alone/);
    expect(() => loadConfig({ ENCODER_READERS: 'A,A' })).toThrow(/ENCODER_READERS=.*reader "A" is named twice/);
  });

  it('wants the claim timeout to cover at least 3 encoder heartbeats', () => {
    expect(() => loadConfig({ ENCODER_HEARTBEAT_SECONDS: '600', PERSONALIZATION_CLAIM_TIMEOUT_SECONDS: '300' })).toThrow(
      /PERSONALIZATION_CLAIM_TIMEOUT_SECONDS.*at least 3 times ENCODER_HEARTBEAT_SECONDS \(600\)/,
    );
    expect(loadConfig({ ENCODER_HEARTBEAT_SECONDS: '100', PERSONALIZATION_CLAIM_TIMEOUT_SECONDS: '300' }).ENCODER_HEARTBEAT_SECONDS).toBe(
      100,
    );
  });

  it('in production with ENCODER_DRIVER=pcsc, wants the readers named, none a virtual one (vpcd); development and test take both', () => {
    const prod = { NODE_ENV: 'production', ENCODER_DRIVER: 'pcsc' };
    expect(() => loadConfig(prod)).toThrow(
      /ENCODER_READERS=\(not set\): in production \(with ENCODER_DRIVER=pcsc\) the encoders' readers are named, .*\* \(every reader, the default\) is refused/,
    );
    expect(() => loadConfig({ ...prod, ENCODER_READERS: '*' })).toThrow(
      /ENCODER_READERS="\*": in production .* a virtual one \(vpcd\) included/,
    );
    expect(() => loadConfig({ ...prod, ENCODER_READERS: 'ACS ACR1252 00 00, Virtual PCD 00 01' })).toThrow(
      /ENCODER_READERS="ACS ACR1252 00 00, Virtual PCD 00 01": "Virtual PCD 00 01" is a virtual reader \(vsmartcard's vpcd, for tests\): refused in production/,
    );
    expect(() => loadConfig({ ...prod, ENCODER_READERS: 'virtual  pcd 00 00,Virtual PCD 00 01' })).toThrow(
      /"virtual {2}pcd 00 00", "Virtual PCD 00 01" are virtual readers/,
    );
    // a malformed selection is reported once, by its own check
    expect(() => loadConfig({ ...prod, ENCODER_READERS: 'A,,B' })).toThrow(
      /^Invalid configuration:\n {2}- ENCODER_READERS="A,,B": [^\n]*empty name$/,
    );
    const named = loadConfig({ ...prod, ENCODER_READERS: 'ACS ACR1252 00 00, ACS ACR1252 01 00' });
    expect(parseReaderSelection(named.ENCODER_READERS)).toEqual(['ACS ACR1252 00 00', 'ACS ACR1252 01 00']);
    // the simulated driver reads no reader; outside production, vpcd and * are the tests' readers
    expect(loadConfig({ NODE_ENV: 'production' }).ENCODER_READERS).toBe('*');
    for (const NODE_ENV of ['development', 'test']) {
      expect(loadConfig({ NODE_ENV, ENCODER_DRIVER: 'pcsc' }).ENCODER_READERS).toBe('*');
      expect(loadConfig({ NODE_ENV, ENCODER_DRIVER: 'pcsc', ENCODER_READERS: 'Virtual PCD 00 00' }).ENCODER_READERS).toBe(
        'Virtual PCD 00 00',
      );
    }
  });

  it('tells a virtual reader (vpcd) by its name, and why a selection cannot serve in production', () => {
    expect(['Virtual PCD 00 00', 'Virtual PCD 00 01', 'virtual pcd 01 00'].every(isVirtualReader)).toBe(true);
    expect(['ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00', 'Identiv uTrust 3700 F', 'PCD reader'].some(isVirtualReader)).toBe(
      false,
    );
    expect(productionReaderRefusal(['ACS ACR1252 00 00'])).toBeNull();
    expect(productionReaderRefusal('*')).toMatch(/\* \(every reader, the default\) is refused/);
    expect(productionReaderRefusal(['Virtual PCD 00 00'])).toBe(
      `"Virtual PCD 00 00" is a virtual reader (vsmartcard's vpcd, for tests): refused in production`,
    );
  });

  it('names every bad variable', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', ENCODER_DRIVER: 'usb', MIGRATIONS_RUN: 'maybe' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('PORT="eighty"');
    expect(msg).toContain('ENCODER_DRIVER="usb"');
    expect(msg).toContain('MIGRATIONS_RUN="maybe"');
  });

  it('wants the CRL signing key and issuer certificate together, and neither to start in production (only signers read them)', () => {
    expect(() => loadConfig({ CRL_SIGNING_KEY_FILE: '/etc/cps/key.pem' })).toThrow(/CRL_ISSUER_CERT_FILE.*go together/);
    expect(loadConfig({ NODE_ENV: 'production' }).CRL_SIGNING_KEY_FILE).toBeUndefined();
    const cfg = loadConfig({ NODE_ENV: 'production', CRL_SIGNING_KEY_FILE: '/k.pem', CRL_ISSUER_CERT_FILE: '/c.pem' });
    expect([cfg.CRL_SIGNING_KEY_FILE, cfg.CRL_ISSUER_CERT_FILE, cfg.CRL_NEXT_UPDATE_HOURS, cfg.OPPOSITION_REPLACEMENT]).toEqual([
      '/k.pem',
      '/c.pem',
      24,
      'policy',
    ]);
  });

  it('lets tests set the clock (CLOCK_NOW), never in production', () => {
    expect(loadConfig({}).CLOCK_NOW).toBeUndefined();
    expect(loadConfig({ CLOCK_NOW: '2026-11-30T23:30:00Z' }).CLOCK_NOW).toBe('2026-11-30T23:30:00Z');
    expect(() => loadConfig({ CLOCK_NOW: '2026-11-30' })).toThrow(/CLOCK_NOW="2026-11-30": expected an ISO 8601 time/);
    expect(() => loadConfig({ CLOCK_NOW: '2026-02-30T10:00:00Z' })).toThrow(/CLOCK_NOW.*not a real time/);
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        CRL_SIGNING_KEY_FILE: '/k.pem',
        CRL_ISSUER_CERT_FILE: '/c.pem',
        CLOCK_NOW: '2026-11-30T23:30:00Z',
      }),
    ).toThrow(/CLOCK_NOW=.*refused in production/);
  });

  it('takes the audit signing key file (required by the signing processes in production), and bounds the sequencing delay', () => {
    expect(loadConfig({ NODE_ENV: 'production', AUDIT_SIGNING_KEY_FILE: '/a.pem' }).AUDIT_SIGNING_KEY_FILE).toBe('/a.pem');
    expect(loadConfig({}).AUDIT_SEQUENCE_INTERVAL_MS).toBe(2000);
    expect(() => loadConfig({ AUDIT_SEQUENCE_INTERVAL_MS: '0' })).toThrow(/AUDIT_SEQUENCE_INTERVAL_MS/);
  });

  it('takes the vault key file (read by the processes that give out codes; the API starts without it, even in production)', () => {
    expect(loadConfig({ NODE_ENV: 'production', VAULT_KEY_FILE: '/v.keys' }).VAULT_KEY_FILE).toBe('/v.keys');
    expect(loadConfig({ NODE_ENV: 'production' }).VAULT_KEY_FILE).toBeUndefined();
  });

  it('takes the helpdesk number and the sender exactly as the letters print them: what starts is never refused when a batch is drawn', () => {
    const letterTakes = (phone: string) => letterProblems('card', { ...fakeCardLetter(1), helpdeskPhone: phone }).length === 0;
    const startTakes = (phone: string) => {
      try {
        return loadConfig({ HELPDESK_PHONE: phone }).HELPDESK_PHONE === phone;
      } catch (e) {
        expect((e as Error).message).toMatch(/HELPDESK_PHONE=.*expected a phone number/);
        return false;
      }
    };
    const phones = [
      '01 23 45 67 89',
      '+33 1 23 45 67 89',
      '01.23.45.67.89',
      '0 800 00 00 00',
      '3615',
      '12345',
      '01 23 45 67 8.', // ends with a dot: the letters refuse it
      '01 23 45 67 89 01 23 45', // 23 characters: more than the letters print
      '01 23 45 67 89 01 2345', // 22
      '012345678901234567890', // 21
      '01234567890123456789', // 20: the longest without a +
      '+01234567890123456789', // 21 with its +
      '+0 800',
      '++33 1 23',
      '01-23-45-67-89',
      ' 01 23 45 67 89',
    ];
    for (const phone of phones) expect([phone, startTakes(phone)]).toEqual([phone, letterTakes(phone)]);
    expect(startTakes('+01234567890123456789')).toBe(true);
    expect(startTakes('012345678901234567890')).toBe(false);
    expect(startTakes('01.23.45.67.89')).toBe(true);

    const senderTakes = (name: string) => {
      try {
        checkSettings('card', { sender: { name } });
        return true;
      } catch {
        return false;
      }
    };
    const senders = ['Agence du numérique en santé — Service CPS', 'A'.repeat(60), 'A'.repeat(61), 'A'.repeat(120), 'Tab\there', '   '];
    for (const name of senders) {
      let started: boolean;
      try {
        started = loadConfig({ MAILING_SENDER: name }).MAILING_SENDER === name;
      } catch (e) {
        expect((e as Error).message).toMatch(/MAILING_SENDER=.*expected printable text of at most 60 characters/);
        started = false;
      }
      expect([name, started]).toEqual([name, senderTakes(name)]);
    }
    expect(() => loadConfig({ MAILING_SENDER: 'A'.repeat(61) })).toThrow(/MAILING_SENDER/);
    expect(loadConfig({}).MAILING_SENDER).toBe('Agence du numérique en santé — Service CPS');
  });

  it('never prints a secret value in its error', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x' })).toThrow(/DATABASE_URL=\(value hidden\)/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x' })).not.toThrow(/hunter2/);
  });

  it('masks passwords in the printable copy', () => {
    const cfg = loadConfig({ DATABASE_URL: 'postgres://app:s3cret@db:5432/cps' });
    expect(JSON.stringify(redactedConfig(cfg))).not.toContain('s3cret');
    const noUser = loadConfig({ REDIS_URL: 'redis://:s3cret@redis:6379', DATABASE_PASSWORD: 'pw-s3cret' });
    expect(JSON.stringify(redactedConfig(noUser))).not.toContain('s3cret');
  });

  it('drains no time on SIGTERM and checks the daily schedules every 5 minutes unless told otherwise', () => {
    expect(loadConfig({})).toEqual(expect.objectContaining({ SHUTDOWN_DRAIN_SECONDS: 0, SCHEDULES_CHECK_SECONDS: 300 }));
    expect(loadConfig({ SHUTDOWN_DRAIN_SECONDS: '10', SCHEDULES_CHECK_SECONDS: '2' })).toEqual(
      expect.objectContaining({ SHUTDOWN_DRAIN_SECONDS: 10, SCHEDULES_CHECK_SECONDS: 2 }),
    );
    expect(() => loadConfig({ SHUTDOWN_DRAIN_SECONDS: '-1' })).toThrow(/SHUTDOWN_DRAIN_SECONDS="-1"/);
    expect(() => loadConfig({ SCHEDULES_CHECK_SECONDS: '0' })).toThrow(/SCHEDULES_CHECK_SECONDS="0"/);
  });

  describe('X_FILE: a variable read from a file (Docker secrets)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cps-config-'));
    const file = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text, { mode: 0o600 });
      return path;
    };

    it('reads any variable from X_FILE, its trailing line break dropped', () => {
      const cfg = loadConfig({
        DATABASE_URL_FILE: file('database_url', 'postgres://app:fromfile@db:5432/cps\n'),
        LOG_LEVEL_FILE: file('log_level', 'warn\r\n'),
      });
      expect(cfg.DATABASE_URL).toBe('postgres://app:fromfile@db:5432/cps');
      expect(cfg.LOG_LEVEL).toBe('warn');
    });

    it('refuses X and X_FILE together, an unreadable or empty file, naming the variable; a bad value read from a file stays hidden', () => {
      const both = () => loadConfig({ REDIS_URL: 'redis://r:6379', REDIS_URL_FILE: file('r', 'redis://s:6379') });
      expect(both).toThrow(/REDIS_URL_FILE=".*": REDIS_URL is set too; set one of them/);
      expect(() => loadConfig({ PORT_FILE: join(dir, 'missing') })).toThrow(/PORT_FILE=".*missing": cannot be read \(ENOENT\)/);
      expect(() => loadConfig({ PORT_FILE: file('empty', '\n') })).toThrow(/PORT_FILE=".*": the file is empty/);
      const bad = () => loadConfig({ LOG_LEVEL_FILE: file('bad', 'loud-hunter2') });
      expect(bad).toThrow(/LOG_LEVEL=\(value hidden\)/);
      expect(bad).not.toThrow(/hunter2/);
    });

    it('puts DATABASE_PASSWORD and REDIS_PASSWORD (or their files) into the URLs, percent-encoded', () => {
      const cfg = loadConfig({
        DATABASE_URL: 'postgres://cps@postgres:5432/cps',
        DATABASE_PASSWORD_FILE: file('db_password', 'p@ss:w/rd%\n'),
        REDIS_URL: 'redis://redis:6379',
        REDIS_PASSWORD: 'r3dis',
      });
      expect(cfg.DATABASE_URL).toBe('postgres://cps:p%40ss%3Aw%2Frd%25@postgres:5432/cps');
      expect(decodeURIComponent(new URL(cfg.DATABASE_URL).password)).toBe('p@ss:w/rd%');
      expect(cfg.REDIS_URL).toBe('redis://:r3dis@redis:6379');
      expect(loadConfig({}).DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/cps');
    });
  });
});
