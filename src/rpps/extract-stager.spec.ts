import { HashSet53, nationalIdOf, Specialties } from './extract-stager';

describe(Specialties.name, () => {
  it('keeps the first specialty given for a professional and a profession', () => {
    const s = new Specialties();
    s.setIfAbsent('810000000330', '10', 'S', 'SM04');
    s.setIfAbsent('810000000330', '10', 'S', 'SM15');
    s.setIfAbsent('0259200186', '92', 'CEX', 'CE01');
    expect(s.get('810000000330', '10')).toEqual(['S', 'SM04']);
    expect(s.get('0259200186', '92')).toEqual(['CEX', 'CE01']);
    expect(s.get('810000000330', '21')).toBeUndefined();
    expect(s.get('0810000000', '10')).toBeUndefined();
  });

  it('holds a national-size file (growing as it goes) without mixing keys up', () => {
    const s = new Specialties();
    for (let i = 0; i < 300_000; i++) s.setIfAbsent(`8${String(10000000000 + i * 7)}`, String(10 + (i % 80)), 'S', `SM${i % 50}`);
    for (let i = 0; i < 300_000; i += 997) {
      expect(s.get(`8${String(10000000000 + i * 7)}`, String(10 + (i % 80)))).toEqual(['S', `SM${i % 50}`]);
    }
    expect(s.get('899999999999', '10')).toBeUndefined();
  });
});

describe(HashSet53.name, () => {
  it('says whether a hash was met before', () => {
    const h = new HashSet53();
    for (let i = 0; i < 200_000; i++) expect(h.add(i * 9_007_199)).toBe(true);
    expect(h.add(9_007_199)).toBe(false);
    expect(h.add(0)).toBe(false);
  });
});

describe('nationalIdOf', () => {
  it('finds the national identifier of a rejected line when it is well formed', () => {
    expect(nationalIdOf('8|10000000355|810000000355|bad', 2)).toBe('810000000355');
    expect(nationalIdOf('8|10000000355|81000000035X|bad', 2)).toBeNull();
    expect(nationalIdOf('8|10000000355', 2)).toBeNull();
  });
});
