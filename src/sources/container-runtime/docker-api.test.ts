import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { linkSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DockerApiClient } from './docker-api.js';

const ID = 'ddb16d03acc329366363173f6b81b259bc2122e41d231e7254723580e6c78258';

type Handler = (path: string) => {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
};

/** A mock API on a unix socket in a fresh directory; records the paths asked. */
async function serve(
  handler: Handler,
): Promise<{ socketPath: string; paths: string[]; stop(): Promise<void> }> {
  const directory = mkdtempSync(join(tmpdir(), 'harrier-docker-api-'));
  const socketPath = join(directory, 'api.sock');
  const paths: string[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '';
    paths.push(path);
    const answer = handler(path);
    response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    paths,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

const podmanHandler: Handler = (path) => {
  if (path === '/_ping')
    return { status: 200, body: 'OK', headers: { 'Libpod-Api-Version': '4.3.1' } };
  if (path === '/v4.3.1/libpod/containers/ddb16d03acc3/json')
    return {
      status: 200,
      body: {
        Id: ID,
        Name: 'harrier-test-7',
        ImageName: 'localhost/harrier-busybox:latest',
        HostConfig: { Privileged: true },
      },
    };
  return { status: 404, body: { cause: 'no such container' } };
};

test('a podman socket is read through libpod: name, image parts, privileged', async () => {
  const api = await serve(podmanHandler);
  const client = new DockerApiClient({ socketPath: api.socketPath });
  try {
    const info = await client.inspect('ddb16d03acc3');
    assert.equal(info?.type, 'podman');
    assert.equal(info?.name, 'harrier-test-7');
    assert.equal(info?.imageRepository, 'localhost/harrier-busybox');
    assert.equal(info?.imageTag, 'latest');
    assert.equal(info?.privileged, true);
    assert.equal(await client.inspect('0123456789ab'), undefined);
    // One ping serves every later request.
    assert.deepEqual(
      api.paths.filter((path) => path === '/_ping'),
      ['/_ping'],
    );
  } finally {
    client.close();
    await api.stop();
  }
});

test('a docker socket is read through the docker API, with the image for tag and digest', async () => {
  const api = await serve((path) => {
    if (path === '/_ping') return { status: 200, body: 'OK' };
    if (path === '/containers/ddb16d03acc3/json')
      return {
        status: 200,
        body: {
          Id: ID,
          Name: '/web',
          Image: 'sha256:1234',
          Config: { Image: 'nginx:1.25' },
          NetworkSettings: { IPAddress: '172.17.0.2' },
        },
      };
    if (path === '/images/sha256:1234/json')
      return {
        status: 200,
        body: { Id: 'sha256:1234', RepoTags: ['nginx:1.25'], RepoDigests: ['nginx@sha256:feed'] },
      };
    return { status: 404 };
  });
  const client = new DockerApiClient({ socketPath: api.socketPath });
  try {
    const info = await client.inspect('ddb16d03acc3');
    assert.deepEqual(
      [info?.type, info?.name, info?.imageRepository, info?.imageTag, info?.imageDigest, info?.ip],
      ['docker', 'web', 'nginx', '1.25', 'sha256:feed', '172.17.0.2'],
    );
  } finally {
    client.close();
    await api.stop();
  }
});

test('a server error, a missing socket and a slow server throw; odd ids are never sent', async () => {
  const api = await serve((path) =>
    path === '/_ping' ? { status: 200, body: 'OK' } : { status: 500, body: {} },
  );
  const client = new DockerApiClient({ socketPath: api.socketPath });
  const missing = new DockerApiClient({ socketPath: join(tmpdir(), 'harrier-no-such.sock') });
  try {
    await assert.rejects(client.inspect('ddb16d03acc3'), /unexpected HTTP 500/);
    await assert.rejects(missing.inspect('ddb16d03acc3'), /request failed/);
    assert.equal(await client.inspect('../../etc'), undefined);
    assert.equal(
      api.paths.some((path) => path.includes('..')),
      false,
    );
  } finally {
    client.close();
    missing.close();
    await api.stop();
  }
});

test('a request past its time limit fails', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'harrier-docker-api-'));
  const socketPath = join(directory, 'slow.sock');
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const client = new DockerApiClient({ socketPath, timeoutMs: 50 });
  try {
    await assert.rejects(client.inspect('ddb16d03acc3'), /no answer within 50 ms/);
  } finally {
    client.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(directory, { recursive: true, force: true });
  }
});

test('a socket left behind with nothing listening is logged once, with its path and why, and asked again', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'harrier-docker-api-'));
  const socketPath = join(directory, 'podman.sock');
  // A second name for the socket outlives the server, as a socket file of a stopped service.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(join(directory, 'live.sock'), resolve));
  linkSync(join(directory, 'live.sock'), socketPath);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  const logger = {
    warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }),
  } as unknown as Logger;
  const client = new DockerApiClient({ socketPath, logger });
  try {
    await assert.rejects(client.inspect('ddb16d03acc3'), /request failed/);
    await assert.rejects(client.inspect('0123456789ab'), /request failed/);
    assert.equal(warnings.length, 1, 'logged once');
    assert.equal(warnings[0].fields.socket, socketPath);
    assert.equal(
      warnings[0].message,
      `container runtime socket ${socketPath} cannot be asked (connection refused: nothing listens on the socket; podman's API service starts with: podman system service --time=0 unix://${socketPath}); its containers read <NA> until it answers, and it is asked again later`,
    );
  } finally {
    client.close();
    rmSync(directory, { recursive: true, force: true });
  }
});
