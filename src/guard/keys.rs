//! The per-recipient and per-fingerprint count keys: a fixed-size digest of the normalised
//! recipient (or of the fingerprint), so that a map of a million recipients costs one
//! probe per check and 16 bytes a key, and a guard's store (a Redis hash, a state file)
//! holds no customer address.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

/// A count key: the first 128 bits of SHA-256 over a kind tag and the value. Two values
/// sharing a key (odds about 2^-64 in a run of 2^32 recipients) would share one count, so
/// the guard could only hold too early, never send too much.
pub(crate) type Key = [u8; 16];

/// Whose count a key is: it tags the digest, and names the key in a store (`r:`, `f:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Recipient,
    Fingerprint,
}

impl KeyKind {
    fn tag(self) -> &'static [u8] {
        match self {
            KeyKind::Recipient => b"sendguard recipient\0",
            KeyKind::Fingerprint => b"sendguard fingerprint\0",
        }
    }

    /// The prefix of the key's name in a store of counts shared by both kinds.
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            KeyKind::Recipient => "r:",
            KeyKind::Fingerprint => "f:",
        }
    }
}

/// The key of a recipient (normalised first) or of a fingerprint (as given).
pub(crate) fn key(kind: KeyKind, value: &str) -> Key {
    let mut hasher = Sha256::new();
    hasher.update(kind.tag());
    match kind {
        KeyKind::Recipient => hasher.update(recipient_key(value).as_bytes()),
        KeyKind::Fingerprint => hasher.update(value.as_bytes()),
    }
    let digest = hasher.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

/// 32 lower-case hex digits.
pub(crate) fn to_hex(key: &Key) -> String {
    let mut s = String::with_capacity(32);
    for b in key {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The key from [`to_hex`]; `None` for anything else.
pub(crate) fn from_hex(hex: &str) -> Option<Key> {
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// The address part of `Name <addr>` or `addr`, trimmed and lower-cased: two spellings of
/// one mailbox count as one recipient.
pub(crate) fn recipient_key(recipient: &str) -> String {
    let r = recipient.trim();
    let addr = match (r.rfind('<'), r.rfind('>')) {
        (Some(open), Some(close)) if open < close => &r[open + 1..close],
        _ => r,
    };
    addr.trim().to_lowercase()
}

/// `j***@example.com`: enough to find the recipient in the host's logs, not to read it.
pub(crate) fn mask_recipient(recipient: &str) -> String {
    let key = recipient_key(recipient);
    match key.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().next().filter(|c| !c.is_control()).into_iter().collect();
            let domain: String = domain.chars().filter(|c| !c.is_control()).take(64).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipient_masking_and_normalising() {
        assert_eq!(mask_recipient("Jane <jane@example.com>"), "j***@example.com");
        assert_eq!(mask_recipient("no-at-sign"), "***");
        assert_eq!(mask_recipient("@example.com"), "***@example.com");
        assert_eq!(recipient_key("  A <B@C.d> "), "b@c.d");
    }

    #[test]
    fn keys_are_per_kind_and_per_normalised_recipient() {
        let a = key(KeyKind::Recipient, "Jane <JANE@example.com>");
        assert_eq!(a, key(KeyKind::Recipient, " jane@example.com"));
        assert_ne!(a, key(KeyKind::Fingerprint, "jane@example.com"));
        assert_ne!(key(KeyKind::Fingerprint, "F"), key(KeyKind::Fingerprint, "f"), "fingerprints are not normalised");
        let hex = to_hex(&a);
        assert_eq!(hex.len(), 32);
        assert!(!hex.contains("jane"));
        assert_eq!(from_hex(&hex), Some(a));
        for bad in ["", "zz", &hex.to_uppercase(), &hex[..30], &format!("{hex}00")] {
            assert_eq!(from_hex(bad), None, "{bad}");
        }
    }
}
