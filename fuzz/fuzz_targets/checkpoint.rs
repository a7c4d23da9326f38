//! `SignedCheckpoint::parse` on arbitrary text: it never panics; what it accepts is
//! canonical (`to_text` gives the input back); `verify` with a fixed key never panics; and
//! the parsed checkpoint, re-signed with that key, verifies and round-trips as text.
#![no_main]

use bluelamp_audit::{CheckpointError, SignedCheckpoint};
use bluelamp_fuzz::{fixed_signer, other_signer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = SignedCheckpoint::parse(text) else {
        return;
    };
    assert_eq!(
        parsed.to_text(),
        text,
        "accepted checkpoint text is not canonical"
    );
    assert_eq!(
        SignedCheckpoint::parse(&parsed.to_text()),
        Ok(parsed.clone())
    );

    let signer = fixed_signer();
    let key = signer.verifying_key();
    let verdict = parsed.verify(&key);
    if parsed.key_id != signer.key_id() {
        assert!(
            matches!(verdict, Err(CheckpointError::KeyIdMismatch { .. })),
            "a foreign key id must be refused first, got {verdict:?}"
        );
    }

    let resigned = signer.sign(parsed.checkpoint.clone());
    assert_eq!(
        resigned.checkpoint, parsed.checkpoint,
        "signing changed the checkpoint"
    );
    assert_eq!(resigned.verify(&key), Ok(()));
    assert_eq!(
        SignedCheckpoint::parse(&resigned.to_text()).as_ref(),
        Ok(&resigned)
    );
    // The same body under another key's signature must not verify.
    let forged = SignedCheckpoint {
        signature: other_signer().sign(parsed.checkpoint.clone()).signature,
        ..resigned
    };
    assert_eq!(forged.verify(&key), Err(CheckpointError::BadSignature));
});
