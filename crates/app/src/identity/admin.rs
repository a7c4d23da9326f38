//! Administration of staff accounts and teams, passwords, and the inactivity job.

use std::collections::HashMap;

use bluelamp_audit::LogKind;
use bluelamp_domain::ids::StaffId;
use bluelamp_domain::marking::Classification;
use bluelamp_policy::{Action, PrincipalKind, ResourceKind, Role};
use bluelamp_store::{StaffIdentityRow, StaffRow, StoreTx, TeamRow};
use secrecy::{ExposeSecret as _, SecretString};

use super::{StaffSummary, Team, password};
use crate::gate::{AuditFacts, abandon};
use crate::{App, AppError, Inner, Principal};

/// Longest team name, in characters.
const TEAM_NAME_MAX_CHARS: usize = 100;

impl Inner {
    /// Asks the policy whether `who` may do `facts` to this deployment's staff directory;
    /// a refusal is audited.
    async fn authorise_directory(
        &self,
        who: &Principal,
        facts: &AuditFacts<'_>,
    ) -> Result<(), AppError> {
        let resource = self.resource(
            ResourceKind::StaffDirectory,
            "staff".to_owned(),
            Classification::Official,
            false,
        );
        self.authorise(who, &resource, facts).await
    }

    /// Authorises `action` on account `id`, then opens a transaction holding the account and
    /// its identity state (`not_found` if there is no such account).
    async fn begin_account_change(
        &self,
        who: &Principal,
        facts: &AuditFacts<'_>,
        id: StaffId,
    ) -> Result<(Box<dyn StoreTx>, StaffRow, StaffIdentityRow), AppError> {
        self.authorise_directory(who, facts).await?;
        let mut tx = self.store.begin().await?;
        let loaded = async {
            let staff = tx.staff_by_id(id).await?;
            let identity = tx.staff_identity(id).await?;
            Ok::<_, AppError>(staff.zip(identity))
        }
        .await;
        match loaded {
            Ok(Some((staff, identity))) => Ok((tx, staff, identity)),
            Ok(None) => {
                let missing = AppError::NotFound {
                    what: "staff account",
                    id: id.to_string(),
                };
                abandon(tx, missing).await
            }
            Err(error) => abandon(tx, error).await,
        }
    }
}

/// Facts of an alteration of account `id`.
fn alteration(action: Action, id: StaffId) -> AuditFacts<'static> {
    AuditFacts {
        kind: LogKind::Alteration,
        action,
        purpose: None,
        records: vec![*id.as_uuid()],
    }
}

impl App {
    /// Checks a would-be password for account `username` against the rules of
    /// [`App::set_password`] without storing anything (e.g. before creating an account, or
    /// to answer a form early).
    ///
    /// # Errors
    /// `password_too_short`, `password_too_long`, `password_is_username` or
    /// `password_too_common`.
    pub fn check_new_password(
        &self,
        username: &str,
        new_password: &SecretString,
    ) -> Result<(), AppError> {
        password::check_rules(
            new_password.expose_secret(),
            username,
            &self.inner.identity.passwords,
        )
    }

    /// Sets an account's password. Administrators of the force may set anyone's
    /// (`staff.password`); every member of staff may change their own
    /// (`staff.password.own`); the system sets the first administrator's. The password must
    /// have 8 to 128 characters, not be one of the most common passwords and not be the
    /// username (`password_too_short`, `password_too_long`, `password_too_common`,
    /// `password_is_username`). Stored as Argon2id; audited as an alteration.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id(), staff = %staff_id))]
    pub async fn set_password(
        &self,
        who: &Principal,
        staff_id: StaffId,
        new_password: &SecretString,
    ) -> Result<(), AppError> {
        let inner = &self.inner;
        let own =
            who.subject.kind == PrincipalKind::Staff && who.subject.id == staff_id.to_string();
        let action = if own {
            Action::SetOwnPassword
        } else {
            Action::SetStaffPassword
        };
        let facts = alteration(action, staff_id);
        let (tx, staff, _) = inner.begin_account_change(who, &facts, staff_id).await?;
        // Leave the writer free while Argon2 runs.
        tx.rollback().await?;
        let settings = inner.identity.passwords.clone();
        password::check_rules(new_password.expose_secret(), &staff.username, &settings)?;
        let hash = password::hash(new_password.clone(), settings).await?;

        let mut tx = inner.store.begin().await?;
        let mut identity = match tx.staff_identity(staff_id).await {
            Ok(Some(identity)) => identity,
            Ok(None) => {
                let missing = AppError::NotFound {
                    what: "staff account",
                    id: staff_id.to_string(),
                };
                return abandon(tx, missing).await;
            }
            Err(error) => return abandon(tx, error.into()).await,
        };
        identity.password_hash = Some(hash);
        if let Err(error) = tx.put_staff_identity(&identity).await {
            return abandon(tx, error.into()).await;
        }
        inner.audit_and_commit(who, tx, &facts).await
    }

    /// Every account of the deployment with its state, by username (administrators:
    /// `staff.list`). Audited as a consultation naming every account returned.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn list_staff(&self, who: &Principal) -> Result<Vec<StaffSummary>, AppError> {
        let inner = &self.inner;
        let mut facts = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::ListStaff,
            purpose: None,
            records: Vec::new(),
        };
        inner.authorise_directory(who, &facts).await?;
        let mut tx = inner.store.begin().await?;
        let loaded = async {
            Ok::<_, AppError>((
                tx.list_staff().await?,
                tx.list_staff_identities().await?,
                tx.list_teams().await?,
            ))
        }
        .await;
        let (staff, identities, teams) = match loaded {
            Ok(loaded) => loaded,
            Err(error) => return abandon(tx, error).await,
        };
        let identities: HashMap<StaffId, StaffIdentityRow> = identities
            .into_iter()
            .map(|identity| (identity.staff_id, identity))
            .collect();
        let team_names: HashMap<uuid::Uuid, String> =
            teams.into_iter().map(|team| (team.id, team.name)).collect();
        let mut summaries = Vec::with_capacity(staff.len());
        for row in staff {
            let role: Role = match row.role.parse() {
                Ok(role) => role,
                Err(_) => {
                    let corrupt = AppError::Internal(format!("staff {} has unknown role", row.id));
                    return abandon(tx, corrupt).await;
                }
            };
            let identity = identities
                .get(&row.id)
                .cloned()
                .unwrap_or_else(|| StaffIdentityRow::empty(row.id));
            summaries.push(StaffSummary {
                id: row.id,
                username: row.username,
                display_name: row.display_name,
                role,
                force: row.force,
                team: identity.team_id.and_then(|id| team_names.get(&id).cloned()),
                clearance: crate::identity::parse_clearance(&row.vetting.clearance)
                    .unwrap_or(bluelamp_domain::marking::Classification::Official),
                caveats: row.vetting.caveats.clone(),
                active: row.active,
                locked_at: identity.locked_at,
                has_password: identity.password_hash.is_some(),
                totp_enrolled: identity.totp_secret.is_some(),
                last_sign_in_at: identity.last_sign_in_at,
                created_at: row.created_at,
            });
        }
        facts.records = summaries.iter().map(|s| *s.id.as_uuid()).collect();
        inner.audit_and_commit(who, tx, &facts).await?;
        Ok(summaries)
    }

    /// Changes an account's role (administrators: `staff.role`) and ends all its sessions
    /// (SESS-02), so the new role applies from the next sign-in. Audited as an alteration.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id(), staff = %staff_id))]
    pub async fn change_role(
        &self,
        who: &Principal,
        staff_id: StaffId,
        role: Role,
    ) -> Result<(), AppError> {
        let inner = &self.inner;
        let facts = alteration(Action::ChangeStaffRole, staff_id);
        let (mut tx, _, _) = inner.begin_account_change(who, &facts, staff_id).await?;
        let now = inner.clock.now();
        let changed = async {
            tx.set_staff_role(staff_id, role.as_str()).await?;
            tx.end_staff_sessions_of(staff_id, now).await?;
            Ok::<_, AppError>(())
        }
        .await;
        if let Err(error) = changed {
            return abandon(tx, error).await;
        }
        inner.audit_and_commit(who, tx, &facts).await
    }

    /// Puts an account in the team named `team`, or in none (administrators:
    /// `staff.team`); `not_found` for an unknown team. Audited as an alteration.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id(), staff = %staff_id))]
    pub async fn set_team(
        &self,
        who: &Principal,
        staff_id: StaffId,
        team: Option<String>,
    ) -> Result<(), AppError> {
        let inner = &self.inner;
        let facts = alteration(Action::SetStaffTeam, staff_id);
        let (mut tx, _, mut identity) = inner.begin_account_change(who, &facts, staff_id).await?;
        let changed = async {
            identity.team_id = match &team {
                None => None,
                Some(name) => {
                    let teams = tx.list_teams().await?;
                    let found = teams.into_iter().find(|t| t.name == name.trim());
                    Some(
                        found
                            .ok_or_else(|| AppError::NotFound {
                                what: "team",
                                id: name.clone(),
                            })?
                            .id,
                    )
                }
            };
            tx.put_staff_identity(&identity).await?;
            Ok::<_, AppError>(())
        }
        .await;
        if let Err(error) = changed {
            return abandon(tx, error).await;
        }
        inner.audit_and_commit(who, tx, &facts).await
    }

    /// Records an account's vetting (administrators: `staff.vetting`): its security clearance
    /// and the controlled handling caveats it is briefed for, each one in force in the
    /// reference data (`handling_caveats.csv`); an unknown caveat is refused, naming it. In
    /// force from the account's next request. Audited as an alteration.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id(), staff = %staff_id))]
    pub async fn set_vetting(
        &self,
        who: &Principal,
        staff_id: StaffId,
        clearance: bluelamp_domain::marking::Classification,
        caveats: &[String],
    ) -> Result<(), AppError> {
        let inner = &self.inner;
        let today = inner.clock.now().date_naive();
        let mut codes = Vec::with_capacity(caveats.len());
        for caveat in caveats {
            let code = caveat
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_uppercase();
            if code.is_empty() {
                continue;
            }
            if inner.refdata.controlled_caveat(&code, today).is_none() {
                return Err(AppError::invalid(
                    "caveats",
                    "unknown",
                    format!("`{code}` is not a handling caveat in the reference data"),
                ));
            }
            codes.push(code);
        }
        codes.sort();
        codes.dedup();
        let facts = alteration(Action::SetStaffVetting, staff_id);
        let (mut tx, _, _) = inner.begin_account_change(who, &facts, staff_id).await?;
        let vetting = bluelamp_store::StaffVetting {
            clearance: crate::identity::clearance_code(clearance).to_owned(),
            caveats: codes,
        };
        if let Err(error) = tx.set_staff_vetting(staff_id, &vetting).await {
            return abandon(tx, error.into()).await;
        }
        inner.audit_and_commit(who, tx, &facts).await
    }

    /// Creates a team with a unique name of 1 to 100 characters (administrators:
    /// `team.create`); `conflict` if the name is taken. Audited as a collection.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn create_team(&self, who: &Principal, name: &str) -> Result<Team, AppError> {
        let inner = &self.inner;
        let id = uuid::Uuid::now_v7();
        let facts = AuditFacts {
            kind: LogKind::Collection,
            action: Action::CreateTeam,
            purpose: None,
            records: vec![id],
        };
        inner.authorise_directory(who, &facts).await?;
        let name = name.trim();
        let chars = name.chars().count();
        if chars == 0 || chars > TEAM_NAME_MAX_CHARS || name.chars().any(char::is_control) {
            return Err(AppError::invalid(
                "name",
                "invalid_team_name",
                format!(
                    "a team name has 1 to {TEAM_NAME_MAX_CHARS} characters, no control characters"
                ),
            ));
        }
        let row = TeamRow {
            id,
            name: name.to_owned(),
            // Whole microseconds, as both stores keep it.
            created_at: bluelamp_audit::truncate_to_micros(inner.clock.now()),
        };
        let mut tx = inner.store.begin().await?;
        if let Err(error) = tx.insert_team(&row).await {
            return abandon(tx, error.into()).await;
        }
        inner.audit_and_commit(who, tx, &facts).await?;
        Ok(Team {
            id: row.id,
            name: row.name,
            created_at: row.created_at,
        })
    }

    /// Every team, by name (administrators: `team.list`). Teams hold no personal data, so
    /// an allowed listing appends no entry (a refusal is audited).
    pub async fn list_teams(&self, who: &Principal) -> Result<Vec<Team>, AppError> {
        let inner = &self.inner;
        let facts = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::ListTeams,
            purpose: None,
            records: Vec::new(),
        };
        inner.authorise_directory(who, &facts).await?;
        let mut tx = inner.store.begin().await?;
        let teams = tx.list_teams().await;
        tx.rollback().await?;
        Ok(teams?
            .into_iter()
            .map(|row| Team {
                id: row.id,
                name: row.name,
                created_at: row.created_at,
            })
            .collect())
    }

    /// Releases an account locked after failed sign-ins and forgets its failures
    /// (administrators: `staff.unlock`). Audited as an alteration.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id(), staff = %staff_id))]
    pub async fn release_lockout(
        &self,
        who: &Principal,
        staff_id: StaffId,
    ) -> Result<(), AppError> {
        let inner = &self.inner;
        let facts = alteration(Action::UnlockStaff, staff_id);
        let (mut tx, _, mut identity) = inner.begin_account_change(who, &facts, staff_id).await?;
        identity.locked_at = None;
        let changed = async {
            tx.put_staff_identity(&identity).await?;
            tx.clear_failed_sign_ins(staff_id).await?;
            Ok::<_, AppError>(())
        }
        .await;
        if let Err(error) = changed {
            return abandon(tx, error).await;
        }
        inner.audit_and_commit(who, tx, &facts).await
    }

    /// Removes an account's second factor, so that it enrols a new one at its next sign-in
    /// (administrators: `staff.totp.reset`; e.g. a lost phone), and ends its sessions.
    /// Audited as an alteration.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id(), staff = %staff_id))]
    pub async fn reset_totp(&self, who: &Principal, staff_id: StaffId) -> Result<(), AppError> {
        let inner = &self.inner;
        let facts = alteration(Action::ResetStaffTotp, staff_id);
        let (mut tx, _, mut identity) = inner.begin_account_change(who, &facts, staff_id).await?;
        identity.totp_secret = None;
        identity.totp_pending_secret = None;
        identity.totp_last_step = None;
        let now = inner.clock.now();
        let changed = async {
            tx.put_staff_identity(&identity).await?;
            tx.end_staff_sessions_of(staff_id, now).await?;
            Ok::<_, AppError>(())
        }
        .await;
        if let Err(error) = changed {
            return abandon(tx, error).await;
        }
        inner.audit_and_commit(who, tx, &facts).await
    }

    /// Disables an account and ends all its sessions at once (administrators:
    /// `staff.disable`). Audited as an alteration.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id(), staff = %staff_id))]
    pub async fn disable_staff(&self, who: &Principal, staff_id: StaffId) -> Result<(), AppError> {
        let inner = &self.inner;
        let facts = alteration(Action::DisableStaff, staff_id);
        let (mut tx, _, _) = inner.begin_account_change(who, &facts, staff_id).await?;
        let now = inner.clock.now();
        let changed = async {
            tx.set_staff_active(staff_id, false).await?;
            tx.end_staff_sessions_of(staff_id, now).await?;
            Ok::<_, AppError>(())
        }
        .await;
        if let Err(error) = changed {
            return abandon(tx, error).await;
        }
        inner.audit_and_commit(who, tx, &facts).await
    }

    /// Enables a disabled account (administrators: `staff.enable`). Audited as an
    /// alteration.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id(), staff = %staff_id))]
    pub async fn enable_staff(&self, who: &Principal, staff_id: StaffId) -> Result<(), AppError> {
        let inner = &self.inner;
        let facts = alteration(Action::EnableStaff, staff_id);
        let (mut tx, _, _) = inner.begin_account_change(who, &facts, staff_id).await?;
        if let Err(error) = tx.set_staff_active(staff_id, true).await {
            return abandon(tx, error.into()).await;
        }
        inner.audit_and_commit(who, tx, &facts).await
    }

    /// The inactivity job (ACCT-01): disables every enabled account with no sign-in (or,
    /// never signed in, created) longer ago than the inactivity period, ending their
    /// sessions, as `system:identity-job`. Returns how many were disabled; one alteration
    /// entry names them all (none when there were none).
    #[tracing::instrument(skip_all)]
    pub async fn disable_inactive_staff(&self) -> Result<u32, AppError> {
        let inner = &self.inner;
        let who = Principal::system("identity-job", &inner.force);
        let mut facts = AuditFacts {
            kind: LogKind::Alteration,
            action: Action::DisableStaff,
            purpose: None,
            records: Vec::new(),
        };
        inner.authorise_directory(&who, &facts).await?;
        let now = inner.clock.now();
        let cutoff = now - inner.identity.inactivity;
        let mut tx = inner.store.begin().await?;
        let disabled = async {
            let ids = tx.staff_inactive_since(cutoff).await?;
            for id in &ids {
                tx.set_staff_active(*id, false).await?;
                tx.end_staff_sessions_of(*id, now).await?;
            }
            Ok::<_, AppError>(ids)
        }
        .await;
        let ids = match disabled {
            Ok(ids) => ids,
            Err(error) => return abandon(tx, error).await,
        };
        if ids.is_empty() {
            tx.rollback().await?;
            return Ok(0);
        }
        let count = u32::try_from(ids.len())
            .map_err(|_| AppError::Internal("too many accounts".to_owned()))?;
        facts.records = ids.iter().map(|id| *id.as_uuid()).collect();
        inner.audit_and_commit(&who, tx, &facts).await?;
        tracing::info!(count, "inactive staff accounts disabled");
        Ok(count)
    }
}
