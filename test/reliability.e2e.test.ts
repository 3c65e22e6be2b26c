/**
 * Reliability against a real mosquitto: broker restarts under load (nothing stale, errors
 * re-raised), TLS with client certificates, password auth, an ACL that allows only our topics,
 * wrong credentials and untrusted certificates (one error line per attempt, backoff).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { startBroker, startMosquittoWith, type TestBroker } from './support/broker';
import { FakeEverest, sleep, waitFor } from './support/everest';
import { startHost, tempDir, writeConfig, type HostProcess } from './support/host';

jest.setTimeout(120_000);

let host: HostProcess | undefined;
const afterCleanup: Array<() => void> = [];
const brokers: TestBroker[] = [];
const everests: FakeEverest[] = [];

afterEach(async () => {
  for (const f of afterCleanup.splice(0)) f();
  if (host) {
    host.kill('SIGKILL');
    await host.exited;
    host = undefined;
  }
  for (const e of everests.splice(0)) await e.close();
  for (const b of brokers.splice(0)) await b.stop();
});

async function everestOn(url: string, opts?: ConstructorParameters<typeof FakeEverest>[2]): Promise<FakeEverest> {
  const e = new FakeEverest(url, undefined, opts);
  await e.connect();
  everests.push(e);
  return e;
}

describe('broker loss', () => {
  test('10 broker restarts under two modules: no crash, no stale measurement, errors re-raised, data again within 2 s', async () => {
    const broker = await startBroker();
    brokers.push(broker);
    // The resistance encodes when the mock set it: 100000 + k at k * 100 ms after the driver opened.
    const steps = Array.from(
      { length: 900 },
      (_, k) => `          - { atMs: ${k * 100}, set: { resistanceOhm: ${100000 + k} } }`,
    );
    host = startHost([
      'run',
      '--config',
      writeConfig(`mqtt:
  url: ${broker.url}
  keepaliveS: 2
log: { level: info }
modules:
  - moduleId: ramp
    plugin: mock
    options:
      intervalMs: 100
      scenario:
        steps:
${steps.join('\n')}
  - moduleId: warn
    plugin: mock
    options:
      intervalMs: 100
      resistanceOhm: 5000000
      scenario:
        steps:
          - { atMs: 0, raiseError: { type: VendorWarning, subType: W7, message: 'sticky warning' } }
`),
    ]);
    const everest = await everestOn(broker.url);
    // EVerest's heartbeat, every 500 ms (it tells the host that EVerest listens again after a restart).
    let hb = 0;
    const heartbeat = setInterval(() => {
      everest.send('ramp', 'heartbeat', String(hb));
      everest.send('warn', 'heartbeat', String(hb));
      hb += 1;
    }, 500);
    afterCleanup.push(() => clearInterval(heartbeat));
    await waitFor(() => everest.of('ramp', 'communication_check').length > 0, 5000, 'host connected');
    everest.send('ramp', 'start', '{}');
    everest.send('warn', 'start', '{}');
    await waitFor(() => everest.of('ramp', 'isolation_measurement').length > 5, 5000, 'measurements');
    await waitFor(() => everest.of('warn', 'raise_error').length >= 1, 5000, 'warning raised');

    const recoveries: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      await broker.stop();
      await sleep(700);
      await broker.restart();
      const back = Date.now();
      await waitFor(
        () => everest.of('ramp', 'isolation_measurement', back).length > 0,
        6000,
        `measurements after restart ${i + 1}`,
      );
      recoveries.push(everest.of('ramp', 'isolation_measurement', back)[0].at - back);
      await waitFor(
        () => everest.of('warn', 'raise_error', back).length >= 1,
        6000,
        `warning re-raised after restart ${i + 1}`,
      );
      await waitFor(() => everest.of('warn', 'isolation_measurement', back).length > 0, 6000, 'warn module measuring');
      await sleep(300);
    }
    expect(host.child.exitCode).toBeNull();
    // Within 2 s of the broker's return (includes the fake EVerest's own reconnect).
    expect(Math.max(...recoveries)).toBeLessThanOrEqual(2000);

    // Nothing stale: the lag between when the mock set a value and when EVerest got it stays
    // at the level of a poll period; a measurement queued during an outage would lag >= 700 ms.
    const ms = everest
      .of('ramp', 'isolation_measurement')
      .map((m) => ({ at: m.at, k: JSON.parse(m.payload).resistance_F_Ohm - 100000 }));
    const lags = ms.map((m) => m.at - m.k * 100);
    const base = Math.min(...lags);
    const worst = Math.max(...lags.map((l) => l - base));
    expect(worst).toBeLessThan(400);
    expect(everest.invalid).toEqual([]);
  });
});

test('a self test that finishes while the broker is down is answered exactly once after it returns', async () => {
  const broker = await startBroker();
  brokers.push(broker);
  host = startHost([
    'run',
    '--config',
    writeConfig(`mqtt: { url: ${broker.url}, keepaliveS: 2 }
modules:
  - moduleId: st
    plugin: mock
    selfTestTimeoutS: 20
    options: { intervalMs: 200, selfTestDurationMs: 1500, selfTestResult: false }
`),
  ]);
  const everest = await everestOn(broker.url);
  let hb = 0;
  const heartbeat = setInterval(() => everest.send('st', 'heartbeat', String(hb++)), 500);
  afterCleanup.push(() => clearInterval(heartbeat));
  await waitFor(() => everest.of('st', 'communication_check').length > 0, 5000, 'connected');
  everest.send('st', 'start_self_test', '500');
  await sleep(300);
  await broker.stop(); // the result (after 1.5 s) is ready while the broker is away
  await sleep(2500);
  await broker.restart();
  await waitFor(() => everest.of('st', 'self_test_result').length >= 1, 8000, 'the kept self-test result');
  await sleep(2000);
  expect(everest.of('st', 'self_test_result').map((r) => r.payload)).toEqual(['false']);
  expect(host.logs().some((l) => l.msg === 'self-test result kept until EVerest listens again')).toBe(true);
});

/** Tests never skip silently: a missing tool fails with a message saying what to install. */
function requireTool(cmd: string, pkg: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`this test needs ${cmd}, which was not found on PATH: apt-get install -y ${pkg}`);
  }
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

/** A CA, a server certificate for 127.0.0.1, a client certificate, and a second, untrusted CA. */
function makePki(): string {
  requireTool('openssl', 'openssl');
  requireTool('mosquitto_passwd', 'mosquitto');
  const dir = tempDir('imd-pki-');
  // mosquitto started as root drops to its own user: it must be able to read these files.
  chmodSync(dir, 0o755);
  for (const ca of ['ca', 'evil-ca']) {
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${ca}.key`,
        '-out',
        `${ca}.pem`,
        '-days',
        '2',
        '-subj',
        `/CN=${ca}`,
      ],
      dir,
    );
  }
  writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '2',
      '-extfile',
      'server.ext',
    ],
    dir,
  );
  for (const c of ['client', 'evil-client']) {
    const ca = c === 'client' ? 'ca' : 'evil-ca';
    openssl(
      ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${c}.key`, '-out', `${c}.csr`, '-subj', `/CN=${c}`],
      dir,
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${c}.csr`,
        '-CA',
        `${ca}.pem`,
        '-CAkey',
        `${ca}.key`,
        '-CAcreateserial',
        '-out',
        `${c}.pem`,
        '-days',
        '2',
      ],
      dir,
    );
  }
  execFileSync('mosquitto_passwd', ['-b', '-c', path.join(dir, 'passwd'), 'imd-host', 'right-password']);
  execFileSync('mosquitto_passwd', ['-b', path.join(dir, 'passwd'), 'everest', 'everest-password']);
  writeFileSync(
    path.join(dir, 'acl'),
    [
      'user imd-host',
      'topic read everest_api/1/isolation_monitor/+/e2m/#',
      'topic write everest_api/1/isolation_monitor/+/m2e/#',
      '',
      'user everest',
      'topic readwrite everest_api/#',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'pw.txt'), 'right-password\n');
  for (const f of readdirSync(dir)) chmodSync(path.join(dir, f), 0o644);
  return dir;
}

describe('TLS, authentication and ACL', () => {
  let pki: string;
  beforeAll(() => {
    pki = makePki();
  });

  async function tlsBroker(): Promise<TestBroker> {
    const b = await startMosquittoWith((port) =>
      [
        'per_listener_settings false',
        'allow_anonymous false',
        `password_file ${path.join(pki, 'passwd')}`,
        `acl_file ${path.join(pki, 'acl')}`,
        'persistence false',
        'log_dest none',
        `listener ${port} 127.0.0.1`,
        `cafile ${path.join(pki, 'ca.pem')}`,
        `certfile ${path.join(pki, 'server.pem')}`,
        `keyfile ${path.join(pki, 'server.key')}`,
        'require_certificate true',
      ].join('\n'),
    );
    brokers.push(b);
    return b;
  }

  function tlsConfig(port: number, opts: { password?: string; ca?: string; cert?: string; key?: string }): string {
    const dir = tempDir('imd-tlscfg-');
    writeFileSync(path.join(dir, 'pw'), `${opts.password ?? 'right-password'}\n`);
    const file = path.join(dir, 'imd-host.config.yaml');
    writeFileSync(
      file,
      `mqtt:
  url: mqtts://127.0.0.1:${port}
  username: imd-host
  passwordFile: pw
  keepaliveS: 5
  tls:
    ca: ${path.join(pki, opts.ca ?? 'ca.pem')}
    cert: ${path.join(pki, opts.cert ?? 'client.pem')}
    key: ${path.join(pki, opts.key ?? 'client.key')}
log: { level: info }
modules:
  - moduleId: secure
    plugin: mock
    options: { intervalMs: 200, resistanceOhm: 3000000 }
`,
    );
    return file;
  }

  const everestTls = (b: TestBroker): Promise<FakeEverest> =>
    everestOn(`mqtts://127.0.0.1:${b.port}`, {
      username: 'everest',
      password: 'everest-password',
      ca: path.join(pki, 'ca.pem'),
      cert: path.join(pki, 'client.pem'),
      key: path.join(pki, 'client.key'),
    });

  test('mqtts with client certificate, password from a file, under an ACL allowing only our topics', async () => {
    const b = await tlsBroker();
    const everest = await everestTls(b);
    host = startHost(['run', '--config', tlsConfig(b.port, {})]);
    await waitFor(() => everest.of('secure', 'communication_check').length > 0, 8000, 'communication_check over TLS');
    everest.send('secure', 'start', '{}');
    everest.send('secure', 'start_self_test', '500');
    await waitFor(() => everest.of('secure', 'isolation_measurement').length >= 3, 8000, 'measurements over TLS');
    await waitFor(() => everest.of('secure', 'self_test_result').length === 1, 8000, 'self test result over TLS');
    expect(host.logs().filter((l) => l.msg === 'broker refused subscription (check the ACL)')).toEqual([]);
    expect(host.output()).not.toContain('right-password');
  });

  test.each([
    ['a wrong password', { password: 'wrong-password' }, /Not authorized|Bad username or password/i],
    ['an untrusted broker certificate', { ca: 'evil-ca.pem' }, /self.signed|unable to verify|certificate/i],
    ['a client certificate from another CA', { cert: 'evil-client.pem', key: 'evil-client.key' }, /./],
  ])('%s: one clear error line per attempt, with backoff, no crash', async (_name, opts, pattern) => {
    const b = await tlsBroker();
    host = startHost(['run', '--config', tlsConfig(b.port, opts)]);
    await sleep(6000);
    expect(host.child.exitCode).toBeNull();
    const errors = host
      .logs()
      .filter((l) => l.msg === 'mqtt connection error' || l.msg === 'mqtt connection closed before it was up');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    // Backoff: a tight loop would make hundreds of attempts in 6 s.
    expect(errors.length).toBeLessThanOrEqual(8);
    const attempts = host.logs().filter((l) => l.msg === 'mqtt reconnect scheduled');
    expect(attempts.length).toBeLessThanOrEqual(8);
    expect(errors.map((e) => String(e.err)).join('\n')).toMatch(pattern);
    expect(host.output()).not.toContain('wrong-password');
  });
});
