//! Server-side sessions: a random 256-bit id in one strictly necessary cookie, everything
//! else (the CSRF token, drafts of reports, the tracking sign-in) kept in memory here.
//!
//! A session ends after [`PortalConfig::session_idle`](super::PortalConfig::session_idle)
//! without a request. An ended session is removed when next looked up and by the sweep
//! ([`SessionStore::sweep`]), which also hands back the evidence files its unsubmitted drafts
//! had uploaded, so that they can be deleted.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, header};
use bluelamp_app::Principal;
use bluelamp_domain::report::ReportReference;
use bluelamp_evidence::BlobKey;
use rand::RngCore;

use super::draft::Draft;
use super::journey::Journey;
use super::parse::FieldError;

/// The session cookie's name over plain HTTP.
pub(crate) const COOKIE_NAME: &str = "bl_session";
/// The session cookie's name over HTTPS: the `__Host-` prefix makes browsers insist on
/// `Secure`, `Path=/` and no `Domain`.
pub(crate) const SECURE_COOKIE_NAME: &str = "__Host-bl_session";

/// 32 random bytes as 64 lowercase hex digits.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buffer);
    hex::encode(buffer)
}

/// Compares two strings in time that depends only on their lengths.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// What a person following a report has told us so far.
#[derive(Clone, Debug)]
pub(crate) struct Tracking {
    /// The reference they entered (a code was asked for it).
    pub(crate) reference: ReportReference,
    /// The reporter principal, once they proved the one-time code.
    pub(crate) principal: Option<Principal>,
}

/// One person's session.
#[derive(Debug)]
pub(crate) struct Session {
    /// The token every form of this session carries.
    pub(crate) csrf_token: String,
    /// When the last request of this session arrived.
    last_seen: Instant,
    /// Reports being written (and the last one made, per journey).
    pub(crate) drafts: HashMap<Journey, Draft>,
    /// Following a report.
    pub(crate) tracking: Option<Tracking>,
    /// A one-off message for the next page (e.g. "Your message has been sent").
    pub(crate) flash: Option<String>,
    /// The errors of a message to the police and what was typed, shown once on the report
    /// page the post redirects to.
    pub(crate) message_errors: Option<(Vec<FieldError>, String)>,
}

impl Session {
    fn new(now: Instant) -> Session {
        Session {
            csrf_token: random_hex(32),
            last_seen: now,
            drafts: HashMap::new(),
            tracking: None,
            flash: None,
            message_errors: None,
        }
    }

    /// Blobs uploaded by drafts that were never submitted.
    fn orphan_blobs(&self) -> Vec<BlobKey> {
        self.drafts
            .values()
            .filter(|draft| draft.submitted.is_none())
            .flat_map(|draft| draft.files.iter().map(|file| file.key.clone()))
            .collect()
    }
}

/// The in-memory session store.
#[derive(Debug)]
pub(crate) struct SessionStore {
    sessions: Mutex<HashMap<String, Session>>,
    idle: Duration,
    cookie_name: &'static str,
    secure: bool,
}

/// A session found or made for a request, and the cookie to set when it is new.
#[derive(Clone, Debug)]
pub(crate) struct SessionRef {
    /// The session id.
    pub(crate) id: String,
    /// `Set-Cookie` value when the browser does not have this id yet.
    pub(crate) set_cookie: Option<HeaderValue>,
}

impl SessionStore {
    /// An empty store whose sessions end after `idle` without a request.
    pub(crate) fn new(idle: Duration, secure: bool) -> SessionStore {
        SessionStore {
            sessions: Mutex::new(HashMap::new()),
            idle,
            cookie_name: if secure {
                SECURE_COOKIE_NAME
            } else {
                COOKIE_NAME
            },
            secure,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Session>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How long a session lasts without a request.
    pub(crate) fn idle(&self) -> Duration {
        self.idle
    }

    /// The session id the request's cookie names, if any.
    fn cookie_id(&self, headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.cookie_name)
            .map(|(_, value)| value.trim().to_owned())
            .filter(|value| value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
    }

    /// The live session of the request, touched (its idle time starts again). An ended
    /// session is removed; its orphaned blobs are returned for deletion.
    pub(crate) fn existing(&self, headers: &HeaderMap) -> (Option<String>, Vec<BlobKey>) {
        let Some(id) = self.cookie_id(headers) else {
            return (None, Vec::new());
        };
        let now = Instant::now();
        let mut sessions = self.lock();
        let expired = match sessions.get_mut(&id) {
            None => return (None, Vec::new()),
            Some(session) if now.duration_since(session.last_seen) > self.idle => true,
            Some(session) => {
                session.last_seen = now;
                false
            }
        };
        if expired {
            let orphans = sessions
                .remove(&id)
                .map(|session| session.orphan_blobs())
                .unwrap_or_default();
            return (None, orphans);
        }
        (Some(id), Vec::new())
    }

    /// The live session of the request, or a new one (with the cookie to set).
    pub(crate) fn existing_or_new(&self, headers: &HeaderMap) -> (SessionRef, Vec<BlobKey>) {
        let (existing, orphans) = self.existing(headers);
        if let Some(id) = existing {
            return (
                SessionRef {
                    id,
                    set_cookie: None,
                },
                orphans,
            );
        }
        let id = random_hex(32);
        self.lock().insert(id.clone(), Session::new(Instant::now()));
        let set_cookie = self.cookie_for(&id);
        (SessionRef { id, set_cookie }, orphans)
    }

    /// The `Set-Cookie` value naming session `id`.
    fn cookie_for(&self, id: &str) -> Option<HeaderValue> {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}={id}; Path=/; HttpOnly; SameSite=Lax{secure}",
            self.cookie_name
        ))
        .ok()
    }

    /// Runs `action` on session `id`, if it is still there.
    pub(crate) fn with<T>(&self, id: &str, action: impl FnOnce(&mut Session) -> T) -> Option<T> {
        self.lock().get_mut(id).map(action)
    }

    /// Moves session `id` to a new id (after a sign-in, so that an id seen before it is
    /// worth nothing), runs `action` on it, and returns the cookie naming the new id.
    pub(crate) fn renew(&self, id: &str, action: impl FnOnce(&mut Session)) -> Option<HeaderValue> {
        let mut sessions = self.lock();
        let mut session = sessions.remove(id)?;
        action(&mut session);
        session.last_seen = Instant::now();
        let new_id = random_hex(32);
        sessions.insert(new_id.clone(), session);
        self.cookie_for(&new_id)
    }

    /// Removes every ended session; returns the blobs their unsubmitted drafts uploaded.
    pub(crate) fn sweep(&self) -> Vec<BlobKey> {
        let now = Instant::now();
        let mut sessions = self.lock();
        let ended: Vec<String> = sessions
            .iter()
            .filter(|(_, session)| now.duration_since(session.last_seen) > self.idle)
            .map(|(id, _)| id.clone())
            .collect();
        ended
            .iter()
            .filter_map(|id| sessions.remove(id))
            .flat_map(|session| session.orphan_blobs())
            .collect()
    }

    /// How many sessions are held (ended ones included until swept).
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers_with_cookie(cookie: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
        headers
    }

    #[test]
    fn a_new_session_sets_a_cookie_and_is_found_again() {
        let store = SessionStore::new(Duration::from_secs(60), false);
        let (session, _) = store.existing_or_new(&HeaderMap::new());
        let cookie = session.set_cookie.unwrap();
        let cookie = cookie.to_str().unwrap();
        assert!(cookie.starts_with("bl_session="), "{cookie}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
        assert!(!cookie.contains("Secure"));
        let sent = cookie.split(';').next().unwrap();
        let (found, _) = store.existing(&headers_with_cookie(&format!("other=1; {sent}")));
        assert_eq!(found.as_deref(), Some(session.id.as_str()));
    }

    #[test]
    fn secure_sessions_use_the_host_prefix() {
        let store = SessionStore::new(Duration::from_secs(60), true);
        let (session, _) = store.existing_or_new(&HeaderMap::new());
        let cookie = session.set_cookie.unwrap();
        let cookie = cookie.to_str().unwrap();
        assert!(cookie.starts_with("__Host-bl_session="), "{cookie}");
        assert!(cookie.contains("; Secure"));
    }

    #[test]
    fn ended_sessions_are_not_found_and_are_swept() {
        let store = SessionStore::new(Duration::from_millis(0), false);
        let (session, _) = store.existing_or_new(&HeaderMap::new());
        std::thread::sleep(Duration::from_millis(5));
        let (found, _) =
            store.existing(&headers_with_cookie(&format!("bl_session={}", session.id)));
        assert_eq!(found, None);
        let _ = store.existing_or_new(&HeaderMap::new());
        std::thread::sleep(Duration::from_millis(5));
        let _ = store.sweep();
        assert_eq!(store.len(), 0);
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
