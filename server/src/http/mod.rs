//! HTTP: thin routes (auth check, one domain call, error mapping), the OpenAPI document and
//! the browser app's static files.

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

use actix_web::web;

use crate::settings::Settings;

/// Registers everything under `/api/v1`, then the SPA.
pub fn configure(cfg: &mut web::ServiceConfig, settings: &Settings) {
    let json = web::JsonConfig::default()
        .limit(settings.limits.max_json_bytes)
        .error_handler(error::json_error);
    let uploads = web::PayloadConfig::new(settings.limits.max_attachment_bytes);
    cfg.service(
        web::scope(protocol::API_BASE)
            .wrap(error::json_error_handlers())
            .app_data(json)
            .app_data(uploads)
            .app_data(web::PathConfig::default().error_handler(error::path_error))
            .app_data(web::QueryConfig::default().error_handler(error::query_error))
            .service(auth_routes::login_route)
            .service(auth_routes::refresh_route)
            .service(auth_routes::me)
            .service(auth_routes::logout)
            .service(auth_routes::change_password)
            .service(auth_routes::reset_password)
            .service(auth_routes::url_ticket)
            .service(ticket_routes::list)
            .service(ticket_routes::create_ticket)
            .service(ticket_routes::get_ticket)
            .service(ticket_routes::update_ticket)
            .service(ticket_routes::reply)
            .service(ticket_routes::note)
            .service(ticket_routes::take)
            .service(ticket_routes::add_subscriber)
            .service(ticket_routes::remove_subscriber)
            .service(ticket_routes::merge)
            .service(ticket_routes::split)
            .service(ticket_routes::log_time)
            .service(ticket_routes::time_entries)
            .service(ticket_routes::rate)
            .service(ticket_routes::upload)
            .service(directory_routes::list_users)
            .service(directory_routes::create_user)
            .service(directory_routes::get_user)
            .service(directory_routes::list_companies)
            .service(directory_routes::create_company)
            .service(directory_routes::list_categories)
            .service(directory_routes::create_category)
            .service(directory_routes::set_category_agents)
            .service(directory_routes::list_canned)
            .service(directory_routes::create_canned)
            .service(directory_routes::delete_canned)
            .service(mail_routes::list_mailboxes)
            .service(mail_routes::create_mailbox)
            .service(mail_routes::get_mailbox)
            .service(mail_routes::update_mailbox)
            .service(mail_routes::delete_mailbox)
            .service(mail_routes::rotate_secret)
            .service(mail_routes::fetch_mailbox)
            .service(mail_routes::test_connection)
            .service(mail_routes::test_mail)
            .service(oauth_routes::get_oauth)
            .service(oauth_routes::put_oauth)
            .service(oauth_routes::delete_oauth)
            .service(oauth_routes::connect)
            // One resource for both methods; the POST reads its (large) body itself, within the
            // mailbox's limit.
            .service(
                web::resource("/inbound")
                    .route(web::post().to(mail_routes::inbound))
                    .route(web::get().to(mail_routes::list_inbound)),
            )
            .service(mail_routes::inbound_raw)
            .service(mail_routes::replay)
            .service(mail_routes::release)
            .service(search_routes::search_tickets)
            .service(search_routes::search_articles)
            .service(search_routes::ticket_suggestions)
            .service(search_routes::status)
            .service(kb_routes::list_articles)
            .service(kb_routes::get_article)
            .service(kb_routes::create_article)
            .service(kb_routes::update_article)
            .service(kb_routes::delete_article)
            .service(kb_routes::feedback)
            .service(outbound_routes::list_outbox)
            .service(outbound_routes::get_outbox)
            .service(outbound_routes::get_notification_settings)
            .service(outbound_routes::put_notification_settings)
            .service(outbound_routes::list_templates)
            .service(outbound_routes::save_template)
            .service(outbound_routes::reset_template)
            .service(outbound_routes::preview_template)
            .service(outbound_routes::autologin)
            .service(outbound_routes::unsubscribe)
            .service(outbound_routes::unsubscribe_confirmed)
            .service(outbound_routes::rate)
            .service(outbound_routes::rate_comment)
            .service(sla_routes::list_calendars)
            .service(sla_routes::create_calendar)
            .service(sla_routes::get_calendar)
            .service(sla_routes::replace_calendar)
            .service(sla_routes::delete_calendar)
            .service(sla_routes::list_policies)
            .service(sla_routes::create_policy)
            .service(sla_routes::get_policy)
            .service(sla_routes::replace_policy)
            .service(sla_routes::delete_policy)
            .service(report_routes::get_report)
            .service(report_routes::get_report_csv)
            .service(rule_routes::list_rules)
            .service(rule_routes::create_rule)
            .service(rule_routes::dry_run)
            .service(rule_routes::get_rule)
            .service(rule_routes::replace_rule)
            .service(rule_routes::delete_rule)
            .service(custom_field_routes::list_fields)
            .service(custom_field_routes::create_field)
            .service(custom_field_routes::replace_field)
            .service(custom_field_routes::delete_field)
            .service(custom_field_routes::set_values)
            .service(misc_routes::download)
            .service(misc_routes::health)
            .service(live_routes::socket)
            .service(openapi::openapi_json)
            .default_service(web::to(error::api_not_found)),
    );
    cfg.app_data(web::Data::new(spa::AppFiles::from_settings(&settings.http)))
        .service(oauth_routes::callback)
        .default_service(web::to(spa::serve));
}
