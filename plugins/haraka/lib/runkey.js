'use strict';
// The run a message belongs to. All messages of one run share one RunGuard, so the key decides
// what "stop the run" stops: a billing job (a header its mailer sets), everything one
// authenticated application sends, or one envelope sender within a time window.

const { createHash } = require('node:crypto');

/** Run ids the webhook service accepts too, so both can share (and reset) one run. */
const RUN_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
const SOURCES = new Set(['header', 'auth', 'sender']);

/** A message the relay refuses because of how the sender set it up (5xx, says what to fix). */
class SenderError extends Error {
  constructor(message) {
    super(message);
    this.name = 'SenderError';
  }
}

/** Parses `run_key` ("header,auth,sender"): the sources tried in order. */
function parseSources(text) {
  const sources = String(text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (sources.length === 0) throw new Error('sendguard.ini: main.run_key is empty; use header, auth and/or sender');
  for (const s of sources) {
    if (!SOURCES.has(s)) throw new Error(`sendguard.ini: main.run_key has unknown source "${s.slice(0, 40)}"; use header, auth and/or sender`);
  }
  return sources;
}

/** A run id of at most `max` characters from free text (an address, a user name): allowed characters kept, long ones cut and hashed. */
function safeId(prefix, text, max = 128) {
  const cleaned = String(text).toLowerCase().replace(/[^a-z0-9._@-]/g, '_');
  const id = `${prefix}:${cleaned}`;
  if (id.length <= max) return id;
  const hash = createHash('sha256').update(String(text)).digest('hex').slice(0, 16);
  return `${id.slice(0, max - 18)}..${hash}`;
}

/** `20261203T1200`: the start of the window `at` falls in (UTC). */
function windowStart(at, minutes) {
  const ms = minutes * 60_000;
  return new Date(Math.floor(at / ms) * ms).toISOString().slice(0, 16).replace(/[-:]/g, '');
}

/**
 * The run key of a message: `{ key, source }`, from the first source in `sources` that
 * applies. `header` is the run header's value as is (the same id the webhook service takes);
 * `auth` is `auth:<user>`; `sender` is `sender:<envelope sender>:<window start>`, so a sender
 * without a header or login still gets a run per `windowMinutes`. Throws SenderError when a
 * header is present but malformed, and when no source applies.
 */
function runKey({ sources, header, headerValue, authUser, mailFrom, at, windowMinutes }) {
  for (const source of sources) {
    if (source === 'header' && headerValue != null) {
      const value = String(headerValue).trim();
      if (!RUN_ID.test(value)) throw new SenderError(`the ${header} header must be 1-128 characters of A-Z a-z 0-9 . _ : @ -; fix the sending application's setting`);
      return { key: value, source };
    }
    if (source === 'auth' && authUser) return { key: safeId('auth', authUser), source };
    if (source === 'sender') {
      const sender = mailFrom || '<>';
      return { key: `${safeId('sender', sender, 114)}:${windowStart(at, windowMinutes)}`, source };
    }
  }
  throw new SenderError(`no run key for this message: set the ${header} header, or authenticate (run_key is ${sources.join(',')})`);
}

module.exports = { RUN_ID, SenderError, parseSources, runKey, safeId, windowStart };
