//! Staff accounts and API-token authentication.

use base64::Engine as _;
use bluelamp_audit::LogKind;
use bluelamp_domain::ids::StaffId;
use bluelamp_domain::marking::Classification;
use bluelamp_policy::{Action, ResourceKind, Role};
use bluelamp_store::StaffRow;
use rand::RngCore as _;
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};

use crate::gate::{AuditFacts, abandon};
use crate::{App, AppError, Principal, validate};

/// Input to [`App::create_staff`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewStaff {
    /// Unique sign-in name: 3–64 characters of a–z, 0–9, '.', '-' and '_'.
    pub username: String,
    /// Name shown to colleagues.
    pub display_name: String,
    /// The account's role.
    pub role: Role,
    /// Force slug from the reference data.
    pub force: String,
}

/// A newly created account with its API token, shown once and never stored.
#[derive(Debug)]
pub struct CreatedStaff {
    /// The account id.
    pub id: StaffId,
    /// Sign-in name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Force slug.
    pub force: String,
    /// The bearer token; only its SHA-256 is stored.
    pub token: SecretString,
}

/// Prefix of every Bluelamp API token, so that leaked tokens are easy to spot and scan for.
const TOKEN_PREFIX: &str = "blp_";

impl App {
    /// Creates a staff account and its API token. Audited as s.62 collection (staff data is
    /// personal data too).
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id(), username = %input.username))]
    pub async fn create_staff(
        &self,
        who: &Principal,
        input: NewStaff,
    ) -> Result<CreatedStaff, AppError> {
        let inner = &self.inner;
        let staff_id = StaffId::new();
        let facts = AuditFacts {
            kind: LogKind::Collection,
            action: Action::CreateStaff,
            purpose: None,
            records: vec![*staff_id.as_uuid()],
        };
        let mut resource = inner.resource(
            ResourceKind::StaffDirectory,
            "staff".to_owned(),
            Classification::Official,
            false,
        );
        resource.force = Some(input.force.clone());
        inner.authorise(who, &resource, &facts).await?;

        validate::username(&input.username)?;
        validate::display_name(&input.display_name)?;
        validate::force(&inner.refdata, &input.force, inner.clock.now().date_naive())?;

        let mut secret = [0_u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let token = format!(
            "{TOKEN_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret)
        );
        let row = StaffRow {
            id: staff_id,
            username: input.username.clone(),
            display_name: input.display_name,
            role: input.role.as_str().to_owned(),
            force: input.force.clone(),
            token_hash: token_hash(&token),
            active: true,
            created_at: inner.clock.now(),
            vetting: bluelamp_store::StaffVetting::default(),
            team_id: None,
        };
        let mut tx = inner.store.begin().await?;
        if let Err(error) = tx.insert_staff(&row).await {
            return abandon(tx, error.into()).await;
        }
        inner.audit_and_commit(who, tx, &facts).await?;
        Ok(CreatedStaff {
            id: staff_id,
            username: input.username,
            role: input.role,
            force: input.force,
            token: SecretString::from(token),
        })
    }

    /// Turns a bearer token into the principal of an active staff account.
    pub async fn authenticate(&self, bearer_token: &str) -> Result<Principal, AppError> {
        if !bearer_token.starts_with(TOKEN_PREFIX) || bearer_token.len() > 128 {
            return Err(AppError::Unauthenticated);
        }
        let hash = token_hash(bearer_token);
        let Some(row) = self.inner.store.staff_by_token_hash(&hash).await? else {
            return Err(AppError::Unauthenticated);
        };
        if !row.active {
            return Err(AppError::Unauthenticated);
        }
        crate::identity::staff_principal(&row)
    }
}

/// SHA-256 of a token: what is stored and looked up.
fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Exposes a created token for printing once (command line, demo).
pub fn reveal_token(created: &CreatedStaff) -> &str {
    created.token.expose_secret()
}
