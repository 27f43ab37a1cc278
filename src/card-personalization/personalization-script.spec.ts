import { encodeCommand } from './apdu';
import { sampleCardData } from './card-data.fixture';
import { CPX_ISO_V1 } from './cpx-iso-v1.profile';
import { personalizationScript, ScriptStep, verifyCommand } from './personalization-script';

const hex = (step: ScriptStep) => encodeCommand(step.command).toString('hex').toUpperCase();
const h = (s: string) => s.replace(/\s+/g, '');
const CODES = { pin: '1234', puk: '87654321' };

describe(personalizationScript.name, () => {
  const script = personalizationScript(CPX_ISO_V1, sampleCardData(), CODES);

  it('reads EF.SN by path from the MF, with Le the longest serial', () => {
    expect(script.readSerial.map(hex)).toEqual([h('00 A4 08 0C 02 00 02'), h('00 B0 00 00 10')]);
    expect(script.readSerial.map((s) => s.label)).toEqual(['SELECT EF.SN', 'READ BINARY EF.SN']);
  });

  it('checks the card is blank by selecting DF.CPX (P2 = 0C)', () => {
    expect(hex(script.checkBlank)).toBe(h('00 A4 08 0C 02 50 00'));
  });

  it('creates DF.CPX and its EFs with FCP templates, as the profile example', () => {
    const creates = script.write.filter((s) => s.command.ins === 0xe0).map(hex);
    expect(creates).toEqual([
      h('00 E0 00 00 09 62 07 82 01 38 83 02 50 00'),
      h('00 E0 00 00 0D 62 0B 80 02 02 00 82 01 01 83 02 50 01'),
      h('00 E0 00 00 0D 62 0B 80 02 08 00 82 01 01 83 02 50 02'),
      h('00 E0 00 00 0D 62 0B 80 02 00 20 82 01 01 83 02 50 03'),
    ]);
    expect(script.write.slice(0, 3).map((s) => s.label)).toEqual(['SELECT MF', 'CREATE FILE DF.CPX', 'SELECT DF.CPX']);
    expect(hex(script.write[0])).toBe(h('00 A4 00 0C 02 3F 00'));
  });

  it('writes each EF from offset 0 in UPDATE BINARY chunks of at most 200 bytes, selecting it first', () => {
    const many = Array.from({ length: 8 }, () => sampleCardData().content.situations[1]);
    const big = personalizationScript(CPX_ISO_V1, sampleCardData({ situations: many }), CODES);
    const sit = big.files.written['EF.SIT'];
    expect(sit.length).toBeGreaterThan(600);
    expect(sit.length).toBeLessThanOrEqual(800);
    const updates = big.write.filter((s) => s.label.startsWith('UPDATE BINARY EF.SIT'));
    expect(updates.map((s) => [s.command.p1, s.command.p2, s.command.data!.length])).toEqual([
      [0x00, 0x00, 200],
      [0x00, 0xc8, 200],
      [0x01, 0x90, 200],
      [0x02, 0x58, sit.length - 600],
    ]);
    expect(Buffer.concat(updates.map((s) => s.command.data!))).toEqual(sit);
    const i = big.write.findIndex((s) => s.label === 'UPDATE BINARY EF.SIT @0');
    expect(hex(big.write[i - 1])).toBe(h('00 A4 00 0C 02 50 02'));
    expect(big.write.every((s) => (s.command.data?.length ?? 0) <= 200)).toBe(true);
  });

  it('reads every EF back whole with READ BINARY', () => {
    const reads = script.readBack.filter((s) => s.command.ins === 0xb0).map(hex);
    expect(reads.slice(0, 2)).toEqual([h('00 B0 00 00 00'), h('00 B0 01 00 00')]);
    expect(reads).toHaveLength(2 + 8 + 1);
    expect(reads.at(-1)).toBe(h('00 B0 00 00 20'));
  });

  it('sets the PIN padded with FF and the PUK with CHANGE REFERENCE DATA, P1 = 01', () => {
    expect(script.setCodes.map(hex)).toEqual([h('00 24 01 01 08 31323334 FFFFFFFF'), h('00 24 01 02 08 3837363534333231')]);
    expect(script.setCodes.map((s) => s.label)).toEqual(['CHANGE REFERENCE DATA PIN', 'CHANGE REFERENCE DATA PUK']);
    expect(
      encodeCommand(verifyCommand(CPX_ISO_V1, 'PIN', '1234'))
        .toString('hex')
        .toUpperCase(),
    ).toBe(h('00 20 00 01 08 31323334 FFFFFFFF'));
  });

  it('activates DF.CPX with it selected', () => {
    expect(script.activate.map(hex)).toEqual([h('00 A4 08 0C 02 50 00'), h('00 44 00 00')]);
  });

  it('selects with P2 = 0C everywhere', () => {
    const all = [...script.readSerial, script.checkBlank, ...script.write, ...script.readBack, ...script.activate];
    const selects = all.filter((s) => s.command.ins === 0xa4);
    expect(selects.length).toBeGreaterThan(8);
    expect(selects.every((s) => s.command.p2 === 0x0c && s.command.ne === undefined)).toBe(true);
  });

  it('refuses malformed codes without showing them', () => {
    expect(() => personalizationScript(CPX_ISO_V1, sampleCardData(), { pin: '12a4', puk: '87654321' })).toThrow(
      /^the PIN must be 4 digits$/,
    );
    expect(() => personalizationScript(CPX_ISO_V1, sampleCardData(), { pin: '1234', puk: '8765432' })).toThrow(
      /^the PUK must be 8 digits$/,
    );
  });
});
