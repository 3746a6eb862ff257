//! MIME throughput: generated multipart messages through `Engine::scan_bytes`, against the
//! same decoded text scanned as plain text with `Engine::scan`, in the same run.
//!
//! `make bench-mime` (`cargo bench --bench mime`, about a minute after the build). The
//! messages are generated here from a fixed seed, so every run on every machine scans the
//! same bytes: text/plain + text/html alternatives, quoted-printable, base64, 7bit and 8bit
//! bodies in utf-8, windows-1252 and iso-8859-15, encoded-word subjects, trace and DKIM
//! headers, CSV, log and PDF attachments, inline PNG images, and a made-up secret in about
//! one message in five.
//!
//! The plain-text side is what `decode_message` makes of each message (every text part and
//! recipient-visible header, joined), scanned as one text document per message: the ratio is
//! what reading the content out of MIME (parsing, transfer decoding, charsets, one scan per
//! part, HTML parts through the HTML view) costs against scanning that content as text. Two
//! more rows split it: the decoding alone, and the part-by-part scans alone (each decoded part
//! in the format `scan_bytes` gives it), so that scan_bytes ≈ decoding + part scans.
//!
//! Criterion reports each side on its own; the summary printed at the end times the sides
//! interleaved in one loop (CPU time of this thread, median of rounds) and prints MiB/s and
//! the ratio. The figures are in docs/BENCHMARKS.md. `SENDGUARD_MIME_BENCH_DUMP=DIR` also
//! writes the messages to DIR as .eml files, to read them or scan them with the CLI;
//! `cargo bench --bench mime -- summary-only` (a filter no criterion bench matches) prints
//! only the summary, in seconds.

use criterion::{black_box, Criterion, Throughput};
use sendguard::decode::mime::{decode_message, MimeOptions};
use sendguard::{Action, Engine, Format, ScanOptions};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// Seed of the generated messages (the same as the other benches' corpus).
const SEED: u64 = 42;
/// Generate messages until their raw size reaches this many bytes.
const TARGET_BYTES: usize = 4 << 20;
/// Interleaved rounds of the summary; the median of each side is reported.
const ROUNDS: usize = 31;

// --- the generator -------------------------------------------------------------------------

/// splitmix64: small, fast, and the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n).map(|_| alphabet[self.below(alphabet.len())] as char).collect()
    }
    fn alnum(&mut self, n: usize) -> String {
        self.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", n)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

#[derive(Clone, Copy)]
enum Charset {
    Utf8,
    Windows1252,
    Iso885915,
}

impl Charset {
    fn label(self) -> &'static str {
        match self {
            Charset::Utf8 => "utf-8",
            Charset::Windows1252 => "windows-1252",
            Charset::Iso885915 => "iso-8859-15",
        }
    }
    fn encode(self, text: &str) -> Vec<u8> {
        let encoding = match self {
            Charset::Utf8 => return text.as_bytes().to_vec(),
            Charset::Windows1252 => encoding_rs::WINDOWS_1252,
            Charset::Iso885915 => encoding_rs::ISO_8859_15,
        };
        encoding.encode(text).0.into_owned()
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Transfer {
    SevenBit,
    EightBit,
    QuotedPrintable,
    Base64,
}

/// Base64 in 76-column CRLF lines, as mail clients write it.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut flat = String::with_capacity(data.len() * 4 / 3 + 4);
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                flat.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                flat.push('=');
            }
        }
    }
    let mut out = String::with_capacity(flat.len() + flat.len() / 38);
    for (i, line) in flat.as_bytes().chunks(76).enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
    }
    out
}

/// Quoted-printable (RFC 2045): hard line breaks kept as CRLF, soft breaks at 76 columns.
fn quoted_printable(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len() * 11 / 10);
    for (i, line) in data.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut column = 0;
        for (j, &b) in line.iter().enumerate() {
            let at_end = j + 1 == line.len();
            let literal = (b == b' ' || b == b'\t') && !at_end || (33..=126).contains(&b) && b != b'=';
            let width = if literal { 1 } else { 3 };
            if column + width > 75 {
                out.push_str("=\r\n");
                column = 0;
            }
            if literal {
                out.push(b as char);
            } else {
                let _ = write!(out, "={b:02X}");
            }
            column += width;
        }
    }
    out
}

/// CRLF line ends for a text that uses `\n`.
fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// A leaf part: `text` in `charset` with `transfer` encoding, and extra header lines.
fn text_part(subtype: &str, text: &str, charset: Charset, transfer: Transfer, extra: &str) -> Vec<u8> {
    let bytes = charset.encode(&crlf(text));
    let (name, body) = match transfer {
        Transfer::SevenBit => ("7bit", bytes),
        Transfer::EightBit => ("8bit", bytes),
        Transfer::QuotedPrintable => ("quoted-printable", quoted_printable(&bytes).into_bytes()),
        Transfer::Base64 => ("base64", base64(&bytes).into_bytes()),
    };
    let mut out = format!(
        "Content-Type: text/{subtype}; charset=\"{}\"\r\nContent-Transfer-Encoding: {name}\r\n{extra}\r\n",
        charset.label()
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out.extend_from_slice(b"\r\n");
    out
}

/// A base64 attachment (or inline part when `disposition` says so).
fn binary_part(content_type: &str, disposition: &str, data: &[u8], extra: &str) -> Vec<u8> {
    format!(
        "Content-Type: {content_type}\r\nContent-Disposition: {disposition}\r\nContent-Transfer-Encoding: base64\r\n{extra}\r\n{}\r\n",
        base64(data)
    )
    .into_bytes()
}

fn multipart(subtype: &str, boundary: &str, parts: Vec<Vec<u8>>) -> Vec<u8> {
    let mut out = format!("Content-Type: multipart/{subtype};\r\n boundary=\"{boundary}\"\r\n\r\n").into_bytes();
    if subtype == "mixed" {
        out.extend_from_slice(b"This is a multi-part message in MIME format.\r\n");
    }
    for part in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        out.extend_from_slice(&part);
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

const SENTENCES_EN: &[&str] = &[
    "Thank you for your order; we have received your payment of 48.50 € and your items will ship within two business days.",
    "If you have any questions about this invoice, reply to this message or call our support team on weekdays from 8 am to 6 pm.",
    "Your subscription renews automatically every month unless you cancel it in your account settings before the renewal date.",
    "Please keep this email for your records; a copy of the invoice is attached as a PDF document.",
    "We have updated our privacy notice to explain more clearly how we use the information you share with us.",
    "Our team in München and São Paulo will review your ticket and get back to you within one working day.",
    "The delivery to Zoë Brontë at Rue de l'Église 4 was confirmed by the courier at 14:32 this afternoon.",
    "You can track the status of your request at any time from the help centre, using the reference number below.",
    "Scheduled maintenance will take place on Sunday between 02:00 and 04:00 CET; the service may be briefly unavailable.",
    "Remember that we will never ask you for your password by email, phone or chat.",
];
const SENTENCES_DE: &[&str] = &[
    "Vielen Dank für Ihre Bestellung; die Rechnung über 129,00 € finden Sie im Anhang dieser Nachricht.",
    "Bei Fragen zu Ihrer Rechnung antworten Sie einfach auf diese E-Mail oder rufen Sie uns werktags an.",
    "Ihr Abonnement verlängert sich automatisch, sofern Sie es nicht rechtzeitig in Ihrem Kundenkonto kündigen.",
    "Die Lieferung an Jürgen Größmann in der Hauptstraße 12 wurde heute um 10:15 Uhr zugestellt.",
    "Wir möchten Sie darauf hinweisen, dass wir Sie niemals per E-Mail nach Ihrem Kennwort fragen werden.",
    "Die geplante Wartung findet am Sonntag zwischen 02:00 und 04:00 Uhr statt; der Dienst ist kurz nicht erreichbar.",
];
const SENTENCES_ES: &[&str] = &[
    "Gracias por su pedido; hemos recibido el pago de 64,90 € y le enviaremos los artículos en dos días hábiles.",
    "Si tiene alguna pregunta sobre esta factura, responda a este correo o llame a nuestro equipo de atención.",
    "Su suscripción se renovará automáticamente cada mes salvo que la cancele desde la configuración de su cuenta.",
    "El envío a María Núñez en la calle Alcalá 27 fue entregado por el mensajero a las 12:40.",
    "Le recordamos que nunca le pediremos su contraseña por correo electrónico ni por teléfono.",
];
const SENTENCES_FR: &[&str] = &[
    "Merci pour votre commande ; nous avons bien reçu votre paiement de 35,00 € et votre colis partira sous 48 heures.",
    "Pour toute question concernant cette facture, répondez à ce message ou contactez notre service client.",
    "Votre abonnement sera renouvelé automatiquement chaque mois, sauf résiliation depuis votre espace client.",
    "La livraison à François Lefèvre, 8 rue de la Paix, a été confirmée par le transporteur à 16 h 05.",
    "Nous ne vous demanderons jamais votre mot de passe par courriel ou par téléphone.",
];
const PRODUCTS: &[&str] = &[
    "Cloud storage 500 GB",
    "Managed database (small)",
    "Support plan (business hours)",
    "Domain renewal example.org",
    "Extra mailbox",
    "SSL certificate (1 year)",
    "Backup add-on",
    "Café voucher",
];
const CSS: &str = "body{margin:0;padding:0;background:#f4f5f7;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f2933}\n.wrapper{width:100%;table-layout:fixed;background:#f4f5f7;padding:24px 0}\n.main{background:#ffffff;margin:0 auto;width:100%;max-width:640px;border-radius:6px}\n.header td{padding:24px 32px;border-bottom:1px solid #e4e7eb}\n.content td{padding:16px 32px;font-size:15px;line-height:1.55}\n.items th{text-align:left;font-size:13px;color:#52606d;padding:6px 8px;border-bottom:1px solid #cbd2d9}\n.items td{padding:6px 8px;font-size:14px;border-bottom:1px solid #f0f2f5}\n.button{display:inline-block;background:#2f6fed;color:#ffffff!important;text-decoration:none;padding:12px 20px;border-radius:4px}\n.footer td{padding:16px 32px;font-size:12px;color:#7b8794}\n@media only screen and (max-width:480px){.content td,.header td,.footer td{padding:12px 16px}}\n";

/// What a message is, and the text content it carries (before any MIME encoding).
struct Content {
    subject: String,
    greeting: String,
    paragraphs: Vec<String>,
    items: Vec<(usize, String, String)>,
    /// A made-up secret line ("Password: …") for the bodies, when this message leaks one.
    secret_line: Option<String>,
}

fn content(rng: &mut Rng, kind: usize) -> Content {
    let language = rng.below(4);
    let sentences = [SENTENCES_EN, SENTENCES_DE, SENTENCES_ES, SENTENCES_FR][language];
    let (subject, greeting) = match (kind, language) {
        (0, 1) => (format!("Ihre Rechnung Nr. {} – Übersicht", rng.range(10_000, 99_999)), "Guten Tag Frau Müller,"),
        (0, 2) => (format!("Su factura n.º {} está disponible", rng.range(10_000, 99_999)), "Estimada señora Núñez:"),
        (0, 3) => (format!("Votre facture n° {} est disponible", rng.range(10_000, 99_999)), "Bonjour Madame Lefèvre,"),
        (0, _) => (format!("Your invoice #{} is ready", rng.range(10_000, 99_999)), "Dear Ms Brontë,"),
        (1, _) => ("Welcome to Example Cloud — your account is ready".to_owned(), "Hello Zoë,"),
        (2, _) => (format!("[Ticket #{}] We received your request", rng.range(100_000, 999_999)), "Hi there,"),
        _ => (format!("Example Cloud news — {} issue", ["March", "April", "May"][rng.below(3)]), "Hello,"),
    };
    let paragraphs = (0..rng.range(4, 14))
        .map(|_| (0..rng.range(2, 5)).map(|_| rng.pick(sentences)).collect::<Vec<_>>().join(" "))
        .collect();
    let items = (0..if kind == 0 { rng.range(3, 25) } else { 0 })
        .map(|_| {
            let cents = rng.range(150, 49_900);
            (rng.range(1, 12), rng.pick(PRODUCTS).to_owned(), format!("{},{:02} €", cents / 100, cents % 100))
        })
        .collect();
    let secret_line = (kind != 0 && rng.chance(25)).then(|| match kind {
        1 => format!("Password: {}#{}{}", rng.alnum(5), rng.range(10, 99), rng.alnum(4)),
        2 => format!("Connection: postgres://app:{}!{}@db.internal.example:5432/app", rng.alnum(8), rng.range(10, 99)),
        _ => format!("API token: ghp_{}", rng.alnum(36)),
    });
    Content { subject, greeting: greeting.to_owned(), paragraphs, items, secret_line }
}

fn plain_body(c: &Content) -> String {
    let mut out = format!("{}\n\n", c.greeting);
    for p in &c.paragraphs {
        out.push_str(p);
        out.push_str("\n\n");
    }
    if let Some(secret) = &c.secret_line {
        let _ = write!(out, "{secret}\n\n");
    }
    for (qty, product, price) in &c.items {
        let _ = writeln!(out, "{qty:>3} x {product:<40} {price:>12}");
    }
    out.push_str("\n-- \nExample Cloud GmbH · Musterstraße 1 · 10115 Berlin\nUnsubscribe: https://example.com/u\n");
    out
}

fn html_body(rng: &mut Rng, c: &Content) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\n<title>{}</title>\n<style>\n{CSS}</style></head>\n<body><table class=\"wrapper\" role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\"><tr><td>\n<table class=\"main\" role=\"presentation\"><tr class=\"header\"><td><img src=\"cid:logo\" width=\"120\" height=\"32\" alt=\"Example Cloud\"></td></tr>\n<tr class=\"content\"><td><p>{}</p>\n",
        c.subject, c.greeting
    );
    for p in &c.paragraphs {
        let _ = writeln!(out, "<p style=\"margin:0 0 12px 0\">{p}</p>");
    }
    if let Some(secret) = &c.secret_line {
        let (label, value) = secret.split_once(": ").expect("a secret line has a label");
        let _ = writeln!(out, "<p>{label}: <code style=\"font-family:monospace\">{value}</code></p>");
    }
    if !c.items.is_empty() {
        out.push_str("<table class=\"items\" width=\"100%\"><tr><th>Qty</th><th>Item</th><th align=\"right\">Amount</th></tr>\n");
        for (qty, product, price) in &c.items {
            let _ = writeln!(out, "<tr><td>{qty}</td><td>{product}</td><td align=\"right\">{price}</td></tr>");
        }
        out.push_str("</table>\n");
    }
    let _ = write!(
        out,
        "<p><a class=\"button\" href=\"https://click.example.com/ls/click?upn={}&amp;c={}\">Open your account</a></p></td></tr>\n<tr class=\"footer\"><td>Example Cloud GmbH · Musterstraße 1 · 10115 Berlin<br><a href=\"https://click.example.com/u/{}\">Unsubscribe</a><img src=\"https://t.example.com/o/{}.gif\" width=\"1\" height=\"1\" alt=\"\"></td></tr></table>\n</td></tr></table></body></html>\n",
        rng.alnum(120),
        rng.range(1000, 9999),
        rng.alnum(48),
        rng.alnum(32)
    );
    out
}

fn csv(rng: &mut Rng, rows: usize, token_row: Option<usize>) -> String {
    let mut out = String::from("date,reference,description,amount,currency,customer,api_key\n");
    for i in 0..rows {
        let key = if token_row == Some(i) { format!("ghp_{}", rng.alnum(36)) } else { String::new() };
        let cents = rng.range(100, 999_999);
        let _ = writeln!(
            out,
            "2025-{:02}-{:02},INV-{},{},{}.{:02},EUR,{},{key}",
            rng.range(1, 12),
            rng.range(1, 28),
            rng.range(100_000, 999_999),
            rng.pick(PRODUCTS),
            cents / 100,
            cents % 100,
            rng.pick(&["ACME Corp", "Globex", "Initech", "Müller & Söhne KG", "Hôtel Étoile"])
        );
    }
    out
}

fn log_text(rng: &mut Rng, lines: usize) -> String {
    let mut out = String::new();
    for _ in 0..lines {
        let _ = writeln!(
            out,
            "2025-03-{:02}T{:02}:{:02}:{:02}Z {} request_id={} path=/api/v2/{} status={} duration_ms={}",
            rng.range(1, 28),
            rng.below(24),
            rng.below(60),
            rng.below(60),
            rng.pick(&["INFO", "INFO", "WARN", "ERROR"]),
            rng.alnum(16),
            rng.pick(&["orders", "invoices", "users/me", "exports", "webhooks"]),
            rng.pick(&["200", "200", "201", "404", "502"]),
            rng.range(3, 2500)
        );
    }
    out
}

/// A one-page PDF whose text is in a FlateDecode content stream (as invoices are).
fn pdf(rng: &mut Rng, c: &Content) -> Vec<u8> {
    use std::io::Write as _;
    let mut content = String::from("BT /F1 11 Tf 56 780 Td 14 TL\n");
    let _ = writeln!(content, "({}) Tj T*", c.subject.replace(['(', ')', '\\'], ""));
    for (qty, product, price) in &c.items {
        let _ = writeln!(content, "({qty} x {product}  {price}) Tj T*");
    }
    for _ in 0..rng.range(5, 20) {
        let _ = writeln!(content, "(Terms: payment due within 14 days, reference {}.) Tj T*", rng.alnum(10));
    }
    content.push_str("ET\n");
    let latin1 = Charset::Windows1252.encode(&content);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&latin1).expect("compressing into memory");
    let stream = z.finish().expect("compressing into memory");
    let mut out = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>\nendobj\n".to_vec();
    out.extend_from_slice(format!("4 0 obj\n<< /Length {} /Filter /FlateDecode >>\nstream\n", stream.len()).as_bytes());
    out.extend_from_slice(&stream);
    out.extend_from_slice(b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
    out
}

/// Bytes shaped like a PNG (signature, then noise): a binary part, as images are.
fn png(rng: &mut Rng, size: usize) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    out.extend(rng.bytes(size));
    out
}

/// An encoded-word subject when it is not ASCII, as mail clients write it.
fn subject_header(rng: &mut Rng, subject: &str) -> String {
    if subject.is_ascii() {
        return subject.to_owned();
    }
    let (latin, _, unmappable) = encoding_rs::ISO_8859_15.encode(subject);
    if rng.chance(50) {
        format!("=?UTF-8?B?{}?=", base64(subject.as_bytes()).replace("\r\n", ""))
    } else {
        let (charset, bytes) = if unmappable { ("UTF-8", subject.as_bytes()) } else { ("ISO-8859-15", &latin[..]) };
        let q: String = bytes
            .iter()
            .map(|&b| match b {
                b' ' => "_".to_owned(),
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b',' | b'-' => (b as char).to_string(),
                _ => format!("={b:02X}"),
            })
            .collect();
        format!("=?{charset}?Q?{q}?=")
    }
}

fn message(rng: &mut Rng, index: usize) -> Vec<u8> {
    let kind = rng.below(4);
    let c = content(rng, kind);
    let charset = [Charset::Utf8, Charset::Utf8, Charset::Windows1252, Charset::Iso885915][rng.below(4)];
    let plain = plain_body(&c);
    let html = html_body(rng, &c);
    let b = |name: &str| format!("{name}-{index:04}-{}", SEED);
    // Plain and HTML, both quoted-printable (invoices and newsletters).
    let qp_alternative = || {
        multipart(
            "alternative",
            &b("alt"),
            vec![
                text_part("plain", &plain, charset, Transfer::QuotedPrintable, ""),
                text_part("html", &html, Charset::Utf8, Transfer::QuotedPrintable, ""),
            ],
        )
    };
    let body = match kind {
        // Invoice: both alternatives in QP, the PDF, sometimes the CSV export.
        0 => {
            let mut parts = vec![qp_alternative()];
            parts.push(binary_part(
                "application/pdf; name=\"invoice.pdf\"",
                "attachment; filename=\"invoice.pdf\"",
                &pdf(rng, &c),
                "",
            ));
            if rng.chance(50) {
                let token_row = rng.chance(30).then(|| rng.below(200));
                let rows = rng.range(200, 900);
                let table = csv(rng, rows, token_row);
                parts.push(text_part(
                    "csv",
                    &table,
                    Charset::Utf8,
                    Transfer::Base64,
                    "Content-Disposition: attachment; filename=\"export.csv\"\r\n",
                ));
            }
            multipart("mixed", &b("mix"), parts)
        }
        // Welcome: plain text in a legacy charset (8bit or QP), HTML in base64.
        1 => {
            let transfer = if matches!(charset, Charset::Utf8) { Transfer::QuotedPrintable } else { Transfer::EightBit };
            multipart(
                "alternative",
                &b("alt"),
                vec![
                    text_part("plain", &plain, charset, transfer, ""),
                    text_part("html", &html, Charset::Utf8, Transfer::Base64, ""),
                ],
            )
        }
        // Ticket acknowledgement: plain text only, a log attachment, a screenshot.
        2 => {
            let transfer = if plain.is_ascii() { Transfer::SevenBit } else { Transfer::QuotedPrintable };
            let mut parts = vec![text_part("plain", &plain, charset, transfer, "")];
            if rng.chance(60) {
                let lines = rng.range(100, 700);
                parts.push(text_part(
                    "plain",
                    &log_text(rng, lines),
                    Charset::Utf8,
                    Transfer::Base64,
                    "Content-Disposition: attachment; filename=\"request.log\"\r\n",
                ));
            }
            let size = rng.range(4_000, 30_000);
            parts.push(binary_part(
                "image/png; name=\"screenshot.png\"",
                "attachment; filename=\"screenshot.png\"",
                &png(rng, size),
                "",
            ));
            multipart("mixed", &b("mix"), parts)
        }
        // Newsletter: related { alternative { plain, html }, inline images }.
        _ => {
            let mut parts = vec![qp_alternative()];
            for i in 0..rng.range(1, 3) {
                let size = rng.range(2_000, 20_000);
                parts.push(binary_part(
                    "image/png",
                    &format!("inline; filename=\"image{i}.png\""),
                    &png(rng, size),
                    &format!("Content-ID: <{}>\r\n", if i == 0 { "logo".to_owned() } else { format!("img{i}") }),
                ));
            }
            multipart("related", &b("rel"), parts)
        }
    };
    let mut out = format!(
        "Return-Path: <bounce-{}@mail.example.com>\r\nReceived: from mta-{}.mail.example.com (mta.mail.example.com [192.0.2.{}])\r\n\tby mx.example.org with ESMTPS id {}\r\n\tfor <customer@example.org>; Tue, 04 Mar 2025 09:{:02}:{:02} +0000\r\nDKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s1;\r\n\th=from:to:subject:date:message-id; bh={}=;\r\n\tb={}\r\n\t{}==\r\nFrom: \"Example Cloud\" <no-reply@example.com>\r\nTo: \"Zoë Brontë\" <customer@example.org>\r\nSubject: {}\r\nDate: Tue, 04 Mar 2025 09:{:02}:{:02} +0000\r\nMessage-ID: <{}.{index}@example.com>\r\nList-Unsubscribe: <https://example.com/u/{}>, <mailto:unsubscribe@example.com>\r\nMIME-Version: 1.0\r\n",
        rng.alnum(24),
        rng.range(1, 40),
        rng.range(1, 254),
        rng.alnum(12),
        rng.below(60),
        rng.below(60),
        rng.alnum(43),
        rng.alnum(76),
        rng.alnum(94),
        subject_header(rng, &c.subject),
        rng.below(60),
        rng.below(60),
        rng.alnum(20),
        rng.alnum(32),
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out
}

/// The messages of every run: the same bytes for the same [`SEED`].
fn messages() -> Vec<Vec<u8>> {
    let mut rng = Rng(SEED);
    let mut out = Vec::new();
    let mut total = 0;
    while total < TARGET_BYTES {
        let m = message(&mut rng, out.len());
        total += m.len();
        out.push(m);
    }
    out
}

// --- measuring -------------------------------------------------------------------------------

/// The workload: each message raw, and its decoded text as one plain-text document.
struct Workload {
    engine: Engine,
    raw: Vec<Vec<u8>>,
    plain: Vec<String>,
    /// Every decoded part on its own, with the format `scan_bytes` scans it in.
    decoded_parts: Vec<(Format, String)>,
    mime: MimeOptions,
    parts: usize,
    skipped: usize,
}

impl Workload {
    fn new() -> Workload {
        let engine = Engine::default_policy();
        let mime = MimeOptions::from_limits(&engine.policy().limits);
        let raw = messages();
        let (mut parts, mut skipped, mut decoded_parts) = (0, 0, Vec::new());
        let plain = raw
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let decoded = decode_message(m, &mime);
                assert!(decoded.limits_hit.is_empty(), "generated message {i} hits a MIME limit: {:?}", decoded.limits_hit);
                parts += decoded.parts.len();
                skipped += decoded.skipped.len();
                decoded_parts.extend(decoded.parts.iter().map(|p| (p.format, p.text.clone())));
                decoded.parts.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join("\n\n")
            })
            .collect();
        Workload { engine, raw, plain, decoded_parts, mime, parts, skipped }
    }

    fn raw_bytes(&self) -> usize {
        self.raw.iter().map(Vec::len).sum()
    }

    fn text_bytes(&self) -> usize {
        self.plain.iter().map(String::len).sum()
    }

    /// Every message through `scan_bytes` as a raw message; returns how many block.
    fn scan_messages(&self) -> usize {
        let options = ScanOptions { format: Format::Eml, ..ScanOptions::default() };
        self.raw
            .iter()
            .map(|m| self.engine.scan_bytes(black_box(m), &options).expect("a message never fails as a whole"))
            .filter(|r| r.verdict == Action::Block)
            .count()
    }

    /// The same content as plain text, one document per message; returns how many block.
    fn scan_plain(&self) -> usize {
        let options = ScanOptions { format: Format::Text, ..ScanOptions::default() };
        self.plain.iter().filter(|t| self.engine.scan(black_box(t), &options).verdict == Action::Block).count()
    }

    /// The scans `scan_bytes` runs after decoding: each part alone, HTML parts as HTML.
    fn scan_parts(&self) -> usize {
        self.decoded_parts
            .iter()
            .filter(|(format, text)| {
                let options = ScanOptions { format: *format, ..ScanOptions::default() };
                self.engine.scan(black_box(text), &options).verdict == Action::Block
            })
            .count()
    }

    /// Only the MIME decoding that `scan_bytes` does first; returns the part count.
    fn decode(&self) -> usize {
        self.raw.iter().map(|m| decode_message(black_box(m), &self.mime).parts.len()).sum()
    }
}

/// CPU time of this thread (Linux), or wall time where that cannot be read.
fn cpu_now() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map(Duration::from_nanos)
        .unwrap_or_else(|| {
            static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
            START.get_or_init(Instant::now).elapsed()
        })
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn mib_per_s(bytes: usize, t: Duration) -> f64 {
    bytes as f64 / (1 << 20) as f64 / t.as_secs_f64()
}

/// Both sides (and the decoding alone) interleaved round by round, so that other work on
/// the machine weighs on both alike; prints the medians, MiB/s and the ratio.
fn summary(w: &Workload) {
    let (mut mime, mut plain, mut per_part, mut decode) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut blocked_mime, mut blocked_plain) = (0, 0);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    for _ in 0..ROUNDS {
        let t = cpu_now();
        blocked_mime = w.scan_messages();
        mime.push(cpu_now() - t);
        let t = cpu_now();
        blocked_plain = w.scan_plain();
        plain.push(cpu_now() - t);
        let t = cpu_now();
        black_box(w.scan_parts());
        per_part.push(cpu_now() - t);
        let t = cpu_now();
        black_box(w.decode());
        decode.push(cpu_now() - t);
    }
    let (mime, plain, per_part, decode) = (median(mime), median(plain), median(per_part), median(decode));
    let (raw, text) = (w.raw_bytes(), w.text_bytes());
    let ms = |t: Duration| t.as_secs_f64() * 1e3;
    println!();
    println!(
        "mime summary: CPU time of this thread, median of {ROUNDS} interleaved rounds; load average {}",
        load.join(" ")
    );
    println!(
        "  {} messages, {:.2} MiB raw; {} text parts decoded to {:.2} MiB of text, {} parts skipped (binary)",
        w.raw.len(),
        raw as f64 / (1 << 20) as f64,
        w.parts,
        text as f64 / (1 << 20) as f64,
        w.skipped
    );
    println!(
        "  scan_bytes (eml)       {:8.2} ms  {:7.1} MiB/s of raw message  {:7.1} MiB/s of decoded text  ({} block)",
        ms(mime),
        mib_per_s(raw, mime),
        mib_per_s(text, mime),
        blocked_mime
    );
    println!(
        "  scan, as plain text    {:8.2} ms                              {:7.1} MiB/s of decoded text  ({} block)",
        ms(plain),
        mib_per_s(text, plain),
        blocked_plain
    );
    println!(
        "  scan, part by part     {:8.2} ms                              {:7.1} MiB/s of decoded text  (HTML parts as HTML)",
        ms(per_part),
        mib_per_s(text, per_part)
    );
    println!("  decode_message alone   {:8.2} ms  {:7.1} MiB/s of raw message", ms(decode), mib_per_s(raw, decode));
    println!(
        "  ratio: scan_bytes takes {:.2}x the CPU time of scanning the same text as plain text",
        mime.as_secs_f64() / plain.as_secs_f64()
    );
    println!(
        "         ({:.2}x the part-by-part scans it runs; decoding is {:.0} % of scan_bytes)",
        mime.as_secs_f64() / per_part.as_secs_f64(),
        100.0 * decode.as_secs_f64() / mime.as_secs_f64()
    );
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    // Criterion's own rule: benchmarking with `cargo bench`, one pass each under `cargo test`.
    let args: Vec<String> = std::env::args().collect();
    let benchmarking = args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test");

    let w = Workload::new();
    // To look at (or scan with the CLI) exactly what is measured: the messages as .eml files.
    if let Some(dir) = std::env::var_os("SENDGUARD_MIME_BENCH_DUMP") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        for (i, m) in w.raw.iter().enumerate() {
            let path = dir.join(format!("message-{i:04}.eml"));
            std::fs::write(&path, m).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        }
    }
    let mut group = c.benchmark_group("mime");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    group.throughput(Throughput::Bytes(w.raw_bytes() as u64));
    group.bench_function("scan_bytes_eml", |b| b.iter(|| w.scan_messages()));
    group.bench_function("decode_message", |b| b.iter(|| w.decode()));
    group.throughput(Throughput::Bytes(w.text_bytes() as u64));
    group.bench_function("scan_plain_text", |b| b.iter(|| w.scan_plain()));
    group.bench_function("scan_parts", |b| b.iter(|| w.scan_parts()));
    group.finish();

    if benchmarking {
        summary(&w);
    }
    c.final_summary();
}
