//! The OpenAPI document, generated from the same handlers and types that serve requests.

use actix_web::{HttpResponse, get};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    auth_routes, custom_field_routes, directory_routes, kb_routes, live_routes, mail_routes, misc_routes,
    outbound_routes, report_routes, rule_routes, search_routes, sla_routes, ticket_routes,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Maildesk API", description = "E-mail helpdesk: tickets, messages, people."),
    paths(
        auth_routes::login_route, auth_routes::refresh_route, auth_routes::me,
        auth_routes::logout, auth_routes::change_password, auth_routes::reset_password, auth_routes::url_ticket,
        ticket_routes::list, ticket_routes::create_ticket, ticket_routes::get_ticket, ticket_routes::update_ticket,
        ticket_routes::reply, ticket_routes::note, ticket_routes::take, ticket_routes::add_subscriber,
        ticket_routes::remove_subscriber, ticket_routes::merge, ticket_routes::split, ticket_routes::log_time, ticket_routes::time_entries, ticket_routes::rate,
        ticket_routes::upload,
        directory_routes::list_users, directory_routes::create_user, directory_routes::get_user,
        directory_routes::list_companies, directory_routes::create_company,
        directory_routes::list_categories, directory_routes::create_category, directory_routes::set_category_agents,
        directory_routes::list_canned, directory_routes::create_canned, directory_routes::delete_canned,
        mail_routes::list_mailboxes, mail_routes::create_mailbox, mail_routes::get_mailbox, mail_routes::update_mailbox,
        mail_routes::delete_mailbox, mail_routes::rotate_secret, mail_routes::fetch_mailbox, mail_routes::inbound, mail_routes::list_inbound,
        mail_routes::inbound_raw, mail_routes::replay, mail_routes::release,
        kb_routes::list_articles, kb_routes::get_article, kb_routes::create_article, kb_routes::update_article,
        kb_routes::delete_article, kb_routes::feedback,
        search_routes::search_tickets, search_routes::search_articles, search_routes::ticket_suggestions, search_routes::status,
        outbound_routes::list_outbox, outbound_routes::get_outbox, outbound_routes::get_notification_settings,
        outbound_routes::put_notification_settings, outbound_routes::list_templates, outbound_routes::save_template,
        outbound_routes::reset_template, outbound_routes::preview_template, outbound_routes::autologin,
        outbound_routes::unsubscribe, outbound_routes::unsubscribe_confirmed, outbound_routes::rate, outbound_routes::rate_comment,
        sla_routes::list_calendars, sla_routes::create_calendar, sla_routes::get_calendar, sla_routes::replace_calendar,
        sla_routes::delete_calendar, sla_routes::list_policies, sla_routes::create_policy, sla_routes::get_policy,
        sla_routes::replace_policy, sla_routes::delete_policy,
        report_routes::get_report, report_routes::get_report_csv,
        rule_routes::list_rules, rule_routes::create_rule, rule_routes::dry_run, rule_routes::get_rule,
        rule_routes::replace_rule, rule_routes::delete_rule,
        custom_field_routes::list_fields, custom_field_routes::create_field, custom_field_routes::replace_field,
        custom_field_routes::delete_field, custom_field_routes::set_values,
        misc_routes::download, misc_routes::health, live_routes::socket, openapi_json,
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

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

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "system", responses((status = 200, description = "OpenAPI 3.1 document")))]
#[get("/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
