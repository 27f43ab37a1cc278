import { letterAddressee, mailingAddressSql } from './mailing-address';

const who = (civilityPracticeCode: string, civilityCode: string, firstName = 'MARIE', lastName = 'DUPONT') => ({
  civilityPracticeCode,
  civilityCode,
  firstName,
  lastName,
});

describe('letterAddressee', () => {
  it('puts the civility of practice first, abbreviated the French way, whatever the civility', () => {
    expect(letterAddressee(who('DR', 'MME'))).toBe('Dr MARIE DUPONT');
    expect(letterAddressee(who('DR', 'M'))).toBe('Dr MARIE DUPONT');
    expect(letterAddressee(who('PR', 'M'))).toBe('Pr MARIE DUPONT');
  });

  it('falls back to the civility (M., Mme; MLLE written Mme) when there is no civility of practice or none it abbreviates', () => {
    expect(letterAddressee(who('', 'M'))).toBe('M. MARIE DUPONT');
    expect(letterAddressee(who('', 'MME'))).toBe('Mme MARIE DUPONT');
    expect(letterAddressee(who('', 'MLLE'))).toBe('Mme MARIE DUPONT');
    expect(letterAddressee(who('MC', 'M'))).toBe('M. MARIE DUPONT');
    expect(letterAddressee(who(' dr ', 'm'))).toBe('Dr MARIE DUPONT');
  });

  it('leaves out what the registry does not give, and keeps the names as the registry writes them', () => {
    expect(letterAddressee(who('', ''))).toBe('MARIE DUPONT');
    expect(letterAddressee(who('DR', 'M', ''))).toBe('Dr DUPONT');
    expect(letterAddressee(who('', 'MME', 'Anne-Sophie', "D'ALMEIDA"))).toBe("Mme Anne-Sophie D'ALMEIDA");
  });
});

describe('mailingAddressSql', () => {
  it('takes the SQL expressions it is given for the professional and the profession, and the same abbreviations', () => {
    const sql = mailingAddressSql('x.nid', 'x.prof');
    expect(sql).toContain('rp.national_id = x.nid AND rpr.profession_code = x.prof');
    expect(sql).toContain(`WHEN 'DR' THEN 'Dr'`);
    expect(sql).toContain(`WHEN 'MLLE' THEN 'Mme'`);
    expect(sql).toContain('ORDER BY s0.source_line LIMIT 1');
  });
});
