import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import {
  GZIP_LOCATE_LIMIT,
  GzipError,
  gunzipData,
  gzipErrorOf,
  hasGzipMagic,
} from './gzip-data.js';

const text = Buffer.from(
  Array.from({ length: 4000 }, (_, index) => `{"line":${index},"word":"w${index * 7}"}`).join('\n'),
);
const gzipped = gzipSync(text);

/** Whether zlib finds invalid data in `bytes`, read as far as they go. */
function hasDataFault(bytes: Uint8Array): boolean {
  try {
    gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
    return false;
  } catch (error) {
    return (error as { code?: string }).code === 'Z_DATA_ERROR';
  }
}

test('gunzipData returns the text of a whole gzip stream', () => {
  assert.deepEqual(Buffer.from(gunzipData(gzipped)), text);
  assert.equal(hasGzipMagic(gzipped), true);
  assert.equal(hasGzipMagic(text), false);
});

test('a cut gzip stream is "gzip stream truncated", not zlib\'s "unexpected end of file"', () => {
  for (const length of [3, 10, Math.floor(gzipped.length / 2), gzipped.length - 1]) {
    assert.throws(
      () => gunzipData(gzipped.subarray(0, length)),
      (error: unknown) =>
        error instanceof GzipError &&
        error.kind === 'truncated' &&
        error.message === 'gzip stream truncated',
      `cut at ${length}`,
    );
  }
});

test('corrupt gzip data is located at the compressed byte where zlib first finds it', () => {
  let located = 0;
  for (const at of [0, 3, 40, 500, gzipped.length - 30, gzipped.length - 6]) {
    const bad = Buffer.from(gzipped);
    bad[at] ^= 0xff;
    let caught: unknown;
    try {
      gunzipData(bad);
    } catch (error) {
      caught = error;
    }
    if (caught === undefined) continue; // a flip zlib cannot see (inside the header's name)
    assert.ok(caught instanceof GzipError, String(caught));
    if (caught.kind === 'truncated') continue; // a flipped length can make the stream end early
    if (caught.kind === 'checksum') {
      // A flip in the data that still decodes, or in the trailer: only the trailer's check sees it.
      assert.equal(caught.compressedOffset, gzipped.length - 8, `flip at ${at}`);
      assert.equal(
        caught.message,
        `corrupt gzip data somewhere before compressed byte ${caught.compressedOffset}: the checksum in its trailer does not match`,
      );
      continue;
    }
    assert.equal(caught.message, `corrupt gzip data at compressed byte ${caught.compressedOffset}`);
    // Exactly there: the bytes before it are clean, the byte itself makes the data invalid.
    assert.ok(caught.compressedOffset >= at, `flip at ${at}, found at ${caught.compressedOffset}`);
    assert.equal(hasDataFault(bad.subarray(0, caught.compressedOffset)), false);
    assert.equal(hasDataFault(bad.subarray(0, caught.compressedOffset + 1)), true);
    located++;
  }
  assert.ok(located >= 4, `only ${located} flips located`);
});

test('a damaged byte that still decodes is a checksum fault, placed before the trailer', () => {
  const bad = Buffer.from(gzipped);
  // A literal's code inside the data: 4 bytes from the end of the deflate stream still decode.
  const trailer = bad.length - 8;
  let found: GzipError | undefined;
  for (let at = trailer - 200; at < trailer && found?.kind !== 'checksum'; at++) {
    const flipped = Buffer.from(gzipped);
    flipped[at] ^= 0x01;
    try {
      gunzipData(flipped);
    } catch (error) {
      found = error as GzipError;
    }
  }
  assert.equal(found?.kind, 'checksum');
  assert.match(
    found.message,
    /^corrupt gzip data somewhere before compressed byte \d+: the checksum in its trailer does not match$/,
  );
  assert.equal(found.compressedOffset, trailer);
});

test('positions in the decompressed text join the message', () => {
  const cut = new GzipError('truncated', 7703).at({ uncompressedOffset: 90210, line: 412 });
  assert.equal(
    cut.message,
    'gzip stream truncated at compressed byte 7703 (uncompressed byte 90210, line 412)',
  );
  const corrupt = new GzipError('corrupt', 120).at({ uncompressedOffset: 4096 });
  assert.equal(
    corrupt.message,
    'corrupt gzip data at compressed byte 120 (uncompressed byte 4096)',
  );
});

test('a bad compression method is found in the gzip header (zlib: "unknown compression method")', () => {
  // zlib reads the method with the flags byte after it, so that is where it finds the fault.
  const wrongMethod = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x99, 0x00]), text]);
  assert.throws(() => gunzipData(wrongMethod), {
    name: 'GzipError',
    message: 'corrupt gzip data at compressed byte 3',
  });
});

test('past the locate limit the fault is bounded by the bytes that decompressed', () => {
  const error = Object.assign(new Error('invalid distance too far back'), { code: 'Z_DATA_ERROR' });
  const large = new Uint8Array(GZIP_LOCATE_LIMIT + 1);
  const found = gzipErrorOf(error, 4096, large);
  assert.equal(found?.message, 'corrupt gzip data past compressed byte 4096');
  assert.equal(gzipErrorOf(new Error('EIO'), 0), undefined);
});
