import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { configSchema, loadConfig } from './config';

/**
 * docker-compose.prod.yml (issue 13, item 8), checked without Docker (none on the test machines, so no
 * `docker compose config` either): it parses as YAML, every variable it gives the processes is one they know
 * (README's configuration list, src/common/config/config.ts) with a value they accept, and it has what a
 * production stack needs (passwords, persistence, limits, log rotation, pinned images, internal port, grace periods).
 */
type Service = {
  image?: string;
  build?: { args?: Record<string, string> };
  environment?: Record<string, string>;
  secrets?: string[];
  ports?: string[];
  expose?: string[];
  entrypoint?: string[];
  command?: string[];
  healthcheck?: { test?: string[] };
  stop_grace_period?: string;
  logging?: { driver: string; options: Record<string, string> };
  deploy?: { resources?: { limits?: { cpus?: string; memory?: string } } };
};
type Compose = { services: Record<string, Service>; secrets: Record<string, { file: string }>; volumes: Record<string, unknown> };

const FILE = join(__dirname, '..', '..', '..', 'docker-compose.prod.yml');
// YAML 1.2 (core schema) with merge keys (<<), as Compose reads it.
const compose = load(readFileSync(FILE, 'utf8'), { schema: CORE_SCHEMA.withTags(mergeTag) }) as Compose;
const APP_SERVICES = ['api', 'worker'];
const KEYS = new Set(Object.keys(configSchema.shape));
/** Variables the processes get that are not theirs to validate: Node.js's own. */
const NOT_CONFIG = new Set(['NODE_OPTIONS']);
/** What the operator gives through ${...} interpolation (required there with :?), as it could be. */
const INTERPOLATED: Record<string, string> = {
  CONSOLE_URL: 'https://cps.example.fr/console',
  HELPDESK_PHONE: '01 23 45 67 89',
};

function seconds(duration: string): number {
  const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
  if (!m || duration === '') throw new Error(`not a duration: ${duration}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

function bytes(size: string): number {
  const m = /^(\d+)([kmg])$/i.exec(size);
  if (!m) throw new Error(`not a size: ${size}`);
  return Number(m[1]) * 1024 ** ' kmg'.indexOf(m[2].toLowerCase());
}

describe('docker-compose.prod.yml', () => {
  it('parses, with the stack beside the development one', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'postgres', 'redis', 'worker']);
    expect(Object.keys(compose.volumes).sort()).toEqual(['data', 'pgdata', 'redisdata']);
  });

  it.each(APP_SERVICES)('gives %s only variables the configuration knows (X or X_FILE), with values it accepts', (name) => {
    const env = compose.services[name].environment ?? {};
    const unknown = Object.keys(env).filter((k) => {
      if (KEYS.has(k) || NOT_CONFIG.has(k)) return false;
      return !(k.endsWith('_FILE') && KEYS.has(k.slice(0, -'_FILE'.length)));
    });
    expect(unknown).toEqual([]);
    // Loaded as the process would: secrets read from files stand in for /run/secrets, ${...} given by the operator.
    const dir = mkdtempSync(join(tmpdir(), 'cps-compose-'));
    const input: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) {
      if (NOT_CONFIG.has(k)) continue;
      const interpolated = /^\$\{([A-Z_]+):\?[^}]*\}$/.exec(String(v));
      if (interpolated) {
        expect(Object.keys(INTERPOLATED)).toContain(interpolated[1]);
        input[k] = INTERPOLATED[interpolated[1]];
      } else if (k.endsWith('_FILE') && KEYS.has(k.slice(0, -'_FILE'.length))) {
        const path = join(dir, k);
        writeFileSync(path, 'a-secret-read-from-a-file\n', { mode: 0o600 });
        input[k] = path;
      } else {
        input[k] = String(v);
      }
    }
    const cfg = loadConfig(input);
    expect(cfg.NODE_ENV).toBe('production');
    expect(cfg.DATABASE_CREATE).toBe(false);
    expect(new URL(cfg.DATABASE_URL).password).toBe('a-secret-read-from-a-file');
    expect(new URL(cfg.REDIS_URL).password).toBe('a-secret-read-from-a-file');
  });

  it('mounts every secret file a service names, from the declared secrets (files under ./secrets/)', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      const text = JSON.stringify([svc.environment, svc.entrypoint, svc.healthcheck]);
      for (const [, secret] of text.matchAll(/\/run\/secrets\/([a-z_]+)/g)) {
        expect([name, svc.secrets]).toEqual([name, expect.arrayContaining([secret])]);
        expect(compose.secrets[secret].file).toMatch(/^\.\/secrets\//);
      }
    }
    for (const svc of Object.values(compose.services)) {
      for (const secret of svc.secrets ?? []) expect(Object.keys(compose.secrets)).toContain(secret);
    }
  });

  it('runs PostgreSQL with a password and Redis with a password and an append-only file (BullMQ: noeviction)', () => {
    expect(compose.services.postgres.environment).toEqual(expect.objectContaining({ POSTGRES_PASSWORD_FILE: '/run/secrets/db_password' }));
    expect(JSON.stringify(compose.services.postgres.environment)).not.toMatch(/trust/);
    const redis = (compose.services.redis.entrypoint ?? []).join(' ');
    expect(redis).toMatch(/requirepass/);
    expect(redis).toMatch(/--appendonly yes/);
    expect(redis).toMatch(/--maxmemory-policy noeviction/);
    expect(compose.services.redis.healthcheck?.test?.join(' ')).toMatch(/REDISCLI_AUTH/);
  });

  it('pins every base image to an exact version (or a digest)', () => {
    const pinned = /^[a-z0-9./-]+(:\d+\.\d+(\.\d+)?(-[a-z0-9.-]+)?|@sha256:[0-9a-f]{64})$/;
    expect(compose.services.postgres.image).toMatch(pinned);
    expect(compose.services.redis.image).toMatch(pinned);
    for (const name of APP_SERVICES) {
      expect(compose.services[name].build?.args?.NODE_IMAGE).toMatch(pinned);
      expect(compose.services[name].image).toMatch(/:\$\{CPS_VERSION:\?/); // a release, never "latest"
    }
  });

  it('limits CPU and memory, the V8 heap below the memory limit, and rotates the logs of every service', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      const limits = svc.deploy?.resources?.limits;
      expect([name, Number(limits?.cpus)]).toEqual([name, expect.any(Number)]);
      expect(Number(limits?.cpus)).toBeGreaterThan(0);
      expect(bytes(limits?.memory ?? '')).toBeGreaterThan(0);
      expect([name, svc.logging?.driver]).toEqual([name, 'json-file']);
      expect(svc.logging?.options).toEqual({ 'max-size': expect.stringMatching(/^\d+m$/), 'max-file': expect.stringMatching(/^\d+$/) });
    }
    for (const name of APP_SERVICES) {
      const svc = compose.services[name];
      const heap = /--max-old-space-size=(\d+)/.exec(svc.environment?.NODE_OPTIONS ?? '');
      expect([name, heap?.[1]]).toEqual([name, expect.any(String)]);
      expect(Number(heap![1]) * 1024 ** 2).toBeLessThan(0.85 * bytes(svc.deploy!.resources!.limits!.memory!));
    }
  });

  it('serves /metrics and the API documents on an internal port that is not published; waits out the drain and the job steps on stop', () => {
    const api = compose.services.api;
    const internal = api.environment?.INTERNAL_PORT;
    expect(internal).toMatch(/^\d+$/);
    expect(api.expose).toContain(internal);
    expect((api.ports ?? []).some((p) => p.split(':').includes(internal!))).toBe(false);
    // The API: the drain, then at most 8 s to close (main.ts); the worker: at most 28 s (worker.ts).
    const drain = Number(api.environment?.SHUTDOWN_DRAIN_SECONDS);
    expect(drain).toBeGreaterThan(0);
    expect(seconds(api.stop_grace_period ?? '')).toBeGreaterThan(drain + 8);
    expect(seconds(compose.services.worker.stop_grace_period ?? '')).toBeGreaterThan(28);
  });
});
