import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scriptedServer, sendJson } from '../support/servers.js';
import { useSimulator } from '../support/simulator.js';

// export-status start: POST /content/export, then optionally watch.
const fx = useSimulator();
const { run } = fx;
const dir = mkdtempSync(join(tmpdir(), 'export-status-start-'));
const REQUEST = {
  portalID: 'PROD-1000',
  language: { code: 'en-US' },
  resourceTypes: ['articles'],
  dataDestination: { destinationType: 'AWS S3 bucket', path: 's3://bucket/folder' },
};

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('export-status start', () => {
  it('starts an export and prints its ID alone on stdout', async () => {
    const r = await run(['start', '--base-url', fx.sim.baseUrl, '--body', file('ok.json', REQUEST)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9A-F-]{36}\n$/);
    const posted = fx.sim.requests.filter((q) => q.method === 'POST');
    expect(posted.at(-1)?.status).toBe(202);
    const watched = await run([
      'watch',
      '--base-url',
      fx.sim.baseUrl,
      r.stdout.trim(),
      '--interval',
      '200ms',
    ]);
    expect(watched.code).toBe(0);
  });

  it('an invalid body exits 2 naming the fields, and nothing is sent', async () => {
    const before = fx.sim.requests.length;
    const r = await run([
      'start',
      '--base-url',
      fx.sim.baseUrl,
      '--body',
      file('bad.json', {
        portalID: 'P1',
        language: { code: 'english' },
        resourceTypes: ['articles', 'everything'],
        dataDestination: {
          destinationType: 'FTP',
          credentials: { accessKey: 'AKIA-7', secretKey: 'never-shown-9c1' },
        },
      }),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a valid export request; nothing was sent');
    expect(r.stderr).toContain('portalID: expected a portal ID like PROD-1000');
    expect(r.stderr).toContain('language.code: expected a language code like en-US or fil-PH, got "english"');
    expect(r.stderr).toContain(
      'resourceTypes[1]: expected one of articles, topics, portals, all, got "everything"',
    );
    expect(r.stderr).toContain(
      'dataDestination.destinationType: expected one of AWS S3 bucket, SFTP server, got "FTP"',
    );
    expect(r.stderr).toContain('dataDestination.path: required: where the export goes');
    // the secrets a body may carry are never echoed
    expect(r.stderr).not.toContain('never-shown-9c1');
    expect(r.stderr).not.toContain('AKIA-7');
    expect(fx.sim.requests.length).toBe(before);
    const notJson = await run([
      'start',
      '--base-url',
      fx.sim.baseUrl,
      '--body',
      file('bad.txt', 'portalID=1'),
    ]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('--body: not JSON');
    const missing = await run(['start', '--base-url', fx.sim.baseUrl]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--body <file>' not specified");
  });

  it('a Location in any form (relative, absolute, with or without /status) leads to the job on the configured API', async () => {
    for (const form of [
      '/knowledge/portalmgr/v4/content/export/J-1',
      'https://elsewhere.example/v4/content/export/J-1/status/',
      'content/export/J-1/',
    ]) {
      const server = await scriptedServer((req, res) => {
        if (req.method === 'POST') res.writeHead(202, { location: form }).end();
        else sendJson(res, 200, { status: 'Successful', seen: req.url });
      });
      try {
        const r = await run([
          'start',
          '--base-url',
          `${server.url}/v4`,
          '--body',
          file('ok3.json', REQUEST),
          '--watch',
          '--json',
        ]);
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({
          job: 'J-1',
          url: `${server.url}/v4/content/export/J-1/status`,
          raw: { seen: '/v4/content/export/J-1/status' },
        });
      } finally {
        await server.close();
      }
    }
  });

  it('a Location with no job, or a hostile ID, is an invalid answer (exit 5) printed safely', async () => {
    for (const form of [
      '/knowledge/portalmgr/v4/somewhere/else',
      '/content/export/a%0A%3A%3Aerror%3A%3Ax',
      '/content/export/%3A%3Aerror%3A%3Apwned',
      '/content/export/a%1B%5D52%3Bc%3BZXZpbA%3D%3D%07',
    ]) {
      const server = await scriptedServer((_req, res) => res.writeHead(202, { location: form }).end());
      try {
        const r = await run(['start', '--base-url', server.url, '--body', file('ok4.json', REQUEST)]);
        expect(r.code).toBe(5);
        expect(r.stdout).toBe('');
        expect(r.stderr).toContain('so the new job cannot be found');
      } finally {
        await server.close();
      }
    }
  });

  it('--watch goes on as watch: the ID on stderr, the summary and exit code of the job', async () => {
    const r = await run(
      ['start', '--base-url', fx.sim.baseUrl, '--body', '-', '--watch', '--interval', '200ms', '--json'],
      {
        stdin: JSON.stringify(REQUEST),
      },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^Started export [0-9A-F-]{36}\n/);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'succeeded', exitCode: 0 });
  });

  it('a server that refuses the request exits 4 with its message', async () => {
    const server = await scriptedServer((_req, res) =>
      sendJson(res, 403, { code: '403-1', developerMessage: 'No export rights.' }),
    );
    try {
      const r = await run(['start', '--base-url', server.url, '--body', file('ok2.json', REQUEST)]);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('the export was not started: HTTP 403: 403-1 No export rights.');
    } finally {
      await server.close();
    }
  });
});

describe('start --watch waits for its own new export to exist', () => {
  it('a server that answers 404 twice after the 202: the watch waits, and exits 0', async () => {
    let gets = 0;
    const server = await scriptedServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.method === 'POST') {
          res.writeHead(202, { location: '/v4/content/export/NEW-1' });
          res.end();
        } else if (++gets <= 2) {
          sendJson(res, 404, {
            code: '404-100',
            developerMessage: "The following IDs supplied in the URI path were not found: 'NEW-1'.",
          });
        } else {
          sendJson(res, 200, { status: 'Successful', results: { successful: 3 } });
        }
      });
    });
    try {
      const r = await run([
        'start',
        '--base-url',
        `${server.url}/v4`,
        '--body',
        file('new.json', REQUEST),
        '--watch',
        '--interval',
        '1s',
      ]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('NEW-1  Successful');
      expect(gets).toBe(3);
    } finally {
      await server.close();
    }
  });
});

describe('start leaves the body’s language list to the server', () => {
  it('en-GB and ja-JA are sent and accepted; ja-JP is sent, and the API’s 400-196 shows the allowed values', async () => {
    for (const code of ['en-GB', 'ja-JA']) {
      const r = await run([
        'start',
        '--base-url',
        fx.sim.baseUrl,
        '--body',
        file(`${code}.json`, { ...REQUEST, language: { code } }),
      ]);
      expect(r.code).toBe(0);
    }
    const refused = await run([
      'start',
      '--base-url',
      fx.sim.baseUrl,
      '--body',
      file('ja-JP.json', { ...REQUEST, language: { code: 'ja-JP' } }),
    ]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(
      'the export was not started: HTTP 400: 400-196 Invalid value of attribute language.code, expected values are: [en-US, fr-FR, en-GB',
    );
    expect(refused.stderr).toContain('xx-XX] (language.code=ja-JP)');
  });

  it('an empty resourceTypes is sent', async () => {
    const before = fx.sim.requests.filter((q) => q.method === 'POST').length;
    const r = await run([
      'start',
      '--base-url',
      fx.sim.baseUrl,
      '--body',
      file('empty-types.json', { ...REQUEST, resourceTypes: [] }),
    ]);
    expect(r.code).toBe(0);
    expect(fx.sim.requests.filter((q) => q.method === 'POST').length).toBe(before + 1);
  });
});

describe('start --state-file: a re-run does not start a second export', () => {
  /** An API whose jobs are J1, J2, …; each answers `states[id]` (In Progress unless set). */
  async function api() {
    const posts: string[] = [];
    const states = new Map<string, string>();
    const server = await scriptedServer((req, res) => {
      if (req.method === 'POST') {
        const id = `J${posts.length + 1}`;
        posts.push(id);
        res.writeHead(202, { location: `/content/export/${id}` });
        res.end();
        return;
      }
      const id = /export\/([^/]+)\/status/.exec(req.url ?? '')?.[1] ?? '';
      if (!posts.includes(id)) return sendJson(res, 404, { code: '404-100', developerMessage: 'not found' });
      sendJson(res, 200, { status: states.get(id) ?? 'In Progress', progress: { percentage: 10 } });
    });
    return { server, posts, states };
  }

  it('one POST for two runs; the second prints the first job; after it fails, a third run starts anew', async () => {
    const { server, posts, states } = await api();
    try {
      const state = join(mkdtempSync(join(dir, 'state-')), 'export.state');
      const body = file('state-body.json', REQUEST);
      const start = () => run(['start', '--base-url', server.url, '--body', body, '--state-file', state]);
      const first = await start();
      expect(first).toMatchObject({ code: 0, stdout: 'J1\n' });
      const second = await start();
      expect(second).toMatchObject({ code: 0, stdout: 'J1\n' });
      expect(second.stderr).toContain('Export J1 (started ');
      expect(second.stderr).toContain('In Progress) is the one in --state-file');
      expect(posts).toEqual(['J1']);
      states.set('J1', 'Successful');
      expect((await start()).stdout).toBe('J1\n');
      states.set('J1', 'Failed');
      const third = await start();
      expect(third).toMatchObject({ code: 0, stdout: 'J2\n' });
      expect(third.stderr).toContain(`--state-file ${state}: its job J1 ended Failed; starting a new export`);
      expect(posts).toEqual(['J1', 'J2']);
      // the file names the new job, and holds no secret nor the body
      const record = JSON.parse(readFileSync(state, 'utf8'));
      expect(record).toMatchObject({ version: 1, jobId: 'J2', baseUrl: `${server.url}/` });
      expect(record.bodyDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    } finally {
      await server.close();
    }
  });

  it('a changed body, or a job the API does not know, starts anew; a file that is not a state file starts nothing', async () => {
    const { server, posts } = await api();
    try {
      const folder = mkdtempSync(join(dir, 'state-'));
      const state = join(folder, 'export.state');
      const start = (body: unknown) =>
        run(['start', '--base-url', server.url, '--body', file('b.json', body), '--state-file', state]);
      await start(REQUEST);
      const changed = await start({ ...REQUEST, resourceTypes: ['topics'] });
      expect(changed.stdout).toBe('J2\n');
      expect(changed.stderr).toContain('the body has changed; starting a new export');
      writeFileSync(
        state,
        JSON.stringify({
          ...JSON.parse(readFileSync(state, 'utf8')),
          jobId: 'J9',
          statusUrl: `${server.url}/content/export/J9/status`,
        }),
      );
      const gone = await start({ ...REQUEST, resourceTypes: ['topics'] });
      expect(gone.stdout).toBe('J3\n');
      expect(gone.stderr).toContain('the API does not know its job J9');
      writeFileSync(state, 'jobs: J1\n');
      const strange = await start(REQUEST);
      expect(strange.code).toBe(2);
      expect(strange.stderr).toContain(
        `--state-file ${state}: not a state file of export-status; nothing was started`,
      );
      expect(posts).toEqual(['J1', 'J2', 'J3']);
    } finally {
      await server.close();
    }
  });

  it('a recorded job that cannot be checked now starts nothing (exit 4)', async () => {
    const { server, posts } = await api();
    const state = join(mkdtempSync(join(dir, 'state-')), 'export.state');
    const body = file('down.json', REQUEST);
    await run(['start', '--base-url', server.url, '--body', body, '--state-file', state]);
    const url = server.url;
    await server.close();
    const r = await run([
      'start',
      '--base-url',
      url,
      '--body',
      body,
      '--state-file',
      state,
      '--request-timeout',
      '1s',
    ]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('cannot be checked');
    expect(posts).toEqual(['J1']);
  });
});
