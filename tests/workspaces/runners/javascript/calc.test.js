'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { add } = require('./calc');

test('add passes', () => {
  assert.strictEqual(add(2, 3), 5);
});

test('add fails', () => {
  assert.strictEqual(add(2, 2), 5, '2 + 2 should be 5 here, on purpose');
});
