//! Reading back the simple messages this crate sends: the subject and the plain text body.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Base64 that accepts missing padding and stray trailing bits, as decoders of mail should.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Splits a raw RFC 5322 message into its decoded subject and its decoded text body.
///
/// Decodes what lettre produces for a single-part `text/plain` message: `7bit`, `8bit`,
/// `quoted-printable` and `base64` bodies, in UTF-8, US-ASCII or ISO-8859-1, and subjects made of
/// RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`, possibly folded over several
/// lines). The text has `\n` line ends, and the line end that closes the message's last line is
/// not part of it. Bodies of other types are returned as they are after the transfer decoding;
/// undecodable parts are kept as they are rather than failing.
pub fn parse_message(raw: &str) -> (Option<String>, String) {
    let (head, body) = split_head_body(raw);
    let headers = unfold_headers(head);
    let subject = header(&headers, "subject")
        .map(|value| decode_encoded_words(value.trim()).trim().to_owned());
    let transfer_encoding = header(&headers, "content-transfer-encoding")
        .map(|value| value.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let charset = header(&headers, "content-type")
        .and_then(charset_of)
        .unwrap_or_else(|| "utf-8".to_owned());

    let body = body
        .strip_suffix("\r\n")
        .or_else(|| body.strip_suffix('\n'))
        .unwrap_or(body);
    let bytes = match transfer_encoding.as_str() {
        "quoted-printable" => decode_quoted_printable(body),
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            LENIENT_BASE64
                .decode(compact.as_bytes())
                .unwrap_or_else(|_| body.as_bytes().to_vec())
        }
        _ => body.as_bytes().to_vec(),
    };
    let text = decode_charset(&charset, &bytes).replace("\r\n", "\n");
    (subject, text)
}

/// The header section and the body, split at the first empty line.
fn split_head_body(raw: &str) -> (&str, &str) {
    let mut offset = 0;
    for line in raw.split_inclusive('\n') {
        let end = offset + line.len();
        if line == "\r\n" || line == "\n" {
            return (
                raw.get(..offset).unwrap_or_default(),
                raw.get(end..).unwrap_or_default(),
            );
        }
        offset = end;
    }
    (raw, "")
}

/// Header fields as (name, unfolded value) pairs, in order.
fn unfold_headers(head: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.to_owned()));
        }
    }
    headers
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(found, _)| found.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// The `charset` parameter of a `Content-Type` value, lowercased.
fn charset_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"').to_ascii_lowercase())
    })
}

fn decode_charset(charset: &str, bytes: &[u8]) -> String {
    let charset = charset
        .split('*')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match charset.as_str() {
        "iso-8859-1" | "latin1" | "l1" | "iso_8859-1" => {
            bytes.iter().copied().map(char::from).collect()
        }
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    }
}

/// Decodes `=XX` escapes in `text`, and `_` as a space when `underscore_is_space` (the "Q"
/// encoding of RFC 2047). Malformed escapes are kept as they are.
fn decode_escapes(text: &str, underscore_is_space: bool, out: &mut Vec<u8>) {
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'='
            && let [high, low, after @ ..] = tail
            && let (Some(high), Some(low)) = (hex_value(*high), hex_value(*low))
        {
            out.push((high << 4) | low);
            rest = after;
            continue;
        }
        out.push(if underscore_is_space && byte == b'_' {
            b' '
        } else {
            byte
        });
        rest = tail;
    }
}

/// Decodes a quoted-printable body (RFC 2045 §6.7): soft line breaks (`=` at a line's end) join
/// lines, trailing white space added in transport is dropped, hard line breaks become `\n`.
fn decode_quoted_printable(body: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut soft_break = true;
    for line in body.split('\n') {
        if !soft_break {
            out.push(b'\n');
        }
        let line = line.trim_end_matches(['\r', ' ', '\t']);
        let (line, soft) = match line.strip_suffix('=') {
            Some(line) => (line, true),
            None => (line, false),
        };
        soft_break = soft;
        decode_escapes(line, false, &mut out);
    }
    out
}

/// A run of a header value: plain text, or the decoded bytes of an encoded word.
enum Segment<'a> {
    Text(&'a str),
    Word { charset: String, bytes: Vec<u8> },
}

/// Parses one encoded word `=?charset?B|Q?text?=` at the start of `text`; returns its charset,
/// decoded bytes and the rest of `text`.
fn parse_encoded_word(text: &str) -> Option<(String, Vec<u8>, &str)> {
    let inner = text.strip_prefix("=?")?;
    let (charset, inner) = inner.split_once('?')?;
    let (encoding, inner) = inner.split_once('?')?;
    let (payload, rest) = inner.split_once("?=")?;
    if charset.is_empty() || payload.contains([' ', '\t', '\r', '\n']) {
        return None;
    }
    let bytes = match encoding {
        "B" | "b" => LENIENT_BASE64.decode(payload.as_bytes()).ok()?,
        "Q" | "q" => {
            let mut bytes = Vec::with_capacity(payload.len());
            decode_escapes(payload, true, &mut bytes);
            bytes
        }
        _ => return None,
    };
    Some((charset.to_ascii_lowercase(), bytes, rest))
}

/// Decodes the RFC 2047 encoded words in a header value. White space between two encoded words
/// is dropped, and adjacent words in one charset are joined before decoding, so a character
/// split across two words survives.
fn decode_encoded_words(value: &str) -> String {
    let mut segments: Vec<Segment<'_>> = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let Some(start) = rest.find("=?") else {
            segments.push(Segment::Text(rest));
            break;
        };
        let Some((before, candidate)) = rest.split_at_checked(start) else {
            segments.push(Segment::Text(rest));
            break;
        };
        if !before.is_empty() {
            segments.push(Segment::Text(before));
        }
        if let Some((charset, bytes, after)) = parse_encoded_word(candidate) {
            segments.push(Segment::Word { charset, bytes });
            rest = after;
        } else {
            let (marker, after) = candidate.split_at_checked(2).unwrap_or((candidate, ""));
            segments.push(Segment::Text(marker));
            rest = after;
        }
    }

    let mut out = String::with_capacity(value.len());
    let mut pending: Option<(String, Vec<u8>)> = None;
    let mut iter = segments.into_iter().peekable();
    while let Some(segment) = iter.next() {
        match segment {
            Segment::Word { charset, bytes } => match &mut pending {
                Some((pending_charset, pending_bytes)) if *pending_charset == charset => {
                    pending_bytes.extend_from_slice(&bytes);
                }
                _ => {
                    if let Some((pending_charset, pending_bytes)) = pending.take() {
                        out.push_str(&decode_charset(&pending_charset, &pending_bytes));
                    }
                    pending = Some((charset, bytes));
                }
            },
            Segment::Text(text) => {
                let between_words = pending.is_some()
                    && text.chars().all(char::is_whitespace)
                    && matches!(iter.peek(), Some(Segment::Word { .. }));
                if between_words {
                    continue;
                }
                if let Some((pending_charset, pending_bytes)) = pending.take() {
                    out.push_str(&decode_charset(&pending_charset, &pending_bytes));
                }
                out.push_str(text);
            }
        }
    }
    if let Some((pending_charset, pending_bytes)) = pending.take() {
        out.push_str(&decode_charset(&pending_charset, &pending_bytes));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(headers: &str, body: &str) -> String {
        format!("{headers}\r\n\r\n{body}\r\n")
    }

    #[test]
    fn seven_bit() {
        let raw = message(
            "From: a@b.co\r\nSubject: Your code\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit",
            "Hello\r\n\r\nYour code is 123456.",
        );
        let (subject, text) = parse_message(&raw);
        assert_eq!(subject.as_deref(), Some("Your code"));
        assert_eq!(text, "Hello\n\nYour code is 123456.");
    }

    #[test]
    fn quoted_printable() {
        let raw = message(
            "Subject: =?utf-8?q?Caf=C3=A9_=C2=A3?=\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable",
            "Price: =C2=A35 and a long line that goes on and o=\r\nn and on =3D done   \r\nnext line\r\n=2E dot",
        );
        let (subject, text) = parse_message(&raw);
        assert_eq!(subject.as_deref(), Some("Café £"));
        assert_eq!(
            text,
            "Price: £5 and a long line that goes on and on and on = done\nnext line\n. dot"
        );
    }

    #[test]
    fn quoted_printable_keeps_malformed_escapes() {
        let raw = message("Content-Transfer-Encoding: Quoted-Printable", "a =ZZ b =4");
        assert_eq!(parse_message(&raw).1, "a =ZZ b =4");
    }

    #[test]
    fn base64_body_and_subject() {
        let body = "Ünïcödé £ body\nsecond line";
        let encoded = base64::engine::general_purpose::STANDARD.encode(body.replace('\n', "\r\n"));
        let (first, second) = encoded.split_at(20);
        let raw = message(
            "Subject: =?utf-8?b?wqMgcmVwb3J0?=\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64",
            &format!("{first}\r\n{second}"),
        );
        let (subject, text) = parse_message(&raw);
        assert_eq!(subject.as_deref(), Some("£ report"));
        assert_eq!(text, body);
    }

    #[test]
    fn folded_encoded_words_join_even_mid_character() {
        // "£" is C2 A3; split across two words, folded onto two lines.
        let raw = message(
            "Subject: =?UTF-8?Q?Price_=C2?=\r\n =?UTF-8?Q?=A3?= =?utf-8?B?NQ==?= plain\r\n tail",
            "",
        );
        assert_eq!(
            parse_message(&raw).0.as_deref(),
            Some("Price £5 plain tail")
        );
    }

    #[test]
    fn mixed_text_and_words_keep_their_spaces() {
        assert_eq!(
            decode_encoded_words("Re: =?utf-8?q?caf=C3=A9?= now"),
            "Re: café now"
        );
        assert_eq!(decode_encoded_words("=?iso-8859-1?q?=A3?=1"), "£1");
        assert_eq!(decode_encoded_words("a =? b ?= c"), "a =? b ?= c");
        assert_eq!(decode_encoded_words("=?utf-8?x?abc?="), "=?utf-8?x?abc?=");
        assert_eq!(
            decode_encoded_words("=?utf-8?q?unterminated"),
            "=?utf-8?q?unterminated"
        );
        assert_eq!(decode_encoded_words(""), "");
    }

    #[test]
    fn no_subject_no_body() {
        assert_eq!(parse_message(""), (None, String::new()));
        assert_eq!(parse_message("From: a@b.co\r\n"), (None, String::new()));
        assert_eq!(
            parse_message("Subject: x\n\nbare LF body\n"),
            (Some("x".to_owned()), "bare LF body".to_owned())
        );
    }

    #[test]
    fn latin1_body() {
        let raw = message(
            "Content-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable",
            "=A3=E9",
        );
        assert_eq!(parse_message(&raw).1, "£é");
    }
}
