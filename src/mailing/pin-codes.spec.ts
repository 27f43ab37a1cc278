import fc from 'fast-check';
import { drawCodes, drawPin, drawPuk, PIN_LENGTH, PUK_LENGTH, pinWeakness, RandomInt } from './pin-codes';

/** A random source that answers `values` in turn (each taken modulo the range asked). */
function scripted(values: number[]): RandomInt {
  let i = 0;
  return (min, max) => {
    if (i >= values.length) throw new Error('the scripted source ran out');
    return min + (values[i++] % (max - min));
  };
}

const ALL_PINS = Array.from({ length: 10 ** PIN_LENGTH }, (_, n) => String(n).padStart(PIN_LENGTH, '0'));
const WEAK = ALL_PINS.filter((p) => pinWeakness(p) !== null);
const ALLOWED = ALL_PINS.filter((p) => pinWeakness(p) === null);

describe('PIN and unblocking codes', () => {
  it('calls weak exactly the same-digit PINs and the ascending and descending runs', () => {
    expect(WEAK.sort()).toEqual(
      ['0000', '1111', '2222', '3333', '4444', '5555', '6666', '7777', '8888', '9999']
        .concat(['0123', '1234', '2345', '3456', '4567', '5678', '6789'])
        .concat(['3210', '4321', '5432', '6543', '7654', '8765', '9876'])
        .sort(),
    );
    expect(pinWeakness('1357')).toBeNull();
    expect(pinWeakness('7890')).toBeNull(); // 9 then 0 is not a step of 1
    expect(() => pinWeakness('123')).toThrow(RangeError);
  });

  it('never draws a weak PIN, whatever the random source answers', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), fc.constantFrom(...ALLOWED), (draws, last) => {
        // any sequence of draws, ending with an allowed one so that the loop ends
        const pin = drawPin(scripted([...draws, Number(last)]));
        expect(pinWeakness(pin)).toBeNull();
        expect(pin).toMatch(/^\d{4}$/);
      }),
    );
  });

  it('can draw every allowed PIN, and draws again past a weak one', () => {
    for (const pin of ALLOWED) expect(drawPin(scripted([Number(pin)]))).toBe(pin);
    fc.assert(
      fc.property(fc.constantFrom(...WEAK), fc.constantFrom(...ALLOWED), (weak, allowed) => {
        expect(drawPin(scripted([Number(weak), Number(allowed)]))).toBe(allowed);
      }),
    );
  });

  it('draws unblocking codes of 8 digits, leading zeros kept, any value reachable', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** PUK_LENGTH - 1 }), (n) => {
        const puk = drawPuk(scripted([n]));
        expect(puk).toHaveLength(PUK_LENGTH);
        expect(Number(puk)).toBe(n);
      }),
    );
  });

  it('draws from the CSPRNG by default: codes of the right shape, and not all the same', () => {
    const drawn = Array.from({ length: 200 }, () => drawCodes());
    for (const c of drawn) {
      expect(pinWeakness(c.pin)).toBeNull();
      expect(c.puk).toMatch(/^\d{8}$/);
    }
    expect(new Set(drawn.map((c) => c.pin)).size).toBeGreaterThan(150);
    expect(new Set(drawn.map((c) => c.puk)).size).toBeGreaterThan(195);
  });
});
