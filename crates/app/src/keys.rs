//! The checkpoint signing key on disk.

use std::io::Write as _;
use std::path::Path;

use bluelamp_audit::CheckpointSigner;
use secrecy::ExposeSecret as _;

use crate::AppError;

/// Loads the PKCS#8 PEM signing key at `path`, or generates one there (mode 0600) when the
/// file does not exist.
pub fn load_or_generate_signing_key(path: &Path) -> Result<CheckpointSigner, AppError> {
    match std::fs::read_to_string(path) {
        Ok(pem) => CheckpointSigner::from_pkcs8_pem(&pem).map_err(|error| {
            AppError::Internal(format!(
                "signing key {} is unreadable: {error}",
                path.display()
            ))
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let signer = CheckpointSigner::generate();
            let pem = signer.to_pkcs8_pem().map_err(|error| {
                AppError::Internal(format!("cannot encode signing key: {error}"))
            })?;
            write_private(path, pem.expose_secret().as_bytes()).map_err(|error| {
                AppError::Internal(format!(
                    "cannot write signing key {}: {error}",
                    path.display()
                ))
            })?;
            tracing::info!(path = %path.display(), key_id = %signer.key_id(), "generated checkpoint signing key");
            Ok(signer)
        }
        Err(error) => Err(AppError::Internal(format!(
            "cannot read signing key {}: {error}",
            path.display()
        ))),
    }
}

/// Writes a new file readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
