//! Form posts per client per minute: a fixed one-minute window per IP address.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// The length of a window.
const WINDOW: Duration = Duration::from_secs(60);

/// Counts the form posts of each client in the current minute.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` posts per client per minute.
    pub(crate) fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one post from `client`; false when it is over the limit.
    pub(crate) fn allow(&self, client: IpAddr) -> bool {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let window = windows.entry(client).or_insert((now, 0));
        if now.duration_since(window.0) >= WINDOW {
            *window = (now, 0);
        }
        window.1 = window.1.saturating_add(1);
        window.1 <= self.per_minute
    }

    /// Forgets windows that have ended.
    pub(crate) fn sweep(&self) {
        let now = Instant::now();
        self.windows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, (started, _)| now.duration_since(*started) < WINDOW);
    }
}

/// The client's IP address: the peer of the connection (the server is served with
/// connection info by [`crate::serve`]). Behind a reverse proxy every client shares the
/// proxy's address, so the limit is then per proxy.
fn client_address(request: &Request) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip())
}

/// Refuses a client's form posts beyond the configured number per minute with the "too
/// many requests" page (429). Other methods pass.
pub(crate) async fn limit_form_posts(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::POST && !state.portal.limiter.allow(client_address(&request)) {
        return super::pages::too_many_requests(&state.portal);
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_up_to_the_limit_per_client() {
        let limiter = RateLimiter::new(2);
        let one = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
        let two = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));
        assert!(limiter.allow(one));
        assert!(limiter.allow(one));
        assert!(!limiter.allow(one));
        assert!(limiter.allow(two));
        limiter.sweep();
        assert!(!limiter.allow(one));
    }
}
