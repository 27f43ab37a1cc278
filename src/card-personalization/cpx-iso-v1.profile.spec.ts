import { profileProblems } from './card-profile';
import { CPX_ISO_V1 } from './cpx-iso-v1.profile';

describe('profile CPX-ISO v1', () => {
  it('is usable', () => {
    expect(profileProblems(CPX_ISO_V1)).toEqual([]);
  });

  it('has the layout of card-profile.md', () => {
    expect([CPX_ISO_V1.mf.fid, CPX_ISO_V1.serial.fid, CPX_ISO_V1.application.fid, CPX_ISO_V1.application.fdb]).toEqual([
      0x3f00, 0x0002, 0x5000, 0x38,
    ]);
    expect(CPX_ISO_V1.files.map((f) => [f.name, f.fid, f.fdb, f.size])).toEqual([
      ['EF.ID', 0x5001, 0x01, 512],
      ['EF.SIT', 0x5002, 0x01, 2048],
      ['EF.SEAL', 0x5003, 0x01, 32],
    ]);
    expect([CPX_ISO_V1.serial.minLength, CPX_ISO_V1.serial.maxLength, CPX_ISO_V1.selectP2, CPX_ISO_V1.updateChunk]).toEqual([
      8, 16, 0x0c, 200,
    ]);
  });

  it('lists the EF.ID tags 80 to 8E and the EF.SIT tags 80 to 87 in order, in A0 records of at most 8', () => {
    const [id, sit] = CPX_ISO_V1.files.map((f) => f.content);
    expect(id.kind === 'fields' && id.fields.map((f) => f.tag)).toEqual(Array.from({ length: 15 }, (_, i) => 0x80 + i));
    expect(sit.kind === 'records' && [sit.recordTag, sit.maxRecords, sit.fields.map((f) => f.tag)]).toEqual([
      0xa0,
      8,
      Array.from({ length: 8 }, (_, i) => 0x80 + i),
    ]);
  });

  it('finds the problems of a broken profile', () => {
    const broken = {
      ...CPX_ISO_V1,
      updateChunk: 300,
      files: [
        ...CPX_ISO_V1.files,
        {
          name: 'EF.X',
          fid: 0x5001,
          fdb: 1,
          size: 40000,
          content: { kind: 'seal' as const, algorithm: 'sha256' as const, over: ['EF.Y'] },
        },
      ],
    };
    expect(profileProblems(broken)).toEqual([
      'file identifiers are not distinct',
      'EF.X: size 40000 is outside 1..32767 (READ/UPDATE BINARY offsets)',
      'EF.X: seals EF.Y, not a TLV file of the profile',
      'updateChunk 300 is outside 1..255 (short Lc)',
    ]);
  });
});
