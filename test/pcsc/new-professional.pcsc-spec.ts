import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { encodeCommand } from '../../src/card-personalization/apdu';
import { CardChannel } from '../../src/card-personalization/card-channel';
import { decodeCardFiles, encodeCardFiles } from '../../src/card-personalization/card-files';
import { CPX_ISO_V1 } from '../../src/card-personalization/cpx-iso-v1.profile';
import { PcscReaders } from '../../src/card-personalization/pcsc/pcsc-readers';
import { readFiles } from '../../src/card-personalization/personalization-runner';
import {
  inspectionSteps,
  type ReadStep,
  readBackSteps,
  type ScriptStep,
  verifyCommand,
} from '../../src/card-personalization/personalization-script';
import { SimulatedCard } from '../../src/card-personalization/simulated-card';
import { AuditService } from '../../src/common/audit/audit.service';
import { dataSourceOptions } from '../../src/common/database/data-source.factory';
import { appDataSourceParts } from '../../src/data-source-parts';
import { CodeVaultService, type VaultKeySource } from '../../src/mailing/code-vault.service';
import { loadVaultKeys } from '../../src/mailing/vault-keys';
import { apiCaller, createToken } from '../support/http';
import { type CliRun, eventually, runCli, type Service, startApi, startWorker } from '../support/processes';
import { runScriptor, type ScriptorExchange } from '../support/scriptor';
import { createTestDb, REDIS_URL, type TestDb, testDataDir, testQueuePrefix } from '../support/services';
import { VPCD_READERS, VpcdSlot } from '../support/vpcd-card';

/**
 * Issue 10, must show 1, as stated, through real processes only:
 *
 * 1. a professional new in the registry: the built CLI imports a baseline extract (with the card
 *    base, so that its holders need no card), then the next day's extract, where a person appears
 *    (the fixture's `.expected.json` names them: unknown to the API before, known after);
 * 2. an order for that person, created over the HTTP API with one operator's token and approved
 *    with another person's (four eyes: the requester's own approval is refused);
 * 3. a worker process with ENCODER_DRIVER=pcsc (ENCODER_READERS: vpcd's first reader) writes the
 *    card through the real pcscd onto the project's ISO card model sitting in vpcd. The worker starts
 *    once the order is approved: had it run at the import, its registry consumer would have made
 *    this person's first-issue order by policy, and the operator's order would have been refused as
 *    a duplicate; consumed now, the registry event refreshes the operator's order instead;
 * 4. with the worker stopped (a station holds its card exclusively), the card is read by the
 *    project's own PC/SC code and, independently, by `scriptor` (pcsc-tools) sending
 *    card-profile.md's SELECT (P2=0C) and READ BINARY commands: the bytes match each other, the card
 *    model's files and the profile's images of the order's data, byte for byte; VERIFY with the
 *    vault's PIN answers 9000, with another PIN 63Cx;
 * 5. GET /api/v1/cards?nationalId= lists the card, its chipSerial the EF.SN scriptor read.
 *
 * The faults of must show 2 are in personalization.pcsc-spec.ts and reader-unplugged.pcsc-spec.ts.
 */
const FIX = join(__dirname, '..', 'fixtures');
const baseline = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const nextDay = join(FIX, 'PS_LibreAcces_Personne_activite_202611260600.txt');
const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');
const newcomers = (JSON.parse(readFileSync(`${nextDay}.expected.json`, 'utf8')) as { new: string[] }).new;
const [R0] = VPCD_READERS;
const hex = (b: Buffer) => b.toString('hex').replace(/(..)/g, '$1 ').trim();
/** The file each READ BINARY step reads (null for a SELECT). */
const fileOf = (s: ScriptStep | ReadStep): string | null => ('file' in s ? s.file : null);

describe('must show 1: a new professional’s card, ordered and approved over the API, written by a pcsc worker through pcscd', () => {
  let db: TestDb;
  let ds: DataSource;
  let env: Record<string, string>;
  let api: (Service & { url: string }) | null = null;
  let worker: Service | null = null;
  let readers: PcscReaders;
  const slot = new VpcdSlot(R0);
  const tokens: Record<string, string> = {};
  const call = apiCaller(() => (api as Service & { url: string }).url, tokens);

  const cli = async (args: string[]): Promise<CliRun> => {
    const r = await runCli([...args, '--json'], env);
    if (r.code !== 0) throw new Error(`${args.join(' ')}: exit ${r.code}: ${r.stdout}${r.stderr}`);
    return r;
  };

  /** Whether pcscd reports a card in the reader within `ms` (asked every 100 ms). */
  async function pcscdSeesCard(ms: number): Promise<boolean> {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (readers.refresh(R0.name)?.cardPresent) return true;
    return false;
  }

  /**
   * Inserts a blank card and waits until pcscd sees it; now and then pcscd never powers a card put
   * in after another one was pulled out (see personalization.pcsc-spec.ts): it is re-seated once.
   */
  async function insertSeen(): Promise<SimulatedCard> {
    for (let seat = 1; ; seat++) {
      const card = new SimulatedCard();
      await slot.insert(card);
      if (await pcscdSeesCard(5_000)) return card;
      if (seat === 2) throw new Error(`pcscd did not see the card in ${R0.name}, even re-seated`);
      process.stderr.write(`pcscd did not see the card in ${R0.name} within 5 s (controls ${slot.controls.join(',')}): re-seating it\n`);
      await slot.remove();
      await readers.waitForRemoval(R0.name, 10_000);
    }
  }

  /** The project's own reading of the card: its PC/SC session (the worker's code), the profile's read-back steps. */
  async function projectReads(): Promise<{ serial: string; files: Record<string, Buffer> }> {
    const session = await readers.connect(R0.name);
    try {
      const channel = new CardChannel(session);
      const [selectSn, readSn] = inspectionSteps(CPX_ISO_V1).readSerial;
      await channel.expect(selectSn.label, selectSn.command);
      const sn = await channel.expect(readSn.label, readSn.command, [0x9000, 0x6282]);
      return { serial: sn.data.toString('latin1'), files: await readFiles(channel, readBackSteps(CPX_ISO_V1)) };
    } finally {
      await session.close();
    }
  }

  beforeAll(async () => {
    db = await createTestDb('pcsc-new-professional');
    env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: testQueuePrefix('pcsc-new-professional'),
      OUTBOX_RELAY_INTERVAL_MS: '100',
    };
    readers = PcscReaders.open({ readers: [R0.name] });
    await readers.waitForReader(R0.name, 10_000);
    // A card left in the reader by an earlier file must be seen gone: the station takes the card put in here.
    await slot.remove();
    await readers.waitForRemoval(R0.name, 10_000);
    ds = await new DataSource(dataSourceOptions(appDataSourceParts(db.url, 'test-pcsc-new-professional'))).initialize();
    api = await startApi(env);
    for (const who of ['alice', 'bob']) tokens[who] = (await createToken(env, 'operator', who)).token;
  });

  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await slot.remove();
    readers?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('registry newcomer → order approved over the API → card written by the pcsc worker, read back by scriptor byte for byte, PIN checked, listed with its chip', async () => {
    // 1. The baseline, then the next day's extract where the newcomer appears.
    expect(newcomers).toHaveLength(1);
    const [nationalId] = newcomers;
    expect((await cli(['rpps:import', baseline])).json.status).toBe('baseline');
    await cli(['cards:import', holders]);
    expect((await call('GET', `/api/v1/professionals/${nationalId}`, 'alice')).status).toBe(404);
    const imported = await cli(['rpps:import', nextDay]);
    expect(imported.json.status).toBe('applied');
    expect(
      await ds.query(`SELECT kind FROM rpps_event WHERE national_id = $1 AND import_id = $2`, [nationalId, imported.json.importId]),
    ).toEqual([{ kind: 'NEW_PROFESSIONAL' }]);
    const professional = await call('GET', `/api/v1/professionals/${nationalId}`, 'alice');
    expect(professional.status).toBe(200);
    const { professions, situations, lastName, firstName, cards: cardsBefore } = await professional.json();
    expect(cardsBefore).toEqual([]);
    expect(professions).toHaveLength(1);
    const [{ professionCode }] = professions;

    // 2. Ordered by one operator, approved by another (the requester may not approve it).
    const created = await call('POST', '/api/v1/orders', 'alice', { nationalId, professionCode, cardType: 'CPS', reason: 'first-issue' });
    expect(created.status).toBe(201);
    const order = await created.json();
    expect(order).toMatchObject({ nationalId, professionCode, status: 'requested' });
    expect((await call('POST', `/api/v1/orders/${order.id}/approve`, 'alice')).status).toBe(403);
    const approved = await call('POST', `/api/v1/orders/${order.id}/approve`, 'bob');
    expect([approved.status, (await approved.json()).status]).toEqual([200, 'approved']);

    // 3. A blank card in vpcd's reader, and a worker whose pcsc station takes it.
    const card = await insertSeen();
    const chip = card.inspect().serial as string;
    worker = startWorker({ ...env, ENCODER_DRIVER: 'pcsc', ENCODER_READERS: R0.name, ENCODER_HEARTBEAT_SECONDS: '1' });
    const w = worker;
    const [written] = await eventually(
      async () => {
        const rows = await ds.query(`SELECT order_id, card_number, state FROM card WHERE chip_serial = $1`, [chip]);
        return rows.length ? rows : undefined;
      },
      40_000,
      "the card written by the worker's pcsc station",
    ).catch((e: Error) => {
      // what the worker said (warnings and errors), read when the wait failed
      throw new Error(`${e.message}\n${w.output().slice(-4000)}`);
    });
    expect(written).toMatchObject({ order_id: order.id, state: 'personalized' });
    // The registry's event reaches the worker too: consumed, it makes no second order for this person.
    await eventually(
      async () =>
        (
          await ds.query(
            `SELECT 1 FROM consumed_registry_event c JOIN rpps_event e ON e.id::text = c.event_id::text WHERE e.national_id = $1`,
            [nationalId],
          )
        ).length === 1,
      20_000,
      'the registry event consumed by the worker',
    );
    await worker.stop();
    worker = null;
    const orders = await ds.query(`SELECT id, status FROM card_order WHERE national_id = $1`, [nationalId]);
    expect(orders).toEqual([{ id: order.id, status: 'personalized' }]);

    // 4. Read back: by the project's PC/SC code, then by scriptor, another PC/SC client.
    const project = await projectReads();
    const readSerial = inspectionSteps(CPX_ISO_V1).readSerial;
    const steps = [...readSerial, ...readBackSteps(CPX_ISO_V1)];
    const read = await runScriptor(
      R0.name,
      steps.map((s) => hex(encodeCommand(s.command))),
    );
    if (read.code !== 0) process.stderr.write(`scriptor: exit ${read.code}\n${read.stdout}${read.stderr}\n`);
    expect(read.code).toBe(0);
    expect(read.exchanges).toHaveLength(steps.length);
    // What scriptor sent is card-profile.md's command set: SELECT with P2=0C, READ BINARY, nothing else.
    for (const x of read.exchanges) {
      const [cla, ins, , p2] = x.command;
      expect({ cla, ins: ins === 0xa4 ? `SELECT P2=${p2.toString(16)}` : ins.toString(16) }).toEqual({
        cla: 0,
        ins: ins === 0xa4 ? 'SELECT P2=c' : 'b0',
      });
    }
    // EF.SN: a short answer (6282) is fine, as card-profile.md says; every other command 9000.
    const [, snRead, ...rest] = read.exchanges;
    expect([0x9000, 0x6282]).toContain(snRead.sw);
    expect(rest.map((x) => x.sw.toString(16))).toEqual(rest.map(() => '9000'));
    const scriptorSerial = snRead.data.toString('latin1');
    expect(scriptorSerial).toBe(chip);
    expect(project.serial).toBe(chip);

    const byFile = (exchanges: ScriptorExchange[], from: Array<ScriptStep | ReadStep>) => {
      const out: Record<string, Buffer> = {};
      from.forEach((s, i) => {
        const f = fileOf(s);
        if (f) out[f] = Buffer.concat([out[f] ?? Buffer.alloc(0), exchanges[i].data]);
      });
      return out;
    };
    const scriptorFiles = byFile(rest, readBackSteps(CPX_ISO_V1));

    // The order's frozen content and the card's dates, as the profile encodes them.
    const [row] = await ds.query(
      `SELECT c.card_number, c.card_type, c.generation, to_char(c.valid_from, 'YYYY-MM-DD') AS valid_from,
              to_char(c.valid_until, 'YYYY-MM-DD') AS valid_until, o.content
         FROM card c JOIN card_order o ON o.id = c.order_id WHERE c.order_id = $1`,
      [order.id],
    );
    const images = encodeCardFiles(CPX_ISO_V1, {
      card: {
        number: row.card_number,
        cardType: row.card_type,
        generation: row.generation,
        validFrom: row.valid_from,
        validUntil: row.valid_until,
      },
      content: row.content,
    }).images;
    const onCard = new Map(card.inspect().files.map((f) => [f.path, f.data]));
    for (const ef of CPX_ISO_V1.files) {
      const path = `3F00/${CPX_ISO_V1.application.fid.toString(16).toUpperCase()}/${ef.fid.toString(16).toUpperCase().padStart(4, '0')}`;
      const scriptorBytes = { file: ef.name, bytes: hex(scriptorFiles[ef.name]) };
      expect(scriptorFiles[ef.name]).toHaveLength(ef.size);
      expect(scriptorBytes).toEqual({ file: ef.name, bytes: hex(project.files[ef.name]) });
      expect(scriptorBytes).toEqual({ file: ef.name, bytes: hex(onCard.get(path) as Buffer) });
      expect(scriptorBytes).toEqual({ file: ef.name, bytes: hex(images[ef.name]) });
    }
    // Decoded from scriptor's bytes: the newcomer's card, and a seal over its TLVs that holds.
    const decoded = decodeCardFiles(CPX_ISO_V1, scriptorFiles);
    expect(decoded['EF.ID']).toMatchObject({
      kind: 'fields',
      unknownTags: [],
      fields: expect.objectContaining({
        nationalId,
        lastName,
        firstName,
        professionCode,
        cardType: 'CPS',
        cardNumber: row.card_number,
        validFrom: row.valid_from,
        validUntil: row.valid_until,
      }),
    });
    expect(decoded['EF.SIT']).toMatchObject({
      kind: 'records',
      unknownTags: [],
      records: situations
        .slice(0, 8)
        .map((x: { siteName: string }, i: number) => expect.objectContaining({ number: i + 1, siteName: x.siteName })),
    });
    expect(decoded['EF.SEAL']).toMatchObject({ kind: 'seal', matches: true });

    // VERIFY: the vault's PIN opens the card, another PIN does not (63Cx: the card counts down), the vault's again does.
    const loaded = loadVaultKeys({ dataDir: testDataDir(db.name), profile: 'test', today: '2026-11-26' });
    const keys: VaultKeySource = { get: async () => (await loaded).keyring };
    const { pin } = await new CodeVaultService(ds, new AuditService(ds), keys).codesForPersonalization(order.id);
    const other = pin === '2580' ? '1397' : '2580';
    const verify = await runScriptor(R0.name, [
      hex(encodeCommand(verifyCommand(CPX_ISO_V1, 'PIN', pin))),
      hex(encodeCommand(verifyCommand(CPX_ISO_V1, 'PIN', other))),
      hex(encodeCommand(verifyCommand(CPX_ISO_V1, 'PIN', pin))),
    ]);
    // Its output holds the codes: only the exit code and the status words are shown.
    expect(verify.code).toBe(0);
    expect(verify.exchanges.map((x) => x.command.subarray(0, 4).toString('hex'))).toEqual(
      verify.exchanges.map(() => `002000${CPX_ISO_V1.codes.pin.reference.toString(16).padStart(2, '0')}`),
    );
    const sws = verify.exchanges.map((x) => x.sw.toString(16));
    expect(sws[0]).toBe('9000');
    expect(sws[1]).toMatch(/^63c[0-9a-f]$/);
    expect(sws[2]).toBe('9000');

    // 5. The API lists the card with the chip serial read from EF.SN.
    const listed = await call('GET', `/api/v1/cards?nationalId=${nationalId}`, 'alice');
    expect(listed.status).toBe(200);
    const { items } = await listed.json();
    expect(items).toEqual([
      expect.objectContaining({
        cardNumber: row.card_number,
        nationalId,
        orderId: order.id,
        state: 'personalized',
        chipSerial: scriptorSerial,
        validFrom: row.valid_from,
        validUntil: row.valid_until,
      }),
    ]);
  });
});
