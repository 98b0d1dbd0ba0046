//! The security headers every response carries (the app, the API, errors, static files): what
//! a browser may load, run, frame and send along, so that HTML slipping past the sanitizer or
//! a hostile page framing us gets nowhere.

use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;

/// The app's policy. Scripts only from our origin; `'wasm-unsafe-eval'` lets the browser
/// compile the app's WebAssembly without allowing JavaScript `eval`. No inline script or
/// style anywhere (index.html loads its bootstrap from files), no plugins, no framing, no
/// `<base>` rewriting, and forms post only to us. `data:` images are the favicon and inline
/// pictures; `blob:` the attachments the app previews.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; \
     frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Added to every response that does not set its own (a page with a stricter policy keeps
/// it: `DefaultHeaders` never overwrites).
pub fn default_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        // For browsers older than `frame-ancestors`.
        .add((header::X_FRAME_OPTIONS, "DENY"))
        // Links in tickets lead to other sites; our URLs (ticket ids, mail link tokens) stay here.
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
}
