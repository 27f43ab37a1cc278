import type { NativeContext, NativeMonitorEvent, NativeReaderMonitor, PcscBinding } from './pcsc-binding';
import { PcscReaders } from './pcsc-readers';

/**
 * The watch's bookkeeping on a scripted binding: what pcscd would report through smartcard's
 * ReaderMonitor (its event shapes as verified in pcsc-binding.ts). The real stack is exercised by
 * test/pcsc/; this covers what vpcd cannot do there: readers unplugged, pcscd going away and back.
 */
const PRESENT = 0x20;

class FakeMonitor implements NativeReaderMonitor {
  static all: FakeMonitor[] = [];
  isRunning = false;
  callback: ((e: NativeMonitorEvent) => void) | null = null;
  constructor() {
    FakeMonitor.all.push(this);
  }
  start(cb: (e: NativeMonitorEvent) => void): void {
    this.isRunning = true;
    this.callback = cb;
  }
  stop(): void {
    this.isRunning = false;
  }
  emit(type: NativeMonitorEvent['type'], reader: string, state = 0, atr: Buffer | null = null): void {
    this.callback?.({ type, reader, state, atr });
  }
}

let daemonUp = true;
const fakeBinding: PcscBinding = {
  Context: class implements NativeContext {
    isValid = true;
    constructor() {
      if (!daemonUp) throw new Error('PC/SC service not running');
    }
    listReaders() {
      return [];
    }
    close() {
      this.isValid = false;
    }
  },
  ReaderMonitor: FakeMonitor,
  SCARD_SHARE_EXCLUSIVE: 1,
  SCARD_PROTOCOL_T0: 1,
  SCARD_PROTOCOL_T1: 2,
  SCARD_LEAVE_CARD: 0,
  SCARD_RESET_CARD: 1,
  SCARD_STATE_PRESENT: PRESENT,
  SCARD_STATE_MUTE: 0x200,
};

const ATR = Buffer.from('3B80800101', 'hex');
const tick = () => new Promise((r) => setImmediate(r));

describe('PcscReaders (scripted binding)', () => {
  let readers: PcscReaders;
  let log: string[];

  beforeEach(() => {
    FakeMonitor.all = [];
    daemonUp = true;
    log = [];
  });
  afterEach(() => readers.close());

  function open(selection: '*' | string[], o: { refuseVirtualReaders?: boolean } = {}) {
    readers = PcscReaders.open({ readers: selection, binding: fakeBinding, retryMs: 20, ...o });
    for (const e of ['reader-attached', 'reader-detached', 'card-inserted', 'card-removed', 'reader-refused'] as const) {
      readers.on(e, (x: { reader: string }) => log.push(`${e} ${x.reader}`));
    }
    readers.on('service-lost', () => log.push('service-lost'));
    readers.on('service-restored', () => log.push('service-restored'));
    return FakeMonitor.all[0];
  }

  it('reports the selected readers only, a card already in at start as an insertion, and readers unplugged with their card', () => {
    const m = open(['A', 'B']);
    m.emit('reader-attached', 'A', PRESENT, ATR);
    m.emit('reader-attached', 'B', 0x10);
    m.emit('reader-attached', 'C', PRESENT, ATR);
    expect(readers.list()).toEqual([
      { name: 'A', cardPresent: true, atr: ATR },
      { name: 'B', cardPresent: false, atr: null },
    ]);
    m.emit('card-inserted', 'B', PRESENT, ATR);
    m.emit('card-inserted', 'C', PRESENT, ATR);
    m.emit('reader-detached', 'A');
    expect(log).toEqual([
      'reader-attached A',
      'card-inserted A',
      'reader-attached B',
      'card-inserted B',
      'card-removed A',
      'reader-detached A',
    ]);
    expect(readers.get('A')).toBeUndefined();
    expect(readers.selects('C')).toBe(false);
  });

  it('waits for a reader, a card and its removal', async () => {
    const m = open('*');
    const card = readers.waitForCard('A', 1000);
    m.emit('reader-attached', 'A', 0x10);
    m.emit('card-inserted', 'B', PRESENT, ATR);
    m.emit('card-inserted', 'A', PRESENT, ATR);
    await expect(card).resolves.toMatchObject({ name: 'A', cardPresent: true });
    const gone = readers.waitForRemoval('A', 1000);
    m.emit('card-removed', 'A', 0x10);
    await expect(gone).resolves.toBeUndefined();
    await expect(readers.waitForCard('A', 30)).rejects.toMatchObject({ code: 'no_card' });
  });

  it('when pcscd goes away: every reader detached, then watched again once it answers', async () => {
    const m = open('*');
    m.emit('reader-attached', 'A', PRESENT, ATR);
    daemonUp = false;
    m.emit('error', 'PC/SC service stopped');
    await tick();
    expect(m.isRunning).toBe(false);
    expect(readers.list()).toEqual([]);
    await new Promise((r) => setTimeout(r, 70));
    expect(FakeMonitor.all).toHaveLength(1);
    daemonUp = true;
    for (let i = 0; i < 200 && FakeMonitor.all.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(FakeMonitor.all).toHaveLength(2);
    FakeMonitor.all[1].emit('reader-attached', 'A', 0x10);
    // Events of the stopped watch are ignored.
    m.emit('card-inserted', 'A', PRESENT, ATR);
    expect(log).toEqual([
      'reader-attached A',
      'card-inserted A',
      'card-removed A',
      'reader-detached A',
      'service-lost',
      'service-restored',
      'reader-attached A',
    ]);
  });

  const VPCD = 'Virtual PCD 00 00';
  const REAL = 'ACS ACR1252 Dual Reader 00 00';

  it('in production, never takes a virtual reader (vpcd), even with * or named: not reported, not connected', async () => {
    for (const selection of ['*', [VPCD, REAL]] as const) {
      log = [];
      FakeMonitor.all = [];
      const m = open(selection === '*' ? '*' : [...selection], { refuseVirtualReaders: true });
      m.emit('reader-attached', VPCD, PRESENT, ATR);
      m.emit('reader-attached', REAL, 0x10);
      m.emit('card-inserted', VPCD, PRESENT, ATR);
      m.emit('card-inserted', REAL, PRESENT, ATR);
      m.emit('card-removed', VPCD, 0x10);
      m.emit('reader-detached', VPCD);
      expect(log).toEqual([`reader-refused ${VPCD}`, `reader-attached ${REAL}`, `card-inserted ${REAL}`]);
      expect(readers.list().map((r) => r.name)).toEqual([REAL]);
      expect(readers.selects(VPCD)).toBe(false);
      expect(readers.refresh(VPCD)).toBeUndefined();
      await expect(readers.connect(VPCD)).rejects.toMatchObject({
        code: 'unknown_reader',
        message: `reader "${VPCD}" is a virtual reader (vsmartcard's vpcd, for tests): refused in production`,
      });
      readers.close();
    }
  });

  it('takes a virtual reader outside production (the tests use vpcd), and refuses none a selection leaves out', () => {
    const m = open('*');
    m.emit('reader-attached', VPCD, PRESENT, ATR);
    expect(readers.list().map((r) => r.name)).toEqual([VPCD]);
    readers.close();
    log = [];
    FakeMonitor.all = [];
    const n = open([REAL], { refuseVirtualReaders: true });
    n.emit('reader-attached', VPCD, PRESENT, ATR);
    expect(log).toEqual([]); // not selected anyway: nothing to say
  });

  it('refuses a reader outside ENCODER_READERS before asking pcscd', async () => {
    open(['A']);
    await expect(readers.connect('B')).rejects.toMatchObject({
      code: 'unknown_reader',
      message: 'reader "B" is not among ENCODER_READERS',
    });
  });
});
