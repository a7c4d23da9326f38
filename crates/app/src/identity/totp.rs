//! Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP, HMAC-SHA-1) and the base 32
//! encoding of their secrets (RFC 4648, no padding), written in-house.

use chrono::{DateTime, Utc};
use hmac::{KeyInit as _, Mac as _};

/// Seconds per time step.
pub(crate) const STEP_SECONDS: i64 = 30;

/// Digits of a code.
pub(crate) const DIGITS: u32 = 6;

/// Bytes of a new secret (160 bits, RFC 4226's recommendation).
pub(crate) const SECRET_BYTES: usize = 20;

/// Why a code was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// Not the code of any step in the window (or not six digits).
    Wrong,
    /// The code of a step already used (or older than one used): a replay.
    Replay,
}

/// HOTP (RFC 4226 §5.3): the `digits`-digit code of `counter` under `secret`. `None` only if
/// the MAC cannot be keyed (never for HMAC) or `digits` is above 9.
pub(crate) fn hotp(secret: &[u8], counter: u64, digits: u32) -> Option<u32> {
    let modulus = 10_u32.checked_pow(digits).filter(|_| digits <= 9)?;
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret).ok()?;
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash.last()? & 0x0f);
    let window = hash.get(offset..offset.checked_add(4)?)?;
    let bytes: [u8; 4] = window.try_into().ok()?;
    let truncated = u32::from_be_bytes(bytes) & 0x7fff_ffff;
    Some(truncated % modulus)
}

/// The RFC 6238 time step of `at` (T0 = 0, X = 30 s); `None` before 1970.
pub(crate) fn step_at(at: DateTime<Utc>) -> Option<u64> {
    u64::try_from(at.timestamp().div_euclid(STEP_SECONDS)).ok()
}

/// Parses a code as typed: six ASCII digits, spaces allowed between.
fn parse_code(code: &str) -> Option<u32> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let expected = usize::try_from(DIGITS).ok()?;
    if digits.len() != expected || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Checks a six-digit `code` at `now` against `secret`, accepting the steps within `skew`
/// of the current one that are later than `last_step`. Returns the step matched.
pub(crate) fn verify(
    secret: &[u8],
    code: &str,
    now: DateTime<Utc>,
    last_step: Option<u64>,
    skew: u64,
) -> Result<u64, Rejection> {
    let code = parse_code(code).ok_or(Rejection::Wrong)?;
    let current = step_at(now).ok_or(Rejection::Wrong)?;
    let mut replayed = false;
    for step in current.saturating_sub(skew)..=current.saturating_add(skew) {
        if hotp(secret, step, DIGITS) == Some(code) {
            if last_step.is_some_and(|last| step <= last) {
                replayed = true;
            } else {
                return Ok(step);
            }
        }
    }
    Err(if replayed {
        Rejection::Replay
    } else {
        Rejection::Wrong
    })
}

/// The RFC 4648 base 32 alphabet.
const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Base 32 (RFC 4648 §6) without padding, as authenticator apps expect in `otpauth://` URIs.
pub(crate) fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().saturating_mul(8).div_ceil(5));
    let mut buffer: u16 = 0;
    let mut bits: u32 = 0;
    for byte in bytes {
        buffer = (buffer << 8) | u16::from(*byte);
        bits = bits.saturating_add(8);
        while bits >= 5 {
            bits = bits.saturating_sub(5);
            push_symbol(&mut out, (buffer >> bits) & 0x1f);
        }
        buffer &= (1_u16 << bits).saturating_sub(1);
    }
    if bits > 0 {
        push_symbol(&mut out, (buffer << (5_u32.saturating_sub(bits))) & 0x1f);
    }
    out
}

/// Appends the symbol for a 5-bit value.
fn push_symbol(out: &mut String, value: u16) {
    if let Some(symbol) = BASE32_ALPHABET.get(usize::from(value)) {
        out.push(char::from(*symbol));
    }
}

/// The `otpauth://` URI an authenticator app reads from a QR code.
pub(crate) fn otpauth_uri(issuer: &str, username: &str, secret: &[u8]) -> String {
    format!(
        "otpauth://totp/{issuer}:{username}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        base32(secret)
    )
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    /// The RFC 4226 / RFC 6238 SHA-1 test secret, "12345678901234567890".
    const SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_4226_appendix_d_hotp_values() {
        let expected = [
            755_224, 287_082, 359_152, 969_429, 338_314, 254_676, 287_922, 162_583, 399_871,
            520_489,
        ];
        for (counter, code) in (0_u64..).zip(expected) {
            assert_eq!(hotp(SECRET, counter, 6), Some(code), "counter {counter}");
        }
    }

    #[test]
    fn rfc_6238_appendix_b_sha1_values() {
        let vectors: [(i64, u32); 6] = [
            (59, 94_287_082),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ];
        for (seconds, code) in vectors {
            let at = Utc.timestamp_opt(seconds, 0).single().expect("valid time");
            let step = step_at(at).expect("after 1970");
            assert_eq!(hotp(SECRET, step, 8), Some(code), "T = {seconds}");
            // The six-digit code is the last six digits of the eight-digit one.
            let six = format!("{:06}", code % 1_000_000);
            assert_eq!(verify(SECRET, &six, at, None, 0), Ok(step), "T = {seconds}");
        }
    }

    #[test]
    fn window_and_replay() {
        let at = Utc
            .timestamp_opt(1_234_567_890, 0)
            .single()
            .expect("valid time");
        let step = step_at(at).expect("after 1970");
        let code_of = |s: u64| format!("{:06}", hotp(SECRET, s, 6).expect("code"));
        assert_eq!(
            verify(SECRET, &code_of(step - 1), at, None, 1),
            Ok(step - 1)
        );
        assert_eq!(
            verify(SECRET, &code_of(step + 1), at, None, 1),
            Ok(step + 1)
        );
        assert_eq!(
            verify(SECRET, &code_of(step + 2), at, None, 1),
            Err(Rejection::Wrong)
        );
        assert_eq!(
            verify(SECRET, &code_of(step - 2), at, None, 1),
            Err(Rejection::Wrong)
        );
        assert_eq!(
            verify(SECRET, &code_of(step), at, Some(step), 1),
            Err(Rejection::Replay)
        );
        assert_eq!(
            verify(SECRET, &code_of(step - 1), at, Some(step), 1),
            Err(Rejection::Replay)
        );
        assert_eq!(
            verify(SECRET, &code_of(step + 1), at, Some(step), 1),
            Ok(step + 1)
        );
        let spaced = format!("{} {}", &code_of(step)[..3], &code_of(step)[3..]);
        assert_eq!(verify(SECRET, &spaced, at, None, 1), Ok(step));
        for bad in ["", "12345", "1234567", "abcdef", "12345x"] {
            assert_eq!(
                verify(SECRET, bad, at, None, 1),
                Err(Rejection::Wrong),
                "{bad}"
            );
        }
    }

    #[test]
    fn rfc_4648_base32_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(input.as_bytes()), expected, "{input:?}");
        }
        assert_eq!(base32(SECRET), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn otpauth_uri_names_every_parameter() {
        assert_eq!(
            otpauth_uri("Bluelamp", "pc.smith", b"foobar"),
            "otpauth://totp/Bluelamp:pc.smith?secret=MZXW6YTBOI&issuer=Bluelamp\
             &algorithm=SHA1&digits=6&period=30"
        );
    }
}
