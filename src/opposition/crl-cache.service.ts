import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../common/config/config';
import { APP_CONFIG } from '../common/config/config.module';
import { CrlKind, CrlPublicationView, CrlStore } from './crl-store.service';
import { OppositionError } from './opposition.errors';

/** A CRL as the API serves it: its publication, its bytes, its ETag. */
export interface ServedCrl {
  publication: CrlPublicationView;
  der: Buffer;
  etag: string;
  issuerCertificatePem: string | null;
}

/** How long a request waits for a refresh when a CRL is already cached (then the cached one is served). */
const REFRESH_WAIT_MS = 2000;
const KINDS: CrlKind[] = ['full', 'delta'];

/**
 * The current full and delta CRLs, held in the API process so that serving costs no query:
 * a national full CRL is about 40 MB. At most every CRL_REFRESH_SECONDS, a request first
 * asks the database for the current publications (one small query); a newer one's bytes
 * are then loaded (and their SHA-256 checked) and replace the cached ones. When the
 * database cannot be reached, the cached CRLs go on being served; with nothing cached, the
 * answer is a 503 `crl_unavailable`.
 */
@Injectable()
export class CrlCache {
  private readonly logger = new Logger(CrlCache.name);
  private readonly served: Record<CrlKind, ServedCrl | null> = { full: null, delta: null };
  /** Why a kind has nothing to serve (for the 503's detail). */
  private readonly missing: Record<CrlKind, string> = { full: 'not checked yet', delta: 'not checked yet' };
  private checkedAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly store: CrlStore,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  /** The CRL to serve, or a 503 `crl_unavailable` naming why there is none. */
  async get(kind: CrlKind): Promise<ServedCrl> {
    await this.refreshIfDue(kind);
    const s = this.served[kind];
    if (!s) throw unavailable(`no ${kind === 'full' ? 'full' : 'delta'} CRL can be served: ${this.missing[kind]}`);
    return s;
  }

  /** The issuer certificate of the full CRL served (PEM). */
  async issuerCertificate(): Promise<string> {
    const full = await this.get('full');
    if (!full.issuerCertificatePem) throw unavailable(`CRL ${full.publication.crlNumber} was published without its issuer certificate`);
    return full.issuerCertificatePem;
  }

  private async refreshIfDue(kind: CrlKind): Promise<void> {
    if (Date.now() - this.checkedAt < this.cfg.CRL_REFRESH_SECONDS * 1000) return;
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = null;
    });
    if (!this.served[kind]) return this.refreshing;
    // Something to serve already: a slow database delays this request a little, not more.
    const wait = delay(REFRESH_WAIT_MS);
    await Promise.race([this.refreshing, wait.done]);
    wait.cancel();
  }

  private async refresh(): Promise<void> {
    try {
      await this.check();
    } finally {
      // Checked (or failed to): serve what is cached until the next check, rather than queue every request on a dead database.
      this.checkedAt = Date.now();
    }
  }

  private async check(): Promise<void> {
    let current: Record<CrlKind, CrlPublicationView | null>;
    try {
      current = await this.store.currentBoth();
    } catch (e) {
      for (const kind of KINDS) if (!this.served[kind]) this.missing[kind] = `the database cannot be reached (${(e as Error).message})`;
      this.logger.warn({ err: e }, 'cannot check for a newer CRL; serving the cached ones');
      return;
    }
    for (const kind of KINDS) {
      const pub = current[kind];
      if (!pub) {
        this.served[kind] = null;
        this.missing[kind] =
          kind === 'full' || !current.full
            ? 'none has been published yet (the worker publishes one at its start and daily; crl:publish publishes one now)'
            : 'none is based on the current full CRL yet';
        continue;
      }
      if (this.served[kind]?.publication.crlNumber === pub.crlNumber) continue;
      const fullServed = this.served.full?.publication.crlNumber;
      if (kind === 'delta' && pub.baseCrlNumber !== fullServed) {
        // The newer full CRL could not be loaded: keep the delta that goes with the full CRL served, never a mismatched pair.
        if (this.served.delta?.publication.baseCrlNumber === fullServed) continue;
        this.served.delta = null;
        this.missing.delta = `delta CRL ${pub.crlNumber} is based on full CRL ${pub.baseCrlNumber}, which cannot be served yet`;
        continue;
      }
      try {
        const loaded = await this.load(pub);
        if (loaded) this.served[kind] = loaded;
        else {
          // A CRL published before CRLs were kept in the database: the worker publishes a full one at its start.
          this.served[kind] = null;
          this.missing[kind] = `CRL ${pub.crlNumber} has no bytes in the database (published before they were kept there, or pruned)`;
        }
      } catch (e) {
        if (!this.served[kind]) this.missing[kind] = `CRL ${pub.crlNumber} cannot be read (${(e as Error).message})`;
        this.logger.warn({ err: e, crlNumber: pub.crlNumber }, 'cannot load a newer CRL; serving the cached one');
      }
    }
  }

  private async load(publication: CrlPublicationView): Promise<ServedCrl | null> {
    const doc = await this.store.document(publication.crlNumber);
    if (!doc) return null;
    const sha256 = createHash('sha256').update(doc.der).digest('hex');
    if (sha256 !== publication.sha256 || doc.der.length !== publication.bytes) {
      throw new Error(`CRL ${publication.crlNumber}: the bytes stored do not match the SHA-256 recorded at publication`);
    }
    return { publication, der: doc.der, etag: `"${sha256}"`, issuerCertificatePem: doc.issuerCertificatePem };
  }
}

function delay(ms: number): { done: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { done, cancel: () => clearTimeout(timer) };
}

function unavailable(detail: string): OppositionError {
  return new OppositionError('crl_unavailable', detail, 503);
}
