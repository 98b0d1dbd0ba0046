//! The OpenAPI document, generated from the same handlers and types that serve requests.

use actix_web::{HttpResponse, get};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

/// What the document has besides the route modules' operations.
#[derive(OpenApi)]
#[openapi(
    info(title = "Maildesk API", description = "E-mail helpdesk: tickets, messages, people."),
    // Types only parameters name (`IntoParams` fields refer to them and do not register them).
    components(schemas(
        protocol::SearchSort, protocol::TicketSort, protocol::SortOrder, protocol::TicketStatus, protocol::Priority,
        protocol::Role, protocol::InboundStatus, protocol::OutboundStatus, protocol::TemplateEvent, protocol::Rating,
        Binary,
    )),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

/// The whole document: the modules' operations merged into `ApiDoc`, then the framework's error
/// statuses, which must see every operation, so they are added last rather than as a modifier.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    for routes in super::API_ROUTES {
        doc.merge((routes.openapi)());
    }
    FrameworkErrors.modify(&mut doc);
    doc
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Raw bytes as a body (a mail, an upload, a download): a binary string, not an array of numbers.
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl utoipa::ToSchema for Binary {}

/// Operations that are signed in but check no role and no per-record right: nothing in them
/// answers 403. Every other signed-in operation can (a role check, or a ticket in another
/// agent's category).
const NO_FORBIDDEN: &[(&str, &str)] = &[
    ("get", "/api/v1/auth/me"),
    ("post", "/api/v1/auth/ticket"),
    ("get", "/api/v1/tickets"),
    ("get", "/api/v1/categories"),
    ("get", "/api/v1/custom-fields"),
    ("get", "/api/v1/search/tickets"),
    ("get", "/api/v1/ws"),
];

/// The error statuses the framework and the extractors give, added by rule so that no route's
/// annotation can forget them: the bearer check (401, 403), path and query parsing (400, and
/// 404 for a path that names nothing), the JSON body extractor (400, 413, 415, 422). A route's
/// own annotation documents its domain answers (409, 422, 429…) and wins where both say one.
struct FrameworkErrors;

impl Modify for FrameworkErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                ("get", &mut item.get),
                ("put", &mut item.put),
                ("post", &mut item.post),
                ("delete", &mut item.delete),
                ("patch", &mut item.patch),
            ];
            for (method, operation) in operations {
                if let Some(operation) = operation.as_mut() {
                    add_framework_errors(method, path, operation);
                }
            }
        }
    }
}

fn add_framework_errors(method: &str, path: &str, operation: &mut Operation) {
    let signed_in = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_param = |place: ParameterIn| {
        operation
            .parameters
            .iter()
            .flatten()
            .any(|p| std::mem::discriminant(&p.parameter_in) == std::mem::discriminant(&place))
    };
    let (in_path, in_query) = (has_param(ParameterIn::Path), has_param(ParameterIn::Query));
    let body_types = |wanted: &[&str]| {
        operation
            .request_body
            .as_ref()
            .is_some_and(|b| b.content.keys().any(|t| wanted.contains(&t.as_str())))
    };
    let json_body = body_types(&["application/json"]);
    // Read by an extractor that parses it (JSON, a form): unreadable, too large or mislabelled.
    let parsed_body = json_body || body_types(&["application/x-www-form-urlencoded"]);
    // Read as bytes: only a size limit applies.
    let raw_body = body_types(&["application/octet-stream", "message/rfc822"]);
    let mut statuses = Vec::new();
    if signed_in {
        statuses.push(("401", "no valid access token"));
        if !NO_FORBIDDEN.contains(&(method, path)) {
            statuses.push(("403", "signed in, but not allowed to do this"));
        }
    }
    if in_path || in_query || parsed_body {
        statuses.push(("400", "a path or query parameter, or the body, could not be read"));
    }
    if in_path {
        statuses.push(("404", "nothing here, or nothing the caller may see"));
    }
    if parsed_body || raw_body {
        statuses.push(("413", "the body is larger than this endpoint accepts"));
    }
    if parsed_body {
        statuses.push(("415", "the body is not sent with the content type this endpoint reads"));
    }
    if json_body {
        statuses.push(("422", "a value is not acceptable"));
    }
    for (status, description) in statuses {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| error_response(description));
    }
}

fn error_response(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "system", responses((status = 200, description = "OpenAPI 3.1 document")))]
#[get("/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

routes!(openapi_json);
