//! Charsets that `mail-parser` decodes only through `encoding_rs`: the CJK encodings and a
//! few single-byte ones (Shift_JIS, EUC-JP, ISO-2022-JP, GBK, gb18030, Big5, EUC-KR,
//! windows-874, IBM866, x-mac-cyrillic, x-user-defined, replacement).
//!
//! Natively `mail-parser` decodes them itself (its `full_encoding` feature). The wasm build
//! leaves `encoding_rs` out, because its tables are about a fifth of the module, and asks
//! the host instead: browsers and Node have the same WHATWG Encoding Standard decoders as
//! `TextDecoder`. [`super::mime`] routes every text in these charsets through [`decode`], so
//! the MIME code does not care which of the two did the work. [`decode`] sniffs a byte-order
//! mark first and handles UTF-8, UTF-16, x-user-defined and replacement itself (Node's
//! `TextDecoder` lacks the last two); only the table-driven encodings go to the host.

/// The WHATWG name of the encoding `mail-parser` decodes `label` with, when that decoder is
/// one of its `encoding_rs` ones (and so a lossy UTF-8 stand-in in the wasm build).
///
/// `label` is looked up the way `mail-parser` does: ASCII lowercase, `-` as `_`, the first
/// 45 bytes, no trimming.
pub(crate) fn host_encoding(label: &[u8]) -> Option<&'static str> {
    let mut key = [0u8; 45];
    let len = label.len().min(key.len());
    for (dest, &src) in key.iter_mut().zip(&label[..len]) {
        *dest = if src == b'-' { b'_' } else { src.to_ascii_lowercase() };
    }
    let key = &key[..len];
    HOST_LABELS.iter().find(|(l, _)| l.as_bytes() == key).map(|&(_, encoding)| encoding)
}

/// `mail-parser` 0.11's labels for its `encoding_rs` decoders (`decoders/charsets/map.rs`),
/// normalised as [`host_encoding`] does, with the WHATWG name of each encoding.
const HOST_LABELS: &[(&str, &str)] = &[
    ("csshiftjis", "shift_jis"),
    ("ms932", "shift_jis"),
    ("ms_kanji", "shift_jis"),
    ("shift_jis", "shift_jis"),
    ("sjis", "shift_jis"),
    ("windows_31j", "shift_jis"),
    ("x_sjis", "shift_jis"),
    ("cseucpkdfmtjapanese", "euc-jp"),
    ("euc_jp", "euc-jp"),
    ("extended_unix_code_packed_format_for_japanese", "euc-jp"),
    ("x_euc_jp", "euc-jp"),
    ("csiso2022jp", "iso-2022-jp"),
    ("iso_2022_jp", "iso-2022-jp"),
    ("chinese", "gbk"),
    ("cp936", "gbk"),
    ("csgb2312", "gbk"),
    ("csgbk", "gbk"),
    ("csiso58gb231280", "gbk"),
    ("gb_2312", "gbk"),
    ("gb_2312_80", "gbk"),
    ("gbk", "gbk"),
    ("iso_ir_58", "gbk"),
    ("ms936", "gbk"),
    ("windows_936", "gbk"),
    ("x_gbk", "gbk"),
    ("csgb18030", "gb18030"),
    ("gb18030", "gb18030"),
    ("gb2312", "gb18030"),
    ("big5", "big5"),
    ("big5_hkscs", "big5"),
    ("cn_big5", "big5"),
    ("csbig5", "big5"),
    ("x_x_big5", "big5"),
    ("cseuckr", "euc-kr"),
    ("csksc56011987", "euc-kr"),
    ("euc_kr", "euc-kr"),
    ("iso_ir_149", "euc-kr"),
    ("korean", "euc-kr"),
    ("ks_c_5601_1987", "euc-kr"),
    ("ks_c_5601_1989", "euc-kr"),
    ("ksc5601", "euc-kr"),
    ("ksc_5601", "euc-kr"),
    ("windows_949", "euc-kr"),
    ("cswindows874", "windows-874"),
    ("dos_874", "windows-874"),
    ("windows_874", "windows-874"),
    ("866", "ibm866"),
    ("cp866", "ibm866"),
    ("csibm866", "ibm866"),
    ("ibm866", "ibm866"),
    ("x_mac_cyrillic", "x-mac-cyrillic"),
    ("x_mac_ukrainian", "x-mac-cyrillic"),
    ("x_user_defined", "x-user-defined"),
    ("csiso2022kr", "replacement"),
    ("hz_gb_2312", "replacement"),
    ("iso_2022_cn", "replacement"),
    ("iso_2022_cn_ext", "replacement"),
    ("iso_2022_kr", "replacement"),
    ("replacement", "replacement"),
];

/// Decodes `bytes` in `encoding` (a name from [`host_encoding`]) as the Encoding Standard's
/// `decode` does, which is what `mail-parser` does natively: a byte-order mark picks UTF-8
/// or UTF-16 and is dropped, malformed input becomes U+FFFD. `None` when the host has no
/// decoder for it (a JavaScript host without full ICU).
pub(crate) fn decode(encoding: &str, bytes: &[u8]) -> Option<String> {
    let (encoding, rest) = match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => ("utf-8", rest),
        [0xFF, 0xFE, rest @ ..] => ("utf-16le", rest),
        [0xFE, 0xFF, rest @ ..] => ("utf-16be", rest),
        _ => (encoding, bytes),
    };
    match encoding {
        "utf-8" => Some(String::from_utf8_lossy(rest).into_owned()),
        "utf-16le" => Some(utf16(rest, u16::from_le_bytes)),
        "utf-16be" => Some(utf16(rest, u16::from_be_bytes)),
        // Bytes 0x80..=0xFF map to U+F780..=U+F7FF.
        "x-user-defined" => Some(rest.iter().map(|&b| if b < 0x80 { char::from(b) } else { x_user_defined(b) }).collect()),
        // The replacement encoding turns any input into one U+FFFD.
        "replacement" => Some(if rest.is_empty() { String::new() } else { char::REPLACEMENT_CHARACTER.to_string() }),
        _ => crate::host::decode(encoding, rest),
    }
}

fn x_user_defined(byte: u8) -> char {
    char::from_u32(0xF700 + u32::from(byte)).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// UTF-16 code units to text as the Encoding Standard decodes them: an unpaired surrogate
/// is U+FFFD, and so is an unfinished end (odd byte, lead surrogate, or both: one U+FFFD).
pub(crate) fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let mut text = String::with_capacity(bytes.len());
    let mut lead: Option<u16> = None;
    for pair in bytes.chunks_exact(2) {
        let unit = unit([pair[0], pair[1]]);
        if let Some(lead) = lead.take() {
            if (0xDC00..0xE000).contains(&unit) {
                let code = 0x10000 + ((u32::from(lead) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                text.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                continue;
            }
            text.push(char::REPLACEMENT_CHARACTER);
        }
        match unit {
            0xD800..=0xDBFF => lead = Some(unit),
            0xDC00..=0xDFFF => text.push(char::REPLACEMENT_CHARACTER),
            _ => text.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
    }
    if lead.is_some() || bytes.len() % 2 == 1 {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    text
}

/// True for the WHATWG labels of UTF-8, after trimming white space, in any ASCII case.
pub(crate) fn is_utf8_label(label: &str) -> bool {
    const LABELS: [&str; 6] = ["unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8", "x-unicode20utf8"];
    let label = label.trim();
    LABELS.iter().any(|l| l.eq_ignore_ascii_case(label))
}

// Natively only: the expected values come from mail-parser with encoding_rs.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use mail_parser::decoders::charsets::map::charset_decoder;

    /// Byte strings that exercise each encoding: valid text, malformed sequences, BOMs.
    fn samples() -> Vec<Vec<u8>> {
        let mut samples: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"plain ASCII: Password".to_vec(),
            b"\x83n\x83\x8D\x81[\x81E\x83\x8F\x81[\x83\x8B\x83h".to_vec(), // Shift_JIS
            b"\xa7A\xa6n\xa1A\xa5@\xac\xc9".to_vec(),                       // Big5
            b"\xa5\xcf\xa5\xed\xa1\xbc \x8f\xb0\xa1".to_vec(),               // EUC-JP with JIS X 0212
            b"\xbe\xc8\xb3\xe7\xc7\xcf\xbc\xbc\xbf\xe4".to_vec(),           // EUC-KR
            b"\x1b$B%O%m!<\x1b(B abc \x1b(J\\~\x1b(B".to_vec(),              // ISO-2022-JP
            b"\xc4\xe3\xba\xc3\x81\x30\x81\x30\x84\x31\xa4\x39".to_vec(),   // GBK / gb18030 four-byte
            b"\x80\x81\x8f\xa0\xfe\xff\x00\x7f".to_vec(),                     // high bytes, truncated pairs
            b"\xef\xbb\xbfUTF-8 after a BOM \xe2\x82".to_vec(),
            b"\xff\xfeU\x00T\x00F\x00\x00\xd8x".to_vec(),                     // UTF-16LE BOM, lone surrogate, odd byte
            b"\xfe\xff\x00U\x00T\xd8\x00\xdc\x00".to_vec(),                   // UTF-16BE BOM, a pair
            b"\x82".to_vec(),
            b"\xff\xfe\x00\xd8\x41\x00\x00\xdc\x41".to_vec(),                   // lead then letter, lone trail, odd byte
            b"\xfe\xff\xd8\x00".to_vec(),                                       // lead surrogate at the end
        ];
        samples.push((0u8..=255).collect());
        samples
    }

    #[test]
    fn every_label_decodes_as_mail_parser_does_natively() {
        for &(label, _) in HOST_LABELS {
            let ours = host_encoding(label.as_bytes()).expect("table label found");
            let parser = charset_decoder(label.as_bytes()).unwrap_or_else(|| panic!("mail-parser knows {label}"));
            for (i, sample) in samples().iter().enumerate() {
                assert!(decode(ours, sample).as_deref() == Some(parser(sample).as_str()), "{label}: sample {i} differs");
            }
        }
    }

    #[test]
    fn labels_are_looked_up_as_mail_parser_does() {
        assert_eq!(host_encoding(b"Shift-JIS"), Some("shift_jis"));
        assert_eq!(host_encoding(b"ISO-2022-JP"), Some("iso-2022-jp"));
        assert_eq!(host_encoding(b"EXTENDED_UNIX_CODE_PACKED_FORMAT_FOR_JAPANESE"), Some("euc-jp"));
        assert_eq!(host_encoding(b" shift_jis"), None, "no trimming, as in mail-parser");
        for label in ["utf-8", "iso-8859-1", "windows-1252", "koi8-r", "utf-7", "utf-16", "x-foo", ""] {
            assert_eq!(host_encoding(label.as_bytes()), None, "{label} is decoded by mail-parser itself");
            if let Some(parser) = charset_decoder(label.as_bytes()) {
                // Not one of the lossy stand-ins of a build without encoding_rs.
                assert_ne!(parser(b"\x82\xa0"), String::from_utf8_lossy(b"\x82\xa0"), "{label}");
            }
        }
    }

    #[test]
    fn utf8_labels_are_those_of_encoding_rs() {
        for label in ["utf-8", " UTF8 ", "unicode-1-1-utf-8", "x-unicode20utf8", "Unicode11UTF8", "utf-16", "latin1", "utf_8", ""] {
            let encoding_rs = encoding_rs::Encoding::for_label(label.trim().as_bytes()) == Some(encoding_rs::UTF_8);
            assert_eq!(is_utf8_label(label), encoding_rs, "{label:?}");
        }
    }
}
