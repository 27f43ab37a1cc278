import 'reflect-metadata';
import { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestContainer } from '@nestjs/core/injector/container';
import { loadConfig } from './common/config/config';
import { VaultKeys } from './mailing/code-vault.module';
import { ApiModule, CliModule, WorkerModule } from './root.modules';

/** How many modules of the entry point's graph hold `provider` (scanned in preview mode: nothing is built, nothing connects). */
async function holders(root: DynamicModule, provider: unknown): Promise<number> {
  const app = await NestFactory.createApplicationContext(root, { preview: true, logger: false });
  try {
    const container = (app as unknown as { container: NestContainer }).container;
    return [...container.getModules().values()].filter((m) => m.providers.has(provider as never)).length;
  } finally {
    await app.close();
  }
}

describe('entry point modules', () => {
  const cfg = loadConfig({ NODE_ENV: 'test' });

  it('give the worker and the CLI one vault each (one VaultKeys, one key loader), and the API none', async () => {
    expect(await holders(WorkerModule.forRoot(cfg), VaultKeys)).toBe(1);
    expect(await holders(CliModule.forRoot(cfg), VaultKeys)).toBe(1);
    expect(await holders(ApiModule.forRoot(cfg), VaultKeys)).toBe(0);
  });
});
