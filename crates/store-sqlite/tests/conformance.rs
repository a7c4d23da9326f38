//! Runs the shared storage conformance suite against SQLite, one fresh file per test.

use std::sync::Arc;

use bluelamp_store::Store;
use bluelamp_store_sqlite::testing::{TestStoreDir, fresh_store};

/// A fresh store on a new file in a temporary directory.
async fn sqlite_store() -> anyhow::Result<(Arc<dyn Store>, TestStoreDir)> {
    let (store, guard) = fresh_store().await?;
    Ok((Arc::new(store), guard))
}

bluelamp_store::conformance_suite!(sqlite_store);
