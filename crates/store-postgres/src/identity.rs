//! Staff identity on PostgreSQL: [`IdentityRepo`] for [`PgTx`] and the session reads of the
//! store.

use async_trait::async_trait;
use bluelamp_domain::ids::StaffId;
use bluelamp_store::rows::hash_from_bytes;
use bluelamp_store::{
    IdentityRepo, PendingSignInRow, StaffIdentityRow, StaffRow, StaffSessionRow, StaffVetting,
    StoreError, StoreResult, TeamRow,
};
use chrono::{DateTime, Utc};
use sqlx::Row as _;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use crate::convert::{
    column, database_error, i64_from_u64, staff_from_row, u32_from_i64, u64_from_i64,
};
use crate::tx::PgTx;

/// The columns of `staff` that `staff_from_row` decodes, prefixed with the table alias `s`.
macro_rules! staff_columns {
    () => {
        "s.id, s.username, s.display_name, s.role, s.force, s.token_hash, s.active, s.created_at, \
         s.clearance, s.caveats, \
         (SELECT i.team_id FROM staff_identity i WHERE i.staff_id = s.id) AS team_id"
    };
}

/// The columns of `staff_identity` that [`identity_from_row`] decodes.
macro_rules! identity_columns {
    () => {
        "staff_id, password_hash, totp_secret, totp_pending_secret, totp_last_step, locked_at, \
         last_sign_in_at, team_id"
    };
}

/// Decodes an account's identity state.
fn identity_from_row(row: &PgRow) -> StoreResult<StaffIdentityRow> {
    const TABLE: &str = "staff_identity";
    let staff_id: Uuid = column(row, TABLE, "staff_id")?;
    let last_step: Option<i64> = column(row, TABLE, "totp_last_step")?;
    Ok(StaffIdentityRow {
        staff_id: StaffId::from_uuid(staff_id),
        password_hash: column(row, TABLE, "password_hash")?,
        totp_secret: column(row, TABLE, "totp_secret")?,
        totp_pending_secret: column(row, TABLE, "totp_pending_secret")?,
        totp_last_step: last_step
            .map(|step| u64_from_i64(step, "staff_identity.totp_last_step"))
            .transpose()?,
        locked_at: column(row, TABLE, "locked_at")?,
        last_sign_in_at: column(row, TABLE, "last_sign_in_at")?,
        team_id: column(row, TABLE, "team_id")?,
    })
}

/// Decodes a session (its columns named `session_*`).
pub(crate) fn session_from_row(row: &PgRow) -> StoreResult<StaffSessionRow> {
    const TABLE: &str = "staff_sessions";
    let token_hash: Vec<u8> = column(row, TABLE, "session_token_hash")?;
    let staff_id: Uuid = column(row, TABLE, "session_staff_id")?;
    Ok(StaffSessionRow {
        token_hash: hash_from_bytes(token_hash, "staff_sessions.token_hash")?,
        staff_id: StaffId::from_uuid(staff_id),
        created_at: column(row, TABLE, "session_created_at")?,
        last_seen_at: column(row, TABLE, "session_last_seen_at")?,
        ended_at: column(row, TABLE, "session_ended_at")?,
    })
}

/// The select list and join that [`session_from_row`] and `staff_from_row` decode together.
pub(crate) const SESSION_WITH_STAFF: &str = concat!(
    "SELECT ss.token_hash AS session_token_hash, ss.staff_id AS session_staff_id, \
     ss.created_at AS session_created_at, ss.last_seen_at AS session_last_seen_at, \
     ss.ended_at AS session_ended_at, ",
    staff_columns!(),
    " FROM staff_sessions ss JOIN staff s ON s.id = ss.staff_id WHERE ss.token_hash = $1"
);

/// Decodes a pending sign-in.
fn pending_from_row(row: &PgRow) -> StoreResult<PendingSignInRow> {
    const TABLE: &str = "staff_pending_sign_ins";
    let token_hash: Vec<u8> = column(row, TABLE, "token_hash")?;
    let staff_id: Uuid = column(row, TABLE, "staff_id")?;
    Ok(PendingSignInRow {
        token_hash: hash_from_bytes(token_hash, "staff_pending_sign_ins.token_hash")?,
        staff_id: StaffId::from_uuid(staff_id),
        created_at: column(row, TABLE, "created_at")?,
        expires_at: column(row, TABLE, "expires_at")?,
        used_at: column(row, TABLE, "used_at")?,
    })
}

/// Decodes a team.
fn team_from_row(row: &PgRow) -> StoreResult<TeamRow> {
    Ok(TeamRow {
        id: column(row, "teams", "id")?,
        name: column(row, "teams", "name")?,
        created_at: column(row, "teams", "created_at")?,
    })
}

impl PgTx {
    /// Whether a row with `id` exists in `table` (a fixed table name).
    async fn exists(&mut self, sql: &'static str, id: Uuid) -> StoreResult<bool> {
        sqlx::query(sql)
            .bind(id)
            .fetch_one(&mut *self.transaction)
            .await
            .map_err(database_error)?
            .try_get("found")
            .map_err(database_error)
    }

    /// Fails with [`StoreError::NotFound`] when the account does not exist.
    async fn require_staff(&mut self, id: StaffId) -> StoreResult<()> {
        let sql = "SELECT EXISTS (SELECT 1 FROM staff WHERE id = $1) AS found";
        if self.exists(sql, *id.as_uuid()).await? {
            Ok(())
        } else {
            Err(StoreError::NotFound {
                what: "staff account",
                id: id.to_string(),
            })
        }
    }
}

#[async_trait]
impl IdentityRepo for PgTx {
    async fn staff_by_id(&mut self, id: StaffId) -> StoreResult<Option<StaffRow>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            staff_columns!(),
            " FROM staff s WHERE s.id = $1"
        ))
        .bind(*id.as_uuid())
        .fetch_optional(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        row.as_ref().map(staff_from_row).transpose()
    }

    async fn list_staff(&mut self) -> StoreResult<Vec<StaffRow>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            staff_columns!(),
            " FROM staff s ORDER BY s.username"
        ))
        .fetch_all(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        rows.iter().map(staff_from_row).collect()
    }

    async fn set_staff_role(&mut self, id: StaffId, role: &str) -> StoreResult<()> {
        let updated = sqlx::query("UPDATE staff SET role = $1 WHERE id = $2")
            .bind(role)
            .bind(*id.as_uuid())
            .execute(&mut *self.transaction)
            .await
            .map_err(database_error)?
            .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound {
                what: "staff account",
                id: id.to_string(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn set_staff_vetting(&mut self, id: StaffId, vetting: &StaffVetting) -> StoreResult<()> {
        let updated = sqlx::query("UPDATE staff SET clearance = $1, caveats = $2 WHERE id = $3")
            .bind(&vetting.clearance)
            .bind(&vetting.caveats)
            .bind(*id.as_uuid())
            .execute(&mut *self.transaction)
            .await
            .map_err(database_error)?
            .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound {
                what: "staff account",
                id: id.to_string(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn set_staff_active(&mut self, id: StaffId, active: bool) -> StoreResult<()> {
        let updated = sqlx::query("UPDATE staff SET active = $1 WHERE id = $2")
            .bind(active)
            .bind(*id.as_uuid())
            .execute(&mut *self.transaction)
            .await
            .map_err(database_error)?
            .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound {
                what: "staff account",
                id: id.to_string(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn staff_inactive_since(&mut self, cutoff: DateTime<Utc>) -> StoreResult<Vec<StaffId>> {
        let rows = sqlx::query(
            "SELECT s.id FROM staff s LEFT JOIN staff_identity i ON i.staff_id = s.id \
             WHERE s.active AND COALESCE(i.last_sign_in_at, s.created_at) < $1 \
             ORDER BY s.username",
        )
        .bind(cutoff)
        .fetch_all(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        rows.iter()
            .map(|row| {
                let id: Uuid = column(row, "staff", "id")?;
                Ok(StaffId::from_uuid(id))
            })
            .collect()
    }

    async fn staff_identity(&mut self, id: StaffId) -> StoreResult<Option<StaffIdentityRow>> {
        // Lock the account so that concurrent sign-ins of one account queue here.
        let locked = sqlx::query("SELECT id FROM staff WHERE id = $1 FOR UPDATE")
            .bind(*id.as_uuid())
            .fetch_optional(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        if locked.is_none() {
            return Ok(None);
        }
        let row = sqlx::query(concat!(
            "SELECT ",
            identity_columns!(),
            " FROM staff_identity WHERE staff_id = $1"
        ))
        .bind(*id.as_uuid())
        .fetch_optional(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        match row {
            Some(row) => identity_from_row(&row).map(Some),
            None => Ok(Some(StaffIdentityRow::empty(id))),
        }
    }

    async fn list_staff_identities(&mut self) -> StoreResult<Vec<StaffIdentityRow>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            identity_columns!(),
            " FROM staff_identity ORDER BY staff_id"
        ))
        .fetch_all(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        rows.iter().map(identity_from_row).collect()
    }

    async fn put_staff_identity(&mut self, identity: &StaffIdentityRow) -> StoreResult<()> {
        self.require_staff(identity.staff_id).await?;
        if let Some(team_id) = identity.team_id {
            let sql = "SELECT EXISTS (SELECT 1 FROM teams WHERE id = $1) AS found";
            if !self.exists(sql, team_id).await? {
                return Err(StoreError::NotFound {
                    what: "team",
                    id: team_id.to_string(),
                });
            }
        }
        let last_step = identity
            .totp_last_step
            .map(|step| i64_from_u64(step, "TOTP step"))
            .transpose()?;
        sqlx::query(concat!(
            "INSERT INTO staff_identity (",
            identity_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (staff_id) DO UPDATE SET \
             password_hash = excluded.password_hash, totp_secret = excluded.totp_secret, \
             totp_pending_secret = excluded.totp_pending_secret, \
             totp_last_step = excluded.totp_last_step, locked_at = excluded.locked_at, \
             last_sign_in_at = excluded.last_sign_in_at, team_id = excluded.team_id"
        ))
        .bind(*identity.staff_id.as_uuid())
        .bind(identity.password_hash.as_deref())
        .bind(identity.totp_secret.as_deref())
        .bind(identity.totp_pending_secret.as_deref())
        .bind(last_step)
        .bind(identity.locked_at)
        .bind(identity.last_sign_in_at)
        .bind(identity.team_id)
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        self.changed_state = true;
        Ok(())
    }

    async fn insert_failed_sign_in(&mut self, id: StaffId, at: DateTime<Utc>) -> StoreResult<()> {
        self.require_staff(id).await?;
        sqlx::query("INSERT INTO staff_failed_sign_ins (staff_id, at) VALUES ($1, $2)")
            .bind(*id.as_uuid())
            .bind(at)
            .execute(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        self.changed_state = true;
        Ok(())
    }

    async fn count_failed_sign_ins_since(
        &mut self,
        id: StaffId,
        since: DateTime<Utc>,
    ) -> StoreResult<u32> {
        let count: i64 = sqlx::query(
            "SELECT COUNT(*) AS count FROM staff_failed_sign_ins WHERE staff_id = $1 AND at >= $2",
        )
        .bind(*id.as_uuid())
        .bind(since)
        .fetch_one(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .try_get("count")
        .map_err(database_error)?;
        u32_from_i64(count, "failed sign-in count")
    }

    async fn clear_failed_sign_ins(&mut self, id: StaffId) -> StoreResult<()> {
        let deleted = sqlx::query("DELETE FROM staff_failed_sign_ins WHERE staff_id = $1")
            .bind(*id.as_uuid())
            .execute(&mut *self.transaction)
            .await
            .map_err(database_error)?
            .rows_affected();
        if deleted > 0 {
            self.changed_state = true;
        }
        Ok(())
    }

    async fn insert_staff_session(&mut self, session: &StaffSessionRow) -> StoreResult<()> {
        self.require_staff(session.staff_id).await?;
        let inserted = sqlx::query(
            "INSERT INTO staff_sessions (token_hash, staff_id, created_at, last_seen_at, ended_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(session.token_hash.as_slice())
        .bind(*session.staff_id.as_uuid())
        .bind(session.created_at)
        .bind(session.last_seen_at)
        .bind(session.ended_at)
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::AlreadyExists {
                what: "staff session",
                id: "(hash withheld)".to_owned(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn end_staff_session(
        &mut self,
        token_hash: &[u8; 32],
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let ended = sqlx::query(
            "UPDATE staff_sessions SET ended_at = $1 WHERE token_hash = $2 AND ended_at IS NULL",
        )
        .bind(at)
        .bind(token_hash.as_slice())
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .rows_affected();
        if ended > 0 {
            self.changed_state = true;
        }
        Ok(ended > 0)
    }

    async fn end_staff_sessions_of(&mut self, id: StaffId, at: DateTime<Utc>) -> StoreResult<u64> {
        let ended = sqlx::query(
            "UPDATE staff_sessions SET ended_at = $1 WHERE staff_id = $2 AND ended_at IS NULL",
        )
        .bind(at)
        .bind(*id.as_uuid())
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .rows_affected();
        if ended > 0 {
            self.changed_state = true;
        }
        Ok(ended)
    }

    async fn insert_pending_sign_in(&mut self, pending: &PendingSignInRow) -> StoreResult<()> {
        self.require_staff(pending.staff_id).await?;
        let inserted = sqlx::query(
            "INSERT INTO staff_pending_sign_ins \
             (token_hash, staff_id, created_at, expires_at, used_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(pending.token_hash.as_slice())
        .bind(*pending.staff_id.as_uuid())
        .bind(pending.created_at)
        .bind(pending.expires_at)
        .bind(pending.used_at)
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::AlreadyExists {
                what: "pending sign-in",
                id: "(hash withheld)".to_owned(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn pending_sign_in(
        &mut self,
        token_hash: &[u8; 32],
    ) -> StoreResult<Option<PendingSignInRow>> {
        let row = sqlx::query(
            "SELECT token_hash, staff_id, created_at, expires_at, used_at \
             FROM staff_pending_sign_ins WHERE token_hash = $1",
        )
        .bind(token_hash.as_slice())
        .fetch_optional(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        row.as_ref().map(pending_from_row).transpose()
    }

    async fn use_pending_sign_in(
        &mut self,
        token_hash: &[u8; 32],
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let used = sqlx::query(
            "UPDATE staff_pending_sign_ins SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL",
        )
        .bind(at)
        .bind(token_hash.as_slice())
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .rows_affected();
        if used > 0 {
            self.changed_state = true;
        }
        Ok(used > 0)
    }

    async fn insert_team(&mut self, team: &TeamRow) -> StoreResult<()> {
        let inserted = sqlx::query(
            "INSERT INTO teams (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(team.id)
        .bind(&team.name)
        .bind(team.created_at)
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::AlreadyExists {
                what: "team",
                id: team.name.clone(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn list_teams(&mut self) -> StoreResult<Vec<TeamRow>> {
        let rows = sqlx::query("SELECT id, name, created_at FROM teams ORDER BY name")
            .fetch_all(&mut *self.transaction)
            .await
            .map_err(database_error)?;
        rows.iter().map(team_from_row).collect()
    }
}
