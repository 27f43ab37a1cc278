import { loadPcscBinding } from './pcsc-binding';
import { CardBusyError, CardRemovedError, PcscError, PcscUnavailableError, pcscErrorFrom } from './pcsc-errors';
import { PcscReaders } from './pcsc-readers';

describe('loadPcscBinding', () => {
  it('names the npm package, libpcsclite-dev and pcscd when the binding is not installed', () => {
    let err: unknown;
    try {
      loadPcscBinding('smartcard-not-installed-here');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PcscUnavailableError);
    const msg = (err as Error).message;
    expect(msg).toContain('"smartcard-not-installed-here" is not installed');
    expect(msg).toContain('libpcsclite-dev');
    expect(msg).toContain('pcscd');
    expect((err as PcscError).code).toBe('pcsc_unavailable');
  });

  it('is not loaded by importing the driver: only a call loads it', () => {
    expect(typeof PcscReaders.open).toBe('function');
    const before = Object.keys(require.cache).some((k) => k.includes('/node_modules/smartcard/'));
    expect(before).toBe(false);
  });
});

describe('pcscErrorFrom', () => {
  it('types the native messages of pcsc-lite', () => {
    expect(pcscErrorFrom(new Error('Card was removed'), 'R')).toBeInstanceOf(CardRemovedError);
    expect(pcscErrorFrom(new Error('Reader unavailable'), 'R')).toBeInstanceOf(CardRemovedError);
    expect(pcscErrorFrom(new Error('Sharing violation'), 'R')).toBeInstanceOf(CardBusyError);
    expect(pcscErrorFrom(new Error('Transaction failed'), 'R')).toMatchObject({ code: 'card_lost' });
    expect(pcscErrorFrom(new Error('PC/SC service not running'), 'R')).toBeInstanceOf(PcscUnavailableError);
    const other = pcscErrorFrom(new Error('Insufficient buffer'), 'R') as PcscError;
    expect([other.code, other.message]).toEqual(['pcsc_error', 'PC/SC error on reader "R": Insufficient buffer']);
  });
});
