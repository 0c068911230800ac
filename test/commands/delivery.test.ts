import { mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsClient } from 'aws4fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import { runCli } from '../support/cli.js';
import { ACCESS_KEY, type S3Server, SECRET_KEY, startS3 } from '../support/s3.js';
import { type SftpServer, startSftpServer } from '../support/sftp-server.js';
import { type Sshd, startSshd } from '../support/sshd.js';
import { VirtualClock } from '../support/virtual-clock.js';

// --verify-delivery against an S3-compatible server that checks signatures, on loopback. The
// simulators keep real time: the S3 server stamps its objects with it.
let s3: S3Server;
let delivering: Simulator;
let silent: Simulator;
const dir = mkdtempSync(join(tmpdir(), 'export-status-delivery-'));
const s3env = () => ({ AWS_ENDPOINT_URL_S3: s3.endpoint });

beforeAll(async () => {
  s3 = await startS3(['exports']);
  delivering = await startSimulator({ port: 0, durationMs: 1500, deliverTo: s3.endpoint });
  silent = await startSimulator({ port: 0, durationMs: 1500 });
});
afterAll(async () => {
  await delivering.close();
  await silent.close();
  await s3.close();
});

function body(folder: string, secretKey = SECRET_KEY): string {
  const path = join(dir, `${folder}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      portalID: 'PROD-1000',
      language: { code: 'en-US' },
      resourceTypes: ['articles'],
      dataDestination: {
        destinationType: 'AWS S3 bucket',
        path: `s3://exports/${folder}`,
        s3Details: { region: 'us-east-1', accessKey: ACCESS_KEY, secretKey },
      },
    }),
  );
  return path;
}

/** Puts an object as someone else would have, before the export. */
async function put(key: string): Promise<void> {
  const client = new AwsClient({
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET_KEY,
    service: 's3',
    region: 'us-east-1',
  });
  const res = await client.fetch(`${s3.endpoint}/exports/${key}`, { method: 'PUT', body: '{"old":true}' });
  expect(res.status).toBe(200);
}

const start = (sim: Simulator, file: string, ...extra: string[]) =>
  runCli(
    [
      'start',
      '--base-url',
      sim.baseUrl,
      '--body',
      file,
      '--watch',
      '--interval',
      '200ms',
      '--verify-delivery',
      ...extra,
    ],
    { clock: 'real', env: s3env() },
  );

describe('start --watch --verify-delivery', () => {
  it('files that appear: exit 0, and --json lists exactly the new keys', async () => {
    await put('nightly/older-export.json');
    const r = await start(delivering, body('nightly'), '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.outcome).toBe('succeeded');
    expect(doc.delivery).toMatchObject({ destination: 's3://exports/nightly/', totalFiles: 3 });
    expect(doc.delivery.files.map((f: { name: string }) => f.name)).toEqual(
      [1, 2, 3].map((part) => `nightly/${doc.job}/articles-${part}.json`),
    );
    expect(doc.delivery.totalBytes).toBe(
      doc.delivery.files.reduce((n: number, f: { size: number }) => n + f.size, 0),
    );
    // the CI log says when it lists
    expect(r.stderr).toContain('Listing s3://exports/nightly/ before the start');
    expect(r.stderr).toMatch(/listing s3:\/\/exports\/nightly\/ for the delivery/);
  });

  it('the summary says what arrived', async () => {
    const r = await start(delivering, body('summary'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ {2}Delivered {2}3 files, \d+ B to s3:\/\/exports\/summary\//);
  });

  it('nothing new: exit 7, outcome undelivered, saying where it looked, after listing again while storage may lag', async () => {
    // virtual time for the waits between listings (what is compared is the listing before the start)
    const clock = new VirtualClock();
    const sim = await startSimulator({ port: 0, durationMs: 1500, now: clock.now });
    const args = [
      'start',
      '--base-url',
      sim.baseUrl,
      '--body',
      body('empty'),
      '--watch',
      '--interval',
      '200ms',
    ];
    const r = await runCli([...args, '--verify-delivery', '--json'], { clock, env: s3env() }).finally(() =>
      sim.close(),
    );
    expect(r.code).toBe(7);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      outcome: 'undelivered',
      exitCode: 7,
      delivery: { totalFiles: 0, files: [] },
    });
    expect(doc.error).toBe('Successful, but nothing new at s3://exports/empty/');
  });

  it('a wrong secret key: exit 4 before anything is started, and the key appears nowhere', async () => {
    const before = silent.requests.filter((q) => q.method === 'POST').length;
    const wrong = 'wrong-secret-key-5d2e8a';
    const r = await start(silent, body('denied', wrong), '-v');
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('cannot list s3://exports/denied/: SignatureDoesNotMatch');
    expect(r.stderr).toContain('nothing was started');
    expect(`${r.stdout}${r.stderr}`).not.toContain(wrong);
    expect(silent.requests.filter((q) => q.method === 'POST').length).toBe(before);
  });

  it('a bucket that does not exist: exit 4 naming it', async () => {
    const file = body('x');
    const text = readFileSync(file, 'utf8').replace('s3://exports/x', 's3://no-such-bucket/x');
    writeFileSync(file, text);
    const r = await start(silent, file);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('cannot list s3://no-such-bucket/x/: NoSuchBucket');
  });
});

describe('watch <id> --verify-delivery s3://…', () => {
  it('counts only objects modified since the job’s startTime', async () => {
    // an object from an earlier export, an hour old
    await put('weekly/last-week.json');
    const objects = join(s3.directory, 'exports', 'weekly');
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const name of readdirSync(objects)) utimesSync(join(objects, name), hourAgo, hourAgo);
    const started = await runCli(['start', '--base-url', delivering.baseUrl, '--body', body('weekly')], {
      clock: 'real',
    });
    const job = started.stdout.trim();
    const env = { ...s3env(), AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY };
    const r = await runCli(
      [
        'watch',
        '--base-url',
        delivering.baseUrl,
        '--interval',
        '200ms',
        '--verify-delivery',
        's3://exports/weekly',
        '--json',
        job,
      ],
      { clock: 'real', env },
    );
    expect(r.code).toBe(0);
    const names = JSON.parse(r.stdout).delivery.files.map((f: { name: string }) => f.name);
    expect(names).toHaveLength(3);
    expect(names).not.toContain('weekly/last-week.json');
  });

  it('without AWS credentials: exit 2 saying which variables', async () => {
    const r = await runCli(
      ['watch', '--base-url', silent.baseUrl, '--verify-delivery', 's3://exports/x', 'J1'],
      {
        clock: 'real',
        env: s3env(),
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'no AWS credentials to list s3://exports/x/: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  });

  it('a destination that is not one: exit 2 naming the flag', async () => {
    const r = await runCli(['watch', '--base-url', silent.baseUrl, '--verify-delivery', 'ftp://x/y', 'J1'], {
      clock: 'real',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--verify-delivery: an unknown kind of destination');
  });
});

describe('watch <id> --verify-delivery sftp://…, against OpenSSH’s sshd on loopback', () => {
  let sshd: Sshd;
  let exports: string;
  beforeAll(async () => {
    sshd = await startSshd();
    exports = join(sshd.directory, 'files', 'exports');
    mkdirSync(exports, { recursive: true });
    // a file from an earlier export, an hour old
    writeFileSync(join(exports, 'last-week.json'), '{}');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(exports, 'last-week.json'), hourAgo, hourAgo);
  });
  afterAll(() => sshd.close());

  const destination = () => `sftp://${sshd.user}@127.0.0.1:${sshd.port}${exports}`;
  async function watchJob(extra: string[], env: Record<string, string> = {}) {
    const job = `success-sftp-${Math.random().toString(36).slice(2)}`;
    // the export writes its files while it runs
    writeFileSync(join(exports, `${job}-1.json`), '{"articles":[]}');
    const args = [
      'watch',
      '--base-url',
      silent.baseUrl,
      '--interval',
      '200ms',
      '--json',
      '--verify-delivery',
      destination(),
    ];
    const r = await runCli([...args, '--sftp-key', sshd.userKey, ...extra, job], { clock: 'real', env });
    return { r, job };
  }

  it('with the host key pinned: the new files since the job’s start, not the older one', async () => {
    const { r, job } = await watchJob(['--sftp-host-key', sshd.hostFingerprint]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const names = doc.delivery.files.map((f: { name: string }) => f.name);
    expect(names).toContain(`${exports}/${job}-1.json`);
    expect(names).not.toContain(`${exports}/last-week.json`);
  });

  it('a host key in known_hosts is accepted, as ssh accepts it', async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'known_hosts'), `${sshd.knownHostsLine}\n`);
    const { r } = await watchJob([], { HOME: home });
    expect(r.code).toBe(0);
  });

  it('an unknown host key is refused: exit 4, the fingerprint shown and how to pin it', async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    const { r } = await watchJob([], { HOME: home });
    expect(r.code).toBe(4);
    const { error } = JSON.parse(r.stdout);
    expect(error).toContain(`(${sshd.hostFingerprint}) is not in known_hosts`);
    expect(error).toContain(`--sftp-host-key ${sshd.hostFingerprint}`);
  });

  it('a changed host key is refused, and said to have changed', async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    mkdirSync(join(home, '.ssh'));
    const other = 'AAAAC3NzaC1lZDI1NTE5AAAAIOZ0tmR1x9JkYt3hY2FgG7m5y6K2Qm1b8o3o2nKc5H3X';
    writeFileSync(join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${sshd.port} ssh-ed25519 ${other}\n`);
    const { r } = await watchJob([], { HOME: home });
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout).error).toContain('it has CHANGED');
  });

  it('no way to log in: exit 2 saying how', async () => {
    const r = await runCli(
      ['watch', '--base-url', silent.baseUrl, '--verify-delivery', destination(), 'J1'],
      { clock: 'real' },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('set EXPORT_STATUS_SFTP_PASSWORD, or --sftp-key');
  });
});

describe('an SFTP login by password (ssh2’s own server)', () => {
  const PASSWORD = 'sftp-password-7c41e9';
  let server: SftpServer;
  beforeAll(async () => {
    server = await startSftpServer('exporter', PASSWORD, '/exports');
    server.files.set('old.json', [10, Date.now() - 3_600_000]);
  });
  afterAll(() => server.close());

  const watch = (env: Record<string, string>) => {
    const job = `success-pw-${Math.random().toString(36).slice(2)}`;
    server.files.set(`${job}.json`, [42, Date.now()]);
    const where = `sftp://exporter@127.0.0.1:${server.port}/exports`;
    const args = [
      'watch',
      '--base-url',
      silent.baseUrl,
      '--interval',
      '200ms',
      '--json',
      '-v',
      '--verify-delivery',
      where,
    ];
    return runCli([...args, '--sftp-host-key', server.hostFingerprint, job], { clock: 'real', env }).then(
      (r) => ({ r, job }),
    );
  };

  it('the password of EXPORT_STATUS_SFTP_PASSWORD logs in; the new file is the delivery', async () => {
    const { r, job } = await watch({ EXPORT_STATUS_SFTP_PASSWORD: PASSWORD });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).delivery.files).toEqual([
      { name: `/exports/${job}.json`, size: 42, modified: expect.any(String) },
    ]);
    expect(`${r.stdout}${r.stderr}`).not.toContain(PASSWORD);
  });

  it('a wrong password: exit 4, the password shown nowhere', async () => {
    const wrong = 'wrong-password-2b8d';
    const { r } = await watch({ EXPORT_STATUS_SFTP_PASSWORD: wrong });
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout).error).toContain('exporter was not let in');
    expect(`${r.stdout}${r.stderr}`).not.toContain(wrong);
  });
});

describe('--verify-delivery with --state-file', () => {
  it('a re-run that finds its job done verifies the files that job delivered', async () => {
    const file = body('rerun');
    const state = join(mkdtempSync(join(dir, 'state-')), 'export.state');
    const args = ['--state-file', state, '--json'];
    const first = await start(delivering, file, ...args);
    expect(first.code).toBe(0);
    const again = await start(delivering, file, ...args);
    expect(again.stderr).toContain('not started again');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).delivery.totalFiles).toBe(3);
  });
});
