//! Casework on online reports, as persisted: crime number counters, who a report is
//! allocated to, and the tasks (with Victims' Code deadlines) on a report.

use async_trait::async_trait;
use bluelamp_domain::ids::StaffId;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{ReportRow, StoreResult};

/// Who a report is allocated to: one officer or one team (exactly one of the two is set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportAllocationRow {
    /// The report (compact reference).
    pub reference: String,
    /// The officer it is allocated to.
    pub staff_id: Option<StaffId>,
    /// The team it is allocated to.
    pub team_id: Option<Uuid>,
    /// When it was allocated.
    pub allocated_at: DateTime<Utc>,
    /// Who allocated it (an audit actor id, e.g. `staff:0190…`).
    pub allocated_by: String,
}

/// A task on a report: a piece of work with a due time, or a Victims' Code deadline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportTaskRow {
    /// Its id (UUIDv7: a report's tasks are listed in id order).
    pub id: Uuid,
    /// The report (compact reference).
    pub reference: String,
    /// `task` or `victims_code`.
    pub kind: String,
    /// The Victims' Code deadline's code (`refdata/victims_code_deadlines.csv`) for a
    /// `victims_code` task.
    pub code: Option<String>,
    /// What is to be done.
    pub title: String,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// Who is to do it.
    pub assignee: Option<StaffId>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// Who made it (an audit actor id).
    pub created_by: String,
    /// When it was done; `None` while open.
    pub completed_at: Option<DateTime<Utc>>,
    /// Who did it (an audit actor id).
    pub completed_by: Option<String>,
    /// How it was done, e.g. "the victim was sent a message".
    pub completion_note: Option<String>,
}

/// Casework inside a transaction. Every method that changes state counts as a change that
/// needs an audit entry before commit.
#[async_trait]
pub trait CaseworkRepo {
    /// Takes the next number of the crime number sequence of `force` in `year`: 1 for the
    /// first, then 2, 3, … The counter row is locked until the transaction ends, so
    /// concurrent transactions never take the same number, and a rolled-back transaction
    /// gives its number back (the sequence is gapless).
    async fn next_crime_sequence(&mut self, force: &str, year: i32) -> StoreResult<u64>;

    /// Stores who a report is allocated to, replacing any earlier allocation;
    /// [`crate::StoreError::NotFound`] if the report, the account or the team does not
    /// exist.
    async fn put_report_allocation(&mut self, allocation: &ReportAllocationRow) -> StoreResult<()>;
    /// Who a report is allocated to.
    async fn report_allocation(
        &mut self,
        reference: &str,
    ) -> StoreResult<Option<ReportAllocationRow>>;
    /// The reports not closed that are allocated to account `staff` or (if given) to team
    /// `team`, newest first, with their allocation.
    async fn open_reports_allocated_to(
        &mut self,
        staff: StaffId,
        team: Option<Uuid>,
    ) -> StoreResult<Vec<(ReportRow, ReportAllocationRow)>>;

    /// Stores a new task; [`crate::StoreError::NotFound`] if the report (or the assignee)
    /// does not exist, [`crate::StoreError::AlreadyExists`] on a duplicate id.
    async fn insert_report_task(&mut self, task: &ReportTaskRow) -> StoreResult<()>;
    /// Records a task's completion (`completed_at`, `completed_by`, `completion_note`);
    /// [`crate::StoreError::NotFound`] if there is no such task.
    async fn update_report_task(&mut self, task: &ReportTaskRow) -> StoreResult<()>;
    /// A report's tasks, open and completed, in id order.
    async fn report_tasks(&mut self, reference: &str) -> StoreResult<Vec<ReportTaskRow>>;
}
