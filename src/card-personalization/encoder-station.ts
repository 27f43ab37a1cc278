/**
 * One encoder station: the loop that drives one slot (issue 10). It waits for a card,
 * reads its chip serial and checks it is blank BEFORE taking an order, then claims the
 * oldest approved order, takes its codes from the vault at that moment, writes, reads
 * back, sets the codes, activates, and records the card; a failed card is recorded (spoiled
 * when writing had begun) and its order goes back to the queue for the next blank card.
 * K failed cards in a row put the station in `error` until an operator resets it.
 *
 * The codes live in this function's memory for one card only: never logged, never in an
 * error message (the script's labels and describeCommand hide them).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errorText } from '../common/errors/error-text';
import type { PersonalizationClaim } from '../orders/personalization-orders.service';
import type { CardData, CardProfile } from './card-profile';
import type { CardSession, EncoderSlot } from './encoder-driver';
import { PersonalizationFailure, type PersonalizationResult, personalizeNextCard } from './personalization-runner';
import { personalizationScript } from './personalization-script';
import type { StationDeps } from './station-deps';

export interface StationOptions {
  /** Stop once this many cards were personalized (personalize:run --limit). */
  limit?: number;
  /** Stop when no approved order waits (personalize:run), instead of waiting for one. */
  exitWhenIdle?: boolean;
  /** How long to wait between looks for work or for a card (ms). Default 1000. */
  pollMs?: number;
  /** Called after each card (done or failed), for progress and the bench. */
  onCard?: (outcome: CardOutcome) => void;
}

export type CardOutcome =
  | { ok: true; orderId: string; cardNumber: string; chipSerial: string; reader: string; result: PersonalizationResult }
  | { ok: false; reader: string; orderId: string | null; chipSerial: string | null; spoiled: boolean; code: string; message: string };

export interface StationSummary {
  /** The run ended because the station is in error (personalize:run: an operator must reset it). */
  stoppedInError: boolean;
  cardsPersonalized: number;
  cardsSpoiled: number;
  cardsRefused: number;
  results: Array<{ orderId: string; cardNumber: string; chipSerial: string; reader: string }>;
}

/** After a card, how long to wait for it to leave before looking at the reader again (ms). */
const LOOK_AGAIN_MS = 300;
/**
 * A card whose first look (serial, blank check) breaks on the reader is looked at again this many
 * times before it counts as a failed card: a hopper encoder swaps cards faster than a PC/SC poll,
 * and the first exchange with the new card can meet the old card's state.
 */
const MAX_BROKEN_LOOKS = 2;

export class EncoderStation {
  private stationId = '';
  /** The serial of the last card handled (done or refused): the same card is not taken twice. */
  private lastSerial: string | null | undefined = undefined;
  /** Looks in a row that broke on the reader before an order was taken (see MAX_BROKEN_LOOKS). */
  private brokenLooks = 0;
  /**
   * Whether the stored state may be `error` (at start, kept from before; after a failed card): the
   * loop then reads it, and waits for an operator's reset. Only a failed card puts a station in error.
   */
  private mayBeInError = true;
  private readonly summary: StationSummary = {
    stoppedInError: false,
    cardsPersonalized: 0,
    cardsSpoiled: 0,
    cardsRefused: 0,
    results: [],
  };
  /** The claim this station holds while it writes a card (its token is renewed by the heartbeat), and when it was taken. */
  private claim: { held: PersonalizationClaim; sinceMs: number } | null = null;

  constructor(
    private readonly slot: EncoderSlot,
    private readonly deps: StationDeps,
    private readonly profile: CardProfile,
  ) {}

  get id(): string {
    return this.stationId;
  }

  /** The order claim held now (null between cards): what the heartbeat renews. */
  get heldClaim(): PersonalizationClaim | null {
    return this.claim?.held ?? null;
  }

  /**
   * Whether the card being written has taken longer than `ms` since its claim (a session that
   * hangs in the reader or its driver): the heartbeat then stops renewing the claim and beating
   * for the station, so that the order is given back (its chip spoiled) and the fleet shows the
   * station offline, instead of an order held and a station "writing" for ever.
   */
  writingLongerThan(ms: number, nowMs = performance.now()): boolean {
    return this.claim !== null && nowMs - this.claim.sinceMs > ms;
  }

  /** Runs until `signal` aborts, the limit is reached, or (exitWhenIdle) no work is left. */
  async run(signal: AbortSignal, o: StationOptions = {}): Promise<StationSummary> {
    const pollMs = o.pollMs ?? 1000;
    this.stationId = await this.deps.fleet.register({
      host: this.deps.host,
      reader: this.slot.reader,
      driver: this.deps.driver,
      processId: this.deps.processId,
    });
    const log = this.deps.log;
    // This station holds no claim yet: one under its id was left by its previous run (a process that died, a loop restarted).
    const released = await this.deps.orders.releaseStation(this.stationId);
    log.info({ station: this.stationId, ordersReleased: released }, 'encoder station started');
    while (!signal.aborted) {
      if (o.limit !== undefined && this.summary.cardsPersonalized >= o.limit) break;
      if (this.mayBeInError && (await this.deps.fleet.current(this.stationId))?.state === 'error') {
        // In the foreground (personalize:run) an operator must look first: stop rather than wait for a reset.
        if (o.exitWhenIdle) {
          log.warn({ station: this.stationId }, 'encoder station in error: stopping until an operator resets it');
          this.summary.stoppedInError = true;
          break;
        }
        await pause(pollMs, signal);
        continue;
      }
      this.mayBeInError = false;
      if (o.exitWhenIdle && (await this.deps.orders.pendingCount()) === 0) break;
      const session = await this.nextCard(signal, pollMs);
      if (!session) continue;
      const outcome = await this.handle(session);
      if (outcome === 'look-again') {
        // The first look again at once (a swap settling), later ones after a poll.
        if (this.brokenLooks > 1) await pause(pollMs, signal);
        continue;
      }
      if (outcome === 'no-work') {
        await this.deps.fleet.setState(this.stationId, 'idle', null);
        if (o.exitWhenIdle) break;
        await pause(pollMs, signal);
        continue;
      }
      o.onCard?.(outcome);
      // The encoder fed another card itself: whatever its serial, it is not the one just handled.
      if (await this.slot.release()) this.lastSerial = undefined;
    }
    return this.summary;
  }

  /**
   * The next card to handle, in an open session: waits for a card, and skips the card just
   * handled if it is still in the reader (a swap a PC/SC poll did not see is still caught,
   * by its serial).
   */
  private async nextCard(signal: AbortSignal, pollMs: number): Promise<CardSession | null> {
    await this.deps.fleet.setState(this.stationId, 'waiting-card', null);
    let refusedConnects = 0;
    while (!signal.aborted) {
      // The reader saw the last card go: whatever comes next is another card.
      if (!this.slot.cardPresent()) this.lastSerial = undefined;
      if (!(await this.slot.waitForCard(pollMs))) continue;
      let session: CardSession;
      try {
        session = await this.slot.connect();
        refusedConnects = 0;
      } catch (e) {
        // Gone meanwhile (a hopper's swap the reader had not seen yet) or taken by another program: look again
        // soon the first time, after a poll when it keeps failing.
        this.deps.log.warn({ station: this.stationId, err: (e as Error).message }, 'card could not be taken');
        const wait = refusedConnects++ ? pollMs : Math.min(pollMs, 50);
        await pause(wait, signal);
        continue;
      }
      if (this.lastSerial === undefined) return session;
      // Still the card just handled (the same serial, or again no readable EF.SN, while the reader never
      // saw a card go): it would only be refused again, each refusal counting towards the error state.
      const probe = await peekSerial(session, this.profile);
      if ('broken' in probe) {
        // The exchange broke before anything was asked of the card (pulled out as it was taken, or a swap the
        // driver could not recover): not a card refused, nothing counts against the station; look again once it goes.
        this.deps.log.warn({ station: this.stationId, code: probe.broken, err: probe.message }, 'card could not be read; looking again');
        await session.close();
        await this.slot.waitForRemoval(pollMs);
        continue;
      }
      if (probe.serial !== this.lastSerial) return session;
      await session.close();
      if (await this.slot.waitForRemoval(LOOK_AGAIN_MS)) this.lastSerial = undefined;
    }
    return null;
  }

  private async handle(session: CardSession): Promise<CardOutcome | 'no-work' | 'look-again'> {
    const reader = this.slot.reader;
    // What is known when something fails: the chip, the claim, and whether the card is written.
    const taken: { claim: PersonalizationClaim | null; chipSerial: string | null; written: boolean } = {
      claim: null,
      chipSerial: null,
      written: false,
    };
    try {
      const result = await personalizeNextCard(session, this.profile, async (chipSerial) => {
        taken.chipSerial = chipSerial;
        await this.deps.orders.checkChipUnused(chipSerial);
        const claim = await this.deps.orders.claimNext(this.stationId, chipSerial);
        taken.claim = claim;
        this.claim = claim && { held: claim, sinceMs: performance.now() };
        if (!claim) return null;
        await this.deps.fleet.setState(this.stationId, 'writing', claim.orderId);
        const codes = await this.deps.vault.codesForPersonalization(claim.orderId);
        const data: CardData = {
          card: {
            number: claim.cardNumber,
            cardType: claim.cardType,
            generation: claim.generation,
            validFrom: claim.validFrom,
            validUntil: claim.validUntil,
          },
          content: claim.content,
        };
        return personalizationScript(this.profile, data, codes);
      });
      this.brokenLooks = 0;
      if ('skipped' in result) {
        this.lastSerial = undefined;
        return 'no-work';
      }
      this.lastSerial = result.chipSerial;
      taken.written = true;
      const c = taken.claim as PersonalizationClaim;
      await this.recordDone(c, result.chipSerial);
      await this.deps.fleet.recordCard(this.stationId, { ok: true });
      this.summary.cardsPersonalized++;
      const done = { orderId: c.orderId, cardNumber: c.cardNumber, chipSerial: result.chipSerial, reader };
      this.summary.results.push(done);
      this.deps.log.info({ station: this.stationId, ...done, apdus: result.apdus }, 'card personalized');
      return { ok: true, ...done, result };
    } catch (e) {
      if (this.brokenBeforeClaim(e, taken.claim)) return 'look-again';
      this.brokenLooks = 0;
      return this.failed(e, taken, reader);
    } finally {
      this.claim = null;
      await session
        .close()
        .catch((e: Error) => this.deps.log.warn({ station: this.stationId, err: e.message }, 'closing the card session failed'));
    }
  }

  /**
   * The exchange broke on the reader before an order was taken (nothing asked of the card was
   * refused, nothing written): looked at again rather than counted as a failed card, up to
   * MAX_BROKEN_LOOKS times in a row (a reader that keeps breaking does count, towards the error state).
   */
  private brokenBeforeClaim(e: unknown, claim: PersonalizationClaim | null): boolean {
    if (claim || !(e instanceof PersonalizationFailure) || !READER_FAULT_CODES.has(e.code)) return false;
    if (this.brokenLooks >= MAX_BROKEN_LOOKS) return false;
    this.brokenLooks++;
    this.deps.log.warn(
      { station: this.stationId, code: e.code, stage: e.stage, err: e.message, look: this.brokenLooks },
      'card could not be read; looking again',
    );
    return true;
  }

  /** Records the card; a lost claim (the order was given back meanwhile) spoils this chip instead. */
  private async recordDone(claim: PersonalizationClaim, chipSerial: string) {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.orders.recordPersonalized(claim, chipSerial);
        return;
      } catch (e) {
        // The order was given back meanwhile: failed() records this written chip as spoiled.
        if ((e as { code?: string }).code === 'claim_lost') throw e;
        if (attempt >= 5) throw e;
        this.deps.log.warn(
          { station: this.stationId, orderId: claim.orderId, err: (e as Error).message },
          'recording the card failed; retrying',
        );
        await sleep(500 * attempt);
      }
    }
  }

  private async failed(
    e: unknown,
    taken: { claim: PersonalizationClaim | null; chipSerial: string | null; written: boolean },
    reader: string,
  ): Promise<CardOutcome> {
    const claim = taken.claim;
    // The order's own data or codes cannot be written: no card would do better, and the card is fine.
    const orderAtFault = !(e instanceof PersonalizationFailure) && !taken.written && claim !== null && isOrderFault(e);
    // Not a card failure: the chip was refused, or taking the order, its codes or recording it failed.
    const f =
      e instanceof PersonalizationFailure
        ? e
        : {
            code: (e as { code?: string }).code ?? 'error',
            stage: taken.written ? 'record' : 'prepare',
            spoiled: taken.written,
            chipSerial: taken.chipSerial,
            message: (e as Error).message ?? String(e),
          };
    this.lastSerial = f.chipSerial;
    const message = errorText(f.message);
    let orderStatus: string | null = null;
    if (claim) {
      const c = claim;
      orderStatus = await this.deps.orders
        .recordFailure(c, { spoiled: f.spoiled, chipSerial: f.chipSerial, stage: f.stage, code: f.code, message, orderAtFault })
        .catch((err: Error) => {
          this.deps.log.error(
            {
              station: this.stationId,
              orderId: c.orderId,
              cardNumber: c.cardNumber,
              chipSerial: f.chipSerial,
              written: taken.written,
              err: err.message,
            },
            'recording the failed card failed: its chip and card number are only in this line',
          );
          return null;
        });
    }
    if (f.spoiled) this.summary.cardsSpoiled++;
    else this.summary.cardsRefused++;
    // An order at fault, or an order taken away while its card was written (cancelled, its holder
    // ceased), says nothing about the station or its card stock: it does not count towards K failures.
    const stationAtFault = !orderAtFault && f.code !== 'claim_lost';
    this.mayBeInError ||= stationAtFault;
    const fleet = stationAtFault
      ? await this.deps.fleet
          .recordCard(this.stationId, { ok: false, error: `${f.code} at ${f.stage}: ${message}` })
          .catch((err: Error) => ({ state: `unknown (${err.message})` }))
      : { state: null };
    const orderId = claim?.orderId ?? null;
    this.deps.log.warn(
      {
        station: this.stationId,
        orderId,
        orderStatus,
        chipSerial: f.chipSerial,
        spoiled: f.spoiled,
        code: f.code,
        stage: f.stage,
        err: message,
        stationState: fleet.state,
      },
      f.spoiled ? 'card spoiled' : 'card refused',
    );
    return { ok: false, reader, orderId, chipSerial: f.chipSerial, spoiled: f.spoiled, code: f.code, message };
  }
}

/**
 * Errors of one order (its data does not fit the profile; its sealed codes do not open). A
 * configuration error (the vault's keys missing) is not one: it would fail every order.
 */
const ORDER_FAULT_CODES = new Set(['unusable_card_data', 'vault_unreadable']);

function isOrderFault(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && ORDER_FAULT_CODES.has(code);
}

/** Failures of the reader rather than of the card's content: the session is over, the card was not judged. */
const READER_FAULT_CODES = new Set(['reader_error', 'card_removed']);

/**
 * The chip serial of the card in a session, or null when it has none readable (a probe: nothing is written);
 * `broken` when the exchange itself failed (the session is then over).
 */
async function peekSerial(
  session: CardSession,
  profile: CardProfile,
): Promise<{ serial: string | null } | { broken: string; message: string }> {
  try {
    const r = await personalizeNextCard(session, profile, async () => null);
    return { serial: 'skipped' in r ? r.chipSerial : null };
  } catch (e) {
    if (e instanceof PersonalizationFailure && READER_FAULT_CODES.has(e.code)) return { broken: e.code, message: e.message };
    return { serial: e instanceof PersonalizationFailure ? e.chipSerial : null };
  }
}

/** Waits `ms`, or less when `signal` aborts (the loop then ends). */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}
