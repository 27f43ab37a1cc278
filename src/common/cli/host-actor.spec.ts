import { userInfo } from 'node:os';
import { hostActor } from './host-actor';

describe(hostActor.name, () => {
  const me = userInfo().username;

  it('names the account and the host', () => {
    expect(hostActor({})).toMatch(new RegExp(`^host:${me}@[^ ]+$`));
  });

  it('adds the person sudo names when a shared account runs the command', () => {
    expect(hostActor({ SUDO_USER: 'alice' })).toMatch(new RegExp(`^host:${me}@[^ ]+ \\(sudo: alice\\)$`));
  });

  it('ignores a SUDO_USER that is the account itself or not a user name', () => {
    expect(hostActor({ SUDO_USER: me })).not.toContain('sudo');
    expect(hostActor({ SUDO_USER: 'bob) (sudo: eve' })).not.toContain('sudo');
  });
});
