//! What a file's first bytes say it is, when that is not text.
//!
//! Failing closed needs two kinds of "not read" kept apart: media that hold no text a
//! recipient reads as text (images, audio, video, fonts), which are skipped and listed
//! without effect on the verdict, and containers that may well hold text this crate does
//! not open (archives, compound documents), which are *unscanned* and get the policy's
//! `[unscanned]` action. PDFs are their own case: their text is extracted
//! ([`super::pdf`]). Only signatures that text does not start with are used, so that a
//! template is never mistaken for media.

/// What the signature at the start of some bytes says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// Media without text, with its MIME type (`image/png`).
    Media(&'static str),
    /// A container that may hold text and is not opened here, with its MIME type.
    Container(&'static str),
    /// A PDF document.
    Pdf,
}

/// The kind of `bytes` by its signature, or `None` (text, or nothing known).
///
/// ```
/// use sendguard::decode::sniff::{sniff, Sniffed};
/// assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(Sniffed::Media("image/png")));
/// assert_eq!(sniff(b"PK\x03\x04...."), Some(Sniffed::Container("application/zip")));
/// assert_eq!(sniff(b"Password: x"), None);
/// ```
pub fn sniff(bytes: &[u8]) -> Option<Sniffed> {
    use Sniffed::{Container, Media};
    const SIGNATURES: &[(&[u8], Sniffed)] = &[
        (b"\x89PNG\r\n\x1a\n", Media("image/png")),
        (b"\xFF\xD8\xFF", Media("image/jpeg")),
        (b"GIF87a", Media("image/gif")),
        (b"GIF89a", Media("image/gif")),
        (b"II*\0", Media("image/tiff")),
        (b"MM\0*", Media("image/tiff")),
        (b"\0\0\x01\0", Media("image/x-icon")),
        (b"ID3", Media("audio/mpeg")),
        (b"fLaC", Media("audio/flac")),
        (b"OggS", Media("audio/ogg")),
        (b"\x1A\x45\xDF\xA3", Media("video/webm")),
        (b"wOFF", Media("font/woff")),
        (b"wOF2", Media("font/woff2")),
        (b"OTTO", Media("font/otf")),
        (b"\0\x01\0\0\0", Media("font/ttf")),
        (b"PK\x03\x04", Container("application/zip")),
        (b"PK\x05\x06", Container("application/zip")),
        (b"\x1F\x8B", Container("application/gzip")),
        (b"7z\xBC\xAF\x27\x1C", Container("application/x-7z-compressed")),
        (b"Rar!\x1A\x07", Container("application/vnd.rar")),
        (b"\xFD7zXZ\0", Container("application/x-xz")),
        (b"\x28\xB5\x2F\xFD", Container("application/zstd")),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", Container("application/x-ole-storage")),
        (b"%PDF-", Sniffed::Pdf),
    ];
    if let Some(&(_, kind)) = SIGNATURES.iter().find(|(signature, _)| bytes.starts_with(signature)) {
        return Some(kind);
    }
    match bytes {
        [b'R', b'I', b'F', b'F', _, _, _, _, kind @ ..] if kind.starts_with(b"WEBP") => Some(Media("image/webp")),
        [b'R', b'I', b'F', b'F', _, _, _, _, kind @ ..] if kind.starts_with(b"WAVE") => Some(Media("audio/wav")),
        [b'R', b'I', b'F', b'F', _, _, _, _, kind @ ..] if kind.starts_with(b"AVI ") => Some(Media("video/x-msvideo")),
        [_, _, _, _, b'f', b't', b'y', b'p', brand @ ..] => {
            Some(Media(if brand.starts_with(b"avif") || brand.starts_with(b"heic") || brand.starts_with(b"mif1") { "image/heif" } else { "video/mp4" }))
        }
        [b'B', b'Z', b'h', b'1'..=b'9', b'1', b'A', b'Y', b'&', b'S', b'Y', ..] => Some(Container("application/x-bzip2")),
        _ => None,
    }
}

/// True for MIME types of media that hold no text (`image/*` but SVG, `audio/*`,
/// `video/*`, `font/*`): skipped and listed, no effect on the verdict.
pub fn is_media_without_text(content_type: &str) -> bool {
    let (kind, sub) = content_type.split_once('/').unwrap_or((content_type, ""));
    match kind {
        "image" => !sub.contains("svg"),
        "audio" | "video" | "font" => true,
        "application" => matches!(sub, "font-woff" | "font-sfnt" | "vnd.ms-fontobject" | "x-font-ttf" | "x-font-otf"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_never_media() {
        for text in [&b"Password: x"[..], b"ID", b"", b"GIF", b"RIFF", b"<html>", b"PK", b"BZh9 is not bzip2", b"MM is a name"] {
            assert_eq!(sniff(text), None, "{:?}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn media_and_containers() {
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Sniffed::Media("image/webp")));
        assert_eq!(sniff(b"\0\0\0\x18ftypmp42"), Some(Sniffed::Media("video/mp4")));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(Sniffed::Pdf));
        assert_eq!(sniff(b"\x1F\x8B\x08"), Some(Sniffed::Container("application/gzip")));
        assert!(is_media_without_text("image/png") && is_media_without_text("font/woff2") && is_media_without_text("video/mp4"));
        assert!(!is_media_without_text("image/svg+xml") && !is_media_without_text("application/octet-stream") && !is_media_without_text("text/plain"));
    }
}
