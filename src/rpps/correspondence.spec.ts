import { parseCorrespondenceLine } from './correspondence';
import { luhnCheckDigit } from './identifiers';

const adeli = `75910001${luhnCheckDigit('75910001')}`;
const rpps = `1000000123${luhnCheckDigit('1000000123')}`;

describe('parseCorrespondenceLine', () => {
  it('accepts bare numbers and national identifiers', () => {
    expect(parseCorrespondenceLine(`${adeli};${rpps}`)).toEqual({ adeliNationalId: `0${adeli}`, rppsNationalId: `8${rpps}` });
    expect(parseCorrespondenceLine(`0${adeli};8${rpps};`)).toEqual({ adeliNationalId: `0${adeli}`, rppsNationalId: `8${rpps}` });
  });
  it('names what is wrong', () => {
    expect(parseCorrespondenceLine(`${adeli}`)).toMatch(/expected "adeli;rpps"/);
    expect(parseCorrespondenceLine(`123;${rpps}`)).toMatch(/ADELI/);
    expect(parseCorrespondenceLine(`${adeli};12345678901`)).toMatch(/RPPS/);
  });
});
