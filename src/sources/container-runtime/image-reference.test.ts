import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitImageRepositoryTag } from './image-reference.js';

const CASES: ReadonlyArray<readonly [string, string, string]> = [
  ['localhost/harrier-busybox:latest', 'localhost/harrier-busybox', 'latest'],
  ['docker.io/library/nginx:1.25', 'docker.io/library/nginx', '1.25'],
  ['nginx', 'nginx', ''],
  ['registry.local:5000/team/app', 'registry.local:5000/team/app', ''],
  ['registry.local:5000/team/app:v2', 'registry.local:5000/team/app', 'v2'],
  ['quay.io/app:v1@sha256:0123abcd', 'quay.io/app', 'v1'],
  ['quay.io/app@sha256:0123abcd', 'quay.io/app', ''],
  ['', '', ''],
];

for (const [image, repository, tag] of CASES) {
  test(`splits '${image}' into '${repository}' and '${tag}'`, () => {
    assert.deepEqual(splitImageRepositoryTag(image), { repository, tag });
  });
}
