import { DynamicModule, Inject, Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../common/config/config';
import { APP_CONFIG } from '../common/config/config.module';
import { CodeVaultService, VAULT_KEYS, VaultKeySource } from './code-vault.service';
import { OrdersApprovedHandler } from './orders-approved.handler';
import { loadVaultKeys, VaultKeyring } from './vault-keys';

export interface CodeVaultOptions {
  /** Read (and check) the keys when the process starts, so that a bad key file stops it there (the worker); else at first use (the CLI). */
  loadAtStart: boolean;
}

const CODE_VAULT_OPTIONS = Symbol('CODE_VAULT_OPTIONS');

/** The vault's master keys in this process, read once from VAULT_KEY_FILE (or the development key file). */
@Injectable()
export class VaultKeys implements VaultKeySource, OnModuleInit {
  private readonly logger = new Logger(VaultKeys.name);
  private loading: Promise<VaultKeyring> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @Inject(CODE_VAULT_OPTIONS) private readonly opts: CodeVaultOptions,
    private readonly clock: Clock,
  ) {}

  get(): Promise<VaultKeyring> {
    this.loading ??= loadVaultKeys({
      keyFile: this.cfg.VAULT_KEY_FILE,
      dataDir: this.cfg.DATA_DIR,
      profile: this.cfg.NODE_ENV,
      today: this.clock.today(),
    }).then(
      ({ keyring, file, generated }) => {
        this.logger.log(
          { keyFile: file, generated, currentKeyId: keyring.current.id, keyIds: [...keyring.keys.keys()] },
          'vault keys loaded',
        );
        return keyring;
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
 * The PIN/PUK vault with its keys, and the consumer of order approvals that issues codes.
 * Imported only by the entry points that give out or issue codes (WorkerModule, CliModule),
 * never by the HTTP API, which never reads VAULT_KEY_FILE.
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with a static register.
export class CodeVaultModule {
  static register(opts: CodeVaultOptions): DynamicModule {
    return {
      module: CodeVaultModule,
      providers: [
        { provide: CODE_VAULT_OPTIONS, useValue: opts },
        VaultKeys,
        { provide: VAULT_KEYS, useExisting: VaultKeys },
        CodeVaultService,
        OrdersApprovedHandler,
      ],
      exports: [CodeVaultService, OrdersApprovedHandler],
    };
  }
}
