import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { EncoderFleetService, knownDead, newProcessId, StationRegistration } from '../../src/card-personalization/encoder-fleet.service';
import { ERROR_TEXT_MAX } from '../../src/common/errors/error-text';
import { openContext, TestContext, testConfig } from '../support/context';

/** K = 3 failures in a row, heartbeats every 5 s (offline after 15 s), forgotten after 168 h: the defaults. */
describe(EncoderFleetService.name, () => {
  let ctx: TestContext;
  let fleet: EncoderFleetService;
  const cfg = testConfig();
  const station = (reader: string, more: Partial<StationRegistration> = {}): StationRegistration => ({
    host: 'enc-host-1',
    reader,
    driver: 'pcsc',
    processId: 'enc-host-1:4242',
    ...more,
  });
  /** Moves a station's last heartbeat `seconds` into the past (as if its process had been silent that long). */
  const silentFor = (id: string, seconds: number) =>
    ctx.ds.query(`UPDATE encoder_station SET heartbeat_at = now() - $2::int * interval '1 second' WHERE id = $1`, [id, seconds]);
  const stored = async (id: string) => (await ctx.ds.query(`SELECT * FROM encoder_station WHERE id = $1`, [id]))[0];
  const failTimes = async (id: string, n: number) => {
    let last = { state: '', consecutiveFailures: 0 };
    for (let i = 0; i < n; i++) last = await fleet.recordCard(id, { ok: false, error: `card_removed: the card was removed (${i})` });
    return last;
  };

  beforeAll(async () => {
    ctx = await openContext('encoder-fleet');
    fleet = new EncoderFleetService(ctx.ds, ctx.audit, cfg);
  });
  beforeEach(async () => {
    await ctx.ds.query(`DELETE FROM encoder_station`);
  });
  afterAll(async () => ctx.close());

  it('runs on the default configuration: 3 failures in a row, offline after 3 heartbeats of 5 s, forgotten after 168 h', () => {
    expect([cfg.ENCODER_MAX_CONSECUTIVE_FAILURES, cfg.ENCODER_HEARTBEAT_SECONDS, cfg.ENCODER_FORGET_HOURS]).toEqual([3, 5, 168]);
    expect(fleet.staleAfterSeconds).toBe(15);
  });

  describe('register', () => {
    it('makes an idle station named <host>/<reader>, run by the process that registered it', async () => {
      const id = await fleet.register(station('Virtual PCD 00 00'));
      expect(id).toBe('enc-host-1/Virtual PCD 00 00');
      expect(await fleet.current(id)).toMatchObject({
        id,
        host: 'enc-host-1',
        reader: 'Virtual PCD 00 00',
        driver: 'pcsc',
        processId: 'enc-host-1:4242',
        state: 'idle',
        orderId: null,
        cardsDone: 0,
        cardsFailed: 0,
        consecutiveFailures: 0,
        lastError: null,
      });
    });

    it('lets a new process take a silent station over: its process, idle, no order, the counters carried on', async () => {
      const id = await fleet.register(station('r1'));
      await fleet.recordCard(id, { ok: true });
      await fleet.recordCard(id, { ok: false, error: 'memory failure' });
      await fleet.setState(id, 'writing', randomUUID());
      // while its process beats, another process is refused the reader
      await expect(fleet.register(station('r1', { processId: 'enc-host-1:5555' }))).rejects.toMatchObject({
        code: 'encoder_busy',
        status: 409,
        message: expect.stringContaining('enc-host-1:4242'),
      });
      await silentFor(id, 16);
      expect(await fleet.register(station('r1', { processId: 'enc-host-1:5555', driver: 'simulated' }))).toBe(id);
      expect(await fleet.current(id)).toMatchObject({
        processId: 'enc-host-1:5555',
        driver: 'simulated',
        state: 'idle',
        orderId: null,
        cardsDone: 1,
        cardsFailed: 1,
        consecutiveFailures: 1,
      });
      const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM encoder_station`);
      expect(n).toBe(1);
    });

    it('refuses a second process with the same host name and pid (containers with one hostname, node as pid 1): their ids differ', async () => {
      const [a, b] = [newProcessId('same-host', 1), newProcessId('same-host', 1)];
      expect(a).toMatch(/^same-host:1:[0-9a-f]{8}$/);
      expect(a).not.toBe(b);
      const id = await fleet.register(station('r-twin', { host: 'same-host', processId: a }));
      await expect(fleet.register(station('r-twin', { host: 'same-host', processId: b }))).rejects.toMatchObject({ code: 'encoder_busy' });
      expect(await fleet.current(id)).toMatchObject({ processId: a });
    });

    it('registers one station from two processes starting at once: one runs it, the other is refused', async () => {
      const ids = [newProcessId('race-host', 11), newProcessId('race-host', 12)];
      const outcomes = await Promise.allSettled(
        ids.map((processId) => fleet.register(station('r-race', { host: 'race-host', processId }))),
      );
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({ code: 'encoder_busy' });
    });

    it('takes a station over at once from a process of this host that no longer exists', async () => {
      const gone = spawnSync(process.execPath, ['-e', '0']).pid;
      const id = await fleet.register(station('r2', { host: hostname(), processId: `${hostname()}:${gone}` }));
      expect(knownDead(`${hostname()}:${gone}`)).toBe(true);
      expect(knownDead(`${hostname()}:${process.pid}`)).toBe(false);
      expect(knownDead(`another-host:${gone}`)).toBe(false);
      expect(knownDead(`${hostname()}:${gone}:0a1b2c3d`)).toBe(true);
      expect(knownDead(`${hostname()}:${process.pid}:0a1b2c3d`)).toBe(false);
      await fleet.register(station('r2', { host: hostname(), processId: `${hostname()}:${process.pid}` }));
      expect(await fleet.current(id)).toMatchObject({ processId: `${hostname()}:${process.pid}` });
      // the old process's late calls leave the new one's row alone
      await fleet.goOffline([id], `${hostname()}:${gone}`);
      expect(await fleet.current(id)).toMatchObject({ processId: `${hostname()}:${process.pid}`, state: 'idle' });
    });

    it('keeps a station in error in error when its process starts again: only an operator resets it', async () => {
      const id = await fleet.register(station('r1'));
      await failTimes(id, 3);
      await fleet.goOffline([id], 'enc-host-1:4242');
      await fleet.register(station('r1', { processId: 'enc-host-1:6000' }));
      expect(await fleet.current(id)).toMatchObject({ state: 'error', processId: 'enc-host-1:6000', consecutiveFailures: 3 });
    });

    it('refuses a host with a "/" (the id would be ambiguous) and an empty reader', async () => {
      await expect(fleet.register(station('r1', { host: 'a/b' }))).rejects.toThrow(/without "\/"/);
      await expect(fleet.register(station(''))).rejects.toThrow(/reader/);
      const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM encoder_station`);
      expect(n).toBe(0);
    });
  });

  describe('setState', () => {
    it('records what the station does and the order it works on; idle drops the order', async () => {
      const id = await fleet.register(station('r1'));
      const order = randomUUID();
      expect(await fleet.setState(id, 'waiting-card', order)).toBe('waiting-card');
      expect(await fleet.setState(id, 'writing')).toBe('writing');
      expect(await fleet.current(id)).toMatchObject({ state: 'writing', orderId: order });
      await fleet.setState(id, 'waiting-card', null);
      expect((await fleet.current(id)).orderId).toBeNull();
      await fleet.setState(id, 'writing', order);
      expect(await fleet.setState(id, 'idle')).toBe('idle');
      expect(await fleet.current(id)).toMatchObject({ state: 'idle', orderId: null });
    });

    it('never takes a station out of error (it answers error and keeps it), but refreshes its heartbeat', async () => {
      const id = await fleet.register(station('r1'));
      await failTimes(id, 3);
      await silentFor(id, 60);
      for (const state of ['idle', 'waiting-card', 'writing'] as const) {
        expect(await fleet.setState(id, state, randomUUID())).toBe('error');
      }
      expect(await fleet.current(id)).toMatchObject({ state: 'error', orderId: null });
      expect((await fleet.list()).items[0]).toMatchObject({ id, state: 'error', stoppedIn: null });
    });

    it('refuses the states a station may not set itself, and answers 404 encoder_not_found for an unknown station', async () => {
      const id = await fleet.register(station('r1'));
      await expect(fleet.setState(id, 'error' as never)).rejects.toThrow(/not one of/);
      await expect(fleet.setState(id, 'offline' as never)).rejects.toThrow(/not one of/);
      expect((await fleet.current(id)).state).toBe('idle');
      await expect(fleet.setState('enc-host-1/nowhere', 'idle')).rejects.toMatchObject({ code: 'encoder_not_found', status: 404 });
    });
  });

  describe('recordCard', () => {
    it('counts cards done; a success ends the run of failures', async () => {
      const id = await fleet.register(station('r1'));
      expect(await fleet.recordCard(id, { ok: true })).toEqual({ state: 'idle', consecutiveFailures: 0 });
      expect(await failTimes(id, 2)).toEqual({ state: 'idle', consecutiveFailures: 2 });
      expect(await fleet.recordCard(id, { ok: true })).toEqual({ state: 'idle', consecutiveFailures: 0 });
      expect(await failTimes(id, 2)).toEqual({ state: 'idle', consecutiveFailures: 2 });
      expect(await fleet.current(id)).toMatchObject({
        cardsDone: 2,
        cardsFailed: 4,
        consecutiveFailures: 2,
        lastError: 'card_removed: the card was removed (1)',
        lastErrorAt: expect.any(Date),
      });
    });

    it('puts the station in error at the K-th failure in a row, and drops its order', async () => {
      const id = await fleet.register(station('r1'));
      await fleet.setState(id, 'writing', randomUUID());
      expect(await failTimes(id, 2)).toEqual({ state: 'writing', consecutiveFailures: 2 });
      expect(await fleet.recordCard(id, { ok: false, error: '6581 memory failure' })).toEqual({ state: 'error', consecutiveFailures: 3 });
      expect(await fleet.current(id)).toMatchObject({ state: 'error', orderId: null, cardsFailed: 3, lastError: '6581 memory failure' });
    });

    it('keeps the error text on one line and at most 500 characters', async () => {
      const id = await fleet.register(station('r1'));
      await fleet.recordCard(id, { ok: false, error: `first line\nsecond\tline ${'é'.repeat(600)}` });
      const { lastError } = await fleet.current(id);
      expect(ERROR_TEXT_MAX).toBe(500);
      expect(Array.from(lastError!)).toHaveLength(500);
      expect(lastError).toMatch(/^first line second line é+…$/);
    });

    it('answers 404 encoder_not_found for an unknown station', async () => {
      await expect(fleet.recordCard('enc-host-1/nowhere', { ok: true })).rejects.toMatchObject({ code: 'encoder_not_found' });
    });
  });

  describe('reset', () => {
    it('puts a station in error back to idle, with no failure in a row, who and when, and an audit entry', async () => {
      const id = await fleet.register(station('reset-ok'));
      await failTimes(id, 3);
      const view = await fleet.reset(id, 'principal:op-1');
      expect(view).toMatchObject({ id, state: 'idle', consecutiveFailures: 0, resetBy: 'principal:op-1', resetAt: expect.any(Date) });
      // the last error stays visible: it says why the station was reset
      expect(view.lastError).toBe('card_removed: the card was removed (2)');
      expect(await fleet.current(id)).toMatchObject({ state: 'idle', consecutiveFailures: 0, cardsFailed: 3 });
      const entries = await ctx.audit.list({ entity: 'encoder_station', id });
      expect(entries.items).toEqual([
        expect.objectContaining({
          actor: 'principal:op-1',
          action: 'encoder.reset',
          entityId: id,
          details: expect.objectContaining({ host: 'enc-host-1', reader: 'reset-ok', consecutiveFailures: 3 }),
        }),
      ]);
      // back to work: the next failure is the first of a new run
      expect(await fleet.setState(id, 'waiting-card')).toBe('waiting-card');
      expect(await failTimes(id, 1)).toEqual({ state: 'waiting-card', consecutiveFailures: 1 });
    });

    it('answers 409 encoder_not_in_error for a station that is not in error, and changes nothing', async () => {
      const id = await fleet.register(station('reset-409'));
      await fleet.setState(id, 'writing');
      await expect(fleet.reset(id, 'principal:op-1')).rejects.toMatchObject({ code: 'encoder_not_in_error', status: 409 });
      expect(await fleet.current(id)).toMatchObject({ state: 'writing', resetBy: null });
      expect((await ctx.audit.list({ entity: 'encoder_station', id })).total).toBe(0);
    });

    it('answers 404 encoder_not_found for an unknown station', async () => {
      await expect(fleet.reset('enc-host-1/nowhere', 'principal:op-1')).rejects.toMatchObject({ code: 'encoder_not_found', status: 404 });
      await expect(fleet.current('enc-host-1/nowhere')).rejects.toMatchObject({ code: 'encoder_not_found', status: 404 });
    });
  });

  describe('list', () => {
    it('shows a station whose heartbeat is older than 3 heartbeats offline, with the state it stopped in; a heartbeat brings it back', async () => {
      const id = await fleet.register(station('r1'));
      const order = randomUUID();
      await fleet.setState(id, 'writing', order);
      await silentFor(id, 10);
      expect((await fleet.list()).items[0]).toMatchObject({ id, state: 'writing', stoppedIn: null, orderId: order });
      await silentFor(id, 16);
      expect((await fleet.list()).items[0]).toMatchObject({ id, state: 'offline', stoppedIn: 'writing', orderId: order });
      expect((await fleet.current(id)).state).toBe('writing');
      await fleet.heartbeat([id], 'enc-host-1:4242');
      expect((await fleet.list()).items[0]).toMatchObject({ id, state: 'writing', stoppedIn: null });
    });

    it('shows a station stopped cleanly offline at once (no process, no order), and its heartbeat no longer revives it', async () => {
      const id = await fleet.register(station('r1'));
      await fleet.setState(id, 'waiting-card', randomUUID());
      await fleet.goOffline([id], 'enc-host-1:4242');
      expect((await fleet.list()).items[0]).toMatchObject({ id, state: 'offline', stoppedIn: null, processId: null, orderId: null });
      await fleet.heartbeat([id], 'enc-host-1:4242');
      expect((await fleet.list()).items[0]).toMatchObject({ state: 'offline' });
    });

    it('shows a station in error whose process stopped offline, stopped in error, until it is reset', async () => {
      const id = await fleet.register(station('r1'));
      await failTimes(id, 3);
      await fleet.goOffline([id], 'enc-host-1:4242');
      expect((await fleet.list()).items[0]).toMatchObject({ id, state: 'offline', stoppedIn: 'error' });
      await fleet.reset(id, 'principal:op-1');
      expect((await fleet.list()).items[0]).toMatchObject({ id, state: 'offline', stoppedIn: 'idle' });
    });

    it('no longer lists an offline station silent for ENCODER_FORGET_HOURS, and purge deletes it; a station in error is never forgotten', async () => {
      const [kept, forgotten, inError, running] = await Promise.all(
        ['kept', 'forgotten', 'in-error', 'running'].map((r) => fleet.register(station(r))),
      );
      await failTimes(inError, 3);
      await fleet.goOffline([kept, forgotten, inError], 'enc-host-1:4242');
      await silentFor(kept, 167 * 3600);
      await silentFor(forgotten, 168 * 3600 + 1);
      await silentFor(inError, 1000 * 3600);
      const listed = await fleet.list();
      expect(listed.items.map((s) => s.id)).toEqual([inError, kept, running].sort());
      expect(listed.total).toBe(3);
      expect(await fleet.countByState()).toEqual({ idle: 1, 'waiting-card': 0, writing: 0, error: 0, offline: 2 });
      expect(await stored(forgotten)).toBeDefined(); // listing does not delete...
      expect(await fleet.purge()).toBe(1); // ... purge (and register) does
      expect(await stored(forgotten)).toBeUndefined();
      expect(await stored(inError)).toMatchObject({ state: 'error' });
    });

    it('pages by id and counts every station listed', async () => {
      for (const r of ['c', 'a', 'b']) await fleet.register(station(r));
      const page2 = await fleet.list({ page: 2, pageSize: 2 });
      expect(page2).toMatchObject({ page: 2, pageSize: 2, total: 3 });
      expect(page2.items.map((s) => s.reader)).toEqual(['c']);
      expect(await fleet.list({ page: 5, pageSize: 2 })).toEqual({ items: [], page: 5, pageSize: 2, total: 3, totalIsLowerBound: false });
    });

    it('counts the stations by state as shown', async () => {
      const [a, b, c, d] = await Promise.all(['a', 'b', 'c', 'd'].map((r) => fleet.register(station(r))));
      await fleet.setState(a, 'writing');
      await fleet.setState(b, 'waiting-card');
      await failTimes(c, 3);
      await fleet.setState(d, 'writing');
      await silentFor(d, 3600);
      expect(await fleet.countByState()).toEqual({ idle: 0, 'waiting-card': 1, writing: 1, error: 1, offline: 1 });
    });
  });
});
