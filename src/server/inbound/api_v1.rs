//! The REST API (`/api/v1`) for the provider's own systems, with API tokens
//! (`Authorization: Bearer apt_…`): the inventory (organisations and services listed a page at
//! a time, an organisation created or its contacts set, a service made to match: its kind and
//! every address it holds, the same operation as one line of an import) and abuse reports sent
//! in (ARF as a mail, X-ARF as JSON). Its OpenAPI document, `/api/v1/openapi.json`, is built
//! from [`ENDPOINTS`], the table the router is checked against.

use crate::domain::api_token::ApiScope;
use crate::domain::ids::OrgId;
use crate::domain::report::{IntakeChannel, IntakeStatus, MAX_REPORT_BYTES};
use crate::error::AppError;
use crate::server::intake::BodyKind;
use crate::server::state::AppState;
use crate::server::usecase::api_tokens::{authenticate, ApiAuthError, ApiCaller};
use crate::server::usecase::reports::{ingest, Received};
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The largest request body accepted.
pub const MAX_BODY: usize = 64 * 1024;
/// The most items in one page.
pub const MAX_PAGE: i64 = 500;

/// One operation of the API, as the OpenAPI document describes it.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    /// `get`, `post`, `put`.
    pub method: &'static str,
    /// The path.
    pub path: &'static str,
    /// The scope a token needs (`None`: public).
    pub scope: Option<ApiScope>,
    /// What it does.
    pub summary: &'static str,
    /// The request body's schema, if any.
    pub request: Option<&'static str>,
    /// The success response's schema.
    pub response: &'static str,
}

/// Every operation of the API.
pub const ENDPOINTS: [Endpoint; 6] = [
    Endpoint {
        method: "get",
        path: "/api/v1/openapi.json",
        scope: None,
        summary: "This document.",
        request: None,
        response: "OpenApi",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/organisations",
        scope: Some(ApiScope::InventoryRead),
        summary: "Organisations in id order, a page at a time (`after`: the last id of the page before; `limit`: at most 500).",
        request: None,
        response: "OrganisationPage",
    },
    Endpoint {
        method: "post",
        path: "/api/v1/organisations",
        scope: Some(ApiScope::InventoryWrite),
        summary: "Creates an organisation (`abuse_email` needed), or sets the contacts given of an existing one, by name.",
        request: Some("OrganisationIn"),
        response: "Changes",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/services",
        scope: Some(ApiScope::InventoryRead),
        summary: "Services with the addresses they hold, in id order, a page at a time; `organisation` narrows to one organisation's.",
        request: None,
        response: "ServicePage",
    },
    Endpoint {
        method: "put",
        path: "/api/v1/services",
        scope: Some(ApiScope::InventoryWrite),
        summary: "Makes a service match: created when new (its organisation too, given `abuse_email`), its kind set, every address listed assigned and every other released. The same call again changes nothing.",
        request: Some("ServiceIn"),
        response: "Changes",
    },
    Endpoint {
        method: "post",
        path: "/api/v1/reports",
        scope: Some(ApiScope::ReportsWrite),
        summary: "Sends an abuse report: ARF (RFC 5965) as `message/rfc822` or `multipart/report`, X-ARF v4 as `application/json`. Each event is matched by source address to the service that held it then. 201 with where each event went; 200 with `duplicate_of` when the same report (same identifier from the same reporter) came before, counted once; 422 with the reason when the report cannot be read (it is kept as a failed intake for staff).",
        request: Some("Report"),
        response: "IntakeOutcome",
    },
];

/// The API's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi_json))
        .route(
            "/api/v1/organisations",
            get(list_organisations).post(post_organisation),
        )
        .route("/api/v1/services", get(list_services).put(put_service))
        .route("/api/v1/reports", post(post_report))
}

/// An error as API clients read it: its status, and `{"error": …, "field": …}`.
struct ApiError(StatusCode, String, Option<String>);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let field = match &e {
            AppError::Invalid { field, .. } => Some(field.clone()),
            AppError::InvalidFields(errors) => errors.first().map(|f| f.field.clone()),
            _ => None,
        };
        let message = match &e {
            AppError::InvalidFields(errors) => errors
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join(" "),
            other => other.user_message(),
        };
        ApiError(status, message, field)
    }
}

impl From<ApiAuthError> for ApiError {
    fn from(e: ApiAuthError) -> Self {
        match e {
            ApiAuthError::Unauthenticated => {
                ApiError(StatusCode::UNAUTHORIZED, e.to_string(), None)
            }
            ApiAuthError::MissingScope(_) => ApiError(StatusCode::FORBIDDEN, e.to_string(), None),
            ApiAuthError::App(app) => app.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let ApiError(status, message, field) = self;
        let mut res = (status, Json(json!({ "error": message, "field": field }))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

async fn caller(
    st: &AppState,
    headers: &HeaderMap,
    scope: ApiScope,
) -> Result<ApiCaller, ApiError> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    Ok(authenticate(st, authorization, scope).await?)
}

/// A request's body, read only once its caller is known: at most `limit` bytes (413 beyond).
/// The handlers take the body unread, so that a request without a valid token costs no reading.
async fn read_body(body: Body, limit: usize, what: &str) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let too_large = std::error::Error::source(&e)
            .is_some_and(|cause| cause.is::<http_body_util::LengthLimitError>());
        if too_large {
            ApiError(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("The {what} is larger than {limit} bytes."),
                None,
            )
        } else {
            ApiError(
                StatusCode::BAD_REQUEST,
                format!("The {what} could not be read: {e}"),
                None,
            )
        }
    })
}

/// The request's media type, lower-case, without parameters (`""` when none is given).
fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// A JSON body of an authenticated request: 415 unless it says it is JSON, 413 beyond
/// [`MAX_BODY`], 400 when it is not the JSON expected.
async fn json_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: Body,
) -> Result<T, ApiError> {
    let media = media_type(headers);
    if media != "application/json" && !media.ends_with("+json") {
        return Err(ApiError(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the body as application/json.".into(),
            None,
        ));
    }
    let bytes = read_body(body, MAX_BODY, "body").await?;
    serde_json::from_slice(&bytes).map_err(|e| {
        ApiError(
            StatusCode::BAD_REQUEST,
            format!("The body is not the JSON expected: {e}"),
            None,
        )
    })
}

/// A page request.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    /// The last id of the page before.
    pub after: Option<i64>,
    /// Items per page (default 100, at most 500).
    pub limit: Option<i64>,
    /// One organisation's (services only), by name.
    pub organisation: Option<String>,
}

impl PageQuery {
    fn limit(&self) -> i64 {
        self.limit.unwrap_or(100).clamp(1, MAX_PAGE)
    }
}

/// An organisation as the API gives it.
#[derive(Debug, Serialize, Deserialize)]
pub struct OrganisationOut {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Abuse contact.
    pub abuse_email: Option<String>,
    /// Billing contact.
    pub billing_email: Option<String>,
    /// Technical contact.
    pub technical_email: Option<String>,
    /// Telephone.
    pub phone: Option<String>,
    /// Whether it is retired.
    pub retired: bool,
}

async fn list_organisations(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(page): Query<PageQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    caller(&st, &headers, ApiScope::InventoryRead).await?;
    let rows =
        crate::server::db::inventory::orgs_page(&st.db, page.after.unwrap_or(0), page.limit())
            .await
            .map_err(AppError::from)?;
    let next = (rows.len() as i64 == page.limit())
        .then(|| rows.last().map(|o| o.id))
        .flatten();
    let organisations: Vec<OrganisationOut> = rows
        .into_iter()
        .map(|o| OrganisationOut {
            id: o.id,
            name: o.name,
            abuse_email: o.abuse_email,
            billing_email: o.billing_email,
            technical_email: o.technical_email,
            phone: o.phone,
            retired: o.retired_at.is_some(),
        })
        .collect();
    Ok(Json(
        json!({ "organisations": organisations, "next": next }),
    ))
}

/// An organisation to create, or whose contacts to set.
#[derive(Debug, Deserialize)]
pub struct OrganisationIn {
    /// Its name (the key).
    pub name: String,
    /// Abuse contact (needed for a new organisation).
    pub abuse_email: Option<String>,
    /// Billing contact.
    pub billing_email: Option<String>,
    /// Technical contact.
    pub technical_email: Option<String>,
    /// Telephone.
    pub phone: Option<String>,
}

async fn post_organisation(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    use crate::server::usecase::organisations::{
        create_organisation, update_organisation, OrgForm,
    };
    let who = caller(&st, &headers, ApiScope::InventoryWrite).await?;
    let input: OrganisationIn = json_body(&headers, body).await?;
    let reason = format!("Sent by {} through the inventory API.", who.label);
    let existing = crate::server::db::inventory::org_by_name(&st.db, input.name.trim())
        .await
        .map_err(AppError::from)?;
    let pick = |given: &Option<String>, stored: Option<&String>| {
        given
            .clone()
            .or_else(|| stored.cloned())
            .unwrap_or_default()
    };
    let form = OrgForm {
        name: input.name.clone(),
        abuse_email: pick(
            &input.abuse_email,
            existing.as_ref().and_then(|o| o.abuse_email.as_ref()),
        ),
        billing_email: pick(
            &input.billing_email,
            existing.as_ref().and_then(|o| o.billing_email.as_ref()),
        ),
        technical_email: pick(
            &input.technical_email,
            existing.as_ref().and_then(|o| o.technical_email.as_ref()),
        ),
        phone: pick(
            &input.phone,
            existing.as_ref().and_then(|o| o.phone.as_ref()),
        ),
    };
    let changes = match existing {
        None => {
            let id = create_organisation(&st, &who.actor, &form, &reason).await?;
            vec![format!(
                "organisation {} (#{id}) created",
                input.name.trim()
            )]
        }
        Some(org) if org.contacts() == form_contacts(&form) => Vec::new(),
        Some(org) => {
            update_organisation(&st, &who.actor, OrgId(org.id), &form, &reason).await?;
            vec!["contacts set".to_owned()]
        }
    };
    Ok(Json(json!({ "changes": changes })))
}

fn form_contacts(
    form: &crate::server::usecase::organisations::OrgForm,
) -> crate::domain::inventory::Contacts {
    crate::domain::inventory::Contacts::parse(
        &form.abuse_email,
        &form.billing_email,
        &form.technical_email,
        &form.phone,
    )
    .unwrap_or_default()
}

/// A service as the API gives it.
#[derive(Debug, Serialize, Deserialize)]
pub struct ServiceOut {
    /// Id.
    pub id: i64,
    /// Its organisation's name.
    pub organisation: String,
    /// Its label.
    pub service: String,
    /// Its kind, as stored.
    pub kind: String,
    /// Its state.
    pub state: String,
    /// Every address and prefix it holds.
    pub addresses: Vec<String>,
    /// Whether it is retired.
    pub retired: bool,
}

async fn list_services(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(page): Query<PageQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    caller(&st, &headers, ApiScope::InventoryRead).await?;
    let org = match page.organisation.as_deref() {
        None => None,
        Some(name) => Some(OrgId(
            crate::server::db::inventory::org_by_name(&st.db, name.trim())
                .await
                .map_err(AppError::from)?
                .ok_or_else(|| {
                    ApiError::from(AppError::invalid(
                        "organisation",
                        format!("No organisation is named {name:?}."),
                    ))
                })?
                .id,
        )),
    };
    let rows = crate::server::db::inventory::services_page(
        &st.db,
        org,
        page.after.unwrap_or(0),
        page.limit(),
    )
    .await
    .map_err(AppError::from)?;
    let next = (rows.len() as i64 == page.limit())
        .then(|| rows.last().map(|(s, _)| s.id))
        .flatten();
    let services: Vec<ServiceOut> = rows
        .into_iter()
        .map(|(s, addresses)| ServiceOut {
            id: s.id,
            organisation: s.organisation_name,
            service: s.label,
            kind: s.kind,
            state: s.state,
            addresses,
            retired: s.retired_at.is_some(),
        })
        .collect();
    Ok(Json(json!({ "services": services, "next": next })))
}

/// A service as it should be.
#[derive(Debug, Deserialize)]
pub struct ServiceIn {
    /// Its organisation's name.
    pub organisation: String,
    /// That organisation's abuse contact (needed when it is new).
    pub abuse_email: Option<String>,
    /// Its label.
    pub service: String,
    /// Its kind (`vps`, `dedicated_server`, …).
    pub kind: String,
    /// Every address and prefix it should hold.
    pub addresses: Vec<String>,
}

async fn put_service(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    let who = caller(&st, &headers, ApiScope::InventoryWrite).await?;
    let input: ServiceIn = json_body(&headers, body).await?;
    let changes = crate::server::usecase::inventory_import::make_service_match(
        &st,
        &who.actor,
        &who.label,
        [
            input.organisation,
            input.abuse_email.unwrap_or_default(),
            input.service,
            input.kind,
            input.addresses.join(" "),
        ],
    )
    .await?;
    Ok(Json(json!({ "changes": changes })))
}

async fn post_report(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let who = caller(&st, &headers, ApiScope::ReportsWrite).await?;
    let kind = match media_type(&headers).as_str() {
        "application/json" => BodyKind::Json,
        "message/rfc822" | "multipart/report" => BodyKind::Mail,
        "" | "text/plain" | "application/octet-stream" => BodyKind::Sniff,
        other => {
            return Err(ApiError(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("Send ARF as message/rfc822 or multipart/report, X-ARF as application/json, not {other}."),
                None,
            ))
        }
    };
    let body = read_body(body, MAX_REPORT_BYTES, "report").await?;
    let received = Received {
        channel: IntakeChannel::Api,
        by: Some(who.actor.user_id),
        client_address: None,
    };
    let outcome = ingest(&st, &received, &body, kind).await?;
    let status = match outcome.status {
        IntakeStatus::Accepted if outcome.duplicate_of.is_some() => StatusCode::OK,
        IntakeStatus::Accepted => StatusCode::CREATED,
        IntakeStatus::Failed => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let mut value = serde_json::to_value(&outcome).map_err(crate::server::errors::internal)?;
    if let Some(failure) = &outcome.failure {
        value["error"] = json!(failure);
    }
    Ok((status, Json(value)).into_response())
}

async fn openapi_json(State(st): State<AppState>) -> Json<serde_json::Value> {
    Json(openapi(st.config.public_url.as_str()))
}

/// The OpenAPI 3.1 document of the API, built from [`ENDPOINTS`] and the schemas below.
pub fn openapi(server: &str) -> serde_json::Value {
    let mut paths = serde_json::Map::new();
    for e in ENDPOINTS {
        let mut operation = json!({
            "summary": e.summary,
            "responses": {
                "200": { "description": "Done.", "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{}", e.response) } } } },
                "400": { "$ref": "#/components/responses/Error" },
                "401": { "$ref": "#/components/responses/Error" },
                "403": { "$ref": "#/components/responses/Error" },
                "409": { "$ref": "#/components/responses/Error" },
                "422": { "$ref": "#/components/responses/Error" }
            }
        });
        match e.scope {
            Some(scope) => {
                operation["security"] = json!([{ "token": [scope.as_str()] }]);
                operation["description"] = json!(format!(
                    "Needs a token with the scope `{}`.",
                    scope.as_str()
                ));
            }
            None => operation["security"] = json!([]),
        }
        if let Some(request) = e.request {
            let schema = json!({ "$ref": format!("#/components/schemas/{request}") });
            operation["requestBody"] = if request == "Report" {
                json!({ "required": true, "content": {
                    "message/rfc822": { "schema": schema }, "multipart/report": { "schema": schema },
                    "application/json": { "schema": { "type": "object", "description": "X-ARF v4" } } } })
            } else {
                json!({ "required": true, "content": { "application/json": { "schema": schema } } })
            };
        }
        if e.path == "/api/v1/reports" {
            let ok = operation["responses"]["200"].clone();
            let responses = operation["responses"].as_object_mut().expect("an object");
            responses.insert("201".into(), ok);
        }
        if e.request.is_some() {
            // Every body is read only once the token is checked: too large (413), or of a type
            // the endpoint does not take (415).
            let responses = operation["responses"].as_object_mut().expect("an object");
            for status in ["413", "415"] {
                responses.insert(
                    status.into(),
                    json!({ "$ref": "#/components/responses/Error" }),
                );
            }
        }
        if e.method == "get" && e.path != "/api/v1/openapi.json" {
            operation["parameters"] = json!([
                { "name": "after", "in": "query", "schema": { "type": "integer" } },
                { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": MAX_PAGE } },
                { "name": "organisation", "in": "query", "schema": { "type": "string" }, "description": "Services only: one organisation's, by name." }
            ]);
        }
        let entry = paths.entry(e.path).or_insert_with(|| json!({}));
        entry[e.method] = operation;
    }
    let string = json!({ "type": "string" });
    let nullable = json!({ "type": ["string", "null"] });
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Abuse-case portal API", "version": "1", "description": "The provider's systems keep the portal's inventory current. Send `Authorization: Bearer apt_…` with a token an admin made." },
        "servers": [{ "url": server.trim_end_matches('/') }],
        "paths": paths,
        "components": {
            "securitySchemes": { "token": { "type": "http", "scheme": "bearer" } },
            "responses": { "Error": { "description": "Refused; `error` says why, `field` names the field at fault.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } } },
            "schemas": {
                "OpenApi": { "type": "object" },
                "Error": { "type": "object", "required": ["error"], "properties": { "error": string, "field": nullable } },
                "Changes": { "type": "object", "required": ["changes"], "properties": { "changes": { "type": "array", "items": string } } },
                "Organisation": { "type": "object", "required": ["id", "name", "retired"], "properties": {
                    "id": { "type": "integer" }, "name": string, "abuse_email": nullable, "billing_email": nullable,
                    "technical_email": nullable, "phone": nullable, "retired": { "type": "boolean" } } },
                "OrganisationPage": { "type": "object", "required": ["organisations"], "properties": {
                    "organisations": { "type": "array", "items": { "$ref": "#/components/schemas/Organisation" } },
                    "next": { "type": ["integer", "null"] } } },
                "OrganisationIn": { "type": "object", "required": ["name"], "properties": {
                    "name": string, "abuse_email": string, "billing_email": string, "technical_email": string, "phone": string } },
                "Service": { "type": "object", "required": ["id", "organisation", "service", "kind", "state", "addresses", "retired"], "properties": {
                    "id": { "type": "integer" }, "organisation": string, "service": string, "kind": string, "state": string,
                    "addresses": { "type": "array", "items": string }, "retired": { "type": "boolean" } } },
                "ServicePage": { "type": "object", "required": ["services"], "properties": {
                    "services": { "type": "array", "items": { "$ref": "#/components/schemas/Service" } },
                    "next": { "type": ["integer", "null"] } } },
                "Report": { "description": "An ARF report (a mail: message/rfc822 or multipart/report) or an X-ARF v4 document (application/json), at most 2 MiB.", "type": "string" },
                "IntakeOutcome": { "type": "object", "required": ["id", "reference", "status", "events"], "properties": {
                    "id": { "type": "integer" }, "reference": string, "status": { "type": "string", "enum": ["accepted", "failed"] },
                    "failure": nullable, "error": string, "duplicate_of": { "type": ["integer", "null"] },
                    "events": { "type": "array", "items": { "type": "object", "required": ["source", "state"], "properties": {
                        "source": string,
                        "state": { "type": "string", "enum": crate::domain::report::EventState::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>() },
                        "notice_id": { "type": ["integer", "null"] }, "pending_id": { "type": ["integer", "null"] } } } } } },
                "ServiceIn": { "type": "object", "required": ["organisation", "service", "kind", "addresses"], "properties": {
                    "organisation": string, "abuse_email": string, "service": string,
                    "kind": { "type": "string", "enum": crate::domain::service::ServiceKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>() },
                    "addresses": { "type": "array", "items": string } } }
            }
        }
    })
}
