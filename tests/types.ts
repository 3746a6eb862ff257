// Type-checked by `make test` (tsc --noEmit -p tests): the .d.ts of pkg/ describes the
// API precisely enough that these uses compile and the marked misuses do not.
import { Engine, RunGuard, version } from "sendguard";
import type {
  Report, Finding, ScanOptions, Verdict, Category, Context, Policy, SendguardError, ErrorCode,
  GuardLimits, GuardCheck, GuardDecision, GuardState, GuardSummary, RuleInfo,
} from "sendguard";
import init, { Engine as WebEngine } from "sendguard/web";

const engine: Engine = new Engine();
const withToml = new Engine(Engine.defaultPolicy());
const policy: Policy = { extends: "default", disable: ["generic-api-key"], actions: [{ category: "reset_link", context: "welcome", action: "block" }] };
const withObject = new Engine(policy);
const options: ScanOptions = { context: "invoice", kind: "rendered", format: "html" };
const report: Report = engine.scan("Password: x", options);
const verdict: Verdict = report.verdict;
const first: Finding | undefined = report.findings[0];
if (first) {
  const category: Category = first.category;
  const where: string = "Password: x".slice(first.utf16Start, first.utf16End);
  const part: string | undefined = first.part;
  const range: [number, number] | undefined = first.partRange;
  void [category, where, part, range];
}
const fromBytes: Report = withObject.scanBytes(new Uint8Array([80]), { format: "eml", context: "ticket_ack" });
const rules: RuleInfo[] = withToml.rules();
const v: string = version();

try {
  new Engine("not = [toml");
} catch (e) {
  const error = e as SendguardError;
  const code: ErrorCode = error.code;
  void code;
}

const limits: GuardLimits = { maxBlocked: 0, maxPerMinute: 120, maxTriggerAgeDays: 7 };
const guard = new RunGuard(limits);
const check: GuardCheck = { recipient: "a@example.com", at: Date.now(), verdict: report.verdict, triggeredAt: 0 };
const decision: GuardDecision = guard.check(check);
const action: "send" | "hold" | "halt" = decision.action;
const state: GuardState = guard.state();
const resumed: RunGuard = RunGuard.fromState(JSON.parse(JSON.stringify(state)) as GuardState);
const summary: GuardSummary = resumed.summary();
const halted: boolean = summary.halted;
guard.reset();
engine.free();

async function browser(): Promise<Verdict> {
  await init();
  return new WebEngine().scan("hello").verdict;
}

// @ts-expect-error: a context outside the union
engine.scan("x", { context: "nope" });
// @ts-expect-error: findings are not `any`
const wrong: number = report.findings[0].ruleId;
// @ts-expect-error: scanBytes takes bytes
engine.scanBytes("text");
// @ts-expect-error: unknown guard limit
new RunGuard({ maxBloked: 1 });
const c: Context = report.context;

void [verdict, fromBytes, rules, v, action, resumed, halted, browser, wrong, c];
