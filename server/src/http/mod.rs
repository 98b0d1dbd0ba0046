//! HTTP: thin routes (auth check, one domain call, error mapping), the OpenAPI document and
//! the browser app's static files.

/// Declares a route module's handlers once, at the bottom of its file: the same list registers
/// them under `/api/v1` and documents them, so no handler is served undocumented or documented
/// unserved (the test below checks that each one's actix path matches its documented path).
/// `routes!(list, get_ticket);` defines the module's `ROUTES`, which `API_ROUTES` names. Handlers that cannot be a plain `.service(handler)` (two methods on one
/// resource that reads its own body) follow `; by_hand` with the function that builds their
/// resource: `routes!(replay; by_hand inbound_resource => [inbound, list_inbound]);`.
macro_rules! routes {
    ($($handler:ident),+ $(,)? $(; by_hand $resource:ident => [$($by_hand:ident),+ $(,)?])?) => {
        fn register(scope: ::actix_web::Scope) -> ::actix_web::Scope {
            scope $(.service($handler))+ $(.service($resource()))?
        }

        fn openapi() -> ::utoipa::openapi::OpenApi {
            #[derive(::utoipa::OpenApi)]
            #[openapi(paths($($handler,)+ $($($by_hand,)+)?))]
            struct Part;
            <Part as ::utoipa::OpenApi>::openapi()
        }

        /// This module's routes, registered and documented from the one list above.
        pub const ROUTES: $crate::http::Routes = $crate::http::Routes {
            register,
            openapi,
            #[cfg(test)]
            handlers: &[$(stringify!($handler),)+ $($(stringify!($by_hand),)+)?],
        };
    };
}

pub mod auth_routes;
pub mod browser_headers;
pub mod client_ip;
pub mod content_disposition;
pub mod custom_field_routes;
pub mod directory_routes;
pub mod error;
pub mod kb_routes;
pub mod link_pages;
pub mod live_routes;
pub mod mail_routes;
pub mod misc_routes;
pub mod oauth_routes;
pub mod openapi;
pub mod outbound_routes;
pub mod report_routes;
pub mod rule_routes;
pub mod search_routes;
pub mod sla_routes;
pub mod spa;
pub mod spa_embedded;
pub mod ticket_routes;
pub mod upload_slots;

use actix_web::{Scope, web};

use crate::settings::Settings;

/// A route module's handlers, from its `routes!` list.
pub struct Routes {
    /// Adds them to the `/api/v1` scope.
    register: fn(Scope) -> Scope,
    /// Their operations and the schemas those name; `openapi::document` merges them.
    openapi: fn() -> utoipa::openapi::OpenApi,
    /// Their names: the test counts them against the document's operations.
    #[cfg(test)]
    handlers: &'static [&'static str],
}

/// Every module with routes under `/api/v1`, in registration order (none of their patterns
/// overlap, so the order does not pick a handler).
pub const API_ROUTES: &[Routes] = &[
    auth_routes::ROUTES,
    ticket_routes::ROUTES,
    directory_routes::ROUTES,
    mail_routes::ROUTES,
    oauth_routes::ROUTES,
    search_routes::ROUTES,
    kb_routes::ROUTES,
    outbound_routes::ROUTES,
    sla_routes::ROUTES,
    report_routes::ROUTES,
    rule_routes::ROUTES,
    custom_field_routes::ROUTES,
    misc_routes::ROUTES,
    live_routes::ROUTES,
    openapi::ROUTES,
];

/// The `/api/v1` scope with every module's routes and nothing else.
fn api_scope() -> Scope {
    API_ROUTES
        .iter()
        .fold(web::scope(protocol::API_BASE), |scope, routes| (routes.register)(scope))
}

/// Registers everything under `/api/v1`, then the SPA.
pub fn configure(cfg: &mut web::ServiceConfig, settings: &Settings) {
    let json = web::JsonConfig::default()
        .limit(settings.limits.max_json_bytes)
        .error_handler(error::json_error);
    let uploads = web::PayloadConfig::new(settings.limits.max_attachment_bytes);
    // The middleware, data and fallback are the scope's, so they cover the routes added before.
    cfg.service(
        api_scope()
            .wrap(error::json_error_handlers())
            .app_data(json)
            .app_data(uploads)
            .app_data(web::PathConfig::default().error_handler(error::path_error))
            .app_data(web::QueryConfig::default().error_handler(error::query_error))
            .default_service(web::to(error::api_not_found)),
    );
    cfg.app_data(web::Data::new(spa::AppFiles::from_settings(&settings.http)))
        // Outside `/api/v1` and the document: the provider sends the admin's browser here.
        .service(oauth_routes::callback)
        .default_service(web::to(spa::serve));
}

#[cfg(test)]
mod tests {
    use actix_web::http::Method;
    use actix_web::{App, HttpResponse, test};

    use super::*;

    /// Every operation in the document reaches a handler at its documented method and path (not
    /// the scope's fallback), and the document has one operation per listed handler: an actix
    /// path that drifted from its `#[utoipa::path]`, or a handler listed twice, fails here.
    #[actix_web::test]
    async fn every_documented_operation_is_served() {
        // No app data: a routed request fails in its extractors, which is not the fallback's 418.
        let app =
            test::init_service(App::new().service(api_scope().default_service(web::to(HttpResponse::ImATeapot)))).await;
        let doc = openapi::document();
        let mut operations = 0;
        for (path, item) in &doc.paths.paths {
            let uri: Vec<String> = path
                .split('/')
                .map(|segment| {
                    if segment.starts_with('{') {
                        "1".to_owned()
                    } else {
                        segment.to_owned()
                    }
                })
                .collect();
            let uri = uri.join("/");
            let methods = [
                (Method::GET, item.get.is_some()),
                (Method::PUT, item.put.is_some()),
                (Method::POST, item.post.is_some()),
                (Method::DELETE, item.delete.is_some()),
                (Method::PATCH, item.patch.is_some()),
                (Method::HEAD, item.head.is_some()),
                (Method::OPTIONS, item.options.is_some()),
                (Method::TRACE, item.trace.is_some()),
            ];
            for (method, documented) in methods {
                if !documented {
                    continue;
                }
                operations += 1;
                let req = test::TestRequest::default()
                    .method(method.clone())
                    .uri(&uri)
                    .to_request();
                let res = test::call_service(&app, req).await;
                assert_ne!(
                    res.status().as_u16(),
                    418,
                    "{method} {path} is documented but not served"
                );
            }
        }
        let handlers: usize = API_ROUTES.iter().map(|routes| routes.handlers.len()).sum();
        assert_eq!(
            operations, handlers,
            "the document has one operation per listed handler"
        );
    }
}
