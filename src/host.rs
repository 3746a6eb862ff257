//! What the core may ask of its host, chosen per target: a decoder for the table-driven
//! charsets and a float parser.
//!
//! The core (`decode::charset`, `policy::tree`) calls these and never the binding layer,
//! so that `src/wasm.rs` stays the JavaScript surface alone and nothing imports it.
//! Natively the host is Rust itself (`encoding_rs`, `str::parse`); in the package it is
//! the JavaScript engine (`TextDecoder`, `parseFloat`), which lets the module leave out
//! `encoding_rs`'s tables (a fifth of the module) and core's float parser with its 10 KB
//! table of powers of five. A wasm build without the JavaScript surface has no decoder.

/// Decodes `bytes`, already past any byte-order mark, in the WHATWG encoding `encoding`
/// (a label such as `shift_jis` or `gbk`); `None` when this host has no decoder for it.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn decode(encoding: &str, bytes: &[u8]) -> Option<String> {
    let encoding = encoding_rs::Encoding::for_label(encoding.as_bytes())?;
    Some(encoding.decode_without_bom_handling(bytes).0.into_owned())
}

/// Decodes `bytes`, already past any byte-order mark, in the WHATWG encoding `encoding`
/// with the host's `TextDecoder`, which keeps the mark (`ignoreBOM`) since the caller has
/// handled it; `None` when the host has no decoder for it.
#[cfg(all(target_arch = "wasm32", feature = "wasm"))]
pub(crate) fn decode(encoding: &str, bytes: &[u8]) -> Option<String> {
    use wasm_bindgen::JsValue;
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &JsValue::from_str("ignoreBOM"), &JsValue::TRUE).ok()?;
    js::TextDecoder::new(encoding, &options).ok()?.decode(bytes).ok()
}

/// A wasm build without the JavaScript surface has no host decoder to ask.
#[cfg(all(target_arch = "wasm32", not(feature = "wasm")))]
pub(crate) fn decode(_encoding: &str, _bytes: &[u8]) -> Option<String> {
    None
}

/// A TOML or JSON float (`3.5`, `-1e-3`, `+inf`, `nan`; TOML's underscores already gone),
/// correctly rounded; `None` when `text` is not one. Natively only `policy::tree`'s tests
/// call it (native builds read policies with `toml` and serde_json).
#[cfg(all(not(all(target_arch = "wasm32", feature = "wasm")), any(test, target_arch = "wasm32")))]
pub(crate) fn parse_float(text: &str) -> Option<f64> {
    text.parse().ok()
}

/// A TOML or JSON float read by the host's `parseFloat` (correctly rounded too), with the
/// `inf`/`nan` that `parseFloat` does not read handled here. The caller has checked the
/// syntax, so this never reports `None`.
#[cfg(all(target_arch = "wasm32", feature = "wasm"))]
pub(crate) fn parse_float(text: &str) -> Option<f64> {
    let unsigned = text.trim_start_matches(['+', '-']);
    let value = match unsigned {
        "inf" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => js_sys::parse_float(unsigned),
    };
    Some(if text.starts_with('-') { -value } else { value })
}

/// The host's functions that `js_sys` does not already bind.
#[cfg(all(target_arch = "wasm32", feature = "wasm"))]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// The host's WHATWG `TextDecoder` (every browser, Node with full ICU).
        pub(super) type TextDecoder;
        #[wasm_bindgen(constructor, catch)]
        pub(super) fn new(label: &str, options: &JsValue) -> Result<TextDecoder, JsValue>;
        #[wasm_bindgen(method, catch)]
        pub(super) fn decode(this: &TextDecoder, input: &[u8]) -> Result<String, JsValue>;
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn native_host_decodes_the_table_charsets_by_whatwg_label() {
        // "あい" in Shift_JIS, "你好" in GBK.
        assert_eq!(decode("shift_jis", &[0x82, 0xa0, 0x82, 0xa2]).as_deref(), Some("あい"));
        assert_eq!(decode("gbk", &[0xc4, 0xe3, 0xba, 0xc3]).as_deref(), Some("你好"));
        assert_eq!(decode("no-such-charset", b"abc"), None);
    }

    #[test]
    fn native_host_parses_toml_and_json_floats() {
        assert_eq!(parse_float("3.5"), Some(3.5));
        assert_eq!(parse_float("-1e-3"), Some(-0.001));
        assert_eq!(parse_float("+inf"), Some(f64::INFINITY));
        assert!(parse_float("nan").is_some_and(f64::is_nan));
        assert_eq!(parse_float("3.5x"), None);
    }
}
