'use strict';
// The [limits] section of sendguard.ini: RunGuard limits, camelCase as in the sendguard package.

/** Every RunGuard limit (src/guard.rs); anything else in [limits] is a typo and refused. */
const LIMIT_KEYS = ['maxBlocked', 'maxWarned', 'maxMessages', 'maxPerMinute', 'maxPerHour', 'maxPerRecipient', 'maxDuplicates', 'maxTriggerAgeDays', 'maxHeld'];

/**
 * The limits of new runs from the [limits] section. Haraka's copy of sendguard.ini overrides
 * the package's defaults key by key, so an empty value (`maxPerMinute=`) drops a limit.
 * Whether a number makes sense (0 where at least 1 is needed) is RunGuard's to say.
 */
function parseLimits(section = {}) {
  const limits = {};
  for (const [k, v] of Object.entries(section)) {
    if (!LIMIT_KEYS.includes(k)) throw new Error(`sendguard.ini: [limits] ${k.slice(0, 40)} is not a RunGuard limit (${LIMIT_KEYS.join(', ')})`);
    const text = String(v ?? '').trim();
    if (text === '') continue;
    if (!/^\d{1,15}$/.test(text)) throw new Error(`sendguard.ini: [limits] ${k} must be a whole number`);
    limits[k] = Number(text);
  }
  return limits;
}

module.exports = { LIMIT_KEYS, parseLimits };
