import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { DynamicModule, Inject, Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../common/config/config';
import { APP_CONFIG } from '../common/config/config.module';
import { CodeVaultService, VAULT_KEYS, VaultKeySource } from './code-vault.service';
import { OrdersApprovedHandler } from './orders-approved.handler';
import { DEV_KEYS_DIR, DEV_KEYS_FILE, loadVaultKeys, VaultKeyring } from './vault-keys';

export interface CodeVaultOptions {
  /** Read (and check) the keys when the process starts, so that a bad key file stops it there (the worker); else at first use (the CLI). */
  loadAtStart: boolean;
}

const CODE_VAULT_OPTIONS = Symbol('CODE_VAULT_OPTIONS');

/**
 * The vault's master keys in this process, read from VAULT_KEY_FILE (or the development key file)
 * and read again when the file changes (its content, its mode or owner, or another file put in its place): a worker running while an
 * operator adds a key and runs `vault:rotate` opens the re-wrapped codes and seals new ones under
 * the new key without a restart. A file that became unreadable fails the vault's calls (not the
 * process): nothing is opened with keys the configuration no longer holds.
 */
@Injectable()
export class VaultKeys implements VaultKeySource, OnModuleInit {
  private readonly logger = new Logger(VaultKeys.name);
  private loaded: { keyring: VaultKeyring; file: string; signature: string } | null = null;
  private loading: Promise<VaultKeyring> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @Inject(CODE_VAULT_OPTIONS) private readonly opts: CodeVaultOptions,
    private readonly clock: Clock,
  ) {}

  async get(): Promise<VaultKeyring> {
    const loaded = this.loaded;
    if (loaded && (await fileSignature(loaded.file)) === loaded.signature) return loaded.keyring;
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(): Promise<VaultKeyring> {
    // Taken before reading: a change while reading is seen at the next call.
    const signature = await fileSignature(this.cfg.VAULT_KEY_FILE ?? path.resolve(this.cfg.DATA_DIR, DEV_KEYS_DIR, DEV_KEYS_FILE));
    const { keyring, file, generated } = await loadVaultKeys({
      keyFile: this.cfg.VAULT_KEY_FILE,
      dataDir: this.cfg.DATA_DIR,
      profile: this.cfg.NODE_ENV,
      today: this.clock.today(),
    }).catch((e: unknown) => {
      this.loaded = null;
      throw e;
    });
    const reloaded = this.loaded !== null;
    this.loaded = { keyring, file, signature };
    this.logger.log(
      { keyFile: file, generated, currentKeyId: keyring.current.id, keyIds: [...keyring.keys.keys()] },
      reloaded ? 'vault keys read again (the key file changed)' : 'vault keys loaded',
    );
    return keyring;
  }

  async onModuleInit(): Promise<void> {
    if (this.opts.loadAtStart) await this.get();
  }
}

/** What tells a changed key file: its inode, size, and content and status change times (a chmod included); empty when absent. */
async function fileSignature(file: string): Promise<string> {
  const st = await stat(file, { bigint: true }).catch(() => null);
  return st ? `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}` : '';
}

/**
 * The PIN/PUK vault with its keys, and the consumer of order approvals that issues codes.
 * Registered once per process, by the entry points that give out or issue codes (WorkerModule,
 * CliModule), never by the HTTP API, which never reads VAULT_KEY_FILE. It is global so that the
 * modules that take codes (EncoderStationsModule) use this one vault, one VaultKeys, rather than
 * registering a second (another key loader, another copy of the keys).
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with a static forRoot.
export class CodeVaultModule {
  static forRoot(opts: CodeVaultOptions): DynamicModule {
    return {
      module: CodeVaultModule,
      global: true,
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
