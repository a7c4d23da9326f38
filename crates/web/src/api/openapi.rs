//! The OpenAPI 3.1 document of the API, served at `/api/v1/openapi.json`.

use std::sync::LazyLock;

use axum::Json;
use utoipa::openapi::OpenApi as OpenApiDocument;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api::{audit, links, records, reports};
use crate::error::{ErrorBody, ErrorDetail};
use crate::ops::health;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Bluelamp API",
        version = "1",
        description = "The JSON API of a Bluelamp server: POLE records (people, objects, \
            locations, events), the links between them, and the audit log's signed \
            checkpoints.\n\nAuthenticate with `Authorization: Bearer <token>`. Every request \
            that consults personal data must state its purpose (`X-Purpose` header or \
            `purpose` query parameter); the purpose is written to the audit log. Every error \
            is `{\"error\": {\"code\", \"message\", \"field\"}}` with a stable `code`.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    paths(
        records::create::create_record,
        records::read::read_record,
        records::list::list_records,
        links::create::create_link,
        links::list::list_links_of_record,
        reports::update::update_report,
        audit::checkpoint::latest_checkpoint,
        audit::consistency::consistency_proof,
        openapi_document,
        health::healthz,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerTokenScheme),
    tags(
        (name = "records", description = "POLE records: create, read and list"),
        (name = "links", description = "Typed, time-bounded links between records"),
        (name = "reports", description = "Online reports from the public: the police side"),
        (name = "audit", description = "The append-only audit log's signed checkpoints and the proofs that it only grew"),
        (name = "meta", description = "This document"),
        (name = "operations", description = "Health checks for operators"),
    )
)]
struct ApiDoc;

/// Declares the `bearer` security scheme the endpoints refer to.
struct BearerTokenScheme;

impl Modify for BearerTokenScheme {
    fn modify(&self, openapi: &mut OpenApiDocument) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A staff account's API token, issued when the account is created",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document, built once.
static DOCUMENT: LazyLock<OpenApiDocument> = LazyLock::new(ApiDoc::openapi);

/// The OpenAPI 3.1 document describing this API.
pub fn openapi() -> OpenApiDocument {
    DOCUMENT.clone()
}

/// Get this OpenAPI document.
///
/// Business rule: the OpenAPI 3.1 description of every endpoint, its parameters, bodies and
/// errors, built from the code that serves them.
///
/// Who may call it: anyone; it describes the interface, not any data.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI document", body = Object))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn openapi_document() -> Json<&'static OpenApiDocument> {
    Json(&DOCUMENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_api_route_is_documented() {
        let document = openapi();
        let paths: Vec<&str> = document.paths.paths.keys().map(String::as_str).collect();
        for path in [
            "/api/v1/records",
            "/api/v1/records/{id}",
            "/api/v1/records/{id}/links",
            "/api/v1/links",
            "/api/v1/audit/checkpoint",
            "/api/v1/audit/consistency",
            "/api/v1/openapi.json",
            "/healthz",
        ] {
            assert!(paths.contains(&path), "{path} is not documented");
        }
    }

    #[test]
    fn schemas_referenced_are_defined() {
        let json = serde_json::to_string(&openapi()).unwrap();
        let defined: Vec<String> = openapi()
            .components
            .unwrap()
            .schemas
            .keys()
            .cloned()
            .collect();
        for reference in json.split("#/components/schemas/").skip(1) {
            let name = reference.split('"').next().unwrap();
            assert!(
                defined.iter().any(|d| d == name),
                "{name} is referenced but not defined"
            );
        }
    }
}
