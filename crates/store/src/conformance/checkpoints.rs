//! Signed checkpoints.

use std::sync::Arc;

use anyhow::{Context as _, ensure};

use super::fixtures;
use crate::{Store, StoreError};

/// Checkpoints come back by size; the latest is the largest; storing the same checkpoint again
/// is harmless.
pub async fn checkpoints_insert_list_latest(store: Arc<dyn Store>) -> anyhow::Result<()> {
    ensure!(
        store.checkpoints().await?.is_empty(),
        "a fresh store has checkpoints"
    );
    ensure!(
        store.latest_checkpoint().await?.is_none(),
        "a fresh store has a latest checkpoint"
    );

    let signer = bluelamp_audit::CheckpointSigner::generate();
    let five = fixtures::checkpoint(&signer, 5);
    let two = fixtures::checkpoint(&signer, 2);
    let nine = fixtures::checkpoint(&signer, 9);
    for checkpoint in [&five, &two, &nine] {
        store.insert_checkpoint(checkpoint).await?;
    }
    store
        .insert_checkpoint(&five)
        .await
        .context("storing an identical checkpoint again")?;

    let all = store.checkpoints().await?;
    ensure!(
        all == [two, five, nine.clone()],
        "checkpoints not all there in size order: {all:?}"
    );
    let latest = store.latest_checkpoint().await?;
    ensure!(latest == Some(nine), "latest checkpoint is {latest:?}");
    Ok(())
}

/// A different checkpoint for a size already stored fails with `AlreadyExists`.
pub async fn checkpoint_conflicts_are_already_exists(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let signer = bluelamp_audit::CheckpointSigner::generate();
    let original = fixtures::checkpoint(&signer, 4);
    store.insert_checkpoint(&original).await?;
    let mut forged = original.checkpoint.clone();
    forged.root = [0xee; 32];
    let forged = signer.sign(forged);
    let result = store.insert_checkpoint(&forged).await;
    ensure!(
        matches!(
            result,
            Err(StoreError::AlreadyExists {
                what: "checkpoint",
                ..
            })
        ),
        "a conflicting checkpoint gave {result:?}"
    );
    let all = store.checkpoints().await?;
    ensure!(all == [original], "the stored checkpoint changed: {all:?}");
    Ok(())
}
