import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { type AppConfig, parseReaderSelection } from '../common/config/config';
import { APP_CONFIG } from '../common/config/config.module';
import { CodeVaultService } from '../mailing/code-vault.service';
import { PersonalizationOrdersService } from '../orders/personalization-orders.service';
import { CardPersonalizationError } from './card-personalization.errors';
import { CPX_ISO_V1 } from './cpx-iso-v1.profile';
import type { EncoderDriver, EncoderSlot } from './encoder-driver';
import { EncoderFleetService, newProcessId } from './encoder-fleet.service';
import { EncoderStation, type StationOptions, type StationSummary } from './encoder-station';
import type { EncoderDriverName } from './encoder-station.entity';
import { PcscEncoderDriver } from './pcsc/pcsc-encoder';
import { SimulatedEncoderDriver } from './simulated-encoder';
import type { StationDeps, StationLog } from './station-deps';

/** How long personalize:run waits for its PC/SC reader to show up (ms). */
const READER_WAIT_MS = 5_000;

/**
 * Runs encoder stations: one in the foreground (personalize:run, the demo), or one per
 * slot of the configured driver in the worker, with heartbeats and the release of orders
 * left by stations that went silent.
 */
@Injectable()
export class PersonalizationService {
  /** `<host>:<pid>`: the process that runs this service's stations. */
  private readonly processId = newProcessId();
  /** The claims of stuck stations already logged (once each). */
  private readonly reportedStuck = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly orders: PersonalizationOrdersService,
    private readonly vault: CodeVaultService,
    private readonly fleet: EncoderFleetService,
  ) {}

  /** ENCODER_DRIVER, or `simulated` when it is not set (personalize:run; the worker runs no station then). */
  private driverName(): EncoderDriverName {
    return this.cfg.ENCODER_DRIVER ?? 'simulated';
  }

  /**
   * The driver ENCODER_DRIVER names (pcsc: throws PcscUnavailableError when the stack is missing).
   * A simulated encoder lives in its process: its reader is named after the process
   * (`Simulated encoder (pid N) 1`), so that two processes on one host run two stations
   * (`<host>/<reader>`) instead of taking one fleet row from each other.
   */
  openDriver(): EncoderDriver {
    const name = this.driverName();
    if (this.cfg.NODE_ENV === 'production' && name === 'simulated') {
      // A simulated card is no card: real orders' codes would be opened and the orders marked personalized.
      throw new CardPersonalizationError(
        'unusable_input',
        this.cfg.ENCODER_DRIVER
          ? 'ENCODER_DRIVER=simulated makes no real card: it is refused in production (set ENCODER_DRIVER=pcsc)'
          : 'ENCODER_DRIVER is not set, so personalize:run would take the simulated encoder, which makes no real card and is refused in production (set ENCODER_DRIVER=pcsc)',
        422,
      );
    }
    return name === 'pcsc'
      ? PcscEncoderDriver.open(parseReaderSelection(this.cfg.ENCODER_READERS), {
          // vpcd's virtual readers are no encoder: a production station never gives them codes, even under `*`
          refuseVirtualReaders: this.cfg.NODE_ENV === 'production',
        })
      : new SimulatedEncoderDriver({ namePrefix: simulatedReaderPrefix() });
  }

  deps(driver: EncoderDriver, log: StationLog): StationDeps {
    return {
      orders: this.orders,
      vault: this.vault,
      fleet: this.fleet,
      log,
      host: hostname(),
      processId: this.processId,
      driver: driver.kind,
    };
  }

  /**
   * personalize:run: one station in the foreground on `reader` (default: the first slot),
   * until `limit` cards are done or no approved order is left.
   */
  async runForeground(
    o: { limit?: number; reader?: string; driver?: EncoderDriver; log: StationLog; onCard?: StationOptions['onCard'] },
    signal: AbortSignal,
  ): Promise<StationSummary> {
    await this.orders.releaseStale(this.cfg.PERSONALIZATION_CLAIM_TIMEOUT_SECONDS);
    // Missing or unusable vault keys stop here, before an order is taken or a card number used.
    await this.vault.checkKeys();
    const driver = o.driver ?? this.openDriver();
    try {
      const slot = await pickSlot(driver, o.reader);
      const station = new EncoderStation(slot, this.deps(driver, o.log), CPX_ISO_V1);
      const beat = setInterval(() => void this.beat([station], o.log), this.cfg.ENCODER_HEARTBEAT_SECONDS * 1000);
      try {
        return await station.run(signal, { limit: o.limit, exitWhenIdle: true, onCard: o.onCard });
      } finally {
        clearInterval(beat);
        await this.goOffline([station], o.log);
      }
    } finally {
      if (!o.driver) await driver.close();
    }
  }

  /**
   * The stations are alive: their heartbeats, and the claims they hold renewed (a slow card is
   * not a silent station). A station whose card has been written for longer than
   * PERSONALIZATION_CLAIM_TIMEOUT_SECONDS (its session hangs) is left out: its claim expires
   * and is given back, and it shows offline until its session ends.
   */
  private async beat(stations: EncoderStation[], log: StationLog): Promise<void> {
    const overdueMs = this.cfg.PERSONALIZATION_CLAIM_TIMEOUT_SECONDS * 1000;
    const stuckOnes = stations.filter((s) => s.writingLongerThan(overdueMs));
    const live = stations.filter((s) => s.id && !stuckOnes.includes(s));
    for (const stuck of stuckOnes) {
      const claim = stuck.heldClaim;
      if (!claim || this.reportedStuck.has(claim.token)) continue;
      this.reportedStuck.add(claim.token);
      log.error(
        {
          station: stuck.id,
          orderId: claim.orderId,
          cardNumber: claim.cardNumber,
          timeoutSeconds: this.cfg.PERSONALIZATION_CLAIM_TIMEOUT_SECONDS,
        },
        'encoder station stuck on one card: its order claim is no longer renewed and will be given back, its chip spoiled',
      );
    }
    const ids = live.map((s) => s.id);
    const tokens = live.map((s) => s.heldClaim?.token).filter((t): t is string => t !== undefined);
    await Promise.all([
      this.fleet.heartbeat(ids, this.processId).catch((e: Error) => log.warn({ err: e.message }, 'encoder heartbeat failed')),
      this.orders.renewClaims(tokens).catch((e: Error) => log.warn({ err: e.message }, 'renewing personalization claims failed')),
    ]);
  }

  /** The stations stopped: offline (a failure is logged; their heartbeat then stops and the fleet shows them offline anyway). */
  private async goOffline(stations: EncoderStation[], log: StationLog): Promise<void> {
    const ids = stations.map((s) => s.id).filter(Boolean);
    await this.fleet
      .goOffline(ids, this.processId)
      .catch((e: Error) => log.warn({ stations: ids, err: e.message }, 'marking the stations offline failed'));
  }

  /**
   * The worker's stations: one per slot, started as slots appear and stopped as they go;
   * heartbeats every ENCODER_HEARTBEAT_SECONDS; orders left personalizing by a silent
   * station go back to the queue. Resolves once `signal` aborts and every station stopped.
   */
  async runFleet(driver: EncoderDriver, log: StationLog, signal: AbortSignal): Promise<void> {
    const running = new Map<string, { station: EncoderStation; stop: AbortController; done: Promise<void> }>();
    /** Stations of readers that went away, until they have stopped and gone offline. */
    const stopping = new Map<string, Promise<void>>();
    const start = (slot: EncoderSlot) => {
      if (running.has(slot.reader) || signal.aborted) return;
      const stop = new AbortController();
      const station = new EncoderStation(slot, this.deps(driver, log), CPX_ISO_V1);
      const previous = stopping.get(slot.reader) ?? Promise.resolve();
      const done = (async () => {
        // A reader plugged back at once: its old station goes offline first, then this one registers.
        await previous;
        while (!stop.signal.aborted) {
          try {
            await station.run(stop.signal);
          } catch (e) {
            log.error({ reader: slot.reader, err: (e as Error).message }, 'encoder station stopped on an error; restarting');
            await sleep(5_000, undefined, { signal: stop.signal }).catch(() => undefined);
          }
        }
      })();
      running.set(slot.reader, { station, stop, done });
    };
    const stopSlot = (reader: string) => {
      const r = running.get(reader);
      if (!r) return;
      running.delete(reader);
      r.stop.abort();
      const gone = r.done.then(() => this.goOffline([r.station], log)).finally(() => stopping.delete(reader));
      stopping.set(reader, gone);
      log.warn({ reader }, 'reader gone: its station is offline');
    };
    driver.on('slot-added', start);
    driver.on('slot-removed', stopSlot);
    for (const slot of driver.slots()) start(slot);
    const beat = setInterval(() => {
      void this.beat(
        [...running.values()].map((r) => r.station),
        log,
      ).then(() =>
        this.orders
          .releaseStale(this.cfg.PERSONALIZATION_CLAIM_TIMEOUT_SECONDS)
          .catch((e: Error) => log.warn({ err: e.message }, 'releasing stale personalization claims failed')),
      );
    }, this.cfg.ENCODER_HEARTBEAT_SECONDS * 1000);
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    clearInterval(beat);
    driver.off('slot-added', start);
    driver.off('slot-removed', stopSlot);
    const all = [...running.values()];
    for (const r of all) r.stop.abort();
    await Promise.all(all.map((r) => r.done));
    await this.goOffline(
      all.map((r) => r.station),
      log,
    );
  }
}

/** The simulated readers' name prefix in this process. */
export function simulatedReaderPrefix(pid = process.pid): string {
  return `Simulated encoder (pid ${pid})`;
}

async function pickSlot(driver: EncoderDriver, reader: string | undefined): Promise<EncoderSlot> {
  const deadline = Date.now() + (driver.kind === 'pcsc' ? READER_WAIT_MS : 0);
  for (;;) {
    const slots = driver.slots();
    const slot = reader ? slots.find((s) => s.reader === reader) : slots[0];
    if (slot) return slot;
    if (Date.now() >= deadline) {
      const known = slots.map((s) => `"${s.reader}"`).join(', ') || 'none';
      throw new CardPersonalizationError(
        'no_reader',
        reader
          ? `no encoder reader named "${reader}" (readers: ${known})`
          : `no encoder reader is attached (ENCODER_DRIVER=${driver.kind})`,
        422,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
