//! Browser hardening: every response (the app, the API, its errors) tells the browser to run
//! only our own scripts, never to be framed, to send no referrer and not to sniff types; and
//! the app itself needs no inline script, so that policy can forbid it.

use maildesk_tests::{Backend, spawn_app_on, workspace_root};

fn header(resp: &reqwest::Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The directives of a `Content-Security-Policy`, name → sources.
fn directives(csp: &str) -> Vec<(String, Vec<String>)> {
    csp.split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace();
            let name = words.next()?.to_ascii_lowercase();
            Some((name, words.map(str::to_owned).collect()))
        })
        .collect()
}

fn sources<'a>(csp: &'a [(String, Vec<String>)], name: &str) -> &'a [String] {
    csp.iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s.as_slice())
        .unwrap_or_else(|| panic!("the policy has no {name}: {csp:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_the_browser_security_headers() {
    let app = spawn_app_on(Backend::Sqlite).await;
    let http = app.api.http();
    let base = app.address().to_owned();
    // The app (or its "not built" page), a deep link, the API, an API error, a refused call.
    for path in [
        "/",
        "/tickets/12",
        "/api/v1/health",
        "/api/v1/no-such-route",
        "/api/v1/tickets",
    ] {
        let resp = http.get(format!("{base}{path}")).send().await.expect("request");
        let csp = header(&resp, "content-security-policy");
        let policy = directives(&csp);
        assert_eq!(sources(&policy, "default-src"), ["'self'"], "GET {path}: {csp}");
        let scripts = sources(&policy, "script-src");
        assert!(
            scripts.iter().all(|s| s == "'self'" || s == "'wasm-unsafe-eval'"),
            "GET {path}: scripts from elsewhere, inline or eval allowed: {csp}"
        );
        assert_eq!(sources(&policy, "object-src"), ["'none'"], "GET {path}: {csp}");
        assert_eq!(sources(&policy, "frame-ancestors"), ["'none'"], "GET {path}: {csp}");
        assert_eq!(sources(&policy, "base-uri"), ["'none'"], "GET {path}: {csp}");
        assert_eq!(sources(&policy, "form-action"), ["'self'"], "GET {path}: {csp}");
        let images = sources(&policy, "img-src");
        assert!(
            images
                .iter()
                .all(|s| ["'self'", "data:", "blob:"].contains(&s.as_str())),
            "GET {path}: images from anywhere: {csp}"
        );
        assert!(
            !csp.contains("'unsafe-inline'") && !csp.contains("'unsafe-eval'"),
            "GET {path}: {csp}"
        );
        assert_eq!(header(&resp, "x-frame-options"), "DENY", "GET {path}");
        assert_eq!(header(&resp, "referrer-policy"), "no-referrer", "GET {path}");
        assert_eq!(header(&resp, "x-content-type-options"), "nosniff", "GET {path}");
    }
}

/// The opening tags of every `<script` element in `html`.
fn script_tags(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    lower
        .match_indices("<script")
        .map(|(i, _)| {
            let end = lower[i..].find('>').map_or(lower.len(), |e| i + e + 1);
            let close = lower[end..].find("</script>").map_or(end, |c| end + c);
            format!("{}{}", &lower[i..end], lower[end..close].trim())
        })
        .collect()
}

#[test]
fn the_app_page_runs_no_inline_script() {
    let path = workspace_root().join("frontend/index.html");
    let html = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let scripts = script_tags(&html);
    assert!(!scripts.is_empty(), "index.html loads no script at all?");
    for tag in &scripts {
        // A script element is a `src` and nothing inside: the policy refuses inline code.
        assert!(
            tag.contains(" src=\"/") && tag.ends_with('>'),
            "index.html has an inline script (refused by the Content-Security-Policy): {tag}"
        );
    }
    let lower = html.to_ascii_lowercase();
    for handler in [" onload=", " onerror=", " onclick=", "javascript:"] {
        assert!(!lower.contains(handler), "index.html uses inline script `{handler}`");
    }
    // The files it names are part of the build.
    let script = std::fs::read_to_string(workspace_root().join("scripts/build-frontend.sh")).expect("build script");
    assert!(
        script.contains("frontend/public/*.js"),
        "the build does not copy the bootstrap scripts"
    );
    for file in ["theme.js", "boot.js"] {
        assert!(
            html.contains(&format!("src=\"/{file}\"")),
            "index.html does not load /{file}"
        );
        assert!(
            workspace_root().join("frontend/public").join(file).is_file(),
            "frontend/public/{file} is missing"
        );
    }
}
