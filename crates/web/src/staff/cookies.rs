//! The staff workspace's cookies, and the CSRF tokens derived from their secrets.
//!
//! * the session (`bl_staff`): the application's session token, `SameSite=Lax` so that a
//!   link to a report from an e-mail opens it;
//! * the pending sign-in (`bl_staff_pending`): between the password and the second factor,
//!   `SameSite=Strict`, for as long as the pending sign-in lasts;
//! * the sign-in form's token (`bl_staff_form`): a random value the sign-in form repeats
//!   (a double-submitted token, so that no other site can sign a browser in).
//!
//! Over HTTPS each name takes the `__Host-` prefix and `Secure`. All are `HttpOnly` and
//! `Path=/`.

use axum::http::{HeaderMap, HeaderValue, header};
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};

/// The session cookie.
pub(crate) const SESSION: &str = "bl_staff";
/// The pending sign-in cookie.
pub(crate) const PENDING: &str = "bl_staff_pending";
/// The sign-in form's token cookie.
pub(crate) const FORM: &str = "bl_staff_form";

/// The cookie's name as sent: `__Host-` prefixed when `secure`.
pub(crate) fn name(base: &str, secure: bool) -> String {
    if secure {
        format!("__Host-{base}")
    } else {
        base.to_owned()
    }
}

/// The value of cookie `base` in the request, if present and made of token characters.
pub(crate) fn read(headers: &HeaderMap, base: &str, secure: bool) -> Option<SecretString> {
    let wanted = name(base, secure);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.trim())
        .filter(|value| {
            !value.is_empty()
                && value.len() <= 200
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
        })
        .map(|value| SecretString::from(value.to_owned()))
}

/// `Set-Cookie` for `base` holding `value`; `max_age` in seconds, or a browser-session
/// cookie; `strict` for `SameSite=Strict` (else `Lax`).
pub(crate) fn set(
    base: &str,
    value: &SecretString,
    secure: bool,
    max_age: Option<i64>,
    strict: bool,
) -> Option<HeaderValue> {
    let same_site = if strict { "Strict" } else { "Lax" };
    let secure_flag = if secure { "; Secure" } else { "" };
    let max_age = max_age.map_or_else(String::new, |seconds| format!("; Max-Age={seconds}"));
    HeaderValue::from_str(&format!(
        "{}={}; Path=/; HttpOnly; SameSite={same_site}{secure_flag}{max_age}",
        name(base, secure),
        value.expose_secret()
    ))
    .ok()
}

/// `Set-Cookie` that removes `base`.
pub(crate) fn clear(base: &str, secure: bool) -> Option<HeaderValue> {
    let secure_flag = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure_flag}",
        name(base, secure)
    ))
    .ok()
}

/// The CSRF token of forms made under the cookie secret `secret`: the hex SHA-256 of a
/// label and the secret. Unguessable without the cookie, which no other site can read.
pub(crate) fn csrf_token(secret: &SecretString) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"bluelamp staff form\0");
    hasher.update(secret.expose_secret().as_bytes());
    hex::encode(hasher.finalize())
}

/// The hex SHA-256 of `secret` (a key that names it without holding it).
pub(crate) fn fingerprint(secret: &SecretString) -> String {
    hex::encode(Sha256::digest(secret.expose_secret().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_exact_name_and_prefixed_when_secure() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("bl_staff_pending=p1; bl_staff=blss_abc-_9; other=x"),
        );
        let session = read(&headers, SESSION, false).map(|s| s.expose_secret().to_owned());
        assert_eq!(session.as_deref(), Some("blss_abc-_9"));
        assert!(read(&headers, SESSION, true).is_none());
        let set = set(
            SESSION,
            &SecretString::from("v".to_owned()),
            true,
            None,
            false,
        );
        let set = set
            .as_ref()
            .and_then(|value| value.to_str().ok())
            .unwrap_or("");
        assert!(set.starts_with("__Host-bl_staff=v; Path=/; HttpOnly; SameSite=Lax; Secure"));
    }

    #[test]
    fn odd_cookie_values_are_ignored() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("bl_staff=a\"b"));
        assert!(read(&headers, SESSION, false).is_none());
    }

    #[test]
    fn csrf_tokens_depend_on_the_secret() {
        let one = csrf_token(&SecretString::from("one".to_owned()));
        let two = csrf_token(&SecretString::from("two".to_owned()));
        assert_eq!(one.len(), 64);
        assert_ne!(one, two);
    }
}
