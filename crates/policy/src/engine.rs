//! The Cedar-backed policy engine.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use cedar_policy::{
    ActionConstraint, Authorizer, Context, Entities, Entity, EntityId, EntityTypeName, EntityUid,
    PolicyId, PolicySet, Request, RestrictedExpression, Schema, ValidationMode, Validator,
};

use bluelamp_domain::ids::RecordKind;
use bluelamp_domain::marking::Classification;

use crate::model::{
    AccessRequest, Action, Decision, NeedToKnow, PrincipalKind, Resource, ResourceKind, Role,
    Subject,
};

/// The Cedar namespace of every Bluelamp entity type and action.
pub const NAMESPACE: &str = "Bluelamp";

/// The shipped schema (`policies/bluelamp.cedarschema`).
pub const EMBEDDED_SCHEMA: &str = include_str!("../policies/bluelamp.cedarschema");

/// The shipped policy files, as `(file name, source)`, one file per concern.
pub const EMBEDDED_POLICIES: &[(&str, &str)] = &[
    ("records.cedar", include_str!("../policies/records.cedar")),
    ("staff.cedar", include_str!("../policies/staff.cedar")),
    ("audit.cedar", include_str!("../policies/audit.cedar")),
    ("system.cedar", include_str!("../policies/system.cedar")),
    ("reports.cedar", include_str!("../policies/reports.cedar")),
    ("forbid.cedar", include_str!("../policies/forbid.cedar")),
];

/// The source name used for policies given to [`PolicyEngine::from_sources`].
const INLINE_SOURCE: &str = "<policies>";

/// Why a policy engine could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The schema text is not a valid Cedar schema.
    #[error("cannot parse the cedar schema: {0}")]
    SchemaParse(String),
    /// The schema parsed, but with warnings (e.g. a name shadowing a builtin type).
    #[error("the cedar schema has warnings: {0}")]
    SchemaWarning(String),
    /// The schema lacks an entity type or action this crate builds requests with.
    #[error("the cedar schema does not declare {0}, which the engine needs")]
    SchemaIncomplete(String),
    /// A policy source is not valid Cedar.
    #[error("cannot parse policies in {source_name}: {message}")]
    PolicyParse {
        /// The file name (or `<policies>`).
        source_name: String,
        /// Cedar's parse errors.
        message: String,
    },
    /// A policy has no `@id("...")` annotation.
    #[error("a policy in {source_name} has no @id annotation: {excerpt}")]
    MissingId {
        /// The file name (or `<policies>`).
        source_name: String,
        /// The policy's first line, to find it.
        excerpt: String,
    },
    /// An `@id` is not usable (empty) or is used twice.
    #[error("policy id `{id}` in {source_name} is empty or already used")]
    DuplicateId {
        /// The offending id.
        id: String,
        /// The file name (or `<policies>`).
        source_name: String,
    },
    /// A source holds a policy template; templates (for data sharing
    /// agreements) are not supported yet.
    #[error("{source_name} holds a policy template, which is not supported yet")]
    Template {
        /// The file name (or `<policies>`).
        source_name: String,
    },
    /// The entities the engine builds do not conform to the schema (the
    /// schema and this crate have drifted apart).
    #[error("the entities the engine builds do not conform to the schema: {0}")]
    EntityMismatch(String),
    /// The policies could not be indexed by action (an internal inconsistency).
    #[error("cannot index the policies by action: {0}")]
    Index(String),
    /// One or more policies fail strict validation against the schema.
    #[error("policies fail strict validation against the schema: {}", join(.0))]
    Validation(Vec<PolicyIssue>),
    /// A policy directory or one of its files cannot be read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The directory or file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A policy directory does not hold exactly one schema file.
    #[error("{dir} must hold exactly one .cedarschema file, it holds {found}")]
    SchemaFile {
        /// The directory.
        dir: String,
        /// How many it holds.
        found: usize,
    },
}

/// How one policy set differs from another, by policy id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyDiff {
    /// Ids only in the newer set.
    pub added: Vec<String>,
    /// Ids only in the older set.
    pub removed: Vec<String>,
    /// Ids in both whose text differs.
    pub changed: Vec<String>,
    /// Whether the schema text differs.
    pub schema_changed: bool,
}

impl PolicyDiff {
    /// True when nothing differs.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && !self.schema_changed
    }
}

impl fmt::Display for PolicyDiff {
    /// E.g. `added audit.x; changed records.y; schema changed`, or `no change`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        for (label, ids) in [
            ("added", &self.added),
            ("removed", &self.removed),
            ("changed", &self.changed),
        ] {
            if !ids.is_empty() {
                parts.push(format!("{label} {}", ids.join(", ")));
            }
        }
        if self.schema_changed {
            parts.push("schema changed".to_owned());
        }
        if parts.is_empty() {
            write!(f, "no change")
        } else {
            write!(f, "{}", parts.join("; "))
        }
    }
}

/// One validation error or warning, attributed to the policy that caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyIssue {
    /// The policy's `@id`.
    pub policy: String,
    /// Cedar's description of the problem.
    pub message: String,
}

impl fmt::Display for PolicyIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "policy `{}`: {}", self.policy, self.message)
    }
}

fn join(issues: &[PolicyIssue]) -> String {
    issues
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Whether a policy permits or forbids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// A `permit` policy.
    Permit,
    /// A `forbid` policy.
    Forbid,
}

/// One loaded policy, for listing and explanation (ABAC-07).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySummary {
    /// The policy's `@id`.
    pub id: String,
    /// Permit or forbid.
    pub effect: Effect,
    /// The policy's Cedar source, annotations included.
    pub source: String,
}

/// Pre-built Cedar names, so a decision parses nothing.
#[derive(Debug, Clone)]
struct Names {
    staff: EntityTypeName,
    citizen: EntityTypeName,
    system: EntityTypeName,
    record: EntityTypeName,
    record_collection: EntityTypeName,
    link: EntityTypeName,
    staff_directory: EntityTypeName,
    audit_log: EntityTypeName,
    report: EntityTypeName,
    field: EntityTypeName,
    actions: HashMap<Action, EntityUid>,
}

impl Names {
    fn new(schema: &Schema) -> Result<Self, PolicyError> {
        let declared: HashSet<&EntityTypeName> = schema.entity_types().collect();
        let entity_type = |name: &str| -> Result<EntityTypeName, PolicyError> {
            let full = format!("{NAMESPACE}::{name}");
            let parsed = EntityTypeName::from_str(&full)
                .map_err(|_| PolicyError::SchemaIncomplete(format!("entity type `{full}`")))?;
            if declared.contains(&parsed) {
                Ok(parsed)
            } else {
                Err(PolicyError::SchemaIncomplete(format!(
                    "entity type `{full}`"
                )))
            }
        };
        let declared_actions: HashSet<&EntityUid> = schema.actions().collect();
        let action_type = EntityTypeName::from_str(&format!("{NAMESPACE}::Action"))
            .map_err(|_| PolicyError::SchemaIncomplete(format!("`{NAMESPACE}::Action`")))?;
        let mut actions = HashMap::new();
        for action in Action::ALL {
            let uid = EntityUid::from_type_name_and_id(
                action_type.clone(),
                EntityId::new(action.as_str()),
            );
            if !declared_actions.contains(&uid) {
                return Err(PolicyError::SchemaIncomplete(format!("action `{uid}`")));
            }
            actions.insert(action, uid);
        }
        Ok(Self {
            staff: entity_type("Staff")?,
            citizen: entity_type("Citizen")?,
            system: entity_type("System")?,
            record: entity_type("Record")?,
            record_collection: entity_type("RecordCollection")?,
            link: entity_type("Link")?,
            staff_directory: entity_type("StaffDirectory")?,
            audit_log: entity_type("AuditLog")?,
            report: entity_type("Report")?,
            field: entity_type("Field")?,
            actions,
        })
    }
}

/// Decides access requests against a strictly validated Cedar policy set.
///
/// Build it once (it parses and validates) and share it (`Arc<PolicyEngine>`);
/// [`PolicyEngine::authorize`] only builds the request's two entities.
#[derive(Debug, Clone)]
pub struct PolicyEngine {
    schema: Schema,
    policies: PolicySet,
    /// Per action: the policies whose scope can match it and the action's
    /// place in the schema's action hierarchy.
    slices: HashMap<Action, ActionSlice>,
    authorizer: Authorizer,
    names: Names,
    /// The schema text it was built from.
    schema_text: String,
    /// `sha256:<hex>` of the schema and every policy file, in file-name order.
    fingerprint: String,
}

impl PolicyEngine {
    /// The engine over the schema and policies shipped in `crates/policy/policies/`.
    ///
    /// # Errors
    /// If the shipped schema or policies are invalid (a build defect; the
    /// crate's tests prevent it).
    pub fn embedded() -> Result<Self, PolicyError> {
        Self::from_named_sources(EMBEDDED_SCHEMA, EMBEDDED_POLICIES)
    }

    /// An engine over the given Cedar schema (human format) and policies.
    ///
    /// Every policy needs a unique `@id("...")`, which becomes its policy id
    /// (reported in [`Decision::determining_policies`]). Policies are validated
    /// strictly against the schema; any validation error or warning fails.
    ///
    /// # Errors
    /// [`PolicyError`] naming the schema problem or the offending policy.
    pub fn from_sources(schema: &str, policies: &str) -> Result<Self, PolicyError> {
        Self::from_named_sources(schema, &[(INLINE_SOURCE, policies)])
    }

    /// An engine over a directory of policy files: exactly one `*.cedarschema` and every
    /// `*.cedar` file, read in file-name order, validated strictly like the shipped ones.
    ///
    /// # Errors
    /// [`PolicyError::Read`] when the directory or a file cannot be read,
    /// [`PolicyError::SchemaFile`] without exactly one schema, and every error of
    /// [`PolicyEngine::from_sources`].
    pub fn from_dir(dir: &std::path::Path) -> Result<Self, PolicyError> {
        let read_error = |path: &std::path::Path, error: std::io::Error| PolicyError::Read {
            path: path.display().to_string(),
            message: error.to_string(),
        };
        let mut schemas = Vec::new();
        let mut sources = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| read_error(dir, e))? {
            let path = entry.map_err(|e| read_error(dir, e))?.path();
            let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
                continue;
            };
            let name = name.to_owned();
            if name.ends_with(".cedarschema") {
                schemas.push(std::fs::read_to_string(&path).map_err(|e| read_error(&path, e))?);
            } else if name.ends_with(".cedar") {
                let text = std::fs::read_to_string(&path).map_err(|e| read_error(&path, e))?;
                sources.push((name, text));
            }
        }
        let [schema] = schemas.as_slice() else {
            return Err(PolicyError::SchemaFile {
                dir: dir.display().to_string(),
                found: schemas.len(),
            });
        };
        sources.sort();
        let named: Vec<(&str, &str)> = sources
            .iter()
            .map(|(name, text)| (name.as_str(), text.as_str()))
            .collect();
        Self::from_named_sources(schema, &named)
    }

    /// `sha256:<hex>` of the schema and the policy files it was built from (file names and
    /// texts, in file-name order): two engines with the same fingerprint decide alike.
    #[must_use]
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// How `newer` differs from this engine, policy by policy.
    #[must_use]
    pub fn diff(&self, newer: &PolicyEngine) -> PolicyDiff {
        let old: HashMap<String, String> = self
            .policies()
            .into_iter()
            .map(|policy| (policy.id, policy.source))
            .collect();
        let new: HashMap<String, String> = newer
            .policies()
            .into_iter()
            .map(|policy| (policy.id, policy.source))
            .collect();
        let mut diff = PolicyDiff {
            schema_changed: self.schema_text != newer.schema_text,
            ..PolicyDiff::default()
        };
        for (id, source) in &new {
            match old.get(id) {
                None => diff.added.push(id.clone()),
                Some(before) if before != source => diff.changed.push(id.clone()),
                Some(_) => {}
            }
        }
        diff.removed = old
            .keys()
            .filter(|id| !new.contains_key(*id))
            .cloned()
            .collect();
        diff.added.sort();
        diff.removed.sort();
        diff.changed.sort();
        diff
    }

    fn from_named_sources(schema: &str, sources: &[(&str, &str)]) -> Result<Self, PolicyError> {
        let fingerprint = fingerprint_of(schema, sources);
        let schema_text = schema.to_owned();
        let schema = parse_schema(schema)?;
        let names = Names::new(&schema)?;
        let mut policies = PolicySet::new();
        for (source_name, text) in sources {
            add_policies(&mut policies, source_name, text)?;
        }
        validate(&schema, &policies)?;
        let slices = slice_by_action(&schema, &names, &policies)?;
        let engine = Self {
            schema,
            policies,
            slices,
            authorizer: Authorizer::new(),
            names,
            schema_text,
            fingerprint,
        };
        engine.check_entity_conformance()?;
        Ok(engine)
    }

    /// Build one entity of every type the engine constructs and check it
    /// against the schema, once, so that requests need not be checked one by
    /// one: a schema that gains, loses or retypes an attribute the engine
    /// supplies fails here, at start-up, not silently at decision time.
    fn check_entity_conformance(&self) -> Result<(), PolicyError> {
        let subjects = [
            Subject {
                kind: PrincipalKind::Staff,
                id: "conformance".to_owned(),
                role: Some(Role::Officer),
                force: Some("conformance".to_owned()),
                clearance: Classification::Official,
                teams: vec!["conformance".to_owned()],
                caveats: vec!["conformance".to_owned()],
                competencies: vec!["conformance".to_owned()],
            },
            Subject::citizen("conformance"),
            Subject::system("conformance"),
        ];
        let record = Resource::record(
            RecordKind::Event,
            "conformance",
            "conformance",
            Classification::Official,
            false,
        )
        .with_need_to_know(NeedToKnow {
            caveats: vec!["conformance".to_owned()],
            restricted: true,
            access_staff: vec!["conformance".to_owned()],
            access_teams: vec!["conformance".to_owned()],
            flags: vec!["conformance".to_owned()],
        });
        let resources = [
            record.field("address"),
            record,
            Resource::record_collection("conformance"),
            Resource::link("conformance", "conformance", Classification::Official),
            Resource::staff_directory("conformance"),
            Resource::audit_log(),
            Resource::report("conformance", "conformance", "conformance"),
        ];
        let mismatch = PolicyError::EntityMismatch;
        let mut entities = Vec::new();
        for subject in &subjects {
            entities.push(self.principal_entity(subject).map_err(mismatch)?);
        }
        for resource in &resources {
            entities.push(self.resource_entity(resource).map_err(mismatch)?);
        }
        Entities::from_entities(entities, Some(&self.schema))
            .map_err(|e| PolicyError::EntityMismatch(chain(&e)))?;
        Ok(())
    }

    /// The loaded policies, sorted by id.
    #[must_use]
    pub fn policies(&self) -> Vec<PolicySummary> {
        let mut out: Vec<PolicySummary> = self
            .policies
            .policies()
            .map(|policy| PolicySummary {
                id: policy.id().to_string(),
                effect: match policy.effect() {
                    cedar_policy::Effect::Permit => Effect::Permit,
                    cedar_policy::Effect::Forbid => Effect::Forbid,
                },
                source: policy.to_string(),
            })
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    /// Decide one request. Never panics: a malformed request (e.g. a staff
    /// subject without a role or force, an action applied to the wrong kind of
    /// resource) or any policy evaluation error yields a denial carrying the
    /// error.
    #[must_use]
    pub fn authorize(&self, request: &AccessRequest<'_>) -> Decision {
        let policies = self
            .slices
            .get(&request.action)
            .map_or(&self.policies, |slice| &slice.policies);
        self.decide(request, policies)
    }

    fn decide(&self, request: &AccessRequest<'_>, policies: &PolicySet) -> Decision {
        match self.cedar_request(request) {
            Ok((cedar_request, entities)) => {
                let response = self
                    .authorizer
                    .is_authorized(&cedar_request, policies, &entities);
                let errors: Vec<String> = response
                    .diagnostics()
                    .errors()
                    .map(ToString::to_string)
                    .collect();
                let cedar_allowed = response.decision() == cedar_policy::Decision::Allow;
                // Fail closed: any evaluation error denies. The permits that
                // matched did not determine that denial, so they are not
                // reported; forbids that matched still are.
                let determining: BTreeSet<String> = if cedar_allowed && !errors.is_empty() {
                    BTreeSet::new()
                } else {
                    response
                        .diagnostics()
                        .reason()
                        .map(ToString::to_string)
                        .collect()
                };
                Decision {
                    allowed: cedar_allowed && errors.is_empty(),
                    determining_policies: determining.into_iter().collect(),
                    errors,
                }
            }
            Err(message) => Decision::error(message),
        }
    }

    fn cedar_request(&self, request: &AccessRequest<'_>) -> Result<(Request, Entities), String> {
        let principal = self.principal_entity(request.subject)?;
        let resource = self.resource_entity(request.resource)?;
        let action = self
            .names
            .actions
            .get(&request.action)
            .cloned()
            .ok_or_else(|| format!("action `{}` is not in the schema", request.action))?;
        let purpose = request.purpose.map(str::trim).unwrap_or_default();
        let context = Context::from_pairs([
            (
                "purpose".to_owned(),
                RestrictedExpression::new_string(purpose.to_owned()),
            ),
            (
                "has_purpose".to_owned(),
                RestrictedExpression::new_bool(!purpose.is_empty()),
            ),
        ])
        .map_err(|e| format!("invalid request context: {}", chain(&e)))?;
        let cedar_request = Request::new(
            principal.uid(),
            action,
            resource.uid(),
            context,
            Some(&self.schema),
        )
        .map_err(|e| format!("request does not conform to the schema: {}", chain(&e)))?;
        // Entity conformance to the schema was checked once at construction
        // (`check_entity_conformance`); the request itself is checked above.
        let hierarchy = self
            .slices
            .get(&request.action)
            .map(|slice| slice.hierarchy.iter().cloned())
            .into_iter()
            .flatten();
        let entities =
            Entities::from_entities([principal, resource].into_iter().chain(hierarchy), None)
                .map_err(|e| format!("invalid request entities: {}", chain(&e)))?;
        Ok((cedar_request, entities))
    }

    fn principal_entity(&self, subject: &Subject) -> Result<Entity, String> {
        match subject.kind {
            PrincipalKind::Staff => {
                let role = subject
                    .role
                    .ok_or_else(|| format!("staff subject `{}` has no role", subject.id))?;
                let force = subject
                    .force
                    .as_deref()
                    .ok_or_else(|| format!("staff subject `{}` has no force", subject.id))?;
                let attrs = HashMap::from([
                    (
                        "role".to_owned(),
                        RestrictedExpression::new_string(role.as_str().to_owned()),
                    ),
                    (
                        "force".to_owned(),
                        RestrictedExpression::new_string(force.to_owned()),
                    ),
                    (
                        "clearance".to_owned(),
                        RestrictedExpression::new_long(classification_level(subject.clearance)),
                    ),
                    ("teams".to_owned(), string_set(&subject.teams)),
                    ("caveats".to_owned(), string_set(&subject.caveats)),
                    ("competencies".to_owned(), string_set(&subject.competencies)),
                ]);
                entity(&self.names.staff, &subject.id, attrs)
            }
            PrincipalKind::Citizen => entity(&self.names.citizen, &subject.id, HashMap::new()),
            PrincipalKind::System => entity(&self.names.system, &subject.id, HashMap::new()),
        }
    }

    fn resource_entity(&self, resource: &Resource) -> Result<Entity, String> {
        let force = || {
            resource.force.as_deref().map_or_else(
                || Err(format!("resource `{}` has no owning force", resource.id)),
                |force| {
                    Ok((
                        "force".to_owned(),
                        RestrictedExpression::new_string(force.to_owned()),
                    ))
                },
            )
        };
        let classification = || {
            (
                "classification".to_owned(),
                RestrictedExpression::new_long(classification_level(resource.classification)),
            )
        };
        let need_to_know = &resource.need_to_know;
        let access = || {
            let staff = need_to_know.access_staff.iter().map(|id| {
                RestrictedExpression::new_entity_uid(EntityUid::from_type_name_and_id(
                    self.names.staff.clone(),
                    EntityId::new(id),
                ))
            });
            [
                (
                    "access_staff".to_owned(),
                    RestrictedExpression::new_set(staff),
                ),
                (
                    "access_teams".to_owned(),
                    string_set(&need_to_know.access_teams),
                ),
                ("flags".to_owned(), string_set(&need_to_know.flags)),
            ]
        };
        let kind_attr = |kind: RecordKind| {
            (
                "kind".to_owned(),
                RestrictedExpression::new_string(kind.as_str().to_owned()),
            )
        };
        match resource.kind {
            ResourceKind::Record(kind) => {
                let mut attrs = HashMap::from([
                    kind_attr(kind),
                    force()?,
                    classification(),
                    (
                        "sensitive".to_owned(),
                        RestrictedExpression::new_bool(resource.sensitive),
                    ),
                    ("caveats".to_owned(), string_set(&need_to_know.caveats)),
                    (
                        "restricted".to_owned(),
                        RestrictedExpression::new_bool(need_to_know.restricted),
                    ),
                ]);
                attrs.extend(access());
                entity(&self.names.record, &resource.id, attrs)
            }
            ResourceKind::Field(kind) => {
                let category = resource
                    .category
                    .as_deref()
                    .ok_or_else(|| format!("field of `{}` has no category", resource.id))?;
                let mut attrs = HashMap::from([
                    kind_attr(kind),
                    (
                        "category".to_owned(),
                        RestrictedExpression::new_string(category.to_owned()),
                    ),
                    force()?,
                    classification(),
                ]);
                attrs.extend(access());
                entity(&self.names.field, &resource.id, attrs)
            }
            ResourceKind::RecordCollection => entity(
                &self.names.record_collection,
                &resource.id,
                HashMap::from([force()?]),
            ),
            ResourceKind::Link => entity(
                &self.names.link,
                &resource.id,
                HashMap::from([force()?, classification()]),
            ),
            ResourceKind::StaffDirectory => entity(
                &self.names.staff_directory,
                &resource.id,
                HashMap::from([force()?]),
            ),
            ResourceKind::AuditLog => entity(&self.names.audit_log, &resource.id, HashMap::new()),
            ResourceKind::Report => {
                let reporter = resource
                    .reporter
                    .as_deref()
                    .ok_or_else(|| format!("report `{}` has no reporter", resource.id))?;
                let reporter =
                    RestrictedExpression::new_entity_uid(EntityUid::from_type_name_and_id(
                        self.names.citizen.clone(),
                        EntityId::new(reporter),
                    ));
                entity(
                    &self.names.report,
                    &resource.id,
                    HashMap::from([force()?, ("reporter".to_owned(), reporter)]),
                )
            }
        }
    }
}

/// What a decision about one action needs.
#[derive(Debug, Clone)]
struct ActionSlice {
    /// The policies whose action scope can match the action: an exact slice
    /// (a policy whose scope excludes the action is never satisfied and never
    /// errors), so a decision evaluates a handful of policies, not all.
    policies: PolicySet,
    /// The action's entity and its ancestors' when it belongs to an action
    /// group (so `action in Group` holds); empty when it belongs to none.
    hierarchy: Vec<Entity>,
}

/// Partition `policies` by the actions their scope can match, following the
/// schema's action hierarchy (`action in Group` matches members of `Group`).
fn slice_by_action(
    schema: &Schema,
    names: &Names,
    policies: &PolicySet,
) -> Result<HashMap<Action, ActionSlice>, PolicyError> {
    let action_entities = schema
        .action_entities()
        .map_err(|e| PolicyError::Index(chain(&e)))?;
    let mut slices = HashMap::new();
    for (action, uid) in &names.actions {
        let ancestors: Vec<&EntityUid> = action_entities
            .ancestors(uid)
            .into_iter()
            .flatten()
            .collect();
        let hierarchy: Vec<Entity> = if ancestors.is_empty() {
            Vec::new()
        } else {
            std::iter::once(uid)
                .chain(ancestors.iter().copied())
                .filter_map(|member| action_entities.get(member).cloned())
                .collect()
        };
        let mut matching: HashSet<&EntityUid> = ancestors.into_iter().collect();
        matching.insert(uid);
        let mut slice = PolicySet::new();
        for policy in policies.policies() {
            let applies = match policy.action_constraint() {
                ActionConstraint::Any => true,
                ActionConstraint::Eq(target) => target == *uid,
                ActionConstraint::In(targets) => targets.iter().any(|t| matching.contains(t)),
            };
            if applies {
                slice
                    .add(policy.clone())
                    .map_err(|e| PolicyError::Index(chain(&e)))?;
            }
        }
        slices.insert(
            *action,
            ActionSlice {
                policies: slice,
                hierarchy,
            },
        );
    }
    Ok(slices)
}

/// The Cedar encoding of a classification: OFFICIAL = 1, SECRET = 2, TOP SECRET = 3.
#[must_use]
pub const fn classification_level(classification: Classification) -> i64 {
    match classification {
        Classification::Official => 1,
        Classification::Secret => 2,
        Classification::TopSecret => 3,
    }
}

/// A Cedar set of strings.
fn string_set(values: &[String]) -> RestrictedExpression {
    RestrictedExpression::new_set(
        values
            .iter()
            .map(|value| RestrictedExpression::new_string(value.clone())),
    )
}

fn entity(
    type_name: &EntityTypeName,
    id: &str,
    attrs: HashMap<String, RestrictedExpression>,
) -> Result<Entity, String> {
    let uid = EntityUid::from_type_name_and_id(type_name.clone(), EntityId::new(id));
    Entity::new(uid, attrs, HashSet::new()).map_err(|e| format!("invalid entity: {}", chain(&e)))
}

/// `sha256:<hex>` over the schema and the named sources in name order, each length-prefixed so that no two
/// different inputs run together alike.
fn fingerprint_of(schema: &str, sources: &[(&str, &str)]) -> String {
    use sha2::{Digest as _, Sha256};
    let mut hasher = Sha256::new();
    let mut part = |text: &str| {
        hasher.update(u64::try_from(text.len()).unwrap_or(u64::MAX).to_be_bytes());
        hasher.update(text.as_bytes());
    };
    part(schema);
    let mut sorted = sources.to_vec();
    sorted.sort_unstable();
    for (name, text) in sorted {
        part(name);
        part(text);
    }
    format!("sha256:{}", hex::encode(hasher.finalize()))
}

fn parse_schema(text: &str) -> Result<Schema, PolicyError> {
    let (schema, warnings) =
        Schema::from_cedarschema_str(text).map_err(|e| PolicyError::SchemaParse(chain(&e)))?;
    let warnings: Vec<String> = warnings.map(|w| chain(&w)).collect();
    if warnings.is_empty() {
        Ok(schema)
    } else {
        Err(PolicyError::SchemaWarning(warnings.join("; ")))
    }
}

/// Parse `text`, re-key every policy by its `@id`, and add it to `set`.
fn add_policies(set: &mut PolicySet, source_name: &str, text: &str) -> Result<(), PolicyError> {
    let parsed = PolicySet::from_str(text).map_err(|e| PolicyError::PolicyParse {
        source_name: source_name.to_owned(),
        message: chain(&e),
    })?;
    if parsed.templates().next().is_some() {
        return Err(PolicyError::Template {
            source_name: source_name.to_owned(),
        });
    }
    for policy in parsed.policies() {
        let id = policy
            .annotation("id")
            .ok_or_else(|| PolicyError::MissingId {
                source_name: source_name.to_owned(),
                excerpt: excerpt(&policy.to_string()),
            })?
            .trim()
            .to_owned();
        let duplicate = || PolicyError::DuplicateId {
            id: id.clone(),
            source_name: source_name.to_owned(),
        };
        if id.is_empty() {
            return Err(duplicate());
        }
        set.add(policy.new_id(PolicyId::new(&id)))
            .map_err(|_| duplicate())?;
    }
    Ok(())
}

/// An error and its sources, `outer: inner: innermost`, without repeats
/// (Cedar puts the detail of many errors in their sources).
fn chain(error: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = vec![error.to_string()];
    let mut source = error.source();
    while let Some(inner) = source {
        let text = inner.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = inner.source();
    }
    parts.join(": ")
}

fn excerpt(source: &str) -> String {
    source
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with("//"))
        .unwrap_or_default()
        .to_owned()
}

fn validate(schema: &Schema, policies: &PolicySet) -> Result<(), PolicyError> {
    let result = Validator::new(schema.clone()).validate(policies, ValidationMode::Strict);
    let mut issues: Vec<PolicyIssue> = result
        .validation_errors()
        .map(|e| PolicyIssue {
            policy: e.policy_id().to_string(),
            message: chain(e),
        })
        .chain(result.validation_warnings().map(|w| PolicyIssue {
            policy: w.policy_id().to_string(),
            message: chain(w),
        }))
        .collect();
    if issues.is_empty() {
        Ok(())
    } else {
        issues.sort_by(|a, b| a.policy.cmp(&b.policy));
        Err(PolicyError::Validation(issues))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deciding against the action's slice gives exactly the decision the
    /// whole policy set gives (decision, determining policies and errors).
    #[test]
    fn slices_decide_like_the_whole_set() {
        let engine = PolicyEngine::embedded().expect("shipped policies load");
        let classifications = [
            Classification::Official,
            Classification::Secret,
            Classification::TopSecret,
        ];
        let mut subjects = vec![
            Subject::citizen("c"),
            Subject::citizen("anonymous"),
            Subject::system("s"),
        ];
        for role in Role::ALL {
            for clearance in classifications {
                subjects.push(Subject {
                    kind: PrincipalKind::Staff,
                    id: "staff".to_owned(),
                    role: Some(role),
                    force: Some("kent".to_owned()),
                    clearance,
                    teams: Vec::new(),
                    caveats: Vec::new(),
                    competencies: Vec::new(),
                });
            }
        }
        let mut resources = vec![Resource::audit_log()];
        for force in ["kent", "essex"] {
            for classification in classifications {
                resources.push(Resource::record(
                    RecordKind::Person,
                    "r",
                    force,
                    classification,
                    true,
                ));
                resources.push(Resource::link("l", force, classification));
            }
            resources.push(Resource::record_collection(force));
            resources.push(Resource::staff_directory(force));
            for reporter in ["c", "reporter:7K3M9QXD2H4"] {
                resources.push(Resource::report("7K3M9QXD2H4", force, reporter));
            }
        }
        let mut compared = 0;
        for subject in &subjects {
            for action in Action::ALL {
                assert!(engine.slices.contains_key(&action), "no slice for {action}");
                for resource in &resources {
                    for purpose in [None, Some("investigation")] {
                        let request = AccessRequest {
                            subject,
                            action,
                            resource,
                            purpose,
                        };
                        assert_eq!(
                            engine.authorize(&request),
                            engine.decide(&request, &engine.policies),
                            "{request:?}"
                        );
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 1_000);
    }

    #[test]
    fn slices_are_smaller_than_the_whole_set() {
        let engine = PolicyEngine::embedded().expect("shipped policies load");
        let whole = engine.policies.num_of_policies();
        for (action, slice) in &engine.slices {
            assert!(slice.policies.num_of_policies() < whole, "{action}");
            assert!(slice.hierarchy.is_empty(), "{action} is in no action group");
        }
    }
}
