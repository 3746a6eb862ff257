//! The wasm build's readers of the guard's limits, checks, counts and state: by hand through
//! `policy::tree`'s [`Fields`] rather than their derived visitors, which were 21 KB of the
//! module for six small structs (`policy::tree::Read` says why). Natively serde_json reads
//! them; the tests below hold these readers to the derived ones through the same tree.

use crate::policy::tree::{Read, ReadError, Value};
use crate::policy::Action;

use super::state::{GuardHalt, GuardState};
use super::{GuardCheck, GuardCounts, GuardLimits, KeyCounts};

impl Read for GuardLimits {
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn read(value: Value<'_>) -> Result<Self, ReadError> {
        const NAMES: &[&str] = &[
            "maxBlocked",
            "maxWarned",
            "maxMessages",
            "maxPerMinute",
            "maxPerHour",
            "maxPerRecipient",
            "maxDuplicates",
            "maxTriggerAgeDays",
            "maxHeld",
        ];
        let mut limits = GuardLimits::default();
        value.fields("struct GuardLimits", NAMES)?.each(&mut |index, value| {
            let slot = match index {
                0 => &mut limits.max_blocked,
                1 => &mut limits.max_warned,
                2 => &mut limits.max_messages,
                3 => &mut limits.max_per_minute,
                4 => &mut limits.max_per_hour,
                5 => &mut limits.max_per_recipient,
                6 => &mut limits.max_duplicates,
                7 => &mut limits.max_trigger_age_days,
                _ => &mut limits.max_held,
            };
            *slot = value.get()?;
            Ok(())
        })?;
        Ok(limits)
    }
}

impl Read for GuardCheck {
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn read(value: Value<'_>) -> Result<Self, ReadError> {
        const NAMES: &[&str] = &["recipient", "at", "verdict", "triggeredAt", "template", "fingerprint"];
        let (mut recipient, mut at, mut verdict) = (None, None, None);
        let (mut triggered_at, mut template, mut fingerprint) = (None, None, None);
        let fields = value.fields("struct GuardCheck", NAMES)?.each(&mut |index, value| {
            match index {
                0 => recipient = Some(value.get()?),
                1 => at = Some(value.get()?),
                2 => verdict = Some(Action::read(value)?),
                3 => triggered_at = value.get()?,
                4 => template = value.get()?,
                _ => fingerprint = value.get()?,
            }
            Ok(())
        })?;
        Ok(GuardCheck {
            recipient: fields.required(recipient, "recipient")?,
            at: fields.required(at, "at")?,
            verdict: fields.required(verdict, "verdict")?,
            triggered_at,
            template,
            fingerprint,
        })
    }
}

impl Read for GuardCounts {
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn read(value: Value<'_>) -> Result<Self, ReadError> {
        const NAMES: &[&str] = &["checked", "sent", "held", "halted", "blocked", "warned"];
        let mut counts: [Option<u64>; 6] = [None; 6];
        let fields = value.fields("struct GuardCounts", NAMES)?.each(&mut |index, value| {
            counts[index] = Some(value.get()?);
            Ok(())
        })?;
        let [checked, sent, held, halted, blocked, warned] = counts;
        Ok(GuardCounts {
            checked: fields.required(checked, "checked")?,
            sent: fields.required(sent, "sent")?,
            held: fields.required(held, "held")?,
            halted: fields.required(halted, "halted")?,
            blocked: fields.required(blocked, "blocked")?,
            warned: fields.required(warned, "warned")?,
        })
    }
}

impl Read for KeyCounts {
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn read(value: Value<'_>) -> Result<Self, ReadError> {
        let mut counts = KeyCounts::default();
        value.fields("struct KeyCounts", &["recipient", "fingerprint"])?.each(&mut |index, value| {
            *(if index == 0 { &mut counts.recipient } else { &mut counts.fingerprint }) = value.get()?;
            Ok(())
        })?;
        Ok(counts)
    }
}

impl Read for GuardHalt {
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn read(value: Value<'_>) -> Result<Self, ReadError> {
        let (mut reason, mut check) = (None, None);
        let fields = value.fields("struct GuardHalt", &["reason", "check"])?.each(&mut |index, value| {
            match index {
                0 => reason = Some(value.get()?),
                _ => check = Some(value.get()?),
            }
            Ok(())
        })?;
        Ok(GuardHalt { reason: fields.required(reason, "reason")?, check: fields.required(check, "check")? })
    }
}

impl Read for GuardState {
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn read(value: Value<'_>) -> Result<Self, ReadError> {
        const NAMES: &[&str] =
            &["version", "limits", "counts", "halt", "clock", "minute", "hour", "window", "recipients", "fingerprints"];
        let (mut version, mut limits, mut counts) = (None, None, None);
        let (mut halt, mut clock) = (None, None);
        let (mut minute, mut hour, mut window) = (Vec::new(), Vec::new(), Vec::new());
        let (mut recipients, mut fingerprints) = Default::default();
        let fields = value.fields("struct GuardState", NAMES)?.each(&mut |index, value| {
            match index {
                0 => version = Some(value.get()?),
                1 => limits = Some(GuardLimits::read(value)?),
                2 => counts = Some(GuardCounts::read(value)?),
                3 => halt = Some(GuardHalt::read(value)?),
                4 => clock = value.get()?,
                5 => minute = value.get()?,
                6 => hour = value.get()?,
                7 => window = value.get()?,
                8 => recipients = value.get()?,
                _ => fingerprints = value.get()?,
            }
            Ok(())
        })?;
        Ok(GuardState {
            version: fields.required(version, "version")?,
            limits: fields.required(limits, "limits")?,
            counts: fields.required(counts, "counts")?,
            halt,
            clock,
            minute,
            hour,
            window,
            recipients,
            fingerprints,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::tree::{from_json, read_json};
    use serde::de::DeserializeOwned;

    /// The hand-written reader and the derived `Deserialize` agree through the same tree:
    /// the same value, or the same message at the same place.
    fn same<T: Read + DeserializeOwned + PartialEq + std::fmt::Debug>(text: &str) {
        assert_eq!(read_json::<T>(text), from_json::<T>(text), "{text}");
    }

    #[test]
    fn limits_checks_and_counts_read_as_derived() {
        for text in [
            r#"{"maxBlocked":0,"maxPerMinute":100,"maxTriggerAgeDays":7,"maxHeld":3,"maxWarned":1}"#,
            r#"{"maxMessages":1,"maxPerHour":2,"maxPerRecipient":3,"maxDuplicates":4}"#,
            r#"{"maxBlock":0}"#,
            r#"{"maxBlocked":-1}"#,
            r#"{"maxTriggerAgeDays":1.5}"#,
            r#"{"maxBlocked":"one"}"#,
            r#"{"maxBlocked":18446744073709551615}"#,
            r#"{"maxBlocked":18446744073709551616}"#,
            r#"{"maxBlocked":null}"#,
            r#"{"maxBlocked":[1]}"#,
            r#"{"zz":1,"maxBlocked":"x"}"#,
            r#"[]"#,
            r#"42"#,
            "{}",
        ] {
            same::<GuardLimits>(text);
        }
        for text in [
            r#"{"recipient":"a","at":1700000000000,"verdict":"block","fingerprint":"f","template":"t","triggeredAt":5}"#,
            r#"{"recipient":"a","at":1,"verdict":"maybe"}"#,
            r#"{"recipient":"a","at":1,"verdict":3}"#,
            r#"{"recipient":"a","verdict":"pass"}"#,
            r#"{"at":1}"#,
            r#"{}"#,
            r#"{"recipient":"a","at":1,"verdict":"pass","triggerAt":0}"#,
            r#"{"recipient":7,"at":1,"verdict":"pass"}"#,
            r#"{"recipient":"a","at":true,"verdict":"pass"}"#,
            r#"{"recipient":"a","at":-5,"verdict":"pass"}"#,
            r#"{"recipient":"a","at":1,"verdict":"pass","template":null,"fingerprint":{}}"#,
            r#""check""#,
        ] {
            same::<GuardCheck>(text);
        }
        for text in [r#"{"recipient":2,"fingerprint":3}"#, r#"{"fingerprint":3}"#, r#"{"recipients":1}"#, r#"{"recipient":"2"}"#, "[1]"] {
            same::<KeyCounts>(text);
        }
        for text in [
            r#"{"checked":3,"sent":2,"held":0,"halted":1,"blocked":1,"warned":0}"#,
            r#"{"checked":3,"sent":2,"held":0,"halted":1,"blocked":1}"#,
            r#"{"sent":2}"#,
            r#"{"checked":3,"sent":2,"held":0,"halted":1,"blocked":1,"warned":0,"extra":1}"#,
        ] {
            same::<GuardCounts>(text);
        }
    }

    #[test]
    fn states_read_as_derived() {
        let counts = r#""counts":{"checked":3,"sent":2,"held":0,"halted":1,"blocked":1,"warned":0}"#;
        for text in [
            format!(
                r#"{{"version":1,"limits":{{"maxBlocked":2}},{counts},"halt":{{"reason":"r","check":3}},"clock":1700000000000,"window":[1,2,3],"recipients":{{"a@example.org":2,"":1}}}}"#
            ),
            format!(r#"{{"version":2,"limits":{{}},{counts},"minute":[0,1],"hour":[2],"fingerprints":{{"ab":1}}}}"#),
            format!(r#"{{"version":4294967296,"limits":{{}},{counts}}}"#),
            format!(r#"{{"version":-1,"limits":{{}},{counts}}}"#),
            format!(r#"{{"version":2,{counts}}}"#),
            format!(r#"{{"version":2,"limits":{{}}}}"#),
            format!(r#"{{"limits":{{}},{counts}}}"#),
            format!(r#"{{"version":2,"limits":[],{counts}}}"#),
            format!(r#"{{"version":2,"limits":{{"maxHold":1}},{counts}}}"#),
            format!(r#"{{"version":2,"limits":{{}},{counts},"halt":{{"reason":"r"}}}}"#),
            format!(r#"{{"version":2,"limits":{{}},{counts},"halt":{{"check":1,"why":"r"}}}}"#),
            format!(r#"{{"version":2,"limits":{{}},{counts},"halt":"r"}}"#),
            format!(r#"{{"version":2,"limits":{{}},{counts},"minute":[1,"2"]}}"#),
            format!(r#"{{"version":2,"limits":{{}},{counts},"hour":{{}}}}"#),
            format!(r#"{{"version":2,"limits":{{}},{counts},"recipients":{{"a":-1}}}}"#),
            format!(r#"{{"version":2,"limits":{{}},{counts},"recipients":[]}}"#),
            format!(r#"{{"version":2,"limits":{{}},{counts},"clock":"now"}}"#),
            format!(r#"{{"version":2,"limits":{{}},{counts},"state":1}}"#),
            format!(r#"{{"version":2,"limits":{{}},"counts":{{"checked":1}}}}"#),
        ] {
            same::<GuardState>(&text);
        }
        // And a state as the guard writes it.
        let mut guard = crate::guard::RunGuard::new(GuardLimits { max_per_minute: Some(5), max_per_recipient: Some(2), ..Default::default() }).unwrap();
        guard.check(&GuardCheck::new("a@example.org", 1_700_000_000_000, crate::policy::Action::Warn));
        let json = serde_json::to_string(&guard.state()).unwrap();
        same::<GuardState>(&json);
    }
}
