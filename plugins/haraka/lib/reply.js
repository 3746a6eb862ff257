'use strict';
// What the relay answers the sending application. Every text says what happened and what to
// do, names rules and places (part, line, column) and never the message's content.

/** `password-label in part 1 line 5 column 12` for the first findings that decide the verdict. */
function describeFindings(findings, verdict) {
  const deciding = findings.filter((f) => f.action === verdict);
  const shown = deciding.slice(0, 2).map((f) => `${f.ruleId} in part ${f.part ?? 'message'} line ${f.line} column ${f.column}`);
  const more = deciding.length - shown.length;
  return shown.join(', ') + (more > 0 ? ` and ${more} more` : '');
}

/** The message itself leaks: remove the secret at its source and send again. */
function blocked(runKey, findings, decision) {
  const halted = decision.action === 'halt'
    ? `; run ${runKey} is halted (${decision.reason}) and nothing more of it is relayed until a person resets it`
    : '';
  return `sendguard blocked this message: ${describeFindings(findings, 'block')}. Remove the secret from the template or data that produced it and send again${halted}`;
}

/** The run was stopped earlier (or by this message's count): nothing of it goes out. */
function halted(runKey, decision) {
  return `sendguard: run ${runKey} is halted (${decision.reason}); nothing more of this run is relayed. Stop the sending job, find the cause, then have a person reset the run`;
}

/** Held by the run's limits (old trigger, per-recipient, duplicates): a person decides. */
function heldRejected(runKey, decision) {
  return `sendguard held this message of run ${runKey} (${decision.reason}); it was not relayed. Check why the run sends it before sending again`;
}

function heldQuarantined(runKey, decision) {
  return `sendguard held this message of run ${runKey} for review (${decision.reason}); it is quarantined, not relayed`;
}

/** The check could not be done: the sender should retry later; the message is not relayed. */
function unavailable(why) {
  return `sendguard could not check this message (${why}); it was not relayed, try again later`;
}

module.exports = { describeFindings, blocked, halted, heldRejected, heldQuarantined, unavailable };
