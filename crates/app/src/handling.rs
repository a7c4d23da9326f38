//! Need-to-know handling of a record: restricting it to an access list and flagging a VIP or
//! a refuge address (`record.handle`).

use bluelamp_audit::LogKind;
use bluelamp_domain::handling::Handling;
use bluelamp_domain::ids::RecordId;
use bluelamp_domain::record::Record;
use bluelamp_policy::Action;

use crate::gate::{AuditFacts, abandon};
use crate::{App, AppError, Principal};

/// Most entries on one access list (staff and teams together).
pub const MAX_ACCESS_LIST: usize = 50;

impl App {
    /// Sets record `id`'s handling (`record.handle`: investigators, supervisors and
    /// information managers of the force, on the record's access list if it already has
    /// one). Audited as an s.62 alteration naming the record.
    ///
    /// Refused with a specific error, changing nothing, when the handling is restricted with
    /// an empty access list, the list is longer than [`MAX_ACCESS_LIST`], names an account or
    /// team that does not exist (or an account of another force), or would shut the caller
    /// out (restricted without the caller or their team on it).
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id(), record = %id))]
    pub async fn set_handling(
        &self,
        who: &Principal,
        id: RecordId,
        handling: Handling,
    ) -> Result<Record, AppError> {
        let inner = &self.inner;
        let handling = handling.normalised();
        let facts = AuditFacts {
            kind: LogKind::Alteration,
            action: Action::SetHandling,
            purpose: None,
            records: vec![*id.as_uuid()],
        };
        let (mut tx, record) = inner
            .begin_consultation(who, id, &facts, |inner, record| inner.resource_of(record))
            .await?;
        if let Err(error) = check_access_list(&handling) {
            return abandon(tx, error).await;
        }
        let checked = async {
            for staff_id in &handling.access_staff {
                let staff = tx.staff_by_id(*staff_id).await?;
                if staff.is_none_or(|staff| Some(&staff.force) != who.subject.force.as_ref()) {
                    return Err(AppError::invalid(
                        "access_staff",
                        "unknown",
                        format!("there is no member of staff {staff_id} in this force"),
                    ));
                }
            }
            let teams = tx.list_teams().await?;
            for team_id in &handling.access_teams {
                if !teams.iter().any(|team| team.id == *team_id) {
                    return Err(AppError::invalid(
                        "access_teams",
                        "unknown",
                        format!("there is no team {team_id}"),
                    ));
                }
            }
            Ok(())
        }
        .await;
        if let Err(error) = checked {
            return abandon(tx, error).await;
        }
        let changed = Record { handling, ..record };
        if !inner.decide(who, &inner.resource_of(&changed), &facts) {
            let error = AppError::invalid(
                "access_staff",
                "self_excluded",
                "this access list would leave you without access: add yourself or your team",
            );
            return abandon(tx, error).await;
        }
        if let Err(error) = tx.update_record(&changed).await {
            return abandon(tx, error.into()).await;
        }
        inner.audit_and_commit(who, tx, &facts).await?;
        Ok(changed)
    }
}

/// The access list's shape, before anything is looked up.
fn check_access_list(handling: &Handling) -> Result<(), AppError> {
    let entries = handling
        .access_staff
        .len()
        .saturating_add(handling.access_teams.len());
    if handling.restricted && entries == 0 {
        return Err(AppError::invalid(
            "access_staff",
            "empty",
            "a restricted record needs at least one member of staff or team on its access list",
        ));
    }
    if entries > MAX_ACCESS_LIST {
        return Err(AppError::invalid(
            "access_staff",
            "too_many",
            format!(
                "an access list holds at most {MAX_ACCESS_LIST} staff and teams, not {entries}"
            ),
        ));
    }
    Ok(())
}
