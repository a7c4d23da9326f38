//! Casework on PostgreSQL: [`CaseworkRepo`] for [`PgTx`].

use async_trait::async_trait;
use bluelamp_audit::truncate_to_micros;
use bluelamp_domain::ids::StaffId;
use bluelamp_store::{
    CaseworkRepo, ReportAllocationRow, ReportRow, ReportTaskRow, StoreError, StoreResult,
};
use sqlx::Row as _;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use crate::convert::{column, database_error, report_from_row, u64_from_i64};
use crate::tx::PgTx;

/// The columns of `report_tasks` that [`task_from_row`] decodes.
macro_rules! task_columns {
    () => {
        "id, reference, kind, code, title, due_at, assignee, created_at, created_by, \
         completed_at, completed_by, completion_note"
    };
}

/// Decodes a task.
fn task_from_row(row: &PgRow) -> StoreResult<ReportTaskRow> {
    const TABLE: &str = "report_tasks";
    let assignee: Option<Uuid> = column(row, TABLE, "assignee")?;
    Ok(ReportTaskRow {
        id: column(row, TABLE, "id")?,
        reference: column(row, TABLE, "reference")?,
        kind: column(row, TABLE, "kind")?,
        code: column(row, TABLE, "code")?,
        title: column(row, TABLE, "title")?,
        due_at: column(row, TABLE, "due_at")?,
        assignee: assignee.map(StaffId::from_uuid),
        created_at: column(row, TABLE, "created_at")?,
        created_by: column(row, TABLE, "created_by")?,
        completed_at: column(row, TABLE, "completed_at")?,
        completed_by: column(row, TABLE, "completed_by")?,
        completion_note: column(row, TABLE, "completion_note")?,
    })
}

/// Decodes an allocation (its columns named `alloc_*`).
fn allocation_from_row(row: &PgRow) -> StoreResult<ReportAllocationRow> {
    const TABLE: &str = "report_allocations";
    let staff_id: Option<Uuid> = column(row, TABLE, "alloc_staff_id")?;
    Ok(ReportAllocationRow {
        reference: column(row, TABLE, "alloc_reference")?,
        staff_id: staff_id.map(StaffId::from_uuid),
        team_id: column(row, TABLE, "alloc_team_id")?,
        allocated_at: column(row, TABLE, "alloc_allocated_at")?,
        allocated_by: column(row, TABLE, "alloc_allocated_by")?,
    })
}

impl PgTx {
    /// Fails with [`StoreError::NotFound`] unless the report exists.
    async fn require_casework_report(&mut self, reference: &str) -> StoreResult<()> {
        let found: bool =
            sqlx::query("SELECT EXISTS (SELECT 1 FROM reports WHERE reference = $1) AS found")
                .bind(reference)
                .fetch_one(&mut *self.transaction)
                .await
                .map_err(database_error)?
                .try_get("found")
                .map_err(database_error)?;
        if found {
            Ok(())
        } else {
            Err(StoreError::NotFound {
                what: "report",
                id: reference.to_owned(),
            })
        }
    }

    /// Fails with [`StoreError::NotFound`] (`what`, `id`) unless `sql`, an `EXISTS` query
    /// named `found` with `id` bound, finds the row.
    async fn require_id(
        &mut self,
        sql: &'static str,
        id: Uuid,
        what: &'static str,
    ) -> StoreResult<()> {
        let found: bool = sqlx::query(sql)
            .bind(id)
            .fetch_one(&mut *self.transaction)
            .await
            .map_err(database_error)?
            .try_get("found")
            .map_err(database_error)?;
        if found {
            Ok(())
        } else {
            Err(StoreError::NotFound {
                what,
                id: id.to_string(),
            })
        }
    }
}

/// Checks that an account exists.
const STAFF_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM staff WHERE id = $1) AS found";

#[async_trait]
impl CaseworkRepo for PgTx {
    async fn next_crime_sequence(&mut self, force: &str, year: i32) -> StoreResult<u64> {
        // The upsert locks the counter row until this transaction ends: a concurrent
        // recording waits here and then takes the next number.
        let taken: i64 = sqlx::query(
            "INSERT INTO crime_number_counters (force, year, next_seq) VALUES ($1, $2, 2) \
             ON CONFLICT (force, year) DO UPDATE \
             SET next_seq = crime_number_counters.next_seq + 1 \
             RETURNING next_seq - 1 AS taken",
        )
        .bind(force)
        .bind(year)
        .fetch_one(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .try_get("taken")
        .map_err(database_error)?;
        self.changed_state = true;
        u64_from_i64(taken, "crime_number_counters.next_seq")
    }

    async fn put_report_allocation(&mut self, allocation: &ReportAllocationRow) -> StoreResult<()> {
        if allocation.staff_id.is_some() == allocation.team_id.is_some() {
            return Err(StoreError::Database(
                "an allocation names exactly one officer or one team".to_owned(),
            ));
        }
        self.require_casework_report(&allocation.reference).await?;
        if let Some(staff) = allocation.staff_id {
            self.require_id(STAFF_EXISTS, *staff.as_uuid(), "staff account")
                .await?;
        }
        if let Some(team) = allocation.team_id {
            self.require_id(
                "SELECT EXISTS (SELECT 1 FROM teams WHERE id = $1) AS found",
                team,
                "team",
            )
            .await?;
        }
        sqlx::query(
            "INSERT INTO report_allocations \
             (reference, staff_id, team_id, allocated_at, allocated_by) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (reference) DO UPDATE SET staff_id = excluded.staff_id, \
             team_id = excluded.team_id, allocated_at = excluded.allocated_at, \
             allocated_by = excluded.allocated_by",
        )
        .bind(&allocation.reference)
        .bind(allocation.staff_id.map(|id| *id.as_uuid()))
        .bind(allocation.team_id)
        .bind(truncate_to_micros(allocation.allocated_at))
        .bind(&allocation.allocated_by)
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        self.changed_state = true;
        Ok(())
    }

    async fn report_allocation(
        &mut self,
        reference: &str,
    ) -> StoreResult<Option<ReportAllocationRow>> {
        let row = sqlx::query(
            "SELECT reference AS alloc_reference, staff_id AS alloc_staff_id, \
             team_id AS alloc_team_id, allocated_at AS alloc_allocated_at, \
             allocated_by AS alloc_allocated_by FROM report_allocations WHERE reference = $1",
        )
        .bind(reference)
        .fetch_optional(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        row.as_ref().map(allocation_from_row).transpose()
    }

    async fn open_reports_allocated_to(
        &mut self,
        staff: StaffId,
        team: Option<Uuid>,
    ) -> StoreResult<Vec<(ReportRow, ReportAllocationRow)>> {
        let rows = sqlx::query(
            "SELECT r.reference, r.kind, r.status, r.event_id, r.reporter_id, r.contact_email, \
             r.idempotency_key, r.submitted_at, r.updated_at, r.crime_number, r.officer, \
             r.outcome, r.details::text AS details, a.reference AS alloc_reference, \
             a.staff_id AS alloc_staff_id, a.team_id AS alloc_team_id, \
             a.allocated_at AS alloc_allocated_at, a.allocated_by AS alloc_allocated_by \
             FROM reports r JOIN report_allocations a ON a.reference = r.reference \
             WHERE r.status <> 'closed' AND (a.staff_id = $1 OR a.team_id = $2) \
             ORDER BY r.submitted_at DESC, r.reference",
        )
        .bind(*staff.as_uuid())
        .bind(team)
        .fetch_all(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        rows.iter()
            .map(|row| Ok((report_from_row(row)?, allocation_from_row(row)?)))
            .collect()
    }

    async fn insert_report_task(&mut self, task: &ReportTaskRow) -> StoreResult<()> {
        self.require_casework_report(&task.reference).await?;
        if let Some(assignee) = task.assignee {
            self.require_id(STAFF_EXISTS, *assignee.as_uuid(), "staff account")
                .await?;
        }
        let inserted = sqlx::query(
            "INSERT INTO report_tasks \
             (id, reference, kind, code, title, due_at, assignee, created_at, created_by, \
             completed_at, completed_by, completion_note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(task.id)
        .bind(&task.reference)
        .bind(&task.kind)
        .bind(&task.code)
        .bind(&task.title)
        .bind(truncate_to_micros(task.due_at))
        .bind(task.assignee.map(|id| *id.as_uuid()))
        .bind(truncate_to_micros(task.created_at))
        .bind(&task.created_by)
        .bind(task.completed_at.map(truncate_to_micros))
        .bind(&task.completed_by)
        .bind(&task.completion_note)
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::AlreadyExists {
                what: "task",
                id: task.id.to_string(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn update_report_task(&mut self, task: &ReportTaskRow) -> StoreResult<()> {
        let updated = sqlx::query(
            "UPDATE report_tasks SET completed_at = $1, completed_by = $2, \
             completion_note = $3 WHERE id = $4",
        )
        .bind(task.completed_at.map(truncate_to_micros))
        .bind(&task.completed_by)
        .bind(&task.completion_note)
        .bind(task.id)
        .execute(&mut *self.transaction)
        .await
        .map_err(database_error)?
        .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound {
                what: "task",
                id: task.id.to_string(),
            });
        }
        self.changed_state = true;
        Ok(())
    }

    async fn report_tasks(&mut self, reference: &str) -> StoreResult<Vec<ReportTaskRow>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            task_columns!(),
            " FROM report_tasks WHERE reference = $1 ORDER BY id"
        ))
        .bind(reference)
        .fetch_all(&mut *self.transaction)
        .await
        .map_err(database_error)?;
        rows.iter().map(task_from_row).collect()
    }
}
