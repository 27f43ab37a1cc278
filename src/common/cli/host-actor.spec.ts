import { userInfo } from 'node:os';
import { hostActor } from './host-actor';

describe(hostActor.name, () => {
  const me = userInfo().username;
  const names: Record<number, string> = { 1000: 'alice', 1001: me };
  const noLogin = { loginUid: () => '4294967295', userName: (uid: number) => names[uid] ?? null };
  const loggedIn = (uid: number) => ({ ...noLogin, loginUid: () => `${uid}\n` });

  it('names the account and the host', () => {
    expect(hostActor({ env: {}, ...noLogin })).toMatch(new RegExp(`^host:${me}@[^ ]+$`));
  });

  it("adds the person who logged in, from the kernel's login uid, when a shared account runs the command", () => {
    expect(hostActor({ env: {}, ...loggedIn(1000) })).toMatch(new RegExp(`^host:${me}@[^ ]+ \\(login: alice\\)$`));
    expect(hostActor({ env: {}, ...loggedIn(4242) })).toMatch(/ \(login: uid-4242\)$/);
  });

  it("takes the login uid's word over SUDO_USER, which whoever runs the command can set", () => {
    // Logged in as the service account itself: a SUDO_USER naming someone else is not believed.
    expect(hostActor({ env: { SUDO_USER: 'alice' }, ...loggedIn(1001) })).toMatch(new RegExp(`^host:${me}@[^ ]+$`));
    expect(hostActor({ env: { SUDO_USER: 'eve' }, ...loggedIn(1000) })).toMatch(/ \(login: alice\)$/);
  });

  it('marks SUDO_USER as unverified when there is no login uid (no login session, or no /proc)', () => {
    expect(hostActor({ env: { SUDO_USER: 'alice' }, ...noLogin })).toMatch(new RegExp(`^host:${me}@[^ ]+ \\(sudo: alice, unverified\\)$`));
    expect(hostActor({ env: { SUDO_USER: 'alice' }, loginUid: () => null, userName: () => null })).toMatch(/ \(sudo: alice, unverified\)$/);
  });

  it('ignores a SUDO_USER that is the account itself or not a user name', () => {
    expect(hostActor({ env: { SUDO_USER: me }, ...noLogin })).not.toContain('sudo');
    expect(hostActor({ env: { SUDO_USER: 'bob) (sudo: eve' }, ...noLogin })).not.toContain('sudo');
  });
});
