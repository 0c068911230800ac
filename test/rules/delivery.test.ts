import { describe, expect, it } from 'vitest';
import {
  CLOCK_SKEW_MS,
  destinationName,
  destinationOfBody,
  newFiles,
  parseDestination,
  type StoredFile,
} from '../../src/delivery/destination.js';
import { refusal } from '../support/rules.js';

// Where an export delivers, and what counts as delivered there.

describe('a destination named on the command line', () => {
  it.each([
    ['s3://exports/nightly', { kind: 's3', bucket: 'exports', prefix: 'nightly/' }],
    ['s3://exports/nightly/', { kind: 's3', bucket: 'exports', prefix: 'nightly/' }],
    ['s3://exports', { kind: 's3', bucket: 'exports', prefix: '' }],
    ['s3://exports/', { kind: 's3', bucket: 'exports', prefix: '' }],
    ['S3://my.bucket-1/a/b', { kind: 's3', bucket: 'my.bucket-1', prefix: 'a/b/' }],
    [
      'sftp://me@files.example.com/exports',
      { kind: 'sftp', host: 'files.example.com', port: 22, username: 'me', path: '/exports/' },
    ],
    [
      'sftp://me%40corp@files.example.com:2222/',
      { kind: 'sftp', host: 'files.example.com', port: 2222, username: 'me@corp', path: '/' },
    ],
  ])('%s', (value, destination) => {
    expect(parseDestination(value, 'verifyDelivery')).toEqual(destination);
  });

  it.each([
    ['s3://x/y', 'not a bucket name'],
    ['s3://-bad/y', 'not a bucket name'],
    ['s3:/exports', 'not a bucket name'],
    ['ftp://exports/y', 'an unknown kind of destination'],
    ['exports/y', 'an unknown kind of destination'],
    ['sftp://files.example.com/x', 'no user'],
    ['sftp://me:pw@files.example.com/x', 'a password in the URL'],
  ])('%s is refused: %s', (value, why) => {
    expect(refusal(() => parseDestination(value, 'verifyDelivery'))).toMatch(
      new RegExp(`^verifyDelivery: ${why}`),
    );
  });

  it.each([
    [{ kind: 's3', bucket: 'b', prefix: 'p/' }, 's3://b/p/'],
    [{ kind: 'sftp', host: 'h', port: 22, username: 'u', path: '/x/' }, 'sftp://u@h/x/'],
    [{ kind: 'sftp', host: 'h', port: 2222, username: 'u', path: '/' }, 'sftp://u@h:2222/'],
  ] as const)('%j is named %s', (destination, name) => {
    expect(destinationName(destination)).toBe(name);
  });
});

describe('the destination an export body names', () => {
  const s3 = (details: Record<string, unknown>, path = 's3://exports/folder') => ({
    dataDestination: { destinationType: 'AWS S3 bucket', path, ...details },
  });

  it('S3 with the body’s s3Details', () => {
    const keys = { region: 'eu-west-1', accessKey: 'AKIA1', secretKey: 'sk-1' };
    expect(destinationOfBody(s3({ s3Details: keys }), 'body')).toEqual({
      kind: 's3',
      bucket: 'exports',
      prefix: 'folder/',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIA1', secretAccessKey: 'sk-1' },
    });
  });

  it('S3 with the older description’s credentials; none: the environment’s, later', () => {
    expect(destinationOfBody(s3({ credentials: { accessKey: 'A', secretKey: 'S' } }), 'body')).toMatchObject({
      credentials: { accessKeyId: 'A', secretAccessKey: 'S' },
      region: undefined,
    });
    expect(destinationOfBody(s3({}), 'body')).toMatchObject({ credentials: undefined });
    expect(destinationOfBody(s3({ s3Details: { accessKey: 'A' } }), 'body')).toMatchObject({
      credentials: undefined,
    });
  });

  it('an S3 path that is not s3://bucket/…: refused, naming the field', () => {
    expect(refusal(() => destinationOfBody(s3({}, 'exports/folder'), '--body'))).toBe(
      '--body: dataDestination.path: expected s3://bucket/folder to verify the delivery',
    );
  });

  it('SFTP: its host, port (22 by default), user, password and path', () => {
    const body = {
      dataDestination: {
        destinationType: 'SFTP server',
        path: '/exports',
        sftpDetails: { host: 'files.example.com', username: 'me', password: 'pw-123456' },
      },
    };
    expect(destinationOfBody(body, 'body')).toEqual({
      kind: 'sftp',
      host: 'files.example.com',
      port: 22,
      username: 'me',
      path: '/exports/',
      password: 'pw-123456',
    });
    const noHost = {
      dataDestination: { destinationType: 'SFTP server', path: '/x', sftpDetails: { username: 'me' } },
    };
    expect(refusal(() => destinationOfBody(noHost, 'body'))).toMatch(
      /^body: dataDestination.sftpDetails: a host and a username/,
    );
  });
});

describe('what counts as delivered', () => {
  const T = Date.parse('2026-12-07T10:00:00Z');
  const file = (name: string, over: Partial<StoredFile> = {}): StoredFile => ({
    name,
    size: 10,
    modified: T,
    tag: '"a"',
    ...over,
  });

  it.each([
    ['a new name', [file('old'), file('new')], [file('old')], ['new']],
    ['nothing new', [file('old')], [file('old')], []],
    ['the same name, another size', [file('a', { size: 11 })], [file('a')], ['a']],
    ['the same name, another tag', [file('a', { tag: '"b"' })], [file('a')], ['a']],
    ['the same name, modified again', [file('a', { modified: T + 1000 })], [file('a')], ['a']],
    ['a file gone is no delivery', [], [file('a')], []],
    ['everything, when nothing was there', [file('a'), file('b')], [], ['a', 'b']],
  ])('against the listing before: %s', (_, after, before, names) => {
    expect(newFiles(after, before, undefined).map((f) => f.name)).toEqual(names);
  });

  it.each([
    ['modified after the start', T + 60_000, true],
    ['at the start', T, true],
    ['within the clock-skew allowance before it', T - CLOCK_SKEW_MS, true],
    ['just before the allowance', T - CLOCK_SKEW_MS - 1, false],
    ['an hour before', T - 3_600_000, false],
  ])('without a listing from before, since the job’s start: %s', (_, modified, counted) => {
    expect(newFiles([file('a', { modified })], undefined, T)).toHaveLength(counted ? 1 : 0);
  });

  it('with neither, everything there', () => {
    expect(newFiles([file('a')], undefined, undefined)).toHaveLength(1);
  });
});

describe('destinations at their edges', () => {
  it.each([
    ['xs3://exports/y', 'an unknown kind of destination'],
    ['xsftp://me@files.example.com/x', 'an unknown kind of destination'],
    ['s3://exports/a\nb', 'not a bucket name'],
  ])('%j is refused: %s', (value, why) => {
    expect(refusal(() => parseDestination(value, 'verifyDelivery'))).toMatch(
      new RegExp(`^verifyDelivery: ${why}`),
    );
  });

  it('a path with two leading slashes is the same folder', () => {
    expect(parseDestination('sftp://me@files.example.com//exports', 'v')).toMatchObject({
      path: '/exports/',
    });
  });

  const s3 = (details: Record<string, unknown>, path = 's3://exports/folder') => ({
    dataDestination: { destinationType: 'AWS S3 bucket', path, ...details },
  });
  const sftp = (details: Record<string, unknown>) => ({
    dataDestination: { destinationType: 'SFTP server', path: '/x', sftpDetails: details },
  });

  it.each(['xs3://exports/folder', 's3://exports/a\nb'])('a body’s S3 path %j is refused', (path) => {
    expect(refusal(() => destinationOfBody(s3({}, path), '--body'))).toBe(
      '--body: dataDestination.path: expected s3://bucket/folder to verify the delivery',
    );
  });

  it('a body’s whole bucket, with or without its slash', () => {
    expect(destinationOfBody(s3({}, 's3://exports'), 'body')).toMatchObject({
      bucket: 'exports',
      prefix: '',
    });
    expect(destinationOfBody(s3({}, 's3://exports/'), 'body')).toMatchObject({
      bucket: 'exports',
      prefix: '',
    });
  });

  it('values that are not text, or are empty, count as not given', () => {
    expect(
      destinationOfBody(s3({ s3Details: { region: '', accessKey: 7, secretKey: 'S' } }), 'body'),
    ).toMatchObject({
      region: undefined,
      credentials: undefined,
    });
    expect(refusal(() => destinationOfBody(sftp({ host: 7, username: 'me' }), 'body'))).toMatch(
      /a host and a username/,
    );
    expect(refusal(() => destinationOfBody(sftp({ host: '', username: 'me' }), 'body'))).toMatch(
      /a host and a username/,
    );
    expect(destinationOfBody(sftp({ host: 'h', username: 'me', password: '' }), 'body')).toMatchObject({
      password: undefined,
    });
  });

  it('an SFTP port: a number is taken, anything else is 22', () => {
    expect(destinationOfBody(sftp({ host: 'h', username: 'me', port: 2222 }), 'body')).toMatchObject({
      port: 2222,
    });
    expect(destinationOfBody(sftp({ host: 'h', username: 'me', port: '2222' }), 'body')).toMatchObject({
      port: 22,
    });
  });
});
