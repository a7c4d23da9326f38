//! The application layer's one error type.

use bluelamp_store::StoreError;

/// What can go wrong in a use case. Each variant has a stable code ([`AppError::code`]) that
/// the web layer maps to HTTP in one place.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid credentials were presented.
    #[error("authentication required")]
    Unauthenticated,
    /// The policy denied the action.
    #[error("not allowed to {action}")]
    Forbidden {
        /// The action that was refused (e.g. "record.read").
        action: &'static str,
    },
    /// A consultation of personal data was attempted without stating a purpose.
    #[error("a purpose is required to consult personal data")]
    PurposeRequired,
    /// The thing asked for does not exist (or is not visible).
    #[error("{what} {id} not found")]
    NotFound {
        /// What was looked for ("record", "link", ...).
        what: &'static str,
        /// The id asked for.
        id: String,
    },
    /// The input broke a rule; nothing was stored.
    #[error("{field}: {message}")]
    Invalid {
        /// Path of the field at fault (e.g. "record.retention_group").
        field: String,
        /// Stable error code (e.g. "unknown_code").
        code: &'static str,
        /// Specific, lowercase message.
        message: String,
    },
    /// The thing already exists.
    #[error("{what} {id} already exists")]
    Conflict {
        /// What collided.
        what: &'static str,
        /// The colliding id or key.
        id: String,
    },
    /// Too many requests of this kind; try again later.
    #[error("{message}")]
    RateLimited {
        /// What to tell the caller.
        message: String,
    },
    /// A dependency (the database) is unavailable.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A bug or corruption; the cause is logged, never shown to users.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// The stable, snake_case error code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden { .. } => "forbidden",
            AppError::PurposeRequired => "purpose_required",
            AppError::NotFound { .. } => "not_found",
            AppError::Invalid { code, .. } => code,
            AppError::Conflict { .. } => "conflict",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// The field at fault, when one is.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            AppError::PurposeRequired => Some("purpose"),
            _ => None,
        }
    }

    /// Shorthand for [`AppError::Invalid`].
    pub fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            field: field.to_owned(),
            code,
            message: message.into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::AlreadyExists { what, id } => AppError::Conflict { what, id },
            StoreError::NotFound { what, id } => AppError::NotFound { what, id },
            StoreError::Database(message) => AppError::Unavailable(message),
            StoreError::InUse { what, id, by } => {
                AppError::invalid(what, "in_use", format!("{what} {id} is in use: {by}"))
            }
            other @ (StoreError::UnauditedWrite | StoreError::Corrupt(_)) => {
                AppError::Internal(other.to_string())
            }
        }
    }
}
