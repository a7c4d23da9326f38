//! The audit log's consistency proofs: a witness that holds one checkpoint accepts the next
//! with the proof the server gives; bad parameters are specific 400s.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bluelamp_audit::{Hash, SignedCheckpoint, Witness, Witnessed};

use crate::helpers::{self, TestApp};

async fn checkpoint(app: &TestApp) -> SignedCheckpoint {
    let response = app.anonymous().get("/api/v1/audit/checkpoint").await;
    assert_eq!(response.status, 200, "{}", response.text);
    SignedCheckpoint::parse(&response.text).expect("the checkpoint parses")
}

#[tokio::test]
async fn a_witness_follows_the_checkpoints_with_the_consistency_proof() {
    let app = TestApp::spawn().await;
    let officer = app.officer();
    officer.create_record_ok(helpers::person()).await;
    app.app.write_checkpoint().await.unwrap().unwrap();
    let first = checkpoint(&app).await;
    for record in [helpers::vehicle(), helpers::location(), helpers::event()] {
        officer.create_record_ok(record).await;
    }
    app.app.write_checkpoint().await.unwrap().unwrap();
    let second = checkpoint(&app).await;
    let (from, to) = (first.checkpoint.size, second.checkpoint.size);
    assert!(from < to, "{from} < {to}");

    let response = app
        .anonymous()
        .get(&format!("/api/v1/audit/consistency?from={from}&to={to}"))
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let body = response.json();
    assert_eq!(body["from"], from);
    assert_eq!(body["to"], to);
    let proof: Vec<Hash> = body["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hash| {
            STANDARD
                .decode(hash.as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap()
        })
        .collect();
    assert!(!proof.is_empty());

    let mut witness = Witness::new(app.app.verifying_key(), first.checkpoint.origin.clone());
    assert_eq!(witness.offer(&first, &[]), Ok(Witnessed::First));
    assert_eq!(
        witness.offer(&second, &proof),
        Ok(Witnessed::Grew { from, to })
    );
    // The same proof does not carry a forged checkpoint of the same size.
    let mut bad = proof.clone();
    bad[0][0] ^= 1;
    let mut other = Witness::starting_from(app.app.verifying_key(), first).unwrap();
    assert!(other.offer(&second, &bad).is_err());

    let same = app
        .anonymous()
        .get(&format!("/api/v1/audit/consistency?from={to}&to={to}"))
        .await;
    assert_eq!(same.status, 200, "{}", same.text);
    assert_eq!(same.json()["proof"], serde_json::json!([]));
}

#[tokio::test]
async fn bad_consistency_parameters_are_specific_400s() {
    let app = TestApp::spawn().await;
    app.officer().create_record_ok(helpers::person()).await;
    let client = app.anonymous();
    for (query, field, words) in [
        ("", "from", "from is required"),
        ("?from=1", "to", "to is required"),
        ("?from=one&to=2", "from", "not a log size"),
        ("?from=1&to=-2", "to", "not a log size"),
        ("?from=2&to=1", "from", "must not be greater than"),
        ("?from=0&to=1", "from", "at least 1"),
        ("?from=1&to=999999", "to", "beyond the log"),
    ] {
        let response = client
            .get(&format!("/api/v1/audit/consistency{query}"))
            .await;
        response.assert_error(400, "invalid_parameter", Some(field));
        let message = response.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains(words), "{query}: {message}");
    }
}
