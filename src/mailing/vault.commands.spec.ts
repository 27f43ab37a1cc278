import type { CodeVaultService, RotationResult } from './code-vault.service';
import { VaultRotateCommand } from './vault.commands';

describe(VaultRotateCommand.name, () => {
  /** What `vault:rotate` prints when the run ends with `result`. */
  async function printed(result: RotationResult, flags: { json?: boolean } = {}): Promise<string> {
    const vault = { rotate: async () => result } as unknown as CodeVaultService;
    const out: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    try {
      await new VaultRotateCommand(vault).run([], flags);
    } finally {
      write.mockRestore();
    }
    return out.join('');
  }

  it('says to run it again, and to keep the older keys, while orders remain under them', async () => {
    const text = await printed({ rewrapped: 40, alreadyCurrent: 3, remaining: 2, currentKeyId: 'key-c' });
    expect(text).toBe(
      `vault key "key-c": 40 orders' codes re-wrapped to it, 3 already under it; 2 orders are still sealed under older keys ` +
        `(issued during the run by a process that had not yet read the new key file): run vault:rotate again before removing any key\n`,
    );
  });

  it('says the older keys may go when none remain, and gives the counts as one JSON object with --json', async () => {
    const result = { rewrapped: 40, alreadyCurrent: 3, remaining: 0, currentKeyId: 'key-c' };
    expect(await printed(result)).toMatch(/; no codes remain under older keys: they may now leave VAULT_KEY_FILE\n$/);
    expect(JSON.parse(await printed({ ...result, remaining: 2 }, { json: true }))).toEqual({ ...result, remaining: 2 });
  });
});
