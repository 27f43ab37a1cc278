import { DynamicModule, Inject, Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../common/config/config';
import { APP_CONFIG } from '../common/config/config.module';
import { CrlDeltaHandler } from './crl-delta.handler';
import { CrlFullHandler } from './crl-full.handler';
import { CrlPublisher } from './crl-publisher.service';
import { CRL_SIGNER, CrlSigner, CrlSignerSource, loadCrlSigner } from './crl-signer';
import { OppositionModule } from './opposition.module';

export interface CrlSigningOptions {
  /** Load (and check) the key when the process starts, so that a bad key stops it there (the worker); else at the first signature (the CLI). */
  loadAtStart: boolean;
}

const CRL_SIGNING_OPTIONS = Symbol('CRL_SIGNING_OPTIONS');

/** The CRL signing key of this process, read once from CRL_SIGNING_KEY_FILE (or the development issuer). */
@Injectable()
export class CrlSigningKey implements CrlSignerSource, OnModuleInit {
  private readonly logger = new Logger(CrlSigningKey.name);
  private loading: Promise<CrlSigner> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @Inject(CRL_SIGNING_OPTIONS) private readonly opts: CrlSigningOptions,
  ) {}

  get(): Promise<CrlSigner> {
    this.loading ??= loadCrlSigner({
      keyFile: this.cfg.CRL_SIGNING_KEY_FILE,
      certFile: this.cfg.CRL_ISSUER_CERT_FILE,
      dataDir: this.cfg.DATA_DIR,
      profile: this.cfg.NODE_ENV,
    }).then(
      ({ signer, generated, dir }) => {
        this.logger.log({ issuerDir: dir, generated, keyFile: this.cfg.CRL_SIGNING_KEY_FILE ?? null }, 'CRL signing key loaded');
        return signer;
      },
      (e: unknown) => {
        this.loading = null;
        throw e;
      },
    );
    return this.loading;
  }

  async onModuleInit(): Promise<void> {
    if (this.opts.loadAtStart) await this.get();
  }
}

/**
 * What signs CRLs: the key, the publisher and the CRL jobs. Imported only by the entry
 * points that sign (WorkerModule, CliModule), never by the HTTP API, which serves the
 * CRLs from the database (OppositionModule's CrlCache) and never opens the key.
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with a static register.
export class CrlSigningModule {
  static register(opts: CrlSigningOptions): DynamicModule {
    return {
      module: CrlSigningModule,
      imports: [OppositionModule],
      providers: [
        { provide: CRL_SIGNING_OPTIONS, useValue: opts },
        CrlSigningKey,
        { provide: CRL_SIGNER, useExisting: CrlSigningKey },
        CrlPublisher,
        CrlDeltaHandler,
        CrlFullHandler,
      ],
      exports: [CrlPublisher, CrlDeltaHandler, CrlFullHandler],
    };
  }
}
