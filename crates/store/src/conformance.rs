//! The one conformance suite every storage backend runs.
//!
//! # Brief overview
//!
//! Each case is an async function taking a fresh, empty [`Store`] and returning an error that
//! says what the backend got wrong. A backend runs the whole suite from its
//! `tests/conformance.rs` with one line:
//!
//! ```text
//! bluelamp_store::conformance_suite!(factory);
//! ```
//!
//! where `factory` is an `async fn() -> anyhow::Result<(Arc<dyn Store>, Guard)>` and `Guard`
//! (held for the test's life, for cleanup) implements [`TamperAccess`], the raw database access
//! that the tamper cases use to play an attacker. The macro expands to one `#[tokio::test]` per
//! case, on a two-thread runtime so that the concurrency case really runs in parallel; the
//! backend's test crate needs `tokio` and `anyhow` as dev-dependencies.
//!
//! Storage tests live here and only here, so both backends are held to the same behaviour.
//! The small fixture builders in [`fixtures`] are public for other crates' tests.

use std::sync::Arc;

use anyhow::{Context as _, ensure};
use async_trait::async_trait;
use bluelamp_audit::{Entry, NewEntry};
use bluelamp_domain::ids::{RecordId, RecordKind};
use bluelamp_domain::record::Record;

use crate::{Store, StoreTx};

mod audit_log;
mod audit_search;
mod casework;
mod checkpoints;
mod concurrency;
pub mod fixtures;
mod identity;
mod links;
mod paging;
mod records;
mod reports;
mod retention;
mod search;
mod staff;
mod tamper;

pub use self::audit_log::{
    append_audit_is_gapless_across_transactions, append_audit_of_nothing_appends_nothing,
    audited_read_only_transaction_commits, dropped_transaction_rolls_back,
    large_audit_batch_is_stored_whole, rollback_discards_records_and_audit_entries,
    unaudited_write_is_refused_and_nothing_persisted,
    uncommitted_writes_are_invisible_to_store_reads,
};
pub use self::audit_search::{
    audit_index_follows_the_transaction, audit_search_finds_exactly_the_matching_entries,
    audit_search_pages_newest_first, audit_search_windows_and_purposes_at_the_edges,
    backfilled_index_finds_the_old_entries, entries_before_the_index, leaf_rows,
};
pub use self::casework::{
    concurrent_crime_sequences_never_repeat, crime_numbers_are_unique,
    crime_sequences_are_per_force_and_year_and_gapless,
    report_allocations_round_trip_and_list_open_reports,
    report_tasks_round_trip_complete_and_errors,
};
pub use self::checkpoints::{
    checkpoint_conflicts_are_already_exists, checkpoints_insert_list_latest,
};
pub use self::concurrency::concurrent_appenders_get_gapless_sequence_numbers;
pub use self::identity::{
    failed_sign_ins_count_in_a_window, identity_writes_check_their_references,
    pending_sign_ins_and_inactive_staff, staff_identity_round_trip,
    staff_sessions_open_touch_and_end, unaudited_identity_writes_are_refused,
};
pub use self::links::{
    duplicate_link_is_already_exists, link_round_trip, link_to_missing_record_is_not_found,
    links_of_from_either_end,
};
pub use self::paging::audit_rows_paging;
pub use self::records::{
    duplicate_record_is_already_exists, failed_insert_leaves_transaction_usable,
    list_records_by_kind_with_paging, missing_record_is_none, record_round_trip_each_kind,
    update_missing_record_is_not_found, update_record_replaces_it,
};
pub use self::reports::{
    duplicate_idempotency_key_is_already_exists, duplicate_report_reference_is_already_exists,
    list_reports_newest_first_with_status_and_limit, one_time_code_updates_and_errors,
    one_time_codes_latest_and_count_since, report_by_idempotency_key_finds_the_report,
    report_for_missing_record_is_not_found, report_rollback_leaves_nothing,
    report_round_trip_full_and_empty, report_timeline_in_id_order,
    report_update_for_missing_report_or_duplicate_id_fails,
    unaudited_report_writes_are_refused_and_nothing_persisted, update_missing_report_is_not_found,
    update_report_changes_only_the_mutable_fields,
};
pub use self::retention::{
    due_reviews_by_date_kind_and_limit, erase_record_removes_keys_and_links,
    review_log_round_trip_and_audit_rule,
};
pub use self::search::{
    bulk_insert_indexes_records, reindex_rebuilds_keys_and_records_the_scheme,
    search_finds_records_by_their_keys, update_replaces_search_keys,
};
pub use self::staff::{
    staff_by_token_hash_finds_only_active_accounts, staff_duplicates_are_already_exists,
    staff_insert_and_lookup_by_username,
};
pub use self::tamper::{
    audit_entries_refuse_update_and_delete, audit_rows_show_tampering_exactly_as_stored,
};

/// Raw access to the database under test, which the tamper cases use to do what an attacker
/// with database access would do.
#[async_trait]
pub trait TamperAccess: Send + Sync {
    /// Runs one SQL statement directly on the database, bypassing the store; returns the number
    /// of rows it changed. The statements the suite sends are plain SQL that both SQLite and
    /// PostgreSQL accept.
    async fn execute_raw(&self, sql: &'static str) -> anyhow::Result<u64>;

    /// Drops the triggers that make `audit_entries` append-only (backend-specific SQL).
    async fn drop_append_only_triggers(&self) -> anyhow::Result<()>;
}

/// Expands to one `#[tokio::test]` per conformance case, each on a fresh store from `$factory`.
///
/// `$factory` is a path to an `async fn() -> anyhow::Result<(Arc<dyn Store>, Guard)>` where
/// `Guard` implements [`TamperAccess`].
#[macro_export]
macro_rules! conformance_suite {
    ($factory:path) => {
        $crate::conformance_suite!(@store_cases $factory;
            ping_answers,
            record_round_trip_each_kind,
            missing_record_is_none,
            duplicate_record_is_already_exists,
            failed_insert_leaves_transaction_usable,
            update_record_replaces_it,
            update_missing_record_is_not_found,
            list_records_by_kind_with_paging,
            link_round_trip,
            duplicate_link_is_already_exists,
            link_to_missing_record_is_not_found,
            links_of_from_either_end,
            search_finds_records_by_their_keys,
            update_replaces_search_keys,
            bulk_insert_indexes_records,
            report_round_trip_full_and_empty,
            duplicate_report_reference_is_already_exists,
            duplicate_idempotency_key_is_already_exists,
            report_by_idempotency_key_finds_the_report,
            report_for_missing_record_is_not_found,
            update_report_changes_only_the_mutable_fields,
            update_missing_report_is_not_found,
            list_reports_newest_first_with_status_and_limit,
            report_timeline_in_id_order,
            report_update_for_missing_report_or_duplicate_id_fails,
            one_time_codes_latest_and_count_since,
            one_time_code_updates_and_errors,
            unaudited_report_writes_are_refused_and_nothing_persisted,
            report_rollback_leaves_nothing,
            crime_sequences_are_per_force_and_year_and_gapless,
            concurrent_crime_sequences_never_repeat,
            crime_numbers_are_unique,
            report_allocations_round_trip_and_list_open_reports,
            report_tasks_round_trip_complete_and_errors,
            staff_insert_and_lookup_by_username,
            staff_duplicates_are_already_exists,
            staff_by_token_hash_finds_only_active_accounts,
            staff_identity_round_trip,
            identity_writes_check_their_references,
            failed_sign_ins_count_in_a_window,
            staff_sessions_open_touch_and_end,
            pending_sign_ins_and_inactive_staff,
            unaudited_identity_writes_are_refused,
            append_audit_is_gapless_across_transactions,
            append_audit_of_nothing_appends_nothing,
            large_audit_batch_is_stored_whole,
            rollback_discards_records_and_audit_entries,
            dropped_transaction_rolls_back,
            unaudited_write_is_refused_and_nothing_persisted,
            audited_read_only_transaction_commits,
            uncommitted_writes_are_invisible_to_store_reads,
            concurrent_appenders_get_gapless_sequence_numbers,
            checkpoints_insert_list_latest,
            checkpoint_conflicts_are_already_exists,
            audit_rows_paging,
            audit_search_finds_exactly_the_matching_entries,
            audit_search_pages_newest_first,
            audit_search_windows_and_purposes_at_the_edges,
            audit_index_follows_the_transaction,
            due_reviews_by_date_kind_and_limit,
            review_log_round_trip_and_audit_rule,
            erase_record_removes_keys_and_links,
        );
        $crate::conformance_suite!(@tamper_cases $factory;
            audit_entries_refuse_update_and_delete,
            audit_rows_show_tampering_exactly_as_stored,
            reindex_rebuilds_keys_and_records_the_scheme,
        );
    };
    (@store_cases $factory:path; $($case:ident),+ $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() -> ::anyhow::Result<()> {
                let (store, _guard) = $factory().await?;
                $crate::conformance::$case(store).await
            }
        )+
    };
    (@tamper_cases $factory:path; $($case:ident),+ $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() -> ::anyhow::Result<()> {
                let (store, guard) = $factory().await?;
                $crate::conformance::$case(store, &guard).await
            }
        )+
    };
}

/// Every record kind, in POLE order.
const ALL_KINDS: [RecordKind; 4] = [
    RecordKind::Person,
    RecordKind::Object,
    RecordKind::Location,
    RecordKind::Event,
];

/// Commits `tx` or says which step failed.
async fn commit(tx: Box<dyn StoreTx>, step: &str) -> anyhow::Result<()> {
    tx.commit()
        .await
        .with_context(|| format!("commit failed: {step}"))
}

/// Appends one audit entry for `action` in `tx`.
async fn audit(tx: &mut Box<dyn StoreTx>, action: &str) -> anyhow::Result<Vec<u64>> {
    tx.append_audit(&[fixtures::audit_entry(action)])
        .await
        .with_context(|| format!("append_audit failed for {action}"))
}

/// Inserts `records` in one audited transaction.
async fn insert_committed(store: &Arc<dyn Store>, records: &[Record]) -> anyhow::Result<()> {
    let mut tx = store.begin().await?;
    for record in records {
        tx.insert_record(record)
            .await
            .with_context(|| format!("insert_record {}", record.id))?;
    }
    audit(&mut tx, "record.create").await?;
    commit(tx, "insert records").await
}

/// Reads one record in a fresh transaction (rolled back).
async fn read_record(store: &Arc<dyn Store>, id: RecordId) -> anyhow::Result<Option<Record>> {
    let mut tx = store.begin().await?;
    let record = tx.get_record(id).await?;
    tx.rollback().await?;
    Ok(record)
}

/// Checks every stored row: seqs are exactly `0..expected.len()`, each leaf is the canonical
/// encoding of the expected entry at that seq, and each stored hash is the leaf's hash.
async fn check_audit_log(store: &Arc<dyn Store>, expected: &[NewEntry]) -> anyhow::Result<()> {
    let expected_len = u64::try_from(expected.len())?;
    let size = store.audit_size().await?;
    ensure!(
        size == expected_len,
        "audit_size is {size}, expected {expected_len}"
    );
    let rows = store
        .audit_rows(0, u32::try_from(expected.len().saturating_add(10))?)
        .await?;
    ensure!(
        rows.len() == expected.len(),
        "audit_rows returned {} rows, expected {}",
        rows.len(),
        expected.len()
    );
    for ((index, row), new_entry) in rows.iter().enumerate().zip(expected) {
        let seq = u64::try_from(index)?;
        ensure!(
            row.seq == seq,
            "row {index} has seq {}, expected {seq}",
            row.seq
        );
        let entry = Entry {
            seq,
            entry: new_entry.clone(),
        };
        ensure!(
            row.leaf == entry.leaf_bytes(),
            "row {seq}: stored leaf is not the canonical encoding of the appended entry"
        );
        ensure!(
            row.leaf_hash == bluelamp_audit::leaf_hash(&row.leaf),
            "row {seq}: stored leaf_hash is not leaf_hash(leaf)"
        );
        let decoded = Entry::from_leaf_bytes(&row.leaf)
            .map_err(|error| anyhow::anyhow!("row {seq}: leaf does not decode: {error}"))?;
        ensure!(
            decoded.seq == seq,
            "row {seq}: leaf embeds seq {}",
            decoded.seq
        );
    }
    Ok(())
}

/// The backend answers a ping and names itself.
pub async fn ping_answers(store: Arc<dyn Store>) -> anyhow::Result<()> {
    store.ping().await.context("ping")?;
    ensure!(!store.backend_name().is_empty(), "backend_name is empty");
    ensure!(
        store.audit_size().await? == 0,
        "a fresh store has audit entries"
    );
    Ok(())
}
