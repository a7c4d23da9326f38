//! Staff accounts: round trips, unique keys and token look-up.

use std::sync::Arc;

use anyhow::ensure;

use super::{audit, commit, fixtures};
use crate::{Store, StoreError};

/// A staff account comes back by username exactly as stored (times to the microsecond).
pub async fn staff_insert_and_lookup_by_username(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let staff = fixtures::staff("pc-4021", true)?;
    let mut tx = store.begin().await?;
    tx.insert_staff(&staff).await?;
    audit(&mut tx, "staff.create").await?;
    commit(tx, "insert staff").await?;

    let mut tx = store.begin().await?;
    let stored = tx.staff_by_username("pc-4021").await?;
    ensure!(
        stored == Some(fixtures::staff_as_stored(&staff)),
        "staff did not round-trip: {stored:?}"
    );
    ensure!(
        tx.staff_by_username("nobody").await?.is_none(),
        "found an unknown username"
    );
    tx.rollback().await?;
    Ok(())
}

/// Duplicate account ids, usernames and token hashes fail with `AlreadyExists`.
pub async fn staff_duplicates_are_already_exists(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let staff = fixtures::staff("dc-1187", true)?;
    let mut tx = store.begin().await?;
    tx.insert_staff(&staff).await?;

    let mut same_id = fixtures::staff("other-1", true)?;
    same_id.id = staff.id;
    let mut same_username = fixtures::staff("dc-1187", true)?;
    same_username.display_name = "Someone Else".to_owned();
    let mut same_token = fixtures::staff("other-2", true)?;
    same_token.token_hash = staff.token_hash;
    for (case, duplicate) in [
        ("same id", same_id),
        ("same username", same_username),
        ("same token hash", same_token),
    ] {
        let result = tx.insert_staff(&duplicate).await;
        ensure!(
            matches!(result, Err(StoreError::AlreadyExists { .. })),
            "{case}: gave {result:?}"
        );
    }
    audit(&mut tx, "staff.create").await?;
    commit(tx, "staff with failed duplicates").await?;
    let mut tx = store.begin().await?;
    let stored = tx.staff_by_username("dc-1187").await?;
    tx.rollback().await?;
    ensure!(
        stored == Some(fixtures::staff_as_stored(&staff)),
        "the original account changed: {stored:?}"
    );
    Ok(())
}

/// Token look-up finds active accounts only.
pub async fn staff_by_token_hash_finds_only_active_accounts(
    store: Arc<dyn Store>,
) -> anyhow::Result<()> {
    let active = fixtures::staff("active-officer", true)?;
    let inactive = fixtures::staff("left-the-force", false)?;
    let mut tx = store.begin().await?;
    tx.insert_staff(&active).await?;
    tx.insert_staff(&inactive).await?;
    audit(&mut tx, "staff.create").await?;
    commit(tx, "insert staff").await?;

    let found = store.staff_by_token_hash(&active.token_hash).await?;
    ensure!(
        found == Some(fixtures::staff_as_stored(&active)),
        "active account not found by token: {found:?}"
    );
    let found = store.staff_by_token_hash(&inactive.token_hash).await?;
    ensure!(found.is_none(), "inactive account authenticated: {found:?}");
    let found = store.staff_by_token_hash(&[0x5a; 32]).await?;
    ensure!(found.is_none(), "unknown token authenticated: {found:?}");
    Ok(())
}
