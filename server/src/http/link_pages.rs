//! The small HTML pages the links in our mails open (unsubscribe, rating). Mail scanners and
//! link previews fetch every link with GET, so a GET only shows a plain form; the change is
//! the form's POST, made by a person pressing its button (no JavaScript needed).

use std::sync::LazyLock;

use actix_web::HttpResponse;
use actix_web::http::header;
use base64::Engine;
use protocol::Rating;
use sha2::{Digest, Sha256};

use crate::mail::outbound::templates::render::escape;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}\
                     textarea{width:100%}";

/// Stricter than the app's policy: no script at all, only the page's own style (by hash, so
/// no other inline style runs) and forms that post back to us.
static POLICY: LazyLock<String> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
});

/// Where the unsubscribe link's form posts: the link itself, as a mail client's one-click
/// unsubscribe does (RFC 8058), so both take the same path.
pub fn unsubscribe_action(token: &str) -> String {
    format!("{}/public/unsubscribe?token={token}", protocol::API_BASE)
}

fn html(title: &str, main: &str) -> HttpResponse {
    html_with(actix_web::http::StatusCode::OK, title, main)
}

fn html_with(status: actix_web::http::StatusCode, title: &str, main: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CONTENT_SECURITY_POLICY, POLICY.as_str()))
        // The page carries the link's token.
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title><style>{STYLE}</style></head>\
             <body><main><h1>{title}</h1>{main}</main></body></html>",
            title = escape(title),
        ))
}

/// A page that only says something.
pub fn message(title: &str, text: &str) -> HttpResponse {
    html(title, &format!("<p>{}</p>", escape(text)))
}

/// A page that says something, with a link onwards, answered with `status`.
pub fn message_with_link(
    status: actix_web::http::StatusCode,
    title: &str,
    text: &str,
    link: (&str, &str),
) -> HttpResponse {
    html_with(
        status,
        title,
        &format!(
            "<p>{}</p><p><a href=\"{}\">{}</a></p>",
            escape(text),
            escape(link.0),
            escape(link.1)
        ),
    )
}

/// Asks before leaving the ticket.
pub fn confirm_unsubscribe(token: &str) -> HttpResponse {
    html(
        "Unsubscribe",
        &format!(
            "<p>Stop getting mail about this ticket?</p>\
             <form method=\"post\" action=\"{}\">\
             <input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
             <button type=\"submit\">Unsubscribe</button></form>",
            escape(&unsubscribe_action(token))
        ),
    )
}

/// The rating chosen in the mail, with an optional comment, sent by the button.
pub fn confirm_rating(token: &str, rating: Rating) -> HttpResponse {
    let label = match rating {
        Rating::Good => "Good",
        Rating::Ok => "OK",
        Rating::Bad => "Bad",
    };
    html(
        "Rate our answer",
        &format!(
            "<p>Your rating: <strong>{label}</strong></p>\
             <form method=\"post\" action=\"{}/public/rate\">\
             <input type=\"hidden\" name=\"token\" value=\"{}\"><input type=\"hidden\" name=\"rating\" value=\"{}\">\
             <label for=\"comment\">Anything you want to tell us? (optional)</label><br>\
             <textarea id=\"comment\" name=\"comment\" rows=\"5\" maxlength=\"2000\"></textarea><br>\
             <button type=\"submit\">Send rating</button></form>",
            protocol::API_BASE,
            escape(token),
            rating.as_str()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_exactly_the_page_style() {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
        assert!(POLICY.contains(&format!("style-src 'sha256-{hash}'")), "{}", *POLICY);
        assert!(POLICY.starts_with("default-src 'none'"), "{}", *POLICY);
    }
}
